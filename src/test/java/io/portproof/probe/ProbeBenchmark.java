package io.portproof.probe;

import java.io.IOException;
import java.net.InetAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;

/**
 * Full probes of ~1,000 real nginx TLS endpoints on 127.0.0.1 against sslscan over the same
 * endpoints (several processes at once) and testssl --fast on one. Run with {@code ./mvnw -B
 * -Pbench-probe test}. System properties: bench.endpoints (1000), bench.nginx (4 processes),
 * bench.concurrency (prober targets at once, 32), bench.sslscan.parallel (sslscan processes, 16),
 * bench.sslscan.default (also run sslscan with its default checks, true), bench.testssl (true).
 */
public final class ProbeBenchmark {
  private ProbeBenchmark() {}

  public static void main(String[] args) throws Exception {
    int endpoints = Integer.getInteger("bench.endpoints", 1000);
    int nginxCount = Integer.getInteger("bench.nginx", 4);
    int concurrency = Integer.getInteger("bench.concurrency", 32);
    int sslscanParallel = Integer.getInteger("bench.sslscan.parallel", 16);
    boolean testssl = Boolean.parseBoolean(System.getProperty("bench.testssl", "true"));
    int cores = Runtime.getRuntime().availableProcessors();
    System.out.printf(Locale.ROOT, "portproof probe benchmark: %d endpoints, %d nginx, %d cores%n",
        endpoints, nginxCount, cores);

    TestCerts certs = TestCerts.get();
    List<Integer> ports = Nginx.freePorts(endpoints);
    List<Nginx> servers = new ArrayList<>();
    try {
      long t0 = System.nanoTime();
      int per = (endpoints + nginxCount - 1) / nginxCount;
      for (int i = 0; i < endpoints; i += per) {
        List<Integer> chunk = ports.subList(i, Math.min(endpoints, i + per));
        servers.add(
            Nginx.start(
                TlsProfiles.server(chunk, certs, "TLSv1.2 TLSv1.3",
                    TlsProfiles.INTERMEDIATE_CIPHERS, "off",
                    "  add_header Strict-Transport-Security \"max-age=63072000\" always;\n"),
                chunk));
      }
      System.out.printf(Locale.ROOT, "nginx up on %d ports in %d ms%n", endpoints, ms(t0));
      run(ports, certs, concurrency, sslscanParallel, testssl);
    } finally {
      for (Nginx n : servers) {
        n.close();
      }
    }
  }

