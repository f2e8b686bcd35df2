package io.portproof.parse.aws;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.portproof.analysis.Explanation;
import io.portproof.analysis.FirewallAnalyzer;
import io.portproof.analysis.HostContext;
import io.portproof.analysis.Protocols;
import io.portproof.diag.Diagnostic;
import io.portproof.diag.Diagnostics;
import io.portproof.model.Ip;
import io.portproof.model.IpRange;
import io.portproof.model.IpSet;
import io.portproof.model.Packet;
import io.portproof.model.fw.Ruleset;
import io.portproof.model.fw.Verdict;
import io.portproof.parse.FirewallFormat;
import io.portproof.parse.InputText;
import io.portproof.parse.iptables.IptablesParser;
import io.portproof.testing.Cli;
import io.portproof.testing.Golden;
import io.portproof.testing.RulesetDump;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** Security groups and network ACLs, alone and composed with the host's own firewall. */
class AwsLayersTest {
  private static final String HOST = "198.51.100.10";
  private static final String HOST_FW = """
      *filter
      :INPUT DROP [0:0]
      :FORWARD DROP [0:0]
      :OUTPUT ACCEPT [0:0]
      -A INPUT -m conntrack --ctstate RELATED,ESTABLISHED -j ACCEPT
      -A INPUT -p tcp -m multiport --dports 22,80,443 -j ACCEPT
      COMMIT
      """;
  private static final String SG_WEB = """
      {"SecurityGroups": [
        {"GroupId": "sg-1", "GroupName": "web",
         "IpPermissions": [
           {"IpProtocol": "tcp", "FromPort": 443, "ToPort": 443,
            "IpRanges": [{"CidrIp": "0.0.0.0/0"}], "Ipv6Ranges": [{"CidrIpv6": "::/0"}]}]},
        {"GroupId": "sg-2", "GroupName": "admin",
         "IpPermissions": [
           {"IpProtocol": "tcp", "FromPort": 22, "ToPort": 22,
            "IpRanges": [{"CidrIp": "203.0.113.0/24"}]}]}]}
      """;
  private static final String NACL_OPEN = """
      {"NetworkAcls": [{"NetworkAclId": "acl-1", "Entries": [
        {"CidrBlock": "0.0.0.0/0", "Egress": false, "Protocol": "-1", "RuleAction": "allow", "RuleNumber": 100},
        {"CidrBlock": "0.0.0.0/0", "Egress": true, "Protocol": "-1", "RuleAction": "allow", "RuleNumber": 100}]}]}
      """;

  private static List<Ruleset> parse(FirewallFormat f, String name, String json, Diagnostics d) {
    return f.parse(new InputText(Path.of(name), name, json), Map.of(), d);
  }

  private static FirewallAnalyzer host(String nacl, String sg) {
    Diagnostics d = new Diagnostics();
    List<Ruleset> rs = new ArrayList<>();
    if (nacl != null) {
      rs.addAll(parse(new AwsNetworkAclFormat(), "nacl.json", nacl, d));
    }
    if (sg != null) {
      rs.addAll(parse(new AwsSecurityGroupFormat(), "sg.json", sg, d));
    }
    rs.add(IptablesParser.parse(new InputText(Path.of("rules.v4"), "rules.v4", HOST_FW), null, Map.of(), d));
    assertThat(d.hasInvalid()).as("fixtures parse: %s", d.asList()).isFalse();
    return new FirewallAnalyzer(new HostContext(rs, IpSet.of(IpRange.of(Ip.parse(HOST)))));
  }

  private static Explanation tcp(FirewallAnalyzer a, String src, int port) {
    return a.explain(new Packet(Ip.parse(src), Ip.parse(HOST), Protocols.TCP, port, null, null));
  }

  @Test
  void aSecurityGroupIsAUnionOfAllowsOverAllItsGroups() {
    FirewallAnalyzer a = host(NACL_OPEN, SG_WEB);
    assertThat(tcp(a, "192.0.2.7", 443).verdict()).isEqualTo(Verdict.ACCEPT);
    assertThat(tcp(a, "203.0.113.9", 22).verdict()).isEqualTo(Verdict.ACCEPT);
    Explanation ssh = tcp(a, "192.0.2.7", 22);
    assertThat(ssh.verdict()).isEqualTo(Verdict.DROP);
    assertThat(ssh.decidedBy().location()).isEqualTo("sg.json:2");
    assertThat(ssh.decidedBy().text()).contains("sg-1 (web), sg-2 (admin)");
    // The host allows 80; the security group does not, and it is met first.
    assertThat(tcp(a, "192.0.2.7", 80).decidedBy().file()).isEqualTo("sg.json");
  }

