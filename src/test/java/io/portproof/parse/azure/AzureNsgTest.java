package io.portproof.parse.azure;

import static org.assertj.core.api.Assertions.assertThat;

import io.portproof.analysis.Explanation;
import io.portproof.analysis.FirewallAnalyzer;
import io.portproof.analysis.HostContext;
import io.portproof.analysis.Protocols;
import io.portproof.diag.Diagnostics;
import io.portproof.model.Ip;
import io.portproof.model.IpRange;
import io.portproof.model.IpSet;
import io.portproof.model.Packet;
import io.portproof.model.fw.Ruleset;
import io.portproof.model.fw.Verdict;
import io.portproof.parse.InputText;
import io.portproof.parse.iptables.IptablesParser;
import io.portproof.testing.Cli;
import io.portproof.testing.Golden;
import io.portproof.testing.RulesetDump;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** Azure network security groups: priority order, service tags left undecided, composition with the host. */
class AzureNsgTest {
  private static final String FILE = "src/test/resources/azure/web-nsg.json";
  private static final String V4 = "10.0.1.4";
  private static final String V6 = "2001:db8:40::4";

  private static FirewallAnalyzer analyzer(List<Ruleset> rs) {
    return new FirewallAnalyzer(new HostContext(rs, IpSet.of(IpRange.of(Ip.parse(V4)), IpRange.of(Ip.parse(V6)))));
  }

  private static List<Ruleset> nsg(Diagnostics d) throws Exception {
    return new AzureNsgFormat().parse(InputText.read(Path.of(FILE), FILE), Map.of(), d);
  }

  private static Explanation ask(FirewallAnalyzer a, String src, int proto, int port) {
    return a.explain(new Packet(Ip.parse(src), Ip.parse(src.contains(":") ? V6 : V4), proto, port, null, null));
  }

  @Test
  void parsesLikeTheGoldenDump() throws Exception {
    Diagnostics d = new Diagnostics();
    Golden.assertMatches("azure/web-nsg.json.txt", RulesetDump.dump(nsg(d), d.asList()));
  }

  @Test
  void rulesRunByPriorityAndServiceTagsStayUndecided() throws Exception {
    FirewallAnalyzer a = analyzer(nsg(new Diagnostics()));
    Explanation web = ask(a, "192.0.2.7", Protocols.TCP, 443);
    assertThat(web.verdict()).isEqualTo(Verdict.ACCEPT);
    assertThat(web.decidedBy().text()).startsWith("AllowWeb priority 100");
    Explanation scanner = ask(a, "198.51.100.7", Protocols.TCP, 443);
    assertThat(scanner.verdict()).isEqualTo(Verdict.DROP);
    assertThat(scanner.decidedBy().text()).startsWith("DenyScanners priority 90");
    assertThat(ask(a, "203.0.113.5", Protocols.TCP, 22).verdict()).isEqualTo(Verdict.ACCEPT);
    assertThat(ask(a, "2001:db8:ad::1", Protocols.TCP, 22).verdict()).isEqualTo(Verdict.ACCEPT);
    assertThat(ask(a, "2001:db8:1::1", Protocols.TCP, 443).verdict()).isEqualTo(Verdict.ACCEPT);
    // Everything else reaches AllowVnetInBound: whether 192.0.2.7 is in the virtual network the inputs do not say.
    Explanation ssh = ask(a, "192.0.2.7", Protocols.TCP, 22);
    assertThat(ssh.verdict()).isEqualTo(Verdict.UNKNOWN);
    assertThat(ssh.reasons()).extracting(r -> r.text()).contains("service tag VirtualNetwork");
    assertThat(ask(a, "192.0.2.7", Protocols.UDP, 443).reasons()).extracting(r -> r.text()).contains("service tag Internet");
    // The load balancer's probe address is documented, so it is decided.
    assertThat(ask(a, "168.63.129.16", Protocols.TCP, 8080).verdict()).isEqualTo(Verdict.ACCEPT);
  }

