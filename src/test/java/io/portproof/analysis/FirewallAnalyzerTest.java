package io.portproof.analysis;

import static org.assertj.core.api.Assertions.assertThat;

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
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Netfilter semantics, one construct per test, written as the operator would write the rules. */
class FirewallAnalyzerTest {
  private static final String HOST = "198.51.100.10";

  private static FirewallAnalyzer fw(String... exports) {
    return fw(false, exports);
  }

  private static FirewallAnalyzer fw(boolean forwarding, String... exports) {
    List<Ruleset> rs = new ArrayList<>();
    int i = 0;
    for (String e : exports) {
      Diagnostics d = new Diagnostics();
      rs.add(IptablesParser.parse(new InputText(Path.of("rules" + i), "rules" + (i++), e), null, Map.of(), d));
      assertThat(d.hasInvalid()).as("fixture parses: %s", d.asList()).isFalse();
    }
    return new FirewallAnalyzer(new HostContext(rs, IpSet.of(IpRange.of(Ip.parse(HOST))), forwarding));
  }

  private static Explanation tcp(FirewallAnalyzer a, String src, int port) {
    return a.explain(new Packet(Ip.parse(src), Ip.parse(HOST), Protocols.TCP, port, null, null));
  }

  private static Explanation tcp(FirewallAnalyzer a, String src, int port, String iface) {
    return a.explain(new Packet(Ip.parse(src), Ip.parse(HOST), Protocols.TCP, port, null, iface));
  }

  @Test
  void noRulesetMeansTheKernelAccepts() {
    assertThat(tcp(fw("*filter\n:INPUT ACCEPT [0:0]\nCOMMIT\n"), "203.0.113.5", 443).verdict()).isEqualTo(Verdict.ACCEPT);
  }

  @Test
  void thePolicyDecidesWhatNoRuleMatches() {
    FirewallAnalyzer a = fw("*filter\n:INPUT DROP [0:0]\n-A INPUT -p tcp -m tcp --dport 443 -j ACCEPT\nCOMMIT\n");
    assertThat(tcp(a, "203.0.113.5", 443).verdict()).isEqualTo(Verdict.ACCEPT);
    Explanation e = tcp(a, "203.0.113.5", 22);
    assertThat(e.verdict()).isEqualTo(Verdict.DROP);
    assertThat(e.decidedBy().line()).isEqualTo(2);
    assertThat(e.clientSees()).isEqualTo("filtered");
  }

  @Test
  void rejectKindsDecideWhatTheClientSees() {
    FirewallAnalyzer a = fw("*filter\n:INPUT ACCEPT [0:0]\n"
        + "-A INPUT -p tcp --dport 1 -j REJECT --reject-with tcp-reset\n"
        + "-A INPUT -p tcp --dport 2 -j REJECT\n"
        + "-A INPUT -p tcp --dport 3 -j REJECT --reject-with icmp-host-prohibited\n"
        + "-A INPUT -p tcp --dport 4 -j REJECT --reject-with icmp-net-unreachable\nCOMMIT\n");
    assertThat(tcp(a, "203.0.113.5", 1).clientSees()).isEqualTo("refused");
    assertThat(tcp(a, "203.0.113.5", 2).clientSees()).isEqualTo("refused");
    assertThat(tcp(a, "203.0.113.5", 2).rejectWith()).isEqualTo("icmp-port-unreachable");
    assertThat(tcp(a, "203.0.113.5", 3).clientSees()).isEqualTo("unreachable");
    assertThat(tcp(a, "203.0.113.5", 4).clientSees()).isEqualTo("unreachable");
  }

  @Test
  void gotoReturnsToTheCallersCaller() {
    FirewallAnalyzer a = fw("*filter\n:INPUT DROP [0:0]\n:a - [0:0]\n:b - [0:0]\n"
        + "-A INPUT -j a\n-A INPUT -j ACCEPT\n"
        + "-A a -p tcp --dport 22 -g b\n-A a -j DROP\n"
        + "-A b -j RETURN\nCOMMIT\n");
    // 22: INPUT -> a -goto-> b -RETURN-> back in INPUT after the jump to a (a's DROP is skipped).
    assertThat(tcp(a, "203.0.113.5", 22).verdict()).isEqualTo(Verdict.ACCEPT);
    assertThat(tcp(a, "203.0.113.5", 23).verdict()).isEqualTo(Verdict.DROP);
  }

