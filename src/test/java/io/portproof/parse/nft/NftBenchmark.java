package io.portproof.parse.nft;

import io.portproof.analysis.Exposure;
import io.portproof.analysis.FirewallAnalyzer;
import io.portproof.analysis.HostContext;
import io.portproof.analysis.Protocols;
import io.portproof.diag.Diagnostics;
import io.portproof.model.Ip;
import io.portproof.model.IpRange;
import io.portproof.model.IpSet;
import io.portproof.model.PortSet;
import io.portproof.model.fw.Ruleset;
import io.portproof.parse.InputText;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * Parses and analyses a large nftables ruleset — a 100,000-element CIDR set and 10,000 rules — and times
 * {@code nft -c -f} on the same file beside it, in a throw-away network namespace. Target: parse + exposure of
 * tcp 1-65535 over both families under 2 s. Run with {@code ./mvnw -Pbench-nft process-test-classes}.
 *
 * <p>Arguments: {@code [RUNS] [EXPOSURE_BUDGET_SECONDS]}.
 */
public final class NftBenchmark {
  static final int SET_ELEMENTS = 100_000;
  static final int RULES = 10_000;

  private NftBenchmark() {}

  public static void main(String[] args) throws Exception {
    int runs = args.length > 0 ? Integer.parseInt(args[0]) : 3;
    long budget = args.length > 1 ? Long.parseLong(args[1]) : 120;
    System.out.printf("machine: %d cores, max heap %,d MB, %s %s, load average %.1f%n", Runtime.getRuntime().availableProcessors(),
        Runtime.getRuntime().maxMemory() >> 20, System.getProperty("java.vm.name"), System.getProperty("java.version"),
        ManagementFactory.getOperatingSystemMXBean().getSystemLoadAverage());
    // The blocklist first is how operators write it; last isolates the cost of the rule count. Last runs first: an
    // exposure that outlives its budget keeps running in its thread and would slow whatever followed it.
    for (boolean blocklistFirst : new boolean[] {false, true}) {
      Path file = Files.createTempFile("portproof-nft-bench-", ".nft");
      try {
        String text = ruleset(blocklistFirst);
        Files.writeString(file, text);
        System.out.printf("%nnft bench: %,d-element CIDR set looked up %s %,d rules, %,d bytes%n", SET_ELEMENTS,
            blocklistFirst ? "before" : "after", RULES, text.length());
        bench(file, runs, budget);
      } finally {
        Files.deleteIfExists(file);
      }
    }
    // An exposure that outlived its budget is still running in its thread.
    System.exit(0);
  }

  private static void bench(Path file, int runs, long budgetSeconds) throws Exception {
    Ip v4 = Ip.parse("198.51.100.10");
    Ip v6 = Ip.parse("2001:db8::10");
    List<long[]> times = new ArrayList<>();
    String summary = "";
    boolean timedOut = false;
    for (int run = 0; run <= runs; run++) {
      System.gc();
      long c0 = cpu();
      long t0 = System.nanoTime();
      Diagnostics d = new Diagnostics();
      List<Ruleset> rs = NftFormat.TEXT.parse(InputText.read(file, file.toString()), Map.of(), d);
      long t1 = System.nanoTime();
      long c1 = cpu();
      if (timedOut) {
        times.add(new long[] {t1 - t0, -1, c1 - c0, -1});
        continue;
      }
      FirewallAnalyzer a = new FirewallAnalyzer(new HostContext(rs, IpSet.of(IpRange.of(v4), IpRange.of(v6))));
      ExecutorService one = Executors.newSingleThreadExecutor(r -> {
        Thread t = new Thread(r, "nft-bench-exposure");
        t.setDaemon(true);
        return t;
      });
      Future<long[]> exposure = one.submit(() -> {
        long ec = cpu();
        Exposure e4 = a.exposure(v4, Protocols.TCP, PortSet.range(1, 65535), "eth0");
        Exposure e6 = a.exposure(v6, Protocols.TCP, PortSet.range(1, 65535), "eth0");
        return new long[] {cpu() - ec, e4.blocks().size(), e6.blocks().size()};
      });
      long[] ex;
      try {
        ex = exposure.get(budgetSeconds, TimeUnit.SECONDS);
      } catch (TimeoutException e) {
        // The rest of the runs time the parse alone.
        timedOut = true;
        summary = String.format("parsed %,d rules, %,d diagnostics; exposure did not finish within %d s",
            rs.stream().mapToInt(Ruleset::ruleCount).sum(), d.asList().size(), budgetSeconds);
        times.add(new long[] {t1 - t0, -1, c1 - c0, -1});
        continue;
      } finally {
        one.shutdown();
      }
      long t2 = System.nanoTime();
      times.add(new long[] {t1 - t0, t2 - t1, c1 - c0, ex[0]});
      if (run == 0) {
        summary = String.format("parsed %,d rules in %d rulesets, %,d diagnostics (%s); exposure: %,d IPv4 and %,d IPv6 port ranges",
            rs.stream().mapToInt(Ruleset::ruleCount).sum(), rs.size(), d.asList().size(), d.hasInvalid() ? "INVALID" : "valid",
            ex[1], ex[2]);
      }
    }
    long[] first = times.get(0);
    long[] best = times.stream().skip(1).min((x, y) -> Long.compare(x[0] + x[1], y[0] + y[1])).orElse(first);
    System.out.println(summary);
    System.out.printf("%-48s %12s %12s %14s%n", "", "first run", "best of " + runs, "(CPU, best)");
    System.out.printf("%-48s %10.0f ms %10.0f ms %11.0f ms%n", "portproof parse", first[0] / 1e6, best[0] / 1e6, best[2] / 1e6);
    if (!timedOut) {
      System.out.printf("%-48s %10.0f ms %10.0f ms %11.0f ms%n", "portproof exposure, tcp 1-65535, both families",
          first[1] / 1e6, best[1] / 1e6, best[3] / 1e6);
      System.out.printf("%-48s %10.0f ms %10.0f ms %11.0f ms   (target < 2000 ms)%n", "portproof parse + exposure",
          (first[0] + first[1]) / 1e6, (best[0] + best[1]) / 1e6, (best[2] + best[3]) / 1e6);
    } else {
      System.out.printf("%-48s > %d s (not finished)   (target < 2000 ms)%n", "portproof exposure, tcp 1-65535, both families", budgetSeconds);
    }
    System.out.printf("%-48s %s%n", "nft -c -f (same file, throw-away namespace)", nftCheck(file));
  }

