package io.portproof.cli;

import io.portproof.analysis.Exposure;
import io.portproof.analysis.FirewallAnalyzer;
import io.portproof.analysis.HostContext;
import io.portproof.analysis.Protocols;
import io.portproof.model.Ip;
import io.portproof.model.IpRange;
import io.portproof.model.IpSet;
import io.portproof.model.PortSet;
import io.portproof.model.fw.Verdict;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryPoolMXBean;
import java.lang.management.MemoryType;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

@Command(name = "bench", mixinStandardHelpOptions = true, sortOptions = false,
    description = {"Benchmarks parsing and full exposure analysis on a generated kube-proxy-scale iptables-save",
        "(at least 50,000 rules in nat and filter), and times 'iptables-restore --test' on the same file in a",
        "throw-away network namespace when run as root. Prints parse time, exposure time over tcp 1-65535, and",
        "peak heap. Target: parse + exposure under 2 s and 512 MB heap on 2 cores.",
        "",
        "Example:  java -Xmx512m -jar target/portproof.jar bench"})
final class BenchCommand extends IoCommand implements Callable<Integer> {
  @Option(names = "--services", defaultValue = "7000", paramLabel = "N", description = "kube-proxy services to generate (default: ${DEFAULT-VALUE}, about 55,000 rules).")
  int services;

  @Option(names = "--seed", defaultValue = "42", paramLabel = "N", description = "Generator seed (default: ${DEFAULT-VALUE}).")
  long seed;

  @Option(names = "--runs", defaultValue = "3", paramLabel = "N", description = "Timed runs after the first (default: ${DEFAULT-VALUE}); the best is reported beside the first.")
  int runs;

  @Option(names = "--keep", paramLabel = "FILE", description = "Also write the generated export here.")
  Path keep;

  @Override
  public Integer call() throws Exception {
    int[] count = new int[1];
    String text = KubeProxyRuleset.generate(services, seed, count);
    Path file = keep != null ? keep : Files.createTempFile("portproof-bench-", ".v4");
    Files.writeString(file, text);
    io.out().printf("portproof bench: kube-proxy-shaped iptables-save, %,d services, %,d rules, %,d bytes (%s)%n",
        services, count[0], text.length(), keep != null ? file : "temporary file");
    io.out().printf("machine: %d cores, max heap %,d MB, %s %s%n", Runtime.getRuntime().availableProcessors(),
        Runtime.getRuntime().maxMemory() >> 20, System.getProperty("java.vm.name"), System.getProperty("java.version"));
    Ip node = Ip.parse("192.0.2.10");
    List<long[]> times = new ArrayList<>();
    long peak = 0;
    String summary = "";
    for (int run = 0; run <= runs; run++) {
      System.gc();
      resetPeaks();
      long c0 = cpu();
      long t0 = System.nanoTime();
      Inputs.Loaded loaded = Inputs.load(List.of(new Inputs.Spec("iptables", file, file.toString())));
      long t1 = System.nanoTime();
      long c1 = cpu();
      FirewallAnalyzer a = new FirewallAnalyzer(new HostContext(loaded.rulesets(), IpSet.of(IpRange.of(node))));
      Exposure e = a.exposure(node, Protocols.TCP, PortSet.range(1, 65535), "eth0");
      long t2 = System.nanoTime();
      long c2 = cpu();
      peak = Math.max(peak, peakHeap());
      times.add(new long[] {t1 - t0, t2 - t1, c1 - c0, c2 - c1});
      if (run == 0) {
        long open = e.blocks().stream().filter(b -> !b.sources(Verdict.ACCEPT).isEmpty())
            .mapToLong(b -> b.ports().intervals().stream().mapToLong(iv -> iv[1] - iv[0] + 1).sum()).sum();
        summary = String.format("exposure result: %,d port ranges, %,d ports reachable from somewhere, %,d diagnostics",
            e.blocks().size(), open, loaded.diagnostics().size());
      }
    }
    long[] first = times.get(0);
    long[] best = times.stream().skip(1).min((x, y) -> Long.compare(x[0] + x[1], y[0] + y[1])).orElse(first);
    io.out().println(summary);
    io.out().printf("%-44s %12s %12s %14s%n", "", "first run", "best of " + runs, "(CPU, best)");
    io.out().printf("%-44s %10.0f ms %10.0f ms %11.0f ms%n", "portproof parse", first[0] / 1e6, best[0] / 1e6, best[2] / 1e6);
    io.out().printf("%-44s %10.0f ms %10.0f ms %11.0f ms%n", "portproof exposure, tcp 1-65535, all sources", first[1] / 1e6, best[1] / 1e6, best[3] / 1e6);
    io.out().printf("%-44s %10.0f ms %10.0f ms %11.0f ms   (target < 2000 ms)%n", "portproof parse + exposure",
        (first[0] + first[1]) / 1e6, (best[0] + best[1]) / 1e6, (best[2] + best[3]) / 1e6);
    io.out().printf("%-44s %10d MB                 (target < 512 MB)%n", "portproof peak heap", peak >> 20);
    io.out().printf("%-44s %s%n", "iptables-restore --test (same file)", restoreTest(file));
    if (keep == null) {
      Files.deleteIfExists(file);
    }
    return Main.OK;
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

  /** Times the kernel tool's own parse of the file, in a namespace of its own so nothing is touched. */
  private static String restoreTest(Path file) {
    if (!"root".equals(System.getProperty("user.name"))) {
      return "not run: needs root (for a throw-away network namespace)";
    }
    String ns = "pp-bench-" + ProcessHandle.current().pid();
    try {
      if (run(List.of("ip", "netns", "add", ns), null) != 0) {
        return "not run: 'ip netns add' failed";
      }
      long t0 = System.nanoTime();
      int rc = run(List.of("ip", "netns", "exec", ns, "iptables-restore", "--test"), file);
      long t1 = System.nanoTime();
      return rc == 0 ? String.format("%10.0f ms", (t1 - t0) / 1e6) : "failed (exit " + rc + ")";
    } catch (Exception e) {
      return "not run: " + e.getMessage();
    } finally {
      try {
        run(List.of("ip", "netns", "del", ns), null);
      } catch (Exception ignored) {
        // Best effort: the namespace holds no rules, since --test commits nothing.
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