  @Test
  void negatedSourcesAndEitherPortMultiport() {
    FirewallAnalyzer a = fw("*filter\n:INPUT DROP [0:0]\n"
        + "-A INPUT ! -s 203.0.113.0/24 -p tcp --dport 22 -j DROP\n"
        + "-A INPUT -p tcp --dport 22 -j ACCEPT\n"
        + "-A INPUT -p tcp -m multiport --ports 7000:7001 -j ACCEPT\nCOMMIT\n");
    assertThat(tcp(a, "203.0.113.9", 22).verdict()).isEqualTo(Verdict.ACCEPT);
    assertThat(tcp(a, "198.18.0.9", 22).verdict()).isEqualTo(Verdict.DROP);
    assertThat(tcp(a, "198.18.0.9", 7001).verdict()).isEqualTo(Verdict.ACCEPT);
  }

  @Test
  void redirectChangesThePortTheFilterSees() {
    FirewallAnalyzer a = fw("*nat\n:PREROUTING ACCEPT [0:0]\n-A PREROUTING -p tcp --dport 443 -j REDIRECT --to-ports 8443\nCOMMIT\n"
        + "*filter\n:INPUT DROP [0:0]\n-A INPUT -p tcp --dport 443 -j ACCEPT\nCOMMIT\n");
    Explanation e = tcp(a, "203.0.113.5", 443);
    assertThat(e.verdict()).as("filter sees 8443, which it does not accept").isEqualTo(Verdict.DROP);
    assertThat(e.rewrittenTo().port()).isEqualTo(8443);
  }

  @Test
  void aDroppedReplyIsATimeout() {
    FirewallAnalyzer a = fw("*filter\n:INPUT ACCEPT [0:0]\n:OUTPUT ACCEPT [0:0]\n-A OUTPUT -p tcp --sport 443 -j DROP\nCOMMIT\n");
    Explanation e = tcp(a, "203.0.113.5", 443);
    assertThat(e.verdict()).isEqualTo(Verdict.DROP);
    assertThat(e.decidedBy().line()).isEqualTo(4);
    assertThat(e.note()).contains("OUTPUT");
  }

  @Test
  void aRejectWhoseErrorIsDroppedOnTheWayOutIsATimeout() {
    FirewallAnalyzer a = fw("*filter\n:INPUT ACCEPT [0:0]\n:OUTPUT ACCEPT [0:0]\n-A INPUT -p tcp --dport 25 -j REJECT --reject-with tcp-reset\n"
        + "-A OUTPUT -m conntrack --ctstate RELATED -j DROP\nCOMMIT\n");
    assertThat(tcp(a, "203.0.113.5", 25).verdict()).isEqualTo(Verdict.DROP);
    assertThat(tcp(a, "203.0.113.5", 26).verdict()).isEqualTo(Verdict.ACCEPT);
  }

  @Test
  void aRejectedFinalAckStillLetsConnectReturn() {
    // The kernel truth suite: the SYN is accepted as NEW and answered, so connect() returns; the ACK (ESTABLISHED)
    // meeting a REJECT afterwards is only a soft error on an established socket.
    FirewallAnalyzer a = fw("*filter\n:INPUT DROP [0:0]\n-A INPUT -p tcp --dport 110 -m conntrack --ctstate NEW -j ACCEPT\n"
        + "-A INPUT -p tcp --dport 1: -j REJECT --reject-with icmp-net-prohibited\nCOMMIT\n");
    Explanation e = tcp(a, "203.0.113.5", 110);
    assertThat(e.verdict()).isEqualTo(Verdict.ACCEPT);
    assertThat(e.note()).contains("final ACK", "rules0:4");
    FirewallAnalyzer dropped = fw("*filter\n:INPUT DROP [0:0]\n-A INPUT -p tcp --syn --dport 110 -j ACCEPT\nCOMMIT\n");
    assertThat(tcp(dropped, "203.0.113.5", 110).verdict()).isEqualTo(Verdict.ACCEPT);
    assertThat(tcp(dropped, "203.0.113.5", 110).note()).contains("final ACK");
  }

