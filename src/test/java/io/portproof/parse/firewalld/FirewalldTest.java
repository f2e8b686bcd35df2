package io.portproof.parse.firewalld;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
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
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** firewalld zones, as zone files and as firewall-cmd listings, and what they let through. */
class FirewalldTest {
  private static final String V4 = "192.0.2.30";
  private static final String V6 = "2001:db8:30::30";
  private static final String RES = "src/test/resources/firewalld/";

  private static List<Ruleset> parse(FirewalldFormat f, String file, Diagnostics d) throws Exception {
    return f.parse(InputText.read(Path.of(file), file), Map.of(), d);
  }

  private static FirewallAnalyzer analyzer(FirewalldFormat f, String file) throws Exception {
    return new FirewallAnalyzer(new HostContext(parse(f, file, new Diagnostics()),
        IpSet.of(IpRange.of(Ip.parse(V4)), IpRange.of(Ip.parse(V6)))));
  }

  private static Explanation ask(FirewallAnalyzer a, String src, int proto, int port, String iface) {
    String dst = src.contains(":") ? V6 : V4;
    return a.explain(new Packet(Ip.parse(src), Ip.parse(dst), proto, port, null, iface));
  }

  private static String verdict(Explanation e) {
    return e.verdict() + (e.rejectWith() == null ? "" : " " + e.rejectWith()) + " @" + e.decidedBy().line();
  }

  @ParameterizedTest
  @CsvSource({"firewalld,samples/firewalld-public/public.xml", "firewalld," + RES + "web.xml",
      "firewall-cmd," + RES + "list-all-zones.txt"})
  void parsesLikeTheGoldenDump(String type, String file) throws Exception {
    Diagnostics d = new Diagnostics();
    FirewalldFormat f = type.equals("firewalld") ? FirewalldFormat.zoneFile() : FirewalldFormat.listAllZones();
    Golden.assertMatches("firewalld/" + file.replace('/', '_') + ".txt", RulesetDump.dump(parse(f, file, d), d.asList()));
  }

  @Test
  void theStockPublicZoneRejectsHttpsAndAcceptsSshCockpitAndIcmp() throws Exception {
    FirewallAnalyzer a = analyzer(FirewalldFormat.zoneFile(), "samples/firewalld-public/public.xml");
    assertThat(verdict(ask(a, "203.0.113.5", Protocols.TCP, 443, null))).isEqualTo("REJECT icmp-admin-prohibited @2");
    assertThat(verdict(ask(a, "2001:db8:1::5", Protocols.TCP, 443, null))).isEqualTo("REJECT icmp6-adm-prohibited @2");
    assertThat(ask(a, "203.0.113.5", Protocols.TCP, 443, null).clientSees()).isEqualTo("unreachable");
    assertThat(verdict(ask(a, "203.0.113.5", Protocols.TCP, 22, null))).isEqualTo("ACCEPT @5");
    assertThat(verdict(ask(a, "203.0.113.5", Protocols.TCP, 9090, null))).isEqualTo("ACCEPT @7");
    // The default target lets ICMP through: ping and neighbour discovery work.
    assertThat(ask(a, "203.0.113.5", Protocols.ICMP, 8, null).verdict()).isEqualTo(Verdict.ACCEPT);
    assertThat(ask(a, "fe80::1", Protocols.ICMPV6, 135, null).verdict()).isEqualTo(Verdict.ACCEPT);
    // dhcpv6-client is for IPv6 link-local destinations only.
    assertThat(ask(a, "203.0.113.5", Protocols.UDP, 546, null).verdict()).isEqualTo(Verdict.REJECT);
  }

