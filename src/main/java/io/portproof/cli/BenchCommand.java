package io.portproof.cli;

import io.portproof.analysis.Exposure;
import io.portproof.analysis.FirewallAnalyzer;
import io.portproof.analysis.HostContext;
import io.portproof.analysis.Protocols;
import io.portproof.model.Ip;
import io.portproof.model.IpRange;
import io.portproof.model.IpSet;
import io.portproof.model.PortSet;
import io.portproof.model.fw.Ruleset;
import io.portproof.model.fw.Verdict;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryPoolMXBean;
import java.lang.management.MemoryType;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

@Command(name = "bench", mixinStandardHelpOptions = true, sortOptions = false,
    description = {"Benchmarks parsing and full exposure analysis (tcp 1-65535, every client address) on a generated",
        "export, beside the kernel tool's own check of the same file in a throw-away network namespace (as root).",
        "Prints the first run (cold JVM) and the best of the next runs, wall and CPU time, and peak heap.",
        "",
        "Shapes:",
        "  kube-proxy  iptables-save of a kube-proxy node, at least 50,000 rules in nat and filter, beside",
        "              'iptables-restore --test'. Target: parse + exposure under 2 s, heap under 512 MB.",
        "  nft         nft list ruleset with a 100,000-element CIDR set and 10,000 rules, the set looked up last",
        "              and then first, both families, beside 'nft -c -f'. Target: under 2 s.",
        "",
        "Examples:  java -Xmx512m -jar target/portproof.jar bench",
        "           java -Xmx512m -jar target/portproof.jar bench --shape nft"})
final class BenchCommand extends IoCommand implements Callable<Integer> {
  enum Shape {
    KUBE_PROXY,
    NFT;

    @Override
    public String toString() {
      return name().toLowerCase(Locale.ROOT).replace('_', '-');
    }
  }

  @Option(names = "--shape", defaultValue = "kube-proxy", paramLabel = "SHAPE", converter = ShapeConverter.class,
      description = "kube-proxy or nft (default: ${DEFAULT-VALUE}).")
  Shape shape;

  @Option(names = "--services", defaultValue = "7000", paramLabel = "N", description = "kube-proxy services to generate (default: ${DEFAULT-VALUE}, about 55,000 rules).")
  int services;

  @Option(names = "--seed", defaultValue = "42", paramLabel = "N", description = "Generator seed for kube-proxy (default: ${DEFAULT-VALUE}).")
  long seed;

  @Option(names = "--runs", defaultValue = "3", paramLabel = "N", description = "Timed runs after the first (default: ${DEFAULT-VALUE}); the best is reported beside the first.")
  int runs;

  @Option(names = "--keep", paramLabel = "FILE", description = "Also write the generated export here (for nft: the set-looked-up-last file).")
  Path keep;

  static final class ShapeConverter implements picocli.CommandLine.ITypeConverter<Shape> {
    @Override
    public Shape convert(String value) {
      for (Shape s : Shape.values()) {
        if (s.toString().equals(value)) {
          return s;
        }
      }
      throw new picocli.CommandLine.TypeConversionException("'" + value + "' is not a shape: kube-proxy or nft");
    }
  }

  @Override
  public Integer call() throws Exception {
    io.out().printf("machine: %d cores, max heap %,d MB, %s %s, load average %.1f%n", Runtime.getRuntime().availableProcessors(),
        Runtime.getRuntime().maxMemory() >> 20, System.getProperty("java.vm.name"), System.getProperty("java.version"),
        ManagementFactory.getOperatingSystemMXBean().getSystemLoadAverage());
    if (shape == Shape.KUBE_PROXY) {
      int[] count = new int[1];
      String text = KubeProxyRuleset.generate(services, seed, count);
      io.out().printf("%nkube-proxy-shaped iptables-save: %,d services, %,d rules, %,d bytes%n", services, count[0], text.length());
      bench(text, "iptables", ".v4", List.of(Ip.parse("192.0.2.10")), "iptables-restore --test (same file)",
          List.of("iptables-restore", "--test"), true, keep);
    } else {
      for (boolean first : new boolean[] {false, true}) {
        String text = NftBlocklistRuleset.generate(first);
        io.out().printf("%nnft ruleset: %,d-element CIDR set looked up %s %,d rules, %,d bytes%n", NftBlocklistRuleset.SET_ELEMENTS,
            first ? "before" : "after", NftBlocklistRuleset.RULES, text.length());
        bench(text, "nft", ".nft", List.of(Ip.parse("198.51.100.10"), Ip.parse("2001:db8::10")), "nft -c -f (same file)",
            List.of("nft", "-c", "-f"), false, first ? null : keep);
      }
    }
    return Main.OK;
  }