  @Test
  void aSynAckDiscardedAfterConntrackMakesTheRetransmittedSynEstablished() {
    // Kernel truth suite, seed 106692487: the SYN-ACK is rejected in OUTPUT, conntrack has seen it, so the SYN the
    // client retransmits a second later is ESTABLISHED and meets the INPUT rule for established traffic.
    FirewallAnalyzer a = fw("*filter\n:INPUT ACCEPT [0:0]\n:OUTPUT ACCEPT [0:0]\n"
        + "-A INPUT -i eth0 -m conntrack --ctstate RELATED,ESTABLISHED -j REJECT --reject-with icmp-net-unreachable\n"
        + "-A OUTPUT -o eth+ -p tcp -m multiport --sports 53,14425 -j REJECT --reject-with tcp-reset\nCOMMIT\n");
    Explanation e = tcp(a, "203.0.113.5", 53, "eth0");
    assertThat(e.verdict()).isEqualTo(Verdict.REJECT);
    assertThat(e.clientSees()).isEqualTo("unreachable");
    assertThat(tcp(a, "203.0.113.5", 54, "eth0").verdict()).isEqualTo(Verdict.ACCEPT);
    FirewallAnalyzer plain = fw("*filter\n:INPUT ACCEPT [0:0]\n:OUTPUT ACCEPT [0:0]\n-A OUTPUT -p tcp --sport 53 -j DROP\nCOMMIT\n");
    assertThat(tcp(plain, "203.0.113.5", 53, "eth0").verdict()).isEqualTo(Verdict.DROP);
  }

  @Test
  void theAnswerToAnUntrackedSynLeavesAsInvalid() {
    FirewallAnalyzer a = fw("*raw\n:PREROUTING ACCEPT [0:0]\n:OUTPUT ACCEPT [0:0]\n-A PREROUTING -p tcp --dport 22 -j NOTRACK\nCOMMIT\n"
        + "*filter\n:INPUT DROP [0:0]\n:OUTPUT DROP [0:0]\n-A INPUT -m conntrack --ctstate UNTRACKED -j ACCEPT\n"
        + "-A OUTPUT -m conntrack --ctstate INVALID -j ACCEPT\nCOMMIT\n");
    assertThat(tcp(a, "203.0.113.5", 22).verdict()).isEqualTo(Verdict.ACCEPT);
  }

  @Test
  void marksSetInMangleAreSeenByFilter() {
    FirewallAnalyzer a = fw("*mangle\n:PREROUTING ACCEPT [0:0]\n-A PREROUTING -s 203.0.113.0/24 -j MARK --set-xmark 0x1/0xffffffff\nCOMMIT\n"
        + "*filter\n:INPUT DROP [0:0]\n-A INPUT -m mark --mark 0x1 -j ACCEPT\nCOMMIT\n");
    assertThat(tcp(a, "203.0.113.5", 80).verdict()).isEqualTo(Verdict.ACCEPT);
    assertThat(tcp(a, "198.18.0.5", 80).verdict()).isEqualTo(Verdict.DROP);
  }

  @Test
  void notrackMakesTheConnectionUntracked() {
    FirewallAnalyzer a = fw("*raw\n:PREROUTING ACCEPT [0:0]\n-A PREROUTING -p tcp --dport 80 -j CT --notrack\nCOMMIT\n"
        + "*filter\n:INPUT DROP [0:0]\n-A INPUT -m conntrack --ctstate NEW -j ACCEPT\n-A INPUT -m conntrack --ctstate UNTRACKED -j REJECT\nCOMMIT\n");
    assertThat(tcp(a, "203.0.113.5", 80).verdict()).isEqualTo(Verdict.REJECT);
    assertThat(tcp(a, "203.0.113.5", 81).verdict()).isEqualTo(Verdict.ACCEPT);
  }

  @Test
  void anUndecidableConditionIsUnknownUnlessBothBranchesAgree() {
    FirewallAnalyzer a = fw("*filter\n:INPUT DROP [0:0]\n"
        + "-A INPUT -p tcp --dport 22 -m recent --name ssh --update --seconds 60 --hitcount 4 -j DROP\n"
        + "-A INPUT -p tcp --dport 22 -j ACCEPT\n"
        + "-A INPUT -p tcp --dport 80 -m limit --limit 5/s -j ACCEPT\n"
        + "-A INPUT -p tcp --dport 80 -j ACCEPT\nCOMMIT\n");
    Explanation ssh = tcp(a, "203.0.113.5", 22);
    assertThat(ssh.verdict()).isEqualTo(Verdict.UNKNOWN);
    assertThat(ssh.reasons()).singleElement().satisfies(r -> {
      assertThat(r.text()).contains("-m recent");
      assertThat(r.source().line()).isEqualTo(3);
    });
    assertThat(tcp(a, "203.0.113.5", 80).verdict()).as("limited or not, it is accepted").isEqualTo(Verdict.ACCEPT);
  }