  @Test
  void groupsInSeveralFilesAreStillOneUnion(@org.junit.jupiter.api.io.TempDir Path dir) throws Exception {
    // The same two groups as SG_WEB, one per file, as 'describe-security-groups --group-ids' writes them.
    java.nio.file.Files.writeString(dir.resolve("web.json"), """
        {"SecurityGroups": [{"GroupId": "sg-1", "GroupName": "web", "IpPermissions": [
          {"IpProtocol": "tcp", "FromPort": 443, "ToPort": 443, "IpRanges": [{"CidrIp": "0.0.0.0/0"}]}]}]}
        """);
    java.nio.file.Files.writeString(dir.resolve("admin.json"), """
        {"SecurityGroups": [{"GroupId": "sg-2", "GroupName": "admin", "IpPermissions": [
          {"IpProtocol": "tcp", "FromPort": 22, "ToPort": 22, "IpRanges": [{"CidrIp": "203.0.113.0/24"}]}]}]}
        """);
    java.nio.file.Files.writeString(dir.resolve("rules.v4"), HOST_FW);
    for (String[] q : new String[][] {{"192.0.2.7", "443", "ACCEPT"}, {"203.0.113.9", "22", "ACCEPT"}, {"192.0.2.7", "22", "DROP"}}) {
      Cli run = Cli.run("explain", "-f", dir.resolve("web.json").toString(), "-f", dir.resolve("admin.json").toString(),
          "-f", dir.resolve("rules.v4").toString(), "--src", q[0], "--dst", HOST, "--dport", q[1], "--format", "json");
      assertThat(run.out()).as(run.err()).contains("\"verdict\" : \"" + q[2] + "\"");
    }
  }

  @Test
  void aNetworkAclRunsByRuleNumberNotByListOrder() {
    String nacl = """
        {"NetworkAcls": [{"NetworkAclId": "acl-1", "Entries": [
          {"CidrBlock": "0.0.0.0/0", "Egress": false, "PortRange": {"From": 1, "To": 65535}, "Protocol": "6", "RuleAction": "allow", "RuleNumber": 200},
          {"CidrBlock": "192.0.2.0/24", "Egress": false, "PortRange": {"From": 443, "To": 443}, "Protocol": "6", "RuleAction": "deny", "RuleNumber": 100},
          {"CidrBlock": "0.0.0.0/0", "Egress": true, "PortRange": {"From": 1024, "To": 65535}, "Protocol": "6", "RuleAction": "allow", "RuleNumber": 100},
          {"CidrBlock": "0.0.0.0/0", "Egress": false, "Protocol": "-1", "RuleAction": "deny", "RuleNumber": 32767}]}]}
        """;
    FirewallAnalyzer a = host(nacl, SG_WEB);
    Explanation blocked = tcp(a, "192.0.2.7", 443);
    assertThat(blocked.verdict()).isEqualTo(Verdict.DROP);
    assertThat(blocked.decidedBy().location()).isEqualTo("nacl.json:3");
    assertThat(tcp(a, "198.51.100.77", 443).verdict()).isEqualTo(Verdict.ACCEPT);
  }

  @Test
  void aStatelessAclMustLetTheReplyOutToTheEphemeralPort() {
    String nacl = """
        {"NetworkAcls": [{"NetworkAclId": "acl-1", "Entries": [
          {"CidrBlock": "0.0.0.0/0", "Egress": false, "PortRange": {"From": 443, "To": 443}, "Protocol": "6", "RuleAction": "allow", "RuleNumber": 100},
          {"CidrBlock": "0.0.0.0/0", "Egress": true, "PortRange": {"From": 443, "To": 443}, "Protocol": "6", "RuleAction": "allow", "RuleNumber": 100},
          {"CidrBlock": "0.0.0.0/0", "Egress": true, "Protocol": "-1", "RuleAction": "deny", "RuleNumber": 32767}]}]}
        """;
    Explanation e = tcp(host(nacl, SG_WEB), "192.0.2.7", 443);
    assertThat(e.verdict()).isEqualTo(Verdict.DROP);
    assertThat(e.decidedBy().location()).isEqualTo("nacl.json:4");
    assertThat(e.note()).contains("answer is discarded");
    // From a client whose source port happens to be 443, the outbound entry lets the SYN-ACK out.
    Explanation lucky = host(nacl, SG_WEB).explain(new Packet(Ip.parse("192.0.2.7"), Ip.parse(HOST), Protocols.TCP, 443, 443, null));
    assertThat(lucky.verdict()).isEqualTo(Verdict.ACCEPT);
  }

