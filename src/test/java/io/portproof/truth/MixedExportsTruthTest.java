package io.portproof.truth;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.fail;

import io.portproof.truth.Explainer.Answer;
import io.portproof.truth.Explainer.Prediction;
import io.portproof.truth.Lab.Observation;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SortedSet;
import java.util.TreeSet;
import java.util.function.Predicate;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * One host running iptables-nft, iptables-legacy and native nftables tables at once, as real hosts do: the mix is
 * loaded into a namespace, every export is taken from that running kernel with the real tools, and portproof,
 * given them together, must predict what the kernel did for every probe, with no UNKNOWN where some export
 * carried the facts. Given only lossy exports, it must say UNKNOWN where they lost the facts, never a wrong
 * answer. The exports taken are also the ones committed as samples/mixed-backends, so that sample is what these
 * tools print for this mix.
 */
@Tag("kernel")
class MixedExportsTruthTest {
  /** Loaded by iptables-nft-restore: {@code -m set} stays an xt match in every nft rendering, multiport in JSON. */
  static final String RULES_V4 = """
      *filter
      :INPUT DROP [0:0]
      -A INPUT -i lo -j ACCEPT
      -A INPUT -m conntrack --ctstate ESTABLISHED,RELATED -j ACCEPT
      -A INPUT -p icmp -j ACCEPT
      -A INPUT -p tcp -m multiport --dports 80,443 -j ACCEPT
      -A INPUT -p tcp --dport 22 -m set --match-set allow4 src -j ACCEPT
      -A INPUT -p tcp --dport 8080 -m set ! --match-set allow4 src -j REJECT --reject-with tcp-reset
      -A INPUT -p tcp -m multiport --dports 8080,8081,8443 -j ACCEPT
      COMMIT
      """;

  static final String RULES_V6 = """
      *filter
      :INPUT DROP [0:0]
      -A INPUT -i lo -j ACCEPT
      -A INPUT -m conntrack --ctstate ESTABLISHED,RELATED -j ACCEPT
      -A INPUT -p ipv6-icmp -j ACCEPT
      -A INPUT -p tcp -m multiport --dports 80,443 -j ACCEPT
      -A INPUT -p tcp --dport 22 -m set --match-set allow6 src -j ACCEPT
      -A INPUT -p tcp -m multiport --dports 8080,8081,8443 -j REJECT --reject-with tcp-reset
      COMMIT
      """;

  /**
   * The rest of the mix: the sets the rules use, an iptables-legacy table of the same name as iptables-nft's,
   * a native inet table (as firewalld keeps one), and a native {@code ip raw} table, which iptables-save prints
   * as an empty table under an "incompatible" comment.
   */
  static final String SETUP = """
      ipset restore <<'IPSET'
      create allow4 hash:net family inet
      add allow4 198.18.1.0/24
      create allow6 hash:net family inet6
      add allow6 2001:db8:1::/48
      IPSET
      iptables-legacy-restore <<'LEGACY'
      *filter
      :INPUT ACCEPT [0:0]
      -A INPUT -p tcp --dport 8443 -j DROP
      COMMIT
      LEGACY
      nft -f - <<'NFT'
      table inet fw {
      \tchain input {
      \t\ttype filter hook input priority 10; policy accept;
      \t\tip saddr 198.19.0.0/16 tcp dport 443 drop
      \t\tip6 saddr 2001:db8:8000::/33 tcp dport 443 drop
      \t}
      }
      table ip raw {
      \tchain pre {
      \t\ttype filter hook prerouting priority raw; policy accept;
      \t\ttcp dport 8081 ip saddr 198.18.1.200 drop
      \t}
      }
      NFT
      """;

  /** Each export: the file it is saved as (the sample's name for it) and the command that prints it. */
  static final Map<String, String> EXPORTS = exports();

  private static final SortedSet<Integer> LISTENERS = new TreeSet<>(List.of(22, 443, 8080, 8081, 8443));
  private static final List<Integer> PORTS = List.of(22, 80, 443, 8080, 8081, 8443, 9000);
  private static final Path SAMPLE = Path.of("samples/mixed-backends");