  @Test
  void anInterfaceConditionNeedsTheInterface() {
    FirewallAnalyzer a = fw("*filter\n:INPUT DROP [0:0]\n-A INPUT -i eth+ -p tcp --dport 443 -j ACCEPT\nCOMMIT\n");
    assertThat(tcp(a, "203.0.113.5", 443).verdict()).isEqualTo(Verdict.UNKNOWN);
    assertThat(tcp(a, "203.0.113.5", 443).reasons().get(0).text()).contains("interface");
    assertThat(tcp(a, "203.0.113.5", 443, "eth1").verdict()).isEqualTo(Verdict.ACCEPT);
    assertThat(tcp(a, "203.0.113.5", 443, "wlan0").verdict()).isEqualTo(Verdict.DROP);
  }

  @Test
  void addrtypeLocalKnowsTheHostsAddresses() {
    FirewallAnalyzer a = fw("*filter\n:INPUT ACCEPT [0:0]\n-A INPUT -m addrtype ! --dst-type LOCAL -j DROP\n"
        + "-A INPUT -m addrtype --src-type MULTICAST -j DROP\nCOMMIT\n");
    assertThat(tcp(a, "203.0.113.5", 443).verdict()).isEqualTo(Verdict.ACCEPT);
  }

  @Test
  void everyRulesetHookingThePacketMustAccept() {
    FirewallAnalyzer a = fw("*filter\n:INPUT ACCEPT [0:0]\n-A INPUT -p tcp --dport 443 -j ACCEPT\nCOMMIT\n",
        "*filter\n:INPUT DROP [0:0]\n-A INPUT -p tcp --dport 80 -j ACCEPT\nCOMMIT\n");
    assertThat(tcp(a, "203.0.113.5", 443).verdict()).as("accept ends only its own base chain").isEqualTo(Verdict.DROP);
    assertThat(tcp(a, "203.0.113.5", 80).verdict()).isEqualTo(Verdict.ACCEPT);
  }

  @Test
  void dnatToAnotherHostIsDroppedUnlessTheHostForwards() {
    String rules = "*nat\n:PREROUTING ACCEPT [0:0]\n-A PREROUTING -p tcp --dport 8080 -j DNAT --to-destination 10.0.0.5:80\nCOMMIT\n";
    Explanation e = tcp(fw(rules), "203.0.113.5", 8080);
    assertThat(e.verdict()).isEqualTo(Verdict.DROP);
    assertThat(e.note()).contains("does not forward");
    assertThat(tcp(fw(true, rules), "203.0.113.5", 8080).verdict()).isEqualTo(Verdict.ACCEPT);
  }

  @Test
  void dnatToLoopbackFromOutsideIsAMartian() {
    FirewallAnalyzer a = fw("*nat\n:PREROUTING ACCEPT [0:0]\n-A PREROUTING -p tcp --dport 80 -j DNAT --to-destination 127.0.0.1:8080\nCOMMIT\n");
    assertThat(tcp(a, "203.0.113.5", 80, "eth0").verdict()).isEqualTo(Verdict.DROP);
    assertThat(tcp(a, "203.0.113.5", 80, "eth0").note()).contains("loopback");
  }

  @Test
  void redirectOnAHostWithSeveralAddressesCannotKnowWhichOne() {
    List<Ruleset> rs = new ArrayList<>();
    Diagnostics d = new Diagnostics();
    rs.add(IptablesParser.parse(new InputText(Path.of("r"), "r", "*nat\n:PREROUTING ACCEPT [0:0]\n"
        + "-A PREROUTING -p tcp --dport 1433 -j REDIRECT --to-ports 8080\nCOMMIT\n*filter\n:INPUT DROP [0:0]\n"
        + "-A INPUT -d 198.51.100.10 -p tcp --dport 8080 -j ACCEPT\n-A INPUT -p tcp --dport 9090 -j ACCEPT\nCOMMIT\n"), null, Map.of(), d));
    IpSet two = IpSet.of(IpRange.of(Ip.parse(HOST)), IpRange.of(Ip.parse("198.51.100.11")));
    FirewallAnalyzer a = new FirewallAnalyzer(new HostContext(rs, two));
    Explanation e = tcp(a, "203.0.113.5", 1433);
    assertThat(e.verdict()).isEqualTo(Verdict.UNKNOWN);
    assertThat(e.reasons().get(0).text()).contains("REDIRECT");
    FirewallAnalyzer one = new FirewallAnalyzer(new HostContext(rs, IpSet.of(IpRange.of(Ip.parse(HOST)))));
    assertThat(tcp(one, "203.0.113.5", 1433).verdict()).isEqualTo(Verdict.ACCEPT);
  }

