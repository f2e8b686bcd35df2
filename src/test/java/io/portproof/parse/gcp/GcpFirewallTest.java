package io.portproof.parse.gcp;

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
import io.portproof.testing.Cli;
import io.portproof.testing.Golden;
import io.portproof.testing.RulesetDump;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** GCP VPC firewall rules: priority, deny before allow on a tie, target and source tags left undecided. */
class GcpFirewallTest {
  private static final String FILE = "src/test/resources/gcp/firewall-rules.json";
  private static final String V4 = "10.128.0.5";
  private static final String V6 = "2600:1900:4000::5";

  private static List<Ruleset> rules(Diagnostics d) throws Exception {
    return new GcpFirewallFormat().parse(InputText.read(Path.of(FILE), FILE), Map.of(), d);
  }

  private static Explanation ask(FirewallAnalyzer a, String src, int proto, int port) {
    return a.explain(new Packet(Ip.parse(src), Ip.parse(src.contains(":") ? V6 : V4), proto, port, null, null));
  }

  @Test
  void parsesLikeTheGoldenDump() throws Exception {
    Diagnostics d = new Diagnostics();
    Golden.assertMatches("gcp/firewall-rules.json.txt", RulesetDump.dump(rules(d), d.asList()));
  }

  @Test
  void lowerPriorityWinsAndDenyWinsATie() throws Exception {
    FirewallAnalyzer a = new FirewallAnalyzer(new HostContext(rules(new Diagnostics()),
        IpSet.of(IpRange.of(Ip.parse(V4)), IpRange.of(Ip.parse(V6)))));
    Explanation https = ask(a, "192.0.2.7", Protocols.TCP, 443);
    assertThat(https.verdict()).isEqualTo(Verdict.ACCEPT);
    assertThat(https.decidedBy().text()).startsWith("allow-https priority 1000");
    Explanation abuse = ask(a, "198.51.100.7", Protocols.TCP, 443);
    assertThat(abuse.verdict()).isEqualTo(Verdict.DROP);
    assertThat(abuse.decidedBy().text()).startsWith("deny-https-abuse priority 1000");
    assertThat(ask(a, "2001:db8::1", Protocols.TCP, 443).verdict()).isEqualTo(Verdict.ACCEPT);
    // http is allowed only for instances tagged "web": whether this one is, the inputs do not say.
    Explanation http = ask(a, "192.0.2.7", Protocols.TCP, 80);
    assertThat(http.verdict()).isEqualTo(Verdict.UNKNOWN);
    assertThat(http.reasons()).extracting(r -> r.text()).contains("network tags web (the instance's are not declared)");
    assertThat(ask(a, "192.0.2.7", Protocols.TCP, 22).verdict()).isEqualTo(Verdict.ACCEPT);
    assertThat(ask(a, "192.0.2.7", Protocols.ICMP, 8).verdict()).isEqualTo(Verdict.ACCEPT);
    // No rule for IPv6 DNS: the implied deny.
    Explanation v6ssh = ask(a, "2001:db8::1", Protocols.UDP, 53);
    assertThat(v6ssh.verdict()).isEqualTo(Verdict.DROP);
    assertThat(v6ssh.decidedBy().text()).contains("implied rule");
    // The disabled allow-all rule is not applied; source tags make the rest of TCP unknown.
    assertThat(ask(a, "192.0.2.7", Protocols.UDP, 53).verdict()).isEqualTo(Verdict.DROP);
    assertThat(ask(a, "192.0.2.7", Protocols.TCP, 3306).reasons()).extracting(r -> r.text()).contains("source instances lb");
  }

  @Test
  void declaredNetworkTagsDecideWhichTargetRulesApply(@TempDir Path dir) throws Exception {
    IpSet host = IpSet.of(IpRange.of(Ip.parse(V4)), IpRange.of(Ip.parse(V6)));
    FirewallAnalyzer web = new FirewallAnalyzer(new HostContext(rules(new Diagnostics()), host, false, List.of(),
        new HostContext.Cloud(Map.of("network tag", Set.of("web")), Map.of())));
    Explanation http = ask(web, "192.0.2.7", Protocols.TCP, 80);
    assertThat(http.verdict()).isEqualTo(Verdict.ACCEPT);
    assertThat(http.decidedBy().text()).startsWith("allow-http-web");
    FirewallAnalyzer db = new FirewallAnalyzer(new HostContext(rules(new Diagnostics()), host, false, List.of(),
        new HostContext.Cloud(Map.of("network tag", Set.of("db")), Map.of())));
    // Not tagged web, so allow-http-web is out; what stays open is only whether 192.0.2.7 is a tagged "lb" instance.
    Explanation notWeb = ask(db, "192.0.2.7", Protocols.TCP, 80);
    assertThat(notWeb.reasons()).extracting(r -> r.text()).containsExactly("source instances lb");
    Files.copy(Path.of(FILE), dir.resolve("fw.json"));
    // From the inventory, as a user declares them: the same host without its tags cannot be decided on port 80.
    assertThat(httpOpen(dir, "tags: [web]\n")).isEqualTo("PASS");
    assertThat(httpOpen(dir, "")).isNotEqualTo("PASS");
  }