  /**
   * Times parse and exposure of {@code text} as {@code format}, then the peer tool on the same file.
   *
   * @param peer the peer's command; the file is its standard input or its last argument
   */
  private void bench(String text, String format, String suffix, List<Ip> dsts, String peerName, List<String> peer, boolean peerStdin,
      Path keepAs) throws Exception {
    Path file = keepAs != null ? keepAs : Files.createTempFile("portproof-bench-", suffix);
    try {
      Files.writeString(file, text);
      List<long[]> times = new ArrayList<>();
      long peak = 0;
      String summary = "";
      for (int run = 0; run <= runs; run++) {
        System.gc();
        resetPeaks();
        long c0 = cpu();
        long t0 = System.nanoTime();
        Inputs.Loaded loaded = Inputs.load(List.of(new Inputs.Spec(format, file, file.toString())));
        long t1 = System.nanoTime();
        long c1 = cpu();
        FirewallAnalyzer a = new FirewallAnalyzer(new HostContext(loaded.rulesets(), IpSet.of(dsts.stream().map(IpRange::of).toList())));
        int blocks = 0;
        long open = 0;
        for (Ip dst : dsts) {
          Exposure e = a.exposure(dst, Protocols.TCP, PortSet.range(1, 65535), "eth0");
          blocks += e.blocks().size();
          open += e.blocks().stream().filter(b -> !b.sources(Verdict.ACCEPT).isEmpty())
              .mapToLong(b -> b.ports().intervals().stream().mapToLong(iv -> iv[1] - iv[0] + 1).sum()).sum();
        }
        long t2 = System.nanoTime();
        long c2 = cpu();
        peak = Math.max(peak, peakHeap());
        times.add(new long[] {t1 - t0, t2 - t1, c1 - c0, c2 - c1});
        if (run == 0) {
          summary = String.format("parsed %,d rules; exposure: %,d port ranges, %,d ports reachable from somewhere, %,d diagnostics",
              loaded.rulesets().stream().mapToInt(Ruleset::ruleCount).sum(), blocks, open, loaded.diagnostics().size());
        }
      }
      long[] first = times.get(0);
      long[] best = times.stream().skip(1).min((x, y) -> Long.compare(x[0] + x[1], y[0] + y[1])).orElse(first);
      String families = dsts.size() > 1 ? "both families" : "all sources";
      io.out().println(summary);
      io.out().printf("%-48s %12s %12s %14s%n", "", "first run", "best of " + runs, "(CPU, best)");
      io.out().printf("%-48s %10.0f ms %10.0f ms %11.0f ms%n", "portproof parse", first[0] / 1e6, best[0] / 1e6, best[2] / 1e6);
      io.out().printf("%-48s %10.0f ms %10.0f ms %11.0f ms%n", "portproof exposure, tcp 1-65535, " + families, first[1] / 1e6, best[1] / 1e6, best[3] / 1e6);
      io.out().printf("%-48s %10.0f ms %10.0f ms %11.0f ms   (target < 2000 ms)%n", "portproof parse + exposure",
          (first[0] + first[1]) / 1e6, (best[0] + best[1]) / 1e6, (best[2] + best[3]) / 1e6);
      io.out().printf("%-48s %10d MB%n", "portproof peak heap", peak >> 20);
      io.out().printf("%-48s %s%n", peerName, peerCheck(file, peer, peerStdin));
    } finally {
      if (keepAs == null) {
        Files.deleteIfExists(file);
      }
    }
  }

  /** This thread's CPU time: on a busy machine a fairer figure than the wall clock, which is printed too. */
  private static long cpu() {
    return ManagementFactory.getThreadMXBean().getCurrentThreadCpuTime();
  }

  private static void resetPeaks() {
    for (MemoryPoolMXBean p : ManagementFactory.getMemoryPoolMXBeans()) {
      if (p.getType() == MemoryType.HEAP) {
        p.resetPeakUsage();
      }
    }
  }

  private static long peakHeap() {
    long sum = 0;
    for (MemoryPoolMXBean p : ManagementFactory.getMemoryPoolMXBeans()) {
      if (p.getType() == MemoryType.HEAP) {
        sum += p.getPeakUsage().getUsed();
      }
    }
    return sum;
  }

  /** Times the kernel tool's own check of the file, in a namespace of its own so nothing is touched. */
  private static String peerCheck(Path file, List<String> peer, boolean stdin) {
    if (!"root".equals(System.getProperty("user.name"))) {
      return "not run: needs root (for a throw-away network namespace)";
    }
    String ns = "pp-bench-" + ProcessHandle.current().pid();
    try {
      if (run(List.of("ip", "netns", "add", ns), null) != 0) {
        return "not run: 'ip netns add' failed";
      }
      List<String> cmd = new ArrayList<>(List.of("ip", "netns", "exec", ns));
      cmd.addAll(peer);
      if (!stdin) {
        cmd.add(file.toString());
      }
      long t0 = System.nanoTime();
      int rc = run(cmd, stdin ? file : null);
      long t1 = System.nanoTime();
      return rc == 0 ? String.format("%10.0f ms", (t1 - t0) / 1e6) : "failed (exit " + rc + ")";
    } catch (Exception e) {
      return "not run: " + e.getMessage();
    } finally {
      try {
        run(List.of("ip", "netns", "del", ns), null);
      } catch (Exception ignored) {
        // Best effort: the namespace holds no rules, since a check commits nothing.
      }
    }
  }

  private static int run(List<String> cmd, Path stdin) throws Exception {
    ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD);
    if (stdin != null) {
      pb.redirectInput(stdin.toFile());
    }
    Process p = pb.start();
    if (!p.waitFor(120, TimeUnit.SECONDS)) {
      p.destroyForcibly();
      return -1;
    }
    return p.exitValue();
  }
}
