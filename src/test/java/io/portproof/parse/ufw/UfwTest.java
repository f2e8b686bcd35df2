package io.portproof.parse.ufw;

import static org.assertj.core.api.Assertions.assertThat;

import io.portproof.analysis.Exposure;
import io.portproof.analysis.Explanation;
import io.portproof.analysis.FirewallAnalyzer;
import io.portproof.analysis.HostContext;
import io.portproof.analysis.Protocols;
import io.portproof.diag.Diagnostics;
import io.portproof.model.Ip;
import io.portproof.model.IpRange;
import io.portproof.model.IpSet;
import io.portproof.model.Packet;
import io.portproof.model.PortSet;
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
import org.junit.jupiter.params.provider.ValueSource;

/** ufw's rules in ufw's skeleton, checked against what real ufw loaded on the ufw-host sample. */
class UfwTest {
  private static final String RES = "src/test/resources/ufw/";
  private static final String V4 = "192.0.2.20";
  private static final String V6 = "2001:db8:20::20";

  private static List<Ruleset> parse(UfwFormat f, String file, Diagnostics d) throws Exception {
    return f.parse(InputText.read(Path.of(file), file), Map.of(), d);
  }

  private static FirewallAnalyzer analyzer(List<Ruleset> rs) {
    return new FirewallAnalyzer(new HostContext(rs, IpSet.of(IpRange.of(Ip.parse(V4)), IpRange.of(Ip.parse(V6)))));
  }

  private static List<Ruleset> iptablesSample() throws Exception {
    List<Ruleset> rs = new ArrayList<>();
    for (String f : List.of("samples/ufw-host/rules.v4", "samples/ufw-host/rules.v6")) {
      rs.add(IptablesParser.parse(InputText.read(Path.of(f), f), null, Map.of(), new Diagnostics()));
    }
    return rs;
  }

  @ParameterizedTest
  @CsvSource({"ufw-status,ufw-host.status", "ufw-status,mixed.status", "ufw-rules,user.rules", "ufw-rules,user6.rules",
      "ufw-status,verbose-apps.status", "ufw-rules,default-allow.rules", "ufw-rules,logging-off.rules"})
  void parsesLikeTheGoldenDump(String type, String file) throws Exception {
    Diagnostics d = new Diagnostics();
    UfwFormat f = type.equals("ufw-status") ? UfwFormat.statusOutput() : UfwFormat.userRules();
    Golden.assertMatches("ufw/" + file + ".txt", RulesetDump.dump(parse(f, RES + file, d), d.asList()));
  }

  /**
   * The same host three ways: ufw status, ufw's user.rules files, and the iptables-save dump real ufw produced.
   * Every port of both protocols and both families must meet the same verdict from the same clients.
   */
  @ParameterizedTest
  @ValueSource(strings = {"status", "user.rules"})
  void agreesWithWhatRealUfwLoaded(String how) throws Exception {
    List<Ruleset> ufw = how.equals("status") ? parse(UfwFormat.statusOutput(), RES + "ufw-host.status", new Diagnostics())
        : List.of(parse(UfwFormat.userRules(), RES + "user.rules", new Diagnostics()).get(0),
            parse(UfwFormat.userRules(), RES + "user6.rules", new Diagnostics()).get(0));
    FirewallAnalyzer ours = analyzer(ufw);
    FirewallAnalyzer real = analyzer(iptablesSample());
    for (String dst : List.of(V4, V6)) {
      for (int proto : new int[] {Protocols.TCP, Protocols.UDP}) {
        Exposure a = ours.exposure(Ip.parse(dst), proto, PortSet.ALL, null);
        Exposure b = real.exposure(Ip.parse(dst), proto, PortSet.ALL, null);
        // Answers change only where a block of either side begins or ends: comparing there compares every port.
        java.util.TreeSet<Integer> edges = new java.util.TreeSet<>();
        for (Exposure e : List.of(a, b)) {
          for (Exposure.Block bl : e.blocks()) {
            for (int[] r : bl.ports().intervals()) {
              edges.add(r[0]);
              edges.add(r[1]);
            }
          }
        }
        for (int port : edges) {
          for (Verdict v : Verdict.values()) {
            assertThat(a.blockFor(port).sources(v)).as("%s %s port %d %s", dst, Protocols.name(proto), port, v)
                .isEqualTo(b.blockFor(port).sources(v));
          }
        }
      }
      int icmp = dst.contains(":") ? Protocols.ICMPV6 : Protocols.ICMP;
      Exposure a = ours.exposure(Ip.parse(dst), icmp, PortSet.range(0, 255), null);
      Exposure b = real.exposure(Ip.parse(dst), icmp, PortSet.range(0, 255), null);
      for (int type = 0; type <= 255; type++) {
        assertThat(a.blockFor(type).sources(Verdict.ACCEPT)).as("%s icmp type %d", dst, type).isEqualTo(b.blockFor(type).sources(Verdict.ACCEPT));
      }
    }
  }

