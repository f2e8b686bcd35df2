package io.portproof.analysis;

import static org.assertj.core.api.Assertions.assertThat;

import io.portproof.diag.Diagnostic;
import io.portproof.diag.Diagnostics;
import io.portproof.model.fw.Chain;
import io.portproof.model.fw.IpsetDefinition;
import io.portproof.model.fw.Ruleset;
import io.portproof.model.fw.TableOrigin;
import io.portproof.parse.FirewallFormat;
import io.portproof.parse.InputText;
import io.portproof.parse.ipset.IpsetParser;
import io.portproof.parse.iptables.IptablesFormat;
import io.portproof.parse.nft.NftFormat;
import io.portproof.testing.Golden;
import io.portproof.testing.RulesetDump;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Real exports of one host, as the tools on Debian 12 printed them, taken together. */
class ExportMergeTest {
  private static final Path MIXED = Path.of("samples/mixed-backends");
  private static final Path NATIVE = Path.of("src/test/resources/exports/native-filter");
  private static final FirewallFormat IPTABLES = new IptablesFormat("iptables", null);

  /** Parses the files as the CLI does, ipsets first, and merges them. */
  private static ExportMerge.Merged load(Path... files) throws Exception {
    Diagnostics diags = new Diagnostics();
    Map<String, IpsetDefinition> ipsets = new LinkedHashMap<>();
    List<Ruleset> rulesets = new ArrayList<>();
    for (Path f : files) {
      if (f.getFileName().toString().startsWith("ipset")) {
        ipsets.putAll(IpsetParser.parse(InputText.read(f, f.toString()), diags));
      }
    }
    for (Path f : files) {
      String n = f.getFileName().toString();
      FirewallFormat format = n.endsWith(".json") ? NftFormat.JSON : n.startsWith("nft") ? NftFormat.TEXT
          : n.startsWith("ipset") ? null : IPTABLES;
      if (format != null) {
        rulesets.addAll(format.parse(InputText.read(f, f.toString()), ipsets, diags));
      }
    }
    return ExportMerge.merge(rulesets, diags.asList());
  }

  private static String dump(ExportMerge.Merged m) {
    return RulesetDump.dump(m.rulesets(), m.diagnostics());
  }

  @Test
  void everyKernelTableOnceFromTheExportThatShowsIt() throws Exception {
    ExportMerge.Merged m = load(MIXED.resolve("ipset-save.txt"), MIXED.resolve("iptables-save.txt"),
        MIXED.resolve("ip6tables-save.txt"), MIXED.resolve("iptables-legacy-save.txt"), MIXED.resolve("nft-list-ruleset.txt"));
    Golden.assertMatches("exports/mixed-backends-text.txt", dump(m));
    assertThat(tables(m)).containsExactlyInAnyOrder(
        // iptables-save: the filter tables nft printed with 'xt match set'
        "IPv4 iptables-save table ip filter", "IPv6 iptables-save table ip6 filter",
        // legacy's filter is another table, although its name is the same
        "IPv4 iptables-save iptables-legacy table ip filter",
        // nft: what iptables-save could not show
        "IPv4 nft list ruleset table inet fw", "IPv6 nft list ruleset table inet fw", "IPv4 nft list ruleset table ip raw");
    // What the parsers said about the renderings left out is replaced by the merge's word on them.
    assertThat(m.diagnostics()).noneMatch(d -> d.message().contains("xt match"))
        .noneMatch(d -> d.message().startsWith("iptables-save could not show"));
    assertThat(m.diagnostics()).filteredOn(d -> d.kind() == Diagnostic.Kind.RISKY).hasSize(3);
  }