  @Test
  void dnatToAnotherHostIsForwarded() {
    FirewallAnalyzer a = fw(true, "*nat\n:PREROUTING ACCEPT [0:0]\n-A PREROUTING -p tcp --dport 8080 -j DNAT --to-destination 10.0.0.5:80\n"
        + "-A PREROUTING -p tcp --dport 8081 -j DNAT --to-destination 10.0.0.6:80\nCOMMIT\n"
        + "*filter\n:FORWARD DROP [0:0]\n-A FORWARD -m conntrack --ctstate ESTABLISHED -j ACCEPT\n-A FORWARD -d 10.0.0.5 -j ACCEPT\nCOMMIT\n");
    Explanation e = tcp(a, "203.0.113.5", 8080);
    assertThat(e.verdict()).isEqualTo(Verdict.ACCEPT);
    assertThat(e.note()).contains("forwarded to 10.0.0.5");
    assertThat(tcp(a, "203.0.113.5", 8081).verdict()).isEqualTo(Verdict.DROP);
  }

  @Test
  void withNoRuleMatchedFilterInputsPolicyDecidesNotANatChains() {
    FirewallAnalyzer a = fw("*nat\n:PREROUTING ACCEPT [0:0]\n:INPUT ACCEPT [0:0]\n:OUTPUT ACCEPT [0:0]\n:POSTROUTING ACCEPT [0:0]\nCOMMIT\n"
        + "*filter\n:INPUT ACCEPT [0:0]\n:FORWARD ACCEPT [0:0]\n:OUTPUT ACCEPT [0:0]\nCOMMIT\n");
    Explanation e = tcp(a, "203.0.113.5", 22);
    assertThat(e.verdict()).isEqualTo(Verdict.ACCEPT);
    assertThat(e.decidedBy().line()).isEqualTo(8);
  }

  @Test
  void aForwardedConnectionWhoseAnswerCannotComeBackTimesOut() {
    FirewallAnalyzer a = fw(true, "*nat\n:PREROUTING ACCEPT [0:0]\n-A PREROUTING -p tcp --dport 8080 -j DNAT --to-destination 10.0.0.5:80\nCOMMIT\n"
        + "*filter\n:FORWARD DROP [0:0]\n-A FORWARD -d 10.0.0.5 -j ACCEPT\nCOMMIT\n");
    Explanation e = tcp(a, "203.0.113.5", 8080);
    assertThat(e.verdict()).isEqualTo(Verdict.DROP);
    assertThat(e.decidedBy().text()).isEqualTo(":FORWARD DROP [0:0]");
    assertThat(e.note()).contains("the answer from 10.0.0.5 is discarded on its way back");
  }

  @Test
  void anyOfIsTheUnionOfItsConjunctions() {
    io.portproof.model.SourceRef at = new io.portproof.model.SourceRef("nft", 7, "ip saddr . tcp dport { ... } accept");
    io.portproof.model.fw.Match any = new io.portproof.model.fw.Match.AnyOf(List.of(
        List.of(new io.portproof.model.fw.Match.Address(io.portproof.model.fw.Match.Side.SOURCE, IpSet.of(IpRange.prefix(Ip.parse("203.0.113.0"), 24)), false),
            new io.portproof.model.fw.Match.Port(io.portproof.model.fw.Match.Side.DESTINATION, PortSet.of(22), false)),
        List.of(new io.portproof.model.fw.Match.Port(io.portproof.model.fw.Match.Side.DESTINATION, PortSet.of(443), false))), false);
    io.portproof.model.fw.Chain input = new io.portproof.model.fw.Chain("filter/input", "filter", "input", Verdict.DROP,
        List.of(new io.portproof.model.fw.Rule(List.of(new io.portproof.model.fw.Match.Protocol(java.util.Set.of(Protocols.TCP), false), any),
            new io.portproof.model.fw.Action.Accept(), at)), at);
    Ruleset rs = new Ruleset(io.portproof.model.Family.IPV4,
        List.of(new io.portproof.model.fw.BaseChain(io.portproof.model.fw.Hook.INPUT, 0, false, input)),
        Map.of(input.key(), input), io.portproof.model.SourceRef.ofFile("nft"));
    FirewallAnalyzer a = new FirewallAnalyzer(new HostContext(List.of(rs), IpSet.of(IpRange.of(Ip.parse(HOST)))));
    assertThat(tcp(a, "203.0.113.5", 22).verdict()).isEqualTo(Verdict.ACCEPT);
    assertThat(tcp(a, "198.18.0.5", 22).verdict()).isEqualTo(Verdict.DROP);
    assertThat(tcp(a, "198.18.0.5", 443).verdict()).isEqualTo(Verdict.ACCEPT);
    Exposure e = a.exposure(Ip.parse(HOST), Protocols.TCP, PortSet.range(1, 65535), null);
    assertThat(e.blockFor(22).sources(Verdict.ACCEPT)).isEqualTo(IpSet.of(IpRange.prefix(Ip.parse("203.0.113.0"), 24)));
  }