  @Test
  void richRulesRunByPriorityThenDenyThenAllow() throws Exception {
    FirewallAnalyzer a = analyzer(FirewalldFormat.zoneFile(), RES + "web.xml");
    assertThat(verdict(ask(a, "198.18.0.1", Protocols.TCP, 443, null))).isEqualTo("ACCEPT @6");
    // Priority -10 runs before the zone's services.
    assertThat(verdict(ask(a, "192.0.2.66", Protocols.TCP, 443, null))).isEqualTo("REJECT icmp-host-prohibited @19");
    assertThat(verdict(ask(a, "203.0.113.9", Protocols.TCP, 22, null))).isEqualTo("ACCEPT @14");
    assertThat(verdict(ask(a, "198.18.0.1", Protocols.TCP, 22, null))).isEqualTo("DROP @2");
    // A drop rule (deny section) beats the https service (allow section).
    assertThat(verdict(ask(a, "2001:db8:bad::1", Protocols.TCP, 443, null))).isEqualTo("DROP @23");
    assertThat(verdict(ask(a, "198.18.0.1", Protocols.TCP, 9100, null))).isEqualTo("REJECT icmp-port-unreachable @32");
    assertThat(verdict(ask(a, "198.51.100.9", Protocols.TCP, 9100, null))).isEqualTo("DROP @2");
    assertThat(verdict(ask(a, "198.18.0.1", Protocols.ICMP, 8, null))).isEqualTo("REJECT icmp-admin-prohibited @13");
    assertThat(ask(a, "198.18.0.1", 47, 0, null).verdict()).isEqualTo(Verdict.ACCEPT);
    Explanation limited = ask(a, "2001:db8:1::1", Protocols.TCP, 2222, null);
    assertThat(limited.verdict()).isEqualTo(Verdict.UNKNOWN);
    assertThat(limited.reasons()).extracting(r -> r.text()).contains("limit value=\"5/m\"");
  }

  @Test
  void aServicePortproofDoesNotBundleMakesWhatItMightAllowUnknown(@TempDir Path dir) throws Exception {
    Path zone = dir.resolve("app.xml");
    Files.writeString(zone, "<zone>\n  <service name=\"https\"/>\n  <service name=\"my-custom-app\"/>\n</zone>\n");
    Diagnostics d = new Diagnostics();
    List<Ruleset> rs = FirewalldFormat.zoneFile().parse(InputText.read(zone, "app.xml"), Map.of(), d);
    assertThat(d.asList()).singleElement().satisfies(x -> assertThat(x.toString()).startsWith("app.xml:3: unsupported: service 'my-custom-app'"));
    FirewallAnalyzer a = new FirewallAnalyzer(new HostContext(rs, IpSet.of(IpRange.of(Ip.parse(V4)))));
    assertThat(ask(a, "198.18.0.1", Protocols.TCP, 443, null).verdict()).isEqualTo(Verdict.ACCEPT);
    Explanation e = ask(a, "198.18.0.1", Protocols.TCP, 4000, null);
    assertThat(e.verdict()).isEqualTo(Verdict.UNKNOWN);
    assertThat(e.reasons()).extracting(r -> r.text()).containsExactly("service my-custom-app");
  }

  @Test
  void aListingDispatchesBySourceThenInterfaceThenTheDefaultZone() throws Exception {
    FirewallAnalyzer a = analyzer(FirewalldFormat.listAllZones(), RES + "list-all-zones.txt");
    // internal (by source 10.0.0.0/8) has ssh and cockpit; public has https.
    assertThat(verdict(ask(a, "10.1.2.3", Protocols.TCP, 9090, "eth0"))).isEqualTo("ACCEPT @25");
    assertThat(verdict(ask(a, "10.1.2.3", Protocols.TCP, 443, "eth0"))).isEqualTo("REJECT icmp-admin-prohibited @18");
    assertThat(verdict(ask(a, "198.18.0.1", Protocols.TCP, 443, "eth0"))).isEqualTo("ACCEPT @42");
    assertThat(verdict(ask(a, "198.18.0.1", Protocols.TCP, 9090, "eth0"))).isEqualTo("REJECT icmp-admin-prohibited @35");
    // trusted by interface wg0 accepts anything.
    assertThat(verdict(ask(a, "198.18.0.1", Protocols.TCP, 9090, "wg0"))).isEqualTo("ACCEPT @56");
    // Rich rules: 192.0.2.0/24 is refused on 443; ssh from the admin range is rate-limited only in its log.
    assertThat(verdict(ask(a, "192.0.2.9", Protocols.TCP, 443, "eth0"))).isEqualTo("REJECT icmp-port-unreachable @53");
    assertThat(verdict(ask(a, "203.0.113.7", Protocols.TCP, 22, "eth0"))).isEqualTo("ACCEPT @42");
    assertThat(verdict(ask(a, "198.18.0.1", Protocols.TCP, 8443, "eth0"))).isEqualTo("DROP @54");
    assertThat(verdict(ask(a, "198.51.100.1", Protocols.TCP, 8443, "eth0"))).isEqualTo("ACCEPT @43");
    assertThat(ask(a, "198.18.0.1", Protocols.TCP, 8080, "eth0").verdict()).isEqualTo(Verdict.UNKNOWN);
  }