  @Test
  void jsonLosesMoreAndIptablesSaveStillWins() throws Exception {
    ExportMerge.Merged m = load(MIXED.resolve("ipset-save.txt"), MIXED.resolve("iptables-save.txt"),
        MIXED.resolve("ip6tables-save.txt"), MIXED.resolve("nft-list-ruleset.json"), MIXED.resolve("nft-list-ruleset.txt"));
    Golden.assertMatches("exports/mixed-backends-json.txt", dump(m));
    // Three renderings of ip filter, one kept; inet fw and ip raw exact in both nft exports: the text one is preferred.
    assertThat(tables(m)).containsExactlyInAnyOrder("IPv4 iptables-save table ip filter", "IPv6 iptables-save table ip6 filter",
        "IPv4 nft list ruleset table inet fw", "IPv6 nft list ruleset table inet fw", "IPv4 nft list ruleset table ip raw");
  }

  @Test
  void withoutIptablesSaveTheLostOptionsStayUnknown() throws Exception {
    ExportMerge.Merged m = load(MIXED.resolve("nft-list-ruleset.json"), MIXED.resolve("nft-list-ruleset.txt"));
    Diagnostic d = m.diagnostics().stream().filter(x -> x.message().startsWith("table ip filter is in 2")).findFirst().orElseThrow();
    assertThat(d.kind()).isEqualTo(Diagnostic.Kind.UNSUPPORTED);
    assertThat(d.message()).contains("used " + MIXED.resolve("nft-list-ruleset.txt") + ":14 (nft list ruleset)")
        .contains("no export carries the facts behind " + MIXED.resolve("nft-list-ruleset.txt") + ":21");
    assertThat(d.source().line()).isEqualTo(21);
  }

  @Test
  void iptablesSaveDropsNativeExpressionsSoNftWinsATie() throws Exception {
    // iptables-save printed 'ip saddr @blocked tcp dport 80 drop' as '-p tcp --dport 80 -j DROP', with no warning.
    ExportMerge.Merged m = load(NATIVE.resolve("iptables-save.txt"), NATIVE.resolve("nft-list-ruleset.txt"));
    Golden.assertMatches("exports/native-filter.txt", dump(m));
    Chain input = m.rulesets().stream().flatMap(r -> r.chains().values().stream())
        .filter(c -> c.name().equals("INPUT") && c.table().contains("filter")).findFirst().orElseThrow();
    assertThat(input.rules().get(0).source().text()).isEqualTo("ip saddr @blocked tcp dport 80 drop");
    // iptables-save's empty nat block under "contains incompatible base-chains" is no fact: nft's nat is used.
    assertThat(tables(m)).contains("IPv4 nft list ruleset table ip nat").doesNotContain("IPv4 iptables-save table ip nat");
  }

  @Test
  void aHeaderlessExportIsKeptBesideItsPossibleNamesakeAndSaidSo() throws Exception {
    Path dir = java.nio.file.Files.createTempDirectory("headerless");
    Path rules = dir.resolve("rules.v4");
    java.nio.file.Files.writeString(rules, java.nio.file.Files.readString(MIXED.resolve("iptables-save.txt"))
        .lines().filter(l -> !l.startsWith("# Generated")).reduce("", (a, b) -> a + b + "\n"));
    ExportMerge.Merged m = load(MIXED.resolve("ipset-save.txt"), rules, MIXED.resolve("nft-list-ruleset.txt"));
    assertThat(tables(m)).contains("IPv4 iptables-save table ip filter", "IPv4 nft list ruleset table ip filter");
    assertThat(m.diagnostics()).anyMatch(d -> d.kind() == Diagnostic.Kind.RISKY
        && d.message().startsWith("no '# Generated by iptables-save' line says which backend table filter is in"));
  }

  /** Every table kept, as "family export [legacy] table family name". */
  private static List<String> tables(ExportMerge.Merged m) {
    List<String> out = new ArrayList<>();
    for (Ruleset rs : m.rulesets()) {
      for (TableOrigin o : rs.tables()) {
        if (rs.chains().values().stream().anyMatch(c -> c.table().equals(o.table()))) {
          out.add(rs.family().label() + " " + o.export().command() + " " + o.kernelTable());
        }
      }
    }
    return out;
  }
}
