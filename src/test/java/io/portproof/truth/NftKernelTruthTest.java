package io.portproof.truth;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.SortedSet;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 6's truth test for nftables: loads rulesets with the real {@code nft -f} into fresh network namespaces,
 * probes them with TCP connections across a veth pair from a second namespace, and asserts that {@code portproof
 * explain -f nft:FILE} predicted exactly what the kernel did, tuple by tuple.
 *
 * <p>System properties: {@code portproof.nft.truth.rulesets} (default 210), {@code portproof.nft.truth.seed}
 * (re-run one generated ruleset), {@code portproof.nft.truth.baseSeed} (first seed; 7000 unless given, printed by
 * default), {@code portproof.nft.truth.labs} (parallel namespace pairs, default 6).
 */
@Tag("kernel")
class NftKernelTruthTest {
  /**
   * Outlasts the SYN retransmissions at 1 s and 3 s: an ICMP error that meets the socket locked by connect() is
   * dropped (TcpExtLockDroppedIcmps) and only a retransmission's answer counts; on a loaded machine that takes
   * well over a second.
   */
  static final int CONNECT_TIMEOUT_MILLIS = 3200;

  private static final TruthRun.Suite SUITE = new TruthRun.Suite("nft kernel truth", "nft-truth", CONNECT_TIMEOUT_MILLIS,
      Integer.getInteger("portproof.nft.truth.labs", 6), 6, Duration.ofSeconds(60));
  private static final int MIN_RULESETS = 200;
  private static final int MIN_TUPLES = 5000;

  @BeforeAll
  static void requireKernel() {
    TruthEnvironment.requireNft();
  }

  @Test
  void generatedRulesetsAgreeWithTheKernel(@TempDir Path work) throws IOException {
    Long single = Long.getLong("portproof.nft.truth.seed");
    // A fixed default keeps CI deterministic; -Dportproof.nft.truth.baseSeed=N explores other rulesets.
    long base = Long.getLong("portproof.nft.truth.baseSeed", 7000L);
    int count = single != null ? 1 : Integer.getInteger("portproof.nft.truth.rulesets", 210);
    List<TruthCase> cases = new ArrayList<>();
    for (int i = 0; i < count; i++) {
      cases.add(NftRulesetGenerator.generate(single != null ? single : base + i));
    }
    System.out.println("nft kernel truth: " + count + " generated rulesets, seeds "
        + (single != null ? single : base + ".." + (base + count - 1)) + " (re-run one with -Dportproof.nft.truth.seed=N)");
    TruthRun.Summary summary = TruthRun.runAndReport(SUITE, work, cases, "generated");
    if (single == null && count >= MIN_RULESETS) {
      TruthRun.assertCoverage(summary, MIN_RULESETS, MIN_TUPLES);
    }
    TruthRun.assertClean(summary);
  }

  @Test
  void samplesAgreeWithTheKernel(@TempDir Path work) throws IOException {
    Path samples = projectDir().resolve("samples");
    List<TruthCase> cases = new ArrayList<>();
    try (Stream<Path> dirs = Files.list(samples)) {
      for (Path dir : dirs.filter(d -> d.getFileName().toString().startsWith("nft-")).sorted().toList()) {
        sampleCase(dir).ifPresent(cases::add);
      }
    }
    Assumptions.assumeFalse(cases.isEmpty(), "no samples/nft-*/ruleset.nft to check");
    System.out.println("nft kernel truth: samples " + cases.stream().map(TruthCase::name).toList());
    TruthRun.assertClean(TruthRun.runAndReport(SUITE, work, cases, "samples"));
  }

  /** A sample against every client address on the ports its rules name plus the usual ones; half listen. */
  private static Optional<TruthCase> sampleCase(Path dir) throws IOException {
    Path file = dir.resolve("ruleset.nft");
    if (!Files.isRegularFile(file)) {
      return Optional.empty();
    }
    String rules = Files.readString(file);
    SortedSet<Integer> ports = new TreeSet<>(List.of(22, 80, 443, 8080));
    SortedSet<Integer> targets = new TreeSet<>();
    Matcher m = Pattern.compile("(dport|to :?)\\s*\\{?\\s*([0-9][0-9, -]*)").matcher(rules);
    while (m.find()) {
      for (String item : m.group(2).split("[, -]+")) {
        if (!item.isEmpty()) {
          (m.group(1).startsWith("to") ? targets : ports).add(Integer.parseInt(item));
        }
      }
    }
    List<Integer> probed = new ArrayList<>(ports).subList(0, Math.min(16, ports.size()));
    SortedSet<Integer> listeners = new TreeSet<>(targets);
    for (int i = 0; i < probed.size(); i += 2) {
      listeners.add(probed.get(i));
    }
    List<Probe> probes = new ArrayList<>();
    for (int port : probed) {
      Lab.CLIENT_V4.forEach(src -> Lab.SERVER_V4.forEach(dst -> probes.add(new Probe(src, dst, port))));
      Lab.CLIENT_V6.forEach(src -> Lab.SERVER_V6.forEach(dst -> probes.add(new Probe(src, dst, port))));
    }
    return Optional.of(TruthCase.nft("sample " + dir.getFileName(), rules, listeners, probes, Set.of()));
  }

  private static Path projectDir() {
    return Path.of(System.getProperty("basedir", System.getProperty("user.dir")));
  }
}