  private static String verdict(Explanation e) {
    return e.verdict() + (e.rejectWith() == null ? "" : " " + e.rejectWith()) + " @" + e.decidedBy().line();
  }

  private static Explanation tcp(FirewallAnalyzer a, String src, String dst, int port, String iface) {
    return a.explain(new Packet(Ip.parse(src), Ip.parse(dst), Protocols.TCP, port, null, iface));
  }

  @Test
  void statusRowsRunInOrderWithTheirActions() throws Exception {
    Diagnostics d = new Diagnostics();
    FirewallAnalyzer a = analyzer(parse(UfwFormat.statusOutput(), RES + "mixed.status", d));
    Explanation ssh = tcp(a, "198.18.0.1", V4, 22, null);
    assertThat(ssh.verdict()).isEqualTo(Verdict.UNKNOWN);
    assertThat(ssh.reasons().get(0).text()).contains("ufw limit");
    assertThat(verdict(tcp(a, "203.0.113.5", V4, 443, null))).isEqualTo("ACCEPT @9");
    assertThat(verdict(tcp(a, "203.0.113.5", V4, 8080, null))).isEqualTo("DROP @10");
    assertThat(verdict(tcp(a, "198.51.100.7", V4, 8080, null))).isEqualTo("ACCEPT @11");
    assertThat(verdict(tcp(a, "198.18.0.1", V4, 8080, null))).isEqualTo("REJECT icmp-port-unreachable @3");
    assertThat(verdict(tcp(a, "10.1.1.1", V4, 5432, null))).isEqualTo("ACCEPT @12");
    assertThat(a.explain(new Packet(Ip.parse("198.18.0.1"), Ip.parse(V4), Protocols.UDP, 9005, null, "eth1")).verdict()).isEqualTo(Verdict.ACCEPT);
    assertThat(a.explain(new Packet(Ip.parse("198.18.0.1"), Ip.parse(V4), Protocols.UDP, 9005, null, "eth0")).verdict()).isEqualTo(Verdict.REJECT);
    assertThat(verdict(tcp(a, "198.18.0.1", V4, 25, null))).isEqualTo("REJECT tcp-reset @14");
    assertThat(verdict(tcp(a, "2001:db8:1::1", V6, 443, null))).isEqualTo("ACCEPT @16");
    assertThat(verdict(tcp(a, "2001:db8:ad::1", V6, 22, null))).isEqualTo("ACCEPT @17");
    assertThat(verdict(tcp(a, "2001:db8:1::1", V6, 22, null))).isEqualTo("REJECT icmp6-port-unreachable @3");
  }

  @Test
  void anApplicationProfilePortproofDoesNotBundleIsUnknown(@TempDir Path dir) throws Exception {
    Path f = dir.resolve("status");
    Files.writeString(f, "Status: active\nDefault: deny (incoming), allow (outgoing), disabled (routed)\n\n"
        + "To                         Action      From\n--                         ------      ----\nMosh                       ALLOW IN    Anywhere\n");
    Diagnostics d = new Diagnostics();
    FirewallAnalyzer a = analyzer(UfwFormat.statusOutput().parse(InputText.read(f, "status"), Map.of(), d));
    Explanation e = a.explain(new Packet(Ip.parse("198.18.0.1"), Ip.parse(V4), Protocols.UDP, 60001, null, null));
    assertThat(e.verdict()).isEqualTo(Verdict.UNKNOWN);
    assertThat(e.reasons()).extracting(r -> r.text()).containsExactly("ufw application Mosh");
    assertThat(d.asList()).extracting(Object::toString).anyMatch(s -> s.startsWith("status:6: unsupported: application profile 'Mosh'"));
  }