  private static void run(
      List<Integer> ports, TestCerts certs, int concurrency, int sslscanParallel, boolean testssl)
      throws Exception {
    InetAddress lo = InetAddress.getByName("127.0.0.1");
    List<Target> targets = new ArrayList<>();
    for (int port : ports) {
      targets.add(new Target(TestCerts.HOST, lo, port, Service.HTTPS));
    }
    ProbeOptions options =
        ProbeOptions.defaults().toBuilder()
            .concurrency(concurrency)
            .connectionsPerSecond(1_000_000)
            .build();
    Prober prober = new Prober(options);

    long t0 = System.nanoTime();
    prober.probe(targets.get(0));
    long coldSingle = ms(t0);
    long best = Long.MAX_VALUE;
    for (int i = 1; i <= 20; i++) {
      long t1 = System.nanoTime();
      prober.probe(targets.get(i % targets.size()));
      best = Math.min(best, ms(t1));
    }
    System.out.printf(Locale.ROOT,
        "one host's full web check (TCP, TLS matrix, certificate, HTTPS / and 404 headers): "
            + "cold %d ms, warm best of 20 %d ms%n", coldSingle, best);

    long jvmCpu0 = jvmCpuNanos();
    long nginxCpu0 = nginxCpuNanos();
    t0 = System.nanoTime();
    List<Observation> seen =
        prober.probeAll(
            targets,
            (done, total) -> {
              if (done % 250 == 0 || done == total) {
                System.out.printf(Locale.ROOT, "  prober %d/%d%n", done, total);
              }
            });
    long proberMs = ms(t0);
    System.out.printf(Locale.ROOT, "  CPU during the prober run: prober JVM %d ms, nginx %d ms%n",
        (jvmCpuNanos() - jvmCpu0) / 1_000_000, (nginxCpuNanos() - nginxCpu0) / 1_000_000);
    long clean =
        seen.stream()
            .filter(o -> o.tls() != null && o.tls().errors().isEmpty())
            .filter(o -> o.tls().protocols().equals(List.of("TLSv1.3", "TLSv1.2")))
            .filter(o -> o.tls().certificate() != null)
            .filter(o -> o.http().size() == 2 && o.http().get(1).last() != null
                && o.http().get(1).last().hsts() != null)
            .count();
    System.out.printf(Locale.ROOT,
        "prober: %d endpoints fully probed in %d ms (%.1f ms/endpoint, concurrency %d); "
            + "%d/%d complete and as configured%n",
        seen.size(), proberMs, (double) proberMs / seen.size(), concurrency, clean, seen.size());

    if (Env.which("sslscan") != null) {
      // Trimmed to the findings the prober also makes (protocols, suites, certificate): the
      // fairest comparison. Then sslscan as people run it, which also enumerates groups and
      // tests heartbleed, renegotiation, compression and fallback.
      compareSslscan(seen, ports, sslscanParallel, proberMs, "trimmed to the same findings",
          List.of("--no-heartbleed", "--no-renegotiation", "--no-compression", "--no-fallback",
              "--no-groups"));
      if (Boolean.parseBoolean(System.getProperty("bench.sslscan.default", "true"))) {
        compareSslscan(seen, ports, sslscanParallel, proberMs, "default checks", List.of());
      }
    } else {
      System.out.println("sslscan not installed: no comparison");
    }

    if (testssl && Env.which("testssl") != null) {
      long t2 = System.nanoTime();
      try {
        // No DNS (there is no network) and bounded openssl calls, so testssl cannot hang on either.
        Env.run(600, "testssl", "--fast", "--quiet", "--warnings", "off", "--color", "0",
            "--nodns", "none", "--openssl-timeout", "10", "127.0.0.1:" + ports.get(0));
        System.out.printf(Locale.ROOT, "testssl --fast on one endpoint: %d ms%n", ms(t2));
      } catch (IOException e) {
        System.out.printf(Locale.ROOT, "testssl --fast on one endpoint: gave up after %d ms (%s)%n",
            ms(t2), e.getMessage().lines().findFirst().orElse(""));
      }
    }
  }

  private static void compareSslscan(
      List<Observation> seen,
      List<Integer> ports,
      int parallel,
      long proberMs,
      String mode,
      List<String> flags)
      throws Exception {
    Map<Integer, Map<String, Set<String>>> theirs = new LinkedHashMap<>();
    long childCpu0 = reapedChildrenCpuMillis();
    long nginxCpu0 = nginxCpuNanos();
    long sslscanMs = sslscan(ports, parallel, flags, theirs);
    long sslscanCpu = reapedChildrenCpuMillis() - childCpu0;
    long nginxCpu = (nginxCpuNanos() - nginxCpu0) / 1_000_000;
    int agree = 0;
    List<String> disagreements = new ArrayList<>();
    for (Observation o : seen) {
      Map<String, Set<String>> ours = new LinkedHashMap<>();
      o.tls().ciphers().forEach((v, l) -> ours.put(v, new TreeSet<>(l)));
      if (ours.equals(theirs.get(o.target().port()))) {
        agree++;
      } else if (disagreements.size() < 3) {
        disagreements.add(
            o.target().port() + ": ours " + ours + " sslscan " + theirs.get(o.target().port()));
      }
    }
    System.out.printf(Locale.ROOT,
        "sslscan (%s): %d endpoints in %d ms, %d processes at once, each with a --targets list; "
            + "protocol and suite findings agree on %d/%d; prober is %.1fx faster%n",
        mode, ports.size(), sslscanMs, parallel, agree, seen.size(), (double) sslscanMs / proberMs);
    System.out.printf(Locale.ROOT, "  CPU during the sslscan run: sslscan processes %d ms, nginx %d ms%n",
        sslscanCpu, nginxCpu);
    disagreements.forEach(d -> System.out.println("  differs " + d));
  }