  private static Map<String, String> exports() {
    Map<String, String> e = new LinkedHashMap<>();
    e.put("iptables-save.txt", "iptables-save");
    e.put("ip6tables-save.txt", "ip6tables-save");
    e.put("iptables-legacy-save.txt", "iptables-legacy-save");
    e.put("ipset-save.txt", "ipset save");
    e.put("nft-list-ruleset.txt", "nft list ruleset");
    e.put("nft-list-ruleset.json", "nft -j list ruleset");
    return e;
  }

  @Test
  void exportsTogetherPredictWhatTheKernelDoes(@TempDir Path work) throws Exception {
    TruthEnvironment.require();
    requireTools();
    List<Probe> probes = new ArrayList<>();
    for (int port : PORTS) {
      Lab.CLIENT_V4.forEach(c -> probes.add(new Probe(c, Lab.SERVER_V4.get(0), port)));
      Lab.CLIENT_V6.forEach(c -> probes.add(new Probe(c, Lab.SERVER_V6.get(0), port)));
    }
    TruthCase mix = new TruthCase("mixed-backends", RULES_V4, RULES_V6, TruthCase.Backend.NFT, LISTENERS, probes, Set.of());
    Path classpath = Path.of(ProberMain.class.getProtectionDomain().getCodeSource().getLocation().toURI());
    Map<String, String> captured = new LinkedHashMap<>();
    Map<Probe, Observation> kernel;
    try (Lab lab = new Lab(classpath, KernelTruthTest.CONNECT_TIMEOUT_MILLIS, /* staticNeighbours= */ true)) {
      kernel = lab.run(mix, SETUP, ns -> EXPORTS.forEach((file, command) -> {
        List<String> argv = new ArrayList<>(List.of(Namespaces.ip(), "netns", "exec", ns));
        argv.addAll(List.of(command.split(" ")));
        // stdout only: iptables-nft-save and nft warn on stderr, which an operator's redirect leaves out too.
        captured.put(file, Shell.run(null, argv.toArray(String[]::new)).orThrow().stdout());
      }));
    }
    Map<String, Path> files = new LinkedHashMap<>();
    for (Map.Entry<String, String> e : captured.entrySet()) {
      files.put(e.getKey(), Files.writeString(work.resolve(e.getKey()), e.getValue()));
    }
    Set<Outcome> seen = EnumSet.noneOf(Outcome.class);
    kernel.values().forEach(o -> {
      assertThat(o.outcome()).as("probe failed: %s", o.detail()).isNotNull();
      seen.add(o.outcome());
    });
    // A mix that never opens, refuses or filters proves nothing about the merge.
    assertThat(seen).contains(Outcome.OPEN, Outcome.REFUSED, Outcome.FILTERED);

    Predicate<Probe> all = p -> true;
    List<String> report = new ArrayList<>();
    int textUnknown = compare(work, "all, nft text", pick(files, "iptables-save.txt", "ip6tables-save.txt",
        "iptables-legacy-save.txt", "ipset-save.txt", "nft-list-ruleset.txt"), mix, kernel, all, report);
    int jsonUnknown = compare(work, "all, nft -j", pick(files, "iptables-save.txt", "ip6tables-save.txt",
        "iptables-legacy-save.txt", "ipset-save.txt", "nft-list-ruleset.json"), mix, kernel, all, report);
    // Every export, twice over: a table seen in three renderings is still kept once.
    int everyUnknown = compare(work, "every export", List.copyOf(files.values()), mix, kernel, all, report);
    int nftUnknown = compare(work, "nft text and legacy only",
        pick(files, "iptables-legacy-save.txt", "nft-list-ruleset.txt"), mix, kernel, all, report);
    int nftJsonUnknown = compare(work, "nft -j and legacy only",
        pick(files, "iptables-legacy-save.txt", "nft-list-ruleset.json"), mix, kernel, all, report);
    // No iptables export shows the inet table, so only IPv4 is judged: iptables-save could not show ip raw.
    int iptUnknown = compare(work, "iptables exports only", pick(files, "iptables-save.txt", "ip6tables-save.txt",
        "iptables-legacy-save.txt", "ipset-save.txt"), mix, kernel, p -> !p.v6(), report);
    if (!report.isEmpty()) {
      fail(report.size() + " wrong predictions:\n" + String.join("\n", report));
    }
    assertThat(textUnknown).as("UNKNOWN with every fact in some export (nft text)").isZero();
    assertThat(jsonUnknown).as("UNKNOWN with every fact in some export (nft -j)").isZero();
    assertThat(everyUnknown).as("UNKNOWN with every export").isZero();
    // The lossy exports alone really are lossy here, so the zeros above are the merge's doing.
    assertThat(nftUnknown).as("UNKNOWN from nft text alone: its xt match set").isPositive();
    assertThat(nftJsonUnknown).as("UNKNOWN from nft -j alone: it loses multiport and conntrack too").isGreaterThan(nftUnknown);
    assertThat(iptUnknown).as("UNKNOWN from iptables-save alone: IPv4 crosses the raw table it could not show")
        .isEqualTo(Lab.CLIENT_V4.size() * PORTS.size());

    List<Path> written = new ArrayList<>();
    for (Map.Entry<String, String> e : captured.entrySet()) {
      assertSampleMatches(e.getKey(), e.getValue(), written);
    }
    if (!written.isEmpty()) {
      fail(written + " were missing and have been written from this kernel's exports: review them and git add them");
    }
  }