  @Test
  void aStatelessLayerOutsideTheHostSeesTheReplyAfterNatIsUndone() {
    Diagnostics d = new Diagnostics();
    Ruleset host = IptablesParser.parse(new InputText(Path.of("rules.v4"), "rules.v4",
        "*nat\n:PREROUTING ACCEPT [0:0]\n-A PREROUTING -p tcp --dport 443 -j REDIRECT --to-ports 8443\nCOMMIT\n"), null, Map.of(), d);
    io.portproof.model.SourceRef at = new io.portproof.model.SourceRef("nacl.json", 12, "egress allow tcp 443");
    io.portproof.model.fw.Chain out = new io.portproof.model.fw.Chain("nacl/out", "nacl", "outbound", Verdict.DROP,
        List.of(new io.portproof.model.fw.Rule(List.of(new io.portproof.model.fw.Match.Protocol(java.util.Set.of(Protocols.TCP), false),
            new io.portproof.model.fw.Match.Port(io.portproof.model.fw.Match.Side.SOURCE, PortSet.of(443), false)),
            new io.portproof.model.fw.Action.Accept(), at)), at);
    Ruleset nacl = new Ruleset(io.portproof.model.Family.IPV4,
        List.of(new io.portproof.model.fw.BaseChain(io.portproof.model.fw.Hook.POSTROUTING, 20000, false, out)),
        Map.of(out.key(), out), io.portproof.model.SourceRef.ofFile("nacl.json"));
    FirewallAnalyzer a = new FirewallAnalyzer(new HostContext(List.of(host, nacl), IpSet.of(IpRange.of(Ip.parse(HOST)))));
    assertThat(tcp(a, "203.0.113.5", 443).verdict()).as("the reply leaves from 443, not 8443").isEqualTo(Verdict.ACCEPT);
    assertThat(tcp(a, "203.0.113.5", 22).verdict()).isEqualTo(Verdict.DROP);
    assertThat(tcp(a, "203.0.113.5", 22).decidedBy().file()).isEqualTo("nacl.json");
  }

  @Test
  void exposureIsExactOverTheWholeSpace() {
    FirewallAnalyzer a = fw("*filter\n:INPUT DROP [0:0]\n-A INPUT -s 203.0.113.0/24 -j DROP\n"
        + "-A INPUT -s 198.18.0.0/15 -p tcp --dport 22 -j ACCEPT\n-A INPUT -p tcp -m multiport --dports 80,443 -j ACCEPT\nCOMMIT\n");
    Exposure e = a.exposure(Ip.parse(HOST), Protocols.TCP, PortSet.range(1, 65535), null);
    IpSet blocked = IpSet.of(IpRange.prefix(Ip.parse("203.0.113.0"), 24));
    assertThat(e.blockFor(443).sources(Verdict.ACCEPT)).isEqualTo(IpSet.all(io.portproof.model.Family.IPV4).minus(blocked));
    assertThat(e.blockFor(443).sources(Verdict.DROP)).isEqualTo(blocked);
    assertThat(e.blockFor(22).sources(Verdict.ACCEPT)).isEqualTo(IpSet.of(IpRange.prefix(Ip.parse("198.18.0.0"), 15)));
    assertThat(e.blockFor(23).sources(Verdict.DROP)).isEqualTo(IpSet.all(io.portproof.model.Family.IPV4));
    assertThat(e.blockFor(80).pieces()).isEqualTo(e.blockFor(443).pieces());
    assertThat(e.blocks()).extracting(b -> b.ports().toString())
        .containsExactly("1-21", "22", "23-79", "80", "81-442", "443", "444-65535");
  }
}
