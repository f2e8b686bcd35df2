package io.portproof.truth;

import io.portproof.truth.Lab.Observation;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStreamWriter;
import java.io.UncheckedIOException;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * A long-lived {@link ProberMain} inside a client namespace, and the request/answer protocol with it.
 *
 * <p>Lifecycle: construct, call {@link #probeAll} any number of times from one thread, then {@link #close}.
 */
final class ProbeClient implements AutoCloseable {
  private final String namespace;
  private final Process prober;
  private final Writer proberIn;
  private final BlockingQueue<String> proberOut = new LinkedBlockingQueue<>();
  private long nextProbeId;

  /**
   * @param namespace the client namespace, already wired
   * @param lifetimeSeconds after this the prober exits even if nobody closes it
   * @param threads how many connection attempts run at once
   */
  ProbeClient(String namespace, Path classpath, long lifetimeSeconds, int threads) {
    this.namespace = namespace;
    this.prober = Namespaces.start(namespace, childJava(classpath, "ProberMain", lifetimeSeconds, threads));
    this.proberIn = new OutputStreamWriter(prober.getOutputStream(), StandardCharsets.US_ASCII);
    Thread reader = new Thread(() -> pump(prober, proberOut), "truth-prober-" + namespace);
    reader.setDaemon(true);
    reader.start();
  }

  /** Probes every tuple once, concurrently; each attempt gives up after {@code connectTimeoutMillis}. */
  Map<Probe, Observation> probeAll(List<Probe> probes, int connectTimeoutMillis) {
    Map<Long, Probe> pending = new HashMap<>();
    StringBuilder requests = new StringBuilder();
    for (Probe probe : probes) {
      long id = nextProbeId++;
      pending.put(id, probe);
      requests.append(id).append(' ').append(probe.src()).append(' ').append(probe.dst())
          .append(' ').append(probe.port()).append(' ').append(connectTimeoutMillis).append('\n');
    }
    try {
      proberIn.write(requests.toString());
      proberIn.flush();
    } catch (IOException e) {
      throw new UncheckedIOException("prober in " + namespace + " is gone", e);
    }
    Map<Probe, Observation> results = new HashMap<>();
    long deadline =
        System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(connectTimeoutMillis * 3L + 10_000);
    while (!pending.isEmpty()) {
      long left = deadline - System.nanoTime();
      String line;
      try {
        line = left > 0 ? proberOut.poll(left, TimeUnit.NANOSECONDS) : null;
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new IllegalStateException("interrupted while probing", e);
      }
      if (line == null) {
        throw new IllegalStateException(
            "prober in " + namespace + " did not answer " + pending.size() + " probes in time");
      }
      String[] f = line.split(" ", 4);
      // Ids are never reused, so a straggler from an earlier batch cannot be mistaken for this one.
      Probe probe = pending.remove(Long.parseLong(f[0]));
      if (probe != null) {
        Outcome outcome = "error".equals(f[1]) ? null : Outcome.parse(f[1]);
        results.put(probe, new Observation(outcome, Long.parseLong(f[2]), f[3]));
      }
    }
    return results;
  }

  /** The command line of a small JVM running one of this package's child programs. */
  static List<String> childJava(Path classpath, String mainClass, Object... args) {
    String javaBin = Path.of(System.getProperty("java.home"), "bin", "java").toString();
    List<String> command = new ArrayList<>(List.of(
        javaBin, "-XX:TieredStopAtLevel=1", "-XX:+UseSerialGC", "-XX:-UsePerfData", "-Xss256k",
        "-Xmx64m", "-cp", classpath.toString(), "io.portproof.truth." + mainClass));
    for (Object arg : args) {
      command.add(String.valueOf(arg));
    }
    return command;
  }

  private static void pump(Process process, BlockingQueue<String> sink) {
    try (BufferedReader out = new BufferedReader(
        new InputStreamReader(process.getInputStream(), StandardCharsets.US_ASCII))) {
      for (String line = out.readLine(); line != null; line = out.readLine()) {
        sink.add(line);
      }
    } catch (IOException e) {
      // The prober is gone; probeAll reports the missing answers.
    }
  }

  @Override
  public void close() {
    Namespaces.stop(prober);
  }
}