  @Test
  void aMappedVirtualNetworkDecidesItsTagAndTheInternetTag() throws Exception {
    FirewallAnalyzer a = new FirewallAnalyzer(new HostContext(nsg(new Diagnostics()), IpSet.of(IpRange.of(Ip.parse(V4)), IpRange.of(Ip.parse(V6))),
        false, List.of(), new HostContext.Cloud(Map.of(), Map.of("virtualnetwork", IpSet.of(IpRange.prefix(Ip.parse("10.0.0.0"), 16))))));
    Explanation inside = ask(a, "10.0.3.4", Protocols.TCP, 22);
    assertThat(inside.verdict()).isEqualTo(Verdict.ACCEPT);
    assertThat(inside.decidedBy().text()).startsWith("AllowVnetInBound");
    // Outside the virtual network: not VirtualNetwork, and Internet (everything else) decides UDP 443.
    assertThat(ask(a, "192.0.2.7", Protocols.TCP, 22).verdict()).isEqualTo(Verdict.DROP);
    assertThat(ask(a, "192.0.2.7", Protocols.UDP, 443).verdict()).isEqualTo(Verdict.ACCEPT);
    assertThat(ask(a, "10.0.3.4", Protocols.UDP, 443).decidedBy().text()).startsWith("AllowVnetInBound");
  }

  @Test
  void theNsgAndTheHostFirewallMustBothAllow() throws Exception {
    List<Ruleset> rs = new ArrayList<>(nsg(new Diagnostics()));
    rs.add(IptablesParser.parse(new InputText(Path.of("rules.v4"), "rules.v4",
        "*filter\n:INPUT DROP [0:0]\n-A INPUT -p tcp --dport 80 -j ACCEPT\nCOMMIT\n"), null, Map.of(), new Diagnostics()));
    FirewallAnalyzer a = analyzer(rs);
    Explanation e = ask(a, "192.0.2.7", Protocols.TCP, 443);
    assertThat(e.verdict()).isEqualTo(Verdict.DROP);
    assertThat(e.decidedBy().location()).isEqualTo("rules.v4:2");
    assertThat(ask(a, "192.0.2.7", Protocols.TCP, 80).verdict()).isEqualTo(Verdict.ACCEPT);
  }

  @Test
  void eachUndecidableTagIsExplainedOnce() throws Exception {
    Diagnostics d = new Diagnostics();
    nsg(d);
    assertThat(d.asList()).extracting(x -> x.kind() + " " + x.message().substring(0, x.message().indexOf(' ', 15)))
        .containsExactly("UNSUPPORTED service tag AzureMonitor", "UNSUPPORTED service tag Internet", "UNSUPPORTED service tag VirtualNetwork");
  }

  @ParameterizedTest
  @CsvSource(delimiter = '|', value = {
      "{\"securityRules\": [}|:1: invalid: malformed JSON",
      "{\"name\": \"x\"}|:1: invalid: not a network security group",
      "{\"securityRules\": [\\n{\"name\": \"a\", \"priority\": 100, \"direction\": \"Inbound\", \"access\": \"Allow\", \"protocol\": \"Tcp\"},\\n{\"name\": \"b\", \"priority\": 100, \"direction\": \"Inbound\", \"access\": \"Deny\", \"protocol\": \"Tcp\"}]}|:3: invalid: priority 100 is used by two inbound rules",
      "{\"securityRules\": [\\n{\"name\": \"a\", \"priority\": 100, \"direction\": \"Inbound\", \"access\": \"Permit\", \"protocol\": \"Tcp\"}]}|:2: invalid: access must be Allow or Deny",
      "{\"securityRules\": [\\n{\"name\": \"a\", \"priority\": 100, \"direction\": \"Inbound\", \"access\": \"Allow\", \"protocol\": \"Sctpx\"}]}|:2: invalid: unknown protocol 'Sctpx'",
      "{\"securityRules\": [\\n{\"name\": \"a\", \"priority\": 100, \"direction\": \"Inbound\", \"access\": \"Allow\", \"protocol\": \"Tcp\", \"destinationPortRange\": \"80-99999\"}]}|:2: invalid: bad port range '80-99999'"})
  void badInputIsExitTwoWithFileAndLine(String json, String expected, @TempDir Path dir) throws Exception {
    Path file = dir.resolve("nsg.json");
    Files.writeString(file, json.replace("\\n", "\n"));
    Cli c = Cli.run("explain", "-f", "azure-nsg:" + file, "--src", "192.0.2.7", "--dst", V4, "--dport", "443");
    assertThat(c.exit()).as(c.err()).isEqualTo(2);
    assertThat(c.err()).contains(file + expected).doesNotContain("Exception");
  }

  @Test
  void sniffsNsgJson() throws Exception {
    assertThat(new AzureNsgFormat().sniff(Files.readString(Path.of(FILE)), "nsg.json")).isTrue();
    assertThat(new AzureNsgFormat().sniff("{\"SecurityGroups\": []}", "sg.json")).isFalse();
  }
}