  @Test
  void withoutAnIpv6EntryTheAclDeniesIpv6ButNotNeighbourDiscovery() {
    FirewallAnalyzer a = new FirewallAnalyzer(new HostContext(parse(new AwsNetworkAclFormat(), "nacl.json", NACL_OPEN, new Diagnostics()),
        IpSet.of(IpRange.of(Ip.parse("2001:db8::10")))));
    Explanation e = a.explain(new Packet(Ip.parse("2001:db8:1::1"), Ip.parse("2001:db8::10"), Protocols.TCP, 443, null, null));
    assertThat(e.verdict()).isEqualTo(Verdict.DROP);
    assertThat(e.decidedBy().location()).isEqualTo("nacl.json:1");
    Explanation nd = a.explain(new Packet(Ip.parse("fe80::1"), Ip.parse("2001:db8::10"), Protocols.ICMPV6, 135, null, null));
    assertThat(nd.verdict()).isEqualTo(Verdict.ACCEPT);
  }

  @Test
  void referencedGroupsAndPrefixListsAreUnknownNotGuessed() {
    String sg = """
        {"SecurityGroups": [{"GroupId": "sg-1", "IpPermissions": [
          {"IpProtocol": "tcp", "FromPort": 443, "ToPort": 443, "IpRanges": [],
           "PrefixListIds": [{"PrefixListId": "pl-0cafe"}],
           "UserIdGroupPairs": [{"GroupId": "sg-lb", "UserId": "123456789012"}]}]}]}
        """;
    Diagnostics d = new Diagnostics();
    List<Ruleset> rs = parse(new AwsSecurityGroupFormat(), "sg.json", sg, d);
    assertThat(d.asList()).extracting(x -> x.kind() + " " + x.source().location())
        .containsExactly("UNSUPPORTED sg.json:3", "UNSUPPORTED sg.json:4");
    Explanation e = new FirewallAnalyzer(new HostContext(rs, IpSet.of(IpRange.of(Ip.parse(HOST)))))
        .explain(new Packet(Ip.parse("192.0.2.7"), Ip.parse(HOST), Protocols.TCP, 443, null, null));
    assertThat(e.verdict()).isEqualTo(Verdict.UNKNOWN);
    assertThat(e.reasons()).extracting(r -> r.text()).contains("prefix list pl-0cafe");
  }

  @Test
  void icmpRulesUseTypeAndCode() {
    String sg = """
        {"SecurityGroups": [{"GroupId": "sg-1", "IpPermissions": [
          {"IpProtocol": "icmp", "FromPort": 8, "ToPort": -1, "IpRanges": [{"CidrIp": "0.0.0.0/0"}]}]}]}
        """;
    FirewallAnalyzer a = new FirewallAnalyzer(new HostContext(parse(new AwsSecurityGroupFormat(), "sg.json", sg, new Diagnostics()),
        IpSet.of(IpRange.of(Ip.parse(HOST)))));
    assertThat(a.explain(new Packet(Ip.parse("192.0.2.7"), Ip.parse(HOST), Protocols.ICMP, 8, null, null)).verdict()).isEqualTo(Verdict.ACCEPT);
    assertThat(a.explain(new Packet(Ip.parse("192.0.2.7"), Ip.parse(HOST), Protocols.ICMP, 13, null, null)).verdict()).isEqualTo(Verdict.DROP);
  }

  @Test
  void theSampleParsesLikeItsGolden() throws Exception {
    for (String f : List.of("network-acls.json", "security-groups.json")) {
      String file = "samples/aws-nacl-blocks/" + f;
      Diagnostics d = new Diagnostics();
      FirewallFormat fmt = f.startsWith("network") ? new AwsNetworkAclFormat() : new AwsSecurityGroupFormat();
      List<Ruleset> rs = fmt.parse(InputText.read(Path.of(file), file), Map.of(), d);
      Golden.assertMatches("aws/" + f + ".txt", RulesetDump.dump(rs, d.asList()));
    }
  }