  /**
   * CPU of this JVM's children that have exited and been reaped (the sslscan processes), from
   * cutime and cstime in /proc/self/stat; nginx is still running and not included.
   */
  private static long reapedChildrenCpuMillis() throws IOException {
    String stat = Files.readString(Path.of("/proc/self/stat"));
    String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
    // Fields 16 and 17 of stat(5), counted from the state field (3) after the command name.
    long ticks = Long.parseLong(f[13]) + Long.parseLong(f[14]);
    return ticks * 10; // USER_HZ is 100 on Linux
  }

  /** Splits the endpoints into one --targets list per process and runs the processes at once. */
  private static long sslscan(
      List<Integer> ports,
      int parallel,
      List<String> flags,
      Map<Integer, Map<String, Set<String>>> out)
      throws Exception {
    Path dir = Files.createTempDirectory("portproof-sslscan");
    try {
      List<Process> procs = new ArrayList<>();
      List<Path> xmls = new ArrayList<>();
      long t0 = System.nanoTime();
      for (int p = 0; p < parallel; p++) {
        List<String> lines = new ArrayList<>();
        for (int i = p; i < ports.size(); i += parallel) {
          lines.add("127.0.0.1:" + ports.get(i));
        }
        if (lines.isEmpty()) {
          continue;
        }
        Path list = Files.write(dir.resolve("targets-" + p), lines);
        Path xml = dir.resolve("out-" + p + ".xml");
        xmls.add(xml);
        List<String> command = new ArrayList<>(List.of("sslscan", "--no-colour", "--show-ciphers"));
        command.addAll(flags);
        command.add("--targets=" + list);
        command.add("--xml=" + xml);
        procs.add(
            new ProcessBuilder(command)
                .redirectErrorStream(true)
                .redirectOutput(dir.resolve("log-" + p).toFile())
                .start());
      }
      Thread killOnExit = new Thread(() -> procs.forEach(Process::destroyForcibly));
      Runtime.getRuntime().addShutdownHook(killOnExit);
      try {
        for (Process proc : procs) {
          if (!proc.waitFor(60, TimeUnit.MINUTES)) {
            throw new IOException("sslscan took longer than 60 minutes");
          }
        }
      } finally {
        procs.forEach(Process::destroyForcibly);
        Runtime.getRuntime().removeShutdownHook(killOnExit);
      }
      long elapsed = ms(t0);
      for (Path xml : xmls) {
        out.putAll(ScannerOutputs.sslscanByPort(Files.readString(xml)));
      }
      return elapsed;
    } finally {
      Nginx.deleteTree(dir);
    }
  }

  private static long jvmCpuNanos() {
    return ((com.sun.management.OperatingSystemMXBean)
            java.lang.management.ManagementFactory.getOperatingSystemMXBean())
        .getProcessCpuTime();
  }

  /** CPU used so far by the nginx processes this JVM started (masters and their workers). */
  private static long nginxCpuNanos() {
    return ProcessHandle.current().descendants()
        .filter(p -> p.info().command().map(c -> c.endsWith("nginx")).orElse(false))
        .mapToLong(p -> p.info().totalCpuDuration().map(java.time.Duration::toNanos).orElse(0L))
        .sum();
  }

  private static long ms(long startNanos) {
    return (System.nanoTime() - startNanos) / 1_000_000;
  }
}