  /** Compares portproof's prediction from {@code exports} with the kernel; returns how many were UNKNOWN. */
  private static int compare(Path work, String label, List<Path> exports, TruthCase mix, Map<Probe, Observation> kernel,
      Predicate<Probe> judged, List<String> report) {
    Answer answer = Explainer.explain(work.resolve(label.replaceAll("\\W+", "-")), exports, mix, TruthRun.addresses());
    assertThat(answer.usable()).as("%s: explain exit %d: %s", label, answer.exitCode(), answer.stderr()).isTrue();
    int unknown = 0;
    for (int i = 0; i < mix.probes().size(); i++) {
      Probe probe = mix.probes().get(i);
      Prediction prediction = answer.predictions().get(i);
      if (!judged.test(probe)) {
        continue;
      }
      if (prediction.unknown()) {
        unknown++;
        continue;
      }
      Outcome predicted = prediction.outcome(LISTENERS, probe.port());
      Outcome observed = kernel.get(probe).outcome();
      if (predicted != observed) {
        report.add(label + ": " + probe + " predicted " + predicted + " (" + prediction.summary() + "), kernel " + observed);
      }
    }
    return unknown;
  }

  private static List<Path> pick(Map<String, Path> files, String... names) {
    return List.of(names).stream().map(files::get).toList();
  }

  /** The sample is this capture, up to what changes from run to run: dates and ipset's hash seeds. */
  private static void assertSampleMatches(String name, String captured, List<Path> written) throws IOException {
    Path file = SAMPLE.resolve(name);
    if (!Files.exists(file)) {
      Files.createDirectories(file.getParent());
      Files.writeString(file, captured, StandardCharsets.UTF_8);
      written.add(file);
      return;
    }
    assertThat(normalise(Files.readString(file, StandardCharsets.UTF_8)))
        .as("%s is what %s prints for this mix today", file, EXPORTS.get(name))
        .isEqualTo(normalise(captured));
  }

  private static String normalise(String export) {
    return export.replaceAll("(?m) on \\w{3} \\w{3} [ \\d]\\d \\d\\d:\\d\\d:\\d\\d \\d{4}$", " on (date)")
        .replaceAll("initval 0x[0-9a-f]+", "initval (seed)");
  }

  private static void requireTools() {
    List<String> missing = new ArrayList<>();
    for (String tool : List.of("nft", "ipset", "iptables-legacy-restore", "iptables-save", "ip6tables-save",
        "iptables-legacy-save")) {
      if (Shell.tool(tool).isEmpty()) {
        missing.add(tool);
      }
    }
    if (missing.isEmpty()) {
      return;
    }
    String message = "the mixed-exports truth test needs " + String.join(", ", missing)
        + " (Debian packages: nftables, ipset, iptables)";
    if ("true".equalsIgnoreCase(System.getenv("CI"))) {
      fail("CI=true but " + message);
    }
    org.junit.jupiter.api.Assumptions.abort(message);
  }
}