  @Test
  void servicesIncludeOthersAndMayNameWholeProtocols(@TempDir Path dir) throws Exception {
    Path zone = dir.resolve("vpn.xml");
    Files.writeString(zone, "<zone>\n  <service name=\"ipsec\"/>\n  <service name=\"samba-client\"/>\n</zone>\n");
    Diagnostics d = new Diagnostics();
    FirewallAnalyzer a = new FirewallAnalyzer(new HostContext(FirewalldFormat.zoneFile().parse(InputText.read(zone, "vpn.xml"), Map.of(), d),
        IpSet.of(IpRange.of(Ip.parse(V4)))));
    assertThat(d.asList()).isEmpty();
    // ipsec lists ESP as <port port="" protocol="esp"/>; samba-client includes netbios-ns (udp/137).
    assertThat(verdict(ask(a, "198.18.0.1", Protocols.ESP, 0, null))).isEqualTo("ACCEPT @2");
    assertThat(verdict(ask(a, "198.18.0.1", Protocols.UDP, 137, null))).isEqualTo("ACCEPT @3");
    assertThat(verdict(ask(a, "198.18.0.1", Protocols.UDP, 138, null))).isEqualTo("ACCEPT @3");
  }

  @Test
  void theSampleFailsHttpsNamingTheZone() throws Exception {
    Cli c = Cli.run("check", "samples/firewalld-public", "--format", "json");
    assertThat(c.exit()).as(c.err()).isEqualTo(1);
    for (JsonNode ch : new ObjectMapper().readTree(c.out()).path("hosts").get(0).path("checks")) {
      if (ch.path("id").asText().equals("HTTPS-OPEN")) {
        assertThat(ch.path("status").asText()).isEqualTo("FAIL");
        assertThat(ch.toString()).contains("public.xml:2").contains("target default");
        return;
      }
    }
    throw new AssertionError("no HTTPS-OPEN check in " + c.out());
  }

  @ParameterizedTest
  @CsvSource(delimiter = '|', value = {
      "firewalld|<zone>\\n  <service name=\"ssh\">\\n</zone>|:3: invalid: malformed XML",
      "firewalld|<?xml version=\"1.0\"?>\\n<!DOCTYPE zone [<!ENTITY x SYSTEM \"file:///etc/passwd\">]>\\n<zone>&x;</zone>|:2: invalid: malformed XML",
      "firewalld|<zone target=\"BOUNCE\">\\n</zone>|:1: invalid: zone target must be",
      "firewalld|<service name=\"x\">\\n</service>|:1: invalid: not a firewalld zone file",
      "firewalld|<zone>\\n  <port port=\"99999\" protocol=\"tcp\"/>\\n</zone>|:2: invalid: bad port '99999'",
      "firewalld|<zone>\\n  <rule><source address=\"10.0.0.0/8\"/><reject type=\"no-such\"/></rule>\\n</zone>|:2: invalid: unknown reject type 'no-such'",
      "firewall-cmd|public (default)\\n  target: default\\n  rich rules: \\n\\trule family=\"ipv5\" accept\\n|:4: invalid: rich rule family must be ipv4 or ipv6"})
  void badInputIsExitTwoWithFileAndLine(String type, String text, String expected, @TempDir Path dir) throws Exception {
    Path file = dir.resolve("zone");
    Files.writeString(file, text.replace("\\n", "\n").replace("\\t", "\t"));
    Cli c = Cli.run("explain", "-f", type + ":" + file, "--src", "198.18.0.1", "--dst", V4, "--dport", "443");
    assertThat(c.exit()).as(c.err()).isEqualTo(2);
    assertThat(c.err()).contains(file + expected).doesNotContain("Exception");
  }

  @Test
  void sniffsZoneFilesAndListings() {
    assertThat(FirewalldFormat.zoneFile().sniff("<?xml version=\"1.0\" encoding=\"utf-8\"?>\n<zone>\n", "public.xml")).isTrue();
    assertThat(FirewalldFormat.zoneFile().sniff("<?xml version=\"1.0\"?>\n<service>\n", "ssh.xml")).isFalse();
    assertThat(FirewalldFormat.listAllZones().sniff("public (default, active)\n  target: default\n", "zones.txt")).isTrue();
    assertThat(FirewalldFormat.listAllZones().sniff("*filter\n:INPUT ACCEPT [0:0]\n", "rules.v4")).isFalse();
  }
}
