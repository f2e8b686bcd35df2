package io.portproof.probe;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * A real nginx on 127.0.0.1 in its own prefix directory, run in the foreground as our child and
 * stopped by its PID. {@code http} is the body of the http block; {@code PREFIX} in it is replaced
 * by the prefix directory.
 */
final class Nginx implements AutoCloseable {
  final Path prefix;
  private final Process process;
  private final Thread onExit;

  private Nginx(Path prefix, Process process) {
    this.prefix = prefix;
    this.process = process;
    // A killed test JVM (timeout, Ctrl-C) skips finally blocks but still runs shutdown hooks.
    this.onExit = new Thread(this::stop);
    Runtime.getRuntime().addShutdownHook(onExit);
  }

  static Nginx start(String http, List<Integer> ports) throws IOException, InterruptedException {
    Env.requireTool("nginx");
    Path prefix = Files.createTempDirectory("portproof-nginx");
    Path conf = prefix.resolve("nginx.conf");
    Files.writeString(
        conf,
        String.join(
            "\n",
            "user root;",
            "worker_processes 1;",
            "daemon off;",
            "master_process on;",
            "error_log PREFIX/error.log warn;",
            "pid PREFIX/nginx.pid;",
            "worker_rlimit_nofile 8192;",
            "events { worker_connections 4096; }",
            "http {",
            "  access_log off;",
            "  client_body_temp_path PREFIX/tmp-body;",
            "  proxy_temp_path PREFIX/tmp-proxy;",
            "  fastcgi_temp_path PREFIX/tmp-fastcgi;",
            "  uwsgi_temp_path PREFIX/tmp-uwsgi;",
            "  scgi_temp_path PREFIX/tmp-scgi;",
            "  root PREFIX/html;",
            http,
            "}",
            "")
            .replace("PREFIX", prefix.toString()));
    Files.createDirectories(prefix.resolve("html"));
    Process p =
        new ProcessBuilder("nginx", "-p", prefix.toString(), "-c", conf.toString())
            .redirectErrorStream(true)
            .redirectOutput(prefix.resolve("stdout.log").toFile())
            .start();
    Nginx nginx = new Nginx(prefix, p);
    try {
      nginx.awaitListening(ports);
      return nginx;
    } catch (IOException | RuntimeException e) {
      nginx.close();
      throw e;
    }
  }

  private void awaitListening(List<Integer> ports) throws IOException, InterruptedException {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
    for (int port : ports) {
      while (true) {
        if (!process.isAlive()) {
          throw new IOException("nginx exited: " + log());
        }
        try (Socket s = new Socket()) {
          s.connect(new InetSocketAddress("127.0.0.1", port), 1000);
          break;
        } catch (IOException e) {
          if (System.nanoTime() > deadline) {
            throw new IOException("nginx did not listen on " + port + " within 20 s: " + log());
          }
          Thread.sleep(20);
        }
      }
    }
  }

  String log() throws IOException {
    Path err = prefix.resolve("error.log");
    Path out = prefix.resolve("stdout.log");
    return (Files.exists(err) ? Files.readString(err) : "")
        + (Files.exists(out) ? Files.readString(out) : "");
  }

  /** Stops nginx by its PID (SIGTERM, then SIGKILL after 5 s) and removes the prefix. */
  @Override
  public void close() {
    stop();
    try {
      Runtime.getRuntime().removeShutdownHook(onExit);
    } catch (IllegalStateException e) {
      // Already shutting down: the hook is running or has run.
    }
  }

  private void stop() {
    try {
      process.destroy();
      if (!process.waitFor(5, TimeUnit.SECONDS)) {
        process.destroyForcibly().waitFor(5, TimeUnit.SECONDS);
      }
    } catch (InterruptedException e) {
      process.destroyForcibly();
      Thread.currentThread().interrupt();
    } finally {
      deleteTree(prefix);
    }
  }

  /** Ports the kernel just handed out on 127.0.0.1 and released, so nginx can bind them. */
  static List<Integer> freePorts(int count) throws IOException {
    Integer[] ports = new Integer[count];
    ServerSocket[] held = new ServerSocket[count];
    try {
      for (int i = 0; i < count; i++) {
        held[i] = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress());
        ports[i] = held[i].getLocalPort();
      }
    } finally {
      for (ServerSocket s : held) {
        if (s != null) {
          s.close();
        }
      }
    }
    return List.of(ports);
  }

  static void deleteTree(Path dir) {
    try (Stream<Path> walk = Files.walk(dir)) {
      walk.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
    } catch (IOException e) {
      // Best effort at exit: a leftover temp dir is harmless.
    }
  }
}
