package io.portproof.probe;

import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;

/**
 * A real TCP server on 127.0.0.1 running a behaviour per connection: a tiny protocol speaker, or
 * one that misbehaves on purpose. Every behaviour is bounded in bytes
 * and time, and {@link #close()} closes every socket it opened and joins its threads.
 */
final class LoopbackServer implements AutoCloseable {
  @FunctionalInterface
  interface Behaviour {
    void serve(Socket client) throws IOException, InterruptedException;
  }

  private final ServerSocket server;
  private final List<Socket> clients = new CopyOnWriteArrayList<>();
  private final List<Thread> threads = new CopyOnWriteArrayList<>();

  LoopbackServer(Behaviour behaviour) throws IOException {
    server = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
    Thread acceptor =
        new Thread(
            () -> {
              while (!server.isClosed()) {
                try {
                  Socket client = server.accept();
                  clients.add(client);
                  Thread t =
                      new Thread(
                          () -> {
                            try (client) {
                              behaviour.serve(client);
                            } catch (IOException | InterruptedException e) {
                              // The prober hung up, as it should once its deadline passes.
                            }
                          });
                  t.setDaemon(true);
                  threads.add(t);
                  t.start();
                } catch (IOException e) {
                  return;
                }
              }
            });
    acceptor.setDaemon(true);
    threads.add(acceptor);
    acceptor.start();
  }

  int port() {
    return server.getLocalPort();
  }

  /** Sends {@code data} one byte per {@code intervalMillis}. */
  static Behaviour drip(byte[] data, long intervalMillis) {
    return client -> {
      OutputStream out = client.getOutputStream();
      for (byte b : data) {
        out.write(b);
        out.flush();
        Thread.sleep(intervalMillis);
      }
    };
  }

  /** Sends a status line and then header lines as fast as the client takes them, up to 64 MiB. */
  static Behaviour endlessHeaders() {
    return client -> {
      OutputStream out = client.getOutputStream();
      out.write("HTTP/1.1 200 OK\r\n".getBytes());
      byte[] line = ("X-Portproof-Filler: " + "a".repeat(1000) + "\r\n").getBytes();
      for (int i = 0; i < 64 * 1024; i++) {
        out.write(line);
      }
    };
  }

  /** Answers anything with a fixed banner, then waits for the client to go. */
  static Behaviour banner(byte[] banner) {
    return client -> {
      client.getOutputStream().write(banner);
      client.getOutputStream().flush();
      client.setSoTimeout(10_000);
      client.getInputStream().readAllBytes();
    };
  }

  @Override
  public void close() throws IOException, InterruptedException {
    server.close();
    for (Socket s : clients) {
      s.close();
    }
    for (Thread t : threads) {
      t.interrupt();
      t.join(TimeUnit.SECONDS.toMillis(5));
    }
  }
}
