package io.portproof.parse.nft;

import static org.assertj.core.api.Assertions.assertThat;

import io.portproof.analysis.FirewallAnalyzer;
import io.portproof.analysis.HostContext;
import io.portproof.analysis.Protocols;
import io.portproof.diag.Diagnostic;
import io.portproof.diag.Diagnostics;
import io.portproof.model.Family;
import io.portproof.model.Ip;
import io.portproof.model.IpRange;
import io.portproof.model.IpSet;
import io.portproof.model.PortSet;
import io.portproof.model.fw.Ruleset;
import io.portproof.parse.InputException;
import io.portproof.parse.InputText;
import io.portproof.testing.Cli;
import io.portproof.testing.Golden;
import io.portproof.testing.RulesetDump;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.Test;

/** The nft readers on realistic exports (golden model dumps) and on input nft -f would refuse. */
class NftParserTest {
  static List<Ruleset> parse(String path, Diagnostics d) throws InputException {
    NftFormat format = path.endsWith(".json") ? NftFormat.JSON : NftFormat.TEXT;
    return format.parse(InputText.read(Path.of(path), path), Map.of(), d);
  }

  @ParameterizedTest
  @ValueSource(strings = {
      "samples/nft-debian-default/ruleset.nft",
      "samples/nft-web/ruleset.nft",
      "samples/nft-web/nft-list-ruleset.txt",
      "samples/nft-web/nft-list-ruleset.json",
      "samples/nft-firewalld/ruleset.nft",
      "samples/nft-docker/nft-list-ruleset.txt",
      "samples/nft-docker/nft-list-ruleset.json",
      "src/test/resources/nft/features.nft"})
  void parsedModelMatchesGolden(String path) throws InputException {
    Diagnostics d = new Diagnostics();
    List<Ruleset> rs = parse(path, d);
    assertThat(rs).extracting(Ruleset::family).containsExactly(Family.IPV4, Family.IPV6);
    Golden.assertMatches("nft/" + path.replace('/', '_') + ".txt", RulesetDump.dump(rs, d.asList()));
  }

  @Test
  void sniffsTextAndJson() {
    assertThat(NftFormat.TEXT.sniff("#!/usr/sbin/nft -f\n\nflush ruleset\n", "x")).isTrue();
    assertThat(NftFormat.TEXT.sniff("table inet filter {\n", "x")).isTrue();
    assertThat(NftFormat.TEXT.sniff("# comment\ndefine x = 1\n", "x")).isTrue();
    assertThat(NftFormat.TEXT.sniff("*filter\n:INPUT ACCEPT [0:0]\n", "x")).isFalse();
    assertThat(NftFormat.JSON.sniff("{\"nftables\": [", "x")).isTrue();
    assertThat(NftFormat.JSON.sniff("{\"SecurityGroups\": [", "x")).isFalse();
  }

  /**
   * The text listing and the JSON of one native nft ruleset must mean the same thing, port by port. (Not so for
   * iptables-nft rules: the JSON keeps only the names of xt extensions, the text their translation.)
   */
  @Test
  void textAndJsonOfOneRulesetAgree() throws InputException {
    for (String sample : List.of("samples/nft-web")) {
      Diagnostics dt = new Diagnostics();
      Diagnostics dj = new Diagnostics();
      FirewallAnalyzer text = analyzer(parse(sample + "/nft-list-ruleset.txt", dt));
      FirewallAnalyzer json = analyzer(parse(sample + "/nft-list-ruleset.json", dj));
      for (String dst : List.of("198.51.100.10", "2001:db8::10")) {
        Ip d = Ip.parse(dst);
        for (int proto : List.of(Protocols.TCP, Protocols.UDP)) {
          // The deciding lines differ by construction (text lines, JSON object indexes); the answers must not.
          assertThat(withoutLines(json.exposure(d, proto, PortSet.ALL, null).toString()))
              .as("%s %s proto %d", sample, dst, proto)
              .isEqualTo(withoutLines(text.exposure(d, proto, PortSet.ALL, null).toString()));
        }
      }
      assertThat(dt.hasInvalid()).isFalse();
      assertThat(dj.hasInvalid()).isFalse();
    }
  }