  /**
   * An nft ruleset of the benchmark's size: a blocklist of 100,000 disjoint /28s looked up first, then 10,000
   * rules that each open a port to a /24, some through a user chain, some IPv6.
   */
  static String ruleset(boolean blocklistFirst) {
    StringBuilder sb = new StringBuilder(8 << 20);
    sb.append("flush ruleset\ntable inet bench {\n\tset blocklist {\n\t\ttype ipv4_addr\n\t\tflags interval\n\t\telements = { ");
    for (int i = 0; i < SET_ELEMENTS; i++) {
      long base = (20L << 24) + i * 32L;
      if (i > 0) {
        sb.append(i % 8 == 0 ? ",\n\t\t\t     " : ", ");
      }
      sb.append(base >>> 24).append('.').append((base >>> 16) & 255).append('.').append((base >>> 8) & 255)
          .append('.').append(base & 255).append("/28");
    }
    sb.append(" }\n\t}\n\n\tchain input {\n\t\ttype filter hook input priority filter; policy drop;\n");
    sb.append("\t\tct state established,related accept\n");
    if (blocklistFirst) {
      sb.append("\t\tip saddr @blocklist drop\n");
    }
    for (int i = 0; i < RULES - 3; i++) {
      int port = 1024 + (i * 7) % 60000;
      switch (i % 10) {
        case 0 -> sb.append("\t\tip6 saddr 2001:db8:").append(Integer.toHexString(i)).append("::/48 tcp dport ").append(port).append(" accept\n");
        case 1 -> sb.append("\t\ttcp dport ").append(port).append(" jump svc\n");
        default -> sb.append("\t\tip saddr 10.").append((i >> 8) & 255).append('.').append(i & 255).append(".0/24 tcp dport ")
            .append(port).append(" accept\n");
      }
    }
    if (!blocklistFirst) {
      sb.append("\t\tip saddr @blocklist drop\n");
    }
    sb.append("\t}\n\n\tchain svc {\n\t\tip saddr 192.0.2.0/24 accept\n\t}\n}\n");
    return sb.toString();
  }

  private static long cpu() {
    return ManagementFactory.getThreadMXBean().getCurrentThreadCpuTime();
  }

  /** Times nft's own parse and evaluation of the file, in a namespace of its own so nothing is touched. */
  private static String nftCheck(Path file) {
    if (!"root".equals(System.getProperty("user.name"))) {
      return "not run: needs root (for a throw-away network namespace)";
    }
    String ns = "ppn-bench-" + ProcessHandle.current().pid();
    try {
      if (run(List.of("ip", "netns", "add", ns)) != 0) {
        return "not run: 'ip netns add' failed";
      }
      long t0 = System.nanoTime();
      int rc = run(List.of("ip", "netns", "exec", ns, "nft", "-c", "-f", file.toString()));
      long t1 = System.nanoTime();
      return rc == 0 ? String.format("%10.0f ms", (t1 - t0) / 1e6) : "failed (exit " + rc + ")";
    } catch (Exception e) {
      return "not run: " + e.getMessage();
    } finally {
      try {
        run(List.of("ip", "netns", "del", ns));
      } catch (Exception ignored) {
        // Best effort: -c commits nothing, so the namespace holds no rules.
      }
    }
  }

  private static int run(List<String> cmd) throws Exception {
    Process p = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
    if (!p.waitFor(300, TimeUnit.SECONDS)) {
      p.destroyForcibly();
      return -1;
    }
    return p.exitValue();
  }
}