  @Test
  void aTupleCarriesItsApplicationsPortsSoNoProfileIsNeeded(@TempDir Path dir) throws Exception {
    Path f = dir.resolve("user.rules");
    Files.writeString(f, "*filter\n:ufw-user-input - [0:0]\n### RULES ###\n\n"
        + "### tuple ### allow udp 60000:61000 0.0.0.0/0 any 0.0.0.0/0 Mosh - in\n"
        + "-A ufw-user-input -p udp -m multiport --dports 60000:61000 -j ACCEPT\n\n### END RULES ###\nCOMMIT\n");
    FirewallAnalyzer a = analyzer(UfwFormat.userRules().parse(InputText.read(f, "user.rules"), Map.of(), new Diagnostics()));
    Explanation e = a.explain(new Packet(Ip.parse("198.18.0.1"), Ip.parse(V4), Protocols.UDP, 60001, null, null));
    assertThat(verdict(e)).isEqualTo("ACCEPT @5");
  }

  /**
   * Real ufw 0.36 {@code status verbose} output: applications spelled out as their ports per protocol, a source
   * application, interfaces after them, logging attributes and comments after the source.
   */
  @Test
  void verboseStatusNamesApplicationsAfterTheirPorts() throws Exception {
    Diagnostics d = new Diagnostics();
    FirewallAnalyzer a = analyzer(parse(UfwFormat.statusOutput(), RES + "verbose-apps.status", d));
    assertThat(d.asList()).extracting(Object::toString).noneMatch(s -> s.contains("invalid"));
    assertThat(verdict(tcp(a, "203.0.113.5", V4, 22, "eth1"))).isEqualTo("ACCEPT @8");
    assertThat(verdict(tcp(a, "203.0.113.5", V4, 443, "eth1"))).isEqualTo("ACCEPT @9");
    assertThat(verdict(tcp(a, "203.0.113.5", V4, 8080, "eth1"))).isEqualTo("ACCEPT @10");
    assertThat(verdict(tcp(a, "203.0.113.5", V4, 3306, "eth1"))).isEqualTo("DROP @15");
    assertThat(a.explain(new Packet(Ip.parse("198.18.0.9"), Ip.parse(V4), Protocols.TCP, 5000, 2222, "eth1")).verdict()).isEqualTo(Verdict.UNKNOWN);
    assertThat(a.explain(new Packet(Ip.parse("198.18.0.9"), Ip.parse(V4), Protocols.TCP, 5000, 2222, "eth0")).verdict()).isEqualTo(Verdict.DROP);
    assertThat(verdict(a.explain(new Packet(Ip.parse("203.0.113.5"), Ip.parse(V4), Protocols.UDP, 4444, null, "eth1")))).isEqualTo("ACCEPT @14");
    assertThat(a.explain(new Packet(Ip.parse("203.0.113.5"), Ip.parse(V4), Protocols.UDP, 6881, null, "eth1")).verdict()).isEqualTo(Verdict.DROP);
    assertThat(verdict(tcp(a, "2001:db8:1::1", V6, 22, "eth1"))).isEqualTo("ACCEPT @16");
    assertThat(verdict(tcp(a, "2001:db8:1::1", V6, 8080, "eth1"))).isEqualTo("ACCEPT @18");
    assertThat(verdict(a.explain(new Packet(Ip.parse("2001:db8:1::1"), Ip.parse(V6), Protocols.TCP, 9999, 22, "eth1")))).isEqualTo("ACCEPT @19");
    assertThat(tcp(a, "2001:db8:1::1", V6, 9999, "eth1").verdict()).isEqualTo(Verdict.DROP);
    assertThat(verdict(tcp(a, "2001:db8:1::1", V6, 3306, "eth1"))).isEqualTo("DROP @23");
  }

