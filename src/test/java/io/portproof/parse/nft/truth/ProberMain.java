package io.portproof.parse.nft.truth;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.ConnectException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.NoRouteToHostException;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.Locale;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * Child program run inside the client namespace: reads probe requests from stdin, one per line
 * {@code ID SRC DST PORT TIMEOUT_MS}, connects from SRC to DST:PORT and prints {@code ID OUTCOME
 * MILLIS DETAIL} per probe, in completion order. Exits on stdin EOF or when its lifetime runs out.
 *
 * <p>Arguments: {@code LIFETIME_SECONDS THREADS}
 */
public final class ProberMain {
  private ProberMain() {}

  public static void main(String[] args) throws IOException {
    long lifetimeMillis = Long.parseLong(args[0]) * 1000L;
    ExecutorService pool = Executors.newFixedThreadPool(Integer.parseInt(args[1]));
    Thread reaper =
        new Thread(
            () -> {
              try {
                Thread.sleep(lifetimeMillis);
              } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
              }
              System.exit(0);
            });
    reaper.setDaemon(true);
    reaper.start();
    BufferedReader in =
        new BufferedReader(new InputStreamReader(System.in, StandardCharsets.US_ASCII));
    for (String line = in.readLine(); line != null; line = in.readLine()) {
      String[] f = line.trim().split("\\s+");
      if (f.length == 5) {
        pool.execute(() -> report(f[0], probe(f[1], f[2], Integer.parseInt(f[3]), Integer.parseInt(f[4]))));
      }
    }
    System.exit(0);
  }

  private record Result(String outcome, long millis, String detail) {}

  private static synchronized void report(String id, Result result) {
    System.out.println(id + " " + result.outcome + " " + result.millis + " " + result.detail);
    System.out.flush();
  }

  /** Closes sockets whose connect outlived its timeout; closing wakes the blocked connect. */
  private static final ScheduledExecutorService ALARMS = Executors.newScheduledThreadPool(2);

  /**
   * A blocking connect, bounded by closing the socket from a timer. Blocking on purpose: it
   * returns as soon as the SYN-ACK is processed, so "open" means the port answered the SYN. A
   * non-blocking connect reads SO_ERROR, which also reports a soft error (an ICMP error answering
   * the handshake's final ACK, say) and would turn an answered SYN into a racy failure.
   */
  private static Result probe(String src, String dst, int port, int timeoutMillis) {
    long start = System.nanoTime();
    AtomicBoolean timedOut = new AtomicBoolean();
    Socket socket = new Socket();
    ScheduledFuture<?> alarm = ALARMS.schedule(() -> {
      timedOut.set(true);
      closeQuietly(socket);
    }, timeoutMillis, TimeUnit.MILLISECONDS);
    try {
      socket.bind(new InetSocketAddress(InetAddress.getByName(src), 0));
      socket.connect(new InetSocketAddress(InetAddress.getByName(dst), port));
      return result("open", start, "connected");
    } catch (IOException e) {
      if (timedOut.get()) {
        return result("filtered", start, "timeout");
      }
      return result(classify(e), start, e.getClass().getSimpleName() + ": " + e.getMessage());
    } finally {
      alarm.cancel(false);
      closeQuietly(socket);
    }
  }

  private static void closeQuietly(Socket socket) {
    try {
      socket.close();
    } catch (IOException e) {
      // Closing is only ever cleanup here.
    }
  }

  /**
   * Maps the errno Java reports for a failed connect. The kernel turns ICMP errors on a SYN into
   * hard errors: port-unreachable is ECONNREFUSED like a reset; host/net unreachable and the
   * prohibited codes become EHOSTUNREACH, ENETUNREACH or EACCES; proto-unreachable ENOPROTOOPT.
   */
  private static String classify(IOException e) {
    String message = String.valueOf(e.getMessage()).toLowerCase(Locale.ROOT);
    if (e instanceof ConnectException && message.contains("refused")) {
      return "refused";
    }
    if (message.contains("connection reset")) {
      // A reset in SYN_SENT is ECONNREFUSED; ECONNRESET means the SYN-ACK came back and the
      // handshake's final ACK met a tcp-reset before connect returned. The SYN was answered: open.
      return "open";
    }
    if (e instanceof NoRouteToHostException
        || message.contains("no route to host")
        || message.contains("network is unreachable")
        || message.contains("permission denied")
        || message.contains("protocol not available")
        || message.contains("host is down")) {
      return "unreachable";
    }
    return "error";
  }

  private static Result result(String outcome, long start, String detail) {
    return new Result(outcome, (System.nanoTime() - start) / 1_000_000, detail.replace('\n', ' '));
  }
}