  /** The HTTP-OPEN status of a host with the fixture's rules and {@code extra} inventory lines. */
  private static String httpOpen(Path dir, String extra) throws Exception {
    Files.writeString(dir.resolve("portproof.yaml"), "host: vm\naddresses: [" + V4 + "]\n" + extra + "firewall: [fw.json]\n");
    Cli c = Cli.run("check", dir.toString(), "--format", "json");
    for (com.fasterxml.jackson.databind.JsonNode check : new com.fasterxml.jackson.databind.ObjectMapper().readTree(c.out()).path("hosts").get(0).path("checks")) {
      if (check.path("id").asText().equals("HTTP-OPEN")) {
        return check.path("status").asText();
      }
    }
    throw new AssertionError("no HTTP-OPEN in " + c.out() + c.err());
  }

  @Test
  void rulesSplitOverSeveralFilesStillRunByPriorityTogether(@TempDir Path dir) throws Exception {
    // 'gcloud compute firewall-rules describe' writes one rule per file; the network applies them together.
    Files.writeString(dir.resolve("allow.json"), """
        {"kind": "compute#firewall", "name": "allow-https", "direction": "INGRESS", "priority": 1000,
         "allowed": [{"IPProtocol": "tcp", "ports": ["443"]}], "sourceRanges": ["0.0.0.0/0"]}
        """);
    Files.writeString(dir.resolve("deny.json"), """
        {"kind": "compute#firewall", "name": "deny-https-abuse", "direction": "INGRESS", "priority": 1000,
         "denied": [{"IPProtocol": "tcp", "ports": ["443"]}], "sourceRanges": ["198.51.100.0/24"]}
        """);
    for (String[] q : new String[][] {{"192.0.2.7", "ACCEPT", "allow-https"}, {"198.51.100.7", "DROP", "deny-https-abuse"}}) {
      Cli c = Cli.run("explain", "-f", dir.resolve("allow.json").toString(), "-f", dir.resolve("deny.json").toString(),
          "--src", q[0], "--dst", V4, "--dport", "443");
      assertThat(c.out()).as(c.err()).contains("verdict:     " + q[1]).contains(q[2] + " priority 1000");
    }
  }

  @ParameterizedTest
  @CsvSource(delimiter = '|', value = {
      "[{\"name\": \"a\", \"direction\": \"INGRESS\", \"allowed\": [{\"IPProtocol\": \"tcp\", \"ports\": [\"99999\"]}], \"sourceRanges\": [\"0.0.0.0/0\"]}]|:1: invalid: bad ports [99999]",
      "[\\n{\"name\": \"a\", \"direction\": \"SIDEWAYS\", \"allowed\": []}]|:2: invalid: direction must be INGRESS or EGRESS",
      "[\\n{\"name\": \"a\", \"direction\": \"INGRESS\", \"allowed\": [{\"IPProtocol\": \"tcpp\"}], \"sourceRanges\": [\"0.0.0.0/0\"]}]|:2: invalid: unknown protocol 'tcpp'",
      "[\\n{\"name\": \"a\", \"direction\": \"INGRESS\", \"allowed\": [{\"IPProtocol\": \"tcp\"}], \"sourceRanges\": [\"0.0.0.0/33\"]}]|:2: invalid: '0.0.0.0/33' has a bad prefix length"})
  void badInputIsExitTwoWithFileAndLine(String json, String expected, @TempDir Path dir) throws Exception {
    Path file = dir.resolve("fw.json");
    Files.writeString(file, json.replace("\\n", "\n"));
    Cli c = Cli.run("explain", "-f", "gcp-firewall:" + file, "--src", "192.0.2.7", "--dst", V4, "--dport", "443");
    assertThat(c.exit()).as(c.err()).isEqualTo(2);
    assertThat(c.err()).contains(file + expected).doesNotContain("Exception");
  }

  @Test
  void sniffsGcloudJson() throws Exception {
    assertThat(new GcpFirewallFormat().sniff(Files.readString(Path.of(FILE)), "fw.json")).isTrue();
    assertThat(new GcpFirewallFormat().sniff("{\"NetworkAcls\": []}", "x.json")).isFalse();
  }
}