  /** What ufw wrote for {@code default allow incoming} and for {@code default reject incoming} with logging off. */
  @ParameterizedTest
  @CsvSource({"default-allow.rules,ACCEPT,false", "logging-off.rules,DROP,true", "user.rules,DROP,true"})
  void userRulesTakeTheDefaultFromWhatUfwLogs(String file, String verdict, boolean assumed) throws Exception {
    Diagnostics d = new Diagnostics();
    FirewallAnalyzer a = analyzer(parse(UfwFormat.userRules(), RES + file, d));
    assertThat(tcp(a, "203.0.113.5", V4, 5000, null).verdict()).hasToString(verdict);
    assertThat(d.asList()).extracting(Object::toString).filteredOn(s -> s.contains("taken as ufw's default, deny"))
        .hasSize(assumed ? 1 : 0);
  }

  @Test
  void anInactiveUfwFiltersNothing(@TempDir Path dir) throws Exception {
    Path f = dir.resolve("status");
    Files.writeString(f, "Status: inactive\n");
    Diagnostics d = new Diagnostics();
    FirewallAnalyzer a = analyzer(UfwFormat.statusOutput().parse(InputText.read(f, "status"), Map.of(), d));
    assertThat(tcp(a, "198.18.0.1", V4, 3306, null).verdict()).isEqualTo(Verdict.ACCEPT);
    assertThat(d.asList()).extracting(x -> x.kind().name()).contains("RISKY");
  }

  @ParameterizedTest
  @CsvSource(delimiter = '|', value = {
      "ufw-status|Status: active\\nDefault: bounce (incoming), allow (outgoing)\\n|:2: invalid: the default for incoming traffic must be deny, allow or reject",
      "ufw-status|Status: active\\n\\nTo    Action    From\\n--    ------    ----\\n22/tcp    PERMIT    Anywhere\\n|:5: invalid: expected a rule row",
      "ufw-status|Status: active\\n\\nTo    Action    From\\n--    ------    ----\\n99999/tcp    ALLOW IN    Anywhere\\n|:5: invalid: bad port specification '99999'",
      "ufw-rules|*filter\\n:ufw-user-input - [0:0]\\n### tuple ### allow tcp 22 0.0.0.0/0\\nCOMMIT\\n|:3: invalid: a ufw tuple has 7 fields",
      "ufw-rules|*filter\\n:ufw-user-input - [0:0]\\n### tuple ### allow tcp 22 0.0.0.0/0 any 300.0.0.0/8 in\\nCOMMIT\\n|:3: invalid: '300.0.0.0/8' is not a CIDR block"})
  void badInputIsExitTwoWithFileAndLine(String type, String text, String expected, @TempDir Path dir) throws Exception {
    Path file = dir.resolve("ufw");
    Files.writeString(file, text.replace("\\n", "\n"));
    Cli c = Cli.run("explain", "-f", type + ":" + file, "--src", "198.18.0.1", "--dst", V4, "--dport", "22");
    assertThat(c.exit()).as(c.err()).isEqualTo(2);
    assertThat(c.err()).contains(file + expected).doesNotContain("Exception");
  }

  @Test
  void sniffsStatusAndUserRulesButNotAFullIptablesDump() throws Exception {
    assertThat(UfwFormat.statusOutput().sniff("Status: active\nLogging: on (low)\n", "ufw.txt")).isTrue();
    assertThat(UfwFormat.userRules().sniff(Files.readString(Path.of(RES + "user.rules")), "user.rules")).isTrue();
    assertThat(UfwFormat.userRules().sniff(Files.readString(Path.of("samples/ufw-host/rules.v4")), "rules.v4")).isFalse();
    Cli c = Cli.run("explain", "-f", RES + "user.rules", "--src", "198.18.0.1", "--dst", V4, "--dport", "443");
    assertThat(c.exit()).as(c.err()).isZero();
    assertThat(c.out()).contains("ACCEPT");
  }
}