  @Test
  void theSampleFailsHttpsNamingTheAclEntry() throws Exception {
    Cli c = Cli.run("check", "samples/aws-nacl-blocks", "--format", "json");
    assertThat(c.exit()).as(c.err()).isEqualTo(1);
    JsonNode checks = new ObjectMapper().readTree(c.out()).path("hosts").get(0).path("checks");
    JsonNode https = null;
    for (JsonNode ch : checks) {
      if (ch.path("id").asText().equals("HTTPS-OPEN")) {
        https = ch;
      }
    }
    assertThat(https).isNotNull();
    assertThat(https.path("status").asText()).isEqualTo("FAIL");
    assertThat(https.toString()).contains("network-acls.json:48").contains("\\\"RuleNumber\\\":90");
  }

  @ParameterizedTest
  @CsvSource(delimiter = '|', value = {
      "aws-nacl|{\"NetworkAcls\": [ {\"Entries\": [}|nacl.json:1: invalid: malformed JSON",
      "aws-nacl|{\"NetworkAcls\": {}}|nacl.json:1: invalid: NetworkAcls must be a list",
      "aws-nacl|{\"Reservations\": []}|nacl.json:1: invalid: not 'aws ec2 describe-network-acls' output",
      "aws-sg|{\"SecurityGroups\": [{\"GroupId\": \"sg-1\", \"IpPermissions\": [{\"IpProtocol\": \"tcpx\", \"IpRanges\": []}]}]}|sg.json:1: invalid: unknown protocol 'tcpx'",
      "aws-sg|{\"SecurityGroups\": [{\"IpPermissions\": [{\"IpProtocol\": \"tcp\", \"FromPort\": 70000, \"ToPort\": 70000, \"IpRanges\": [{\"CidrIp\": \"0.0.0.0/0\"}]}]}]}|sg.json:1: invalid: bad port range 70000-70000",
      "aws-sg|{\"SecurityGroups\": [{\"IpPermissions\": [{\"IpProtocol\": \"-1\", \"IpRanges\": [{\"CidrIp\": \"300.0.0.0/8\"}]}]}]}|sg.json:1: invalid: '300.0.0.0/8' is not a CIDR block"})
  void badInputIsExitTwoWithFileAndLine(String type, String json, String expected, @org.junit.jupiter.api.io.TempDir Path dir) throws Exception {
    String name = type.equals("aws-sg") ? "sg.json" : "nacl.json";
    java.nio.file.Files.writeString(dir.resolve(name), json);
    Cli c = Cli.run("explain", "-f", type + ":" + dir.resolve(name), "--src", "192.0.2.7", "--dst", HOST, "--dport", "443");
    assertThat(c.exit()).as(c.err()).isEqualTo(2);
    assertThat(c.err()).contains(expected.replace(name, dir.resolve(name).toString())).doesNotContain("Exception");
  }

  @Test
  void duplicateRuleNumbersAreInvalid() {
    Diagnostics d = new Diagnostics();
    parse(new AwsNetworkAclFormat(), "nacl.json", """
        {"NetworkAcls": [{"Entries": [
          {"CidrBlock": "0.0.0.0/0", "Egress": false, "Protocol": "-1", "RuleAction": "allow", "RuleNumber": 100},
          {"Ipv6CidrBlock": "::/0", "Egress": false, "Protocol": "-1", "RuleAction": "allow", "RuleNumber": 100}]}]}
        """, d);
    assertThat(d.asList()).singleElement().satisfies(x -> {
      assertThat(x.kind()).isEqualTo(Diagnostic.Kind.INVALID);
      assertThat(x.source().line()).isEqualTo(3);
    });
  }

  @Test
  void sniffsItsOwnJsonOnly() {
    assertThat(new AwsSecurityGroupFormat().sniff("{\n  \"SecurityGroups\": [", "sg.json")).isTrue();
    assertThat(new AwsNetworkAclFormat().sniff("{\n  \"NetworkAcls\": [", "x")).isTrue();
    assertThat(new AwsNetworkAclFormat().sniff("{\n  \"SecurityGroups\": [", "x")).isFalse();
    assertThat(new AwsSecurityGroupFormat().sniff("*filter\n:INPUT ACCEPT [0:0]\n", "rules.v4")).isFalse();
  }
}