  private static String withoutLines(String exposure) {
    return exposure.replaceAll("samples/nft-[a-z]+/nft-list-ruleset\\.(txt|json):\\d+", "LINE");
  }

  private static FirewallAnalyzer analyzer(List<Ruleset> rs) {
    return new FirewallAnalyzer(new HostContext(rs, IpSet.of(IpRange.of(Ip.parse("198.51.100.10")), IpRange.of(Ip.parse("2001:db8::10")))));
  }

  /** What nft -f refuses is INVALID with the file and line; the CLI then exits 2. */
  @ParameterizedTest
  @ValueSource(strings = {"unbalanced.nft:1", "unknown.nft:4", "unknown.nft:5", "undefined.nft:4", "undefined.nft:5",
      "undefined.nft:6", "loop.nft:10", "escape.nft:1", "cycle.nft:1", "conflict.nft:4", "conflict.nft:10"})
  void invalidInputIsReportedWithItsLine(String fileAndLine) throws InputException {
    String file = "src/test/resources/nft/bad/" + fileAndLine.substring(0, fileAndLine.indexOf(':'));
    int line = Integer.parseInt(fileAndLine.substring(fileAndLine.indexOf(':') + 1));
    Diagnostics d = new Diagnostics();
    parse(file, d);
    assertThat(d.asList()).filteredOn(x -> x.kind() == Diagnostic.Kind.INVALID)
        .extracting(x -> x.source().line()).contains(line);
    Cli cli = Cli.run("explain", "-f", "nft:" + file, "--src", "192.0.2.1", "--dst", "198.51.100.10", "--dport", "22");
    assertThat(cli.exit()).as(cli.err()).isEqualTo(2);
    assertThat(cli.err()).contains(file + ":" + line + ": invalid:");
  }

  @Test
  void manyUsesOfOneUndecidableConstructAreSummarised() {
    StringBuilder nft = new StringBuilder("table inet f {\n\tchain input {\n\t\ttype filter hook input priority filter; policy drop;\n");
    for (int port = 1000; port < 1010; port++) {
      nft.append("\t\ttcp dport ").append(port).append(" limit rate 5/second accept\n");
    }
    nft.append("\t}\n}\n");
    Diagnostics d = new Diagnostics();
    NftFormat.TEXT.parse(new InputText(Path.of("limits.nft"), "limits.nft", nft.toString()), Map.of(), d);
    assertThat(d.asList()).extracting(io.portproof.diag.Diagnostic::message).filteredOn(m -> m.startsWith("'limit rate")).hasSize(3);
    assertThat(d.asList()).extracting(x -> x.source().line() + ": " + x.message()).filteredOn(m -> m.contains("more rules"))
        .containsExactly("7: and 7 more rules use limit rate (lines 7-13), which no export can decide; "
            + "affected packets are UNKNOWN unless every branch agrees");
  }

  @Test
  void binaryAndBrokenJsonAreRefusedWithTheFileName() {
    Cli bin = Cli.run("explain", "-f", "nft:src/test/resources/nft/bad/binary.nft", "--src", "192.0.2.1", "--dst", "198.51.100.10", "--dport", "22");
    assertThat(bin.exit()).isEqualTo(2);
    assertThat(bin.err()).contains("binary.nft").contains("binary data");
    Cli json = Cli.run("explain", "-f", "nft-json:src/test/resources/nft/bad/truncated.json", "--src", "192.0.2.1", "--dst", "198.51.100.10", "--dport", "22");
    assertThat(json.exit()).isEqualTo(2);
    assertThat(json.err()).contains("truncated.json").contains("invalid: not valid JSON");
  }

  @Test
  void typeIsSniffedFromTheContent() {
    Cli cli = Cli.run("explain", "-f", "samples/nft-web/nft-list-ruleset.json", "--src", "198.18.1.10", "--dst", "198.51.100.10", "--dport", "22");
    assertThat(cli.exit()).as(cli.err()).isZero();
    assertThat(cli.out()).contains("ACCEPT");
    Cli text = Cli.run("explain", "-f", "samples/nft-web/ruleset.nft", "--src", "198.19.255.9", "--dst", "198.51.100.10", "--dport", "443");
    assertThat(text.exit()).as(text.err()).isZero();
    assertThat(text.out()).contains("DROP").contains("ruleset.nft:18");
  }
}
