package io.portproof.parse.nft;

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
import io.portproof.model.fw.Verdict;
import io.portproof.parse.InputText;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** nftables semantics through the analyzer, one construct per test, written as an operator would write them. */
class NftSemanticsTest {
  private static final String HOST4 = "198.51.100.10";
  private static final String HOST6 = "2001:db8::10";

  private static FirewallAnalyzer fw(String ruleset) {
    Diagnostics d = new Diagnostics();
    var rs = NftFormat.TEXT.parse(new InputText(Path.of("ruleset.nft"), "ruleset.nft", ruleset), Map.of(), d);
    assertThat(d.hasInvalid()).as("fixture parses: %s", d.asList()).isFalse();
    return new FirewallAnalyzer(new HostContext(rs, IpSet.of(IpRange.of(Ip.parse(HOST4)), IpRange.of(Ip.parse(HOST6)))));
  }

  private static Explanation tcp(FirewallAnalyzer a, String src, int port) {
    return tcp(a, src, port, null);
  }

  private static Explanation tcp(FirewallAnalyzer a, String src, int port, String iface) {
    Ip s = Ip.parse(src);
    return a.explain(new Packet(s, Ip.parse(s.family() == io.portproof.model.Family.IPV4 ? HOST4 : HOST6), Protocols.TCP, port, null, iface));
  }

  @Test
  void aTcpResetRejectsOnlyTcpAsNftAddsTheDependency() {
    FirewallAnalyzer a = fw("""
        table inet t {
        	chain input {
        		type filter hook input priority filter; policy accept;
        		reject with tcp reset
        	}
        }
        """);
    assertThat(tcp(a, "192.0.2.1", 53).verdict()).isEqualTo(Verdict.REJECT);
    Explanation udp = a.explain(new Packet(Ip.parse("192.0.2.1"), Ip.parse(HOST4), Protocols.UDP, 53, null, null));
    assertThat(udp.verdict()).isEqualTo(Verdict.ACCEPT);
  }

  @Test
  void acceptEndsOnlyItsOwnBaseChainAndLaterChainsStillRun() {
    FirewallAnalyzer a = fw("""
        table inet early {
        	chain input {
        		type filter hook input priority -10; policy accept;
        		tcp dport 22 accept
        	}
        }
        table inet late {
        	chain input {
        		type filter hook input priority 10; policy drop;
        		tcp dport 80 accept
        	}
        }
        """);
    Explanation ssh = tcp(a, "203.0.113.5", 22);
    assertThat(ssh.verdict()).isEqualTo(Verdict.DROP);
    assertThat(ssh.decidedBy().line()).isEqualTo(9);
    assertThat(tcp(a, "203.0.113.5", 80).verdict()).isEqualTo(Verdict.ACCEPT);
  }

  @Test
  void dropIsFinalWhateverComesLater() {
    FirewallAnalyzer a = fw("""
        table ip late {
        	chain input {
        		type filter hook input priority filter + 10; policy accept;
        		accept
        	}
        }
        table ip early {
        	chain input {
        		type filter hook input priority filter - 10; policy accept;
        		tcp dport 23 drop
        	}
        }
        """);
    Explanation e = tcp(a, "203.0.113.5", 23);
    assertThat(e.verdict()).isEqualTo(Verdict.DROP);
    assertThat(e.decidedBy().line()).isEqualTo(10);
  }

  @Test
  void inetTablesFilterBothFamiliesAndFamilyMatchesOnlyTheirOwn() {
    FirewallAnalyzer a = fw("""
        table inet filter {
        	chain input {
        		type filter hook input priority filter; policy drop;
        		ip saddr 192.0.2.0/24 tcp dport 22 accept
        		ip6 saddr != 2001:db8:1::/48 tcp dport 22 reject with icmpv6 admin-prohibited
        		tcp dport 22 accept
        		reject with icmp host-prohibited
        	}
        }
        """);
    assertThat(tcp(a, "192.0.2.9", 22).verdict()).isEqualTo(Verdict.ACCEPT);
    assertThat(tcp(a, "203.0.113.9", 22).verdict()).isEqualTo(Verdict.ACCEPT);
    assertThat(tcp(a, "2001:db8:1::5", 22).verdict()).isEqualTo(Verdict.ACCEPT);
    Explanation v6 = tcp(a, "2001:db8:2::5", 22);
    assertThat(v6.rejectWith()).isEqualTo("icmp6-adm-prohibited");
    // The icmp reject is IPv4-only; IPv6 falls through to the policy.
    assertThat(tcp(a, "203.0.113.9", 80).rejectWith()).isEqualTo("icmp-host-prohibited");
    assertThat(tcp(a, "2001:db8:2::5", 80).verdict()).isEqualTo(Verdict.DROP);
  }

  @Test
  void namedSetsIntervalsAndConcatenations() {
    FirewallAnalyzer a = fw("""
        table inet filter {
        	set bad {
        		type ipv4_addr
        		flags interval
        		elements = { 192.0.2.0/24, 198.18.0.10-198.18.0.20 }
        	}
        	set admin {
        		type ipv4_addr . inet_service
        		flags interval
        		elements = { 203.0.113.7 . 22, 198.19.0.0/16 . 8000-8010 }
        	}
        	chain input {
        		type filter hook input priority filter; policy drop;
        		ip saddr @bad drop
        		ip saddr . tcp dport @admin accept
        		tcp dport { 80, 443 } accept
        	}
        }
        """);
    assertThat(tcp(a, "198.18.0.15", 80).verdict()).isEqualTo(Verdict.DROP);
    assertThat(tcp(a, "198.18.0.21", 80).verdict()).isEqualTo(Verdict.ACCEPT);
    assertThat(tcp(a, "203.0.113.7", 22).verdict()).isEqualTo(Verdict.ACCEPT);
    assertThat(tcp(a, "203.0.113.8", 22).verdict()).isEqualTo(Verdict.DROP);
    assertThat(tcp(a, "198.19.4.4", 8005).verdict()).isEqualTo(Verdict.ACCEPT);
    assertThat(tcp(a, "198.19.4.4", 22).verdict()).isEqualTo(Verdict.DROP);
  }

  @Test
  void verdictMapsJumpAndReturn() {
    FirewallAnalyzer a = fw("""
        table inet filter {
        	chain input {
        		type filter hook input priority filter; policy accept;
        		tcp dport vmap { 22 : jump ssh, 25 : drop, 587 : goto mail }
        		tcp dport 587 drop
        		tcp dport 22 reject with tcp reset
        	}
        	chain ssh {
        		ip saddr 192.0.2.0/24 accept
        		return
        	}
        	chain mail {
        		ip saddr 192.0.2.0/24 drop
        	}
        }
        """);
    assertThat(tcp(a, "192.0.2.1", 22).verdict()).isEqualTo(Verdict.ACCEPT);
    assertThat(tcp(a, "203.0.113.1", 22).rejectWith()).isEqualTo("tcp-reset");
    assertThat(tcp(a, "203.0.113.1", 25).verdict()).isEqualTo(Verdict.DROP);
    // goto: falling off "mail" returns to input's caller (the hook), so the policy accepts.
    assertThat(tcp(a, "203.0.113.1", 587).verdict()).isEqualTo(Verdict.ACCEPT);
    assertThat(tcp(a, "192.0.2.1", 587).verdict()).isEqualTo(Verdict.DROP);
  }

  @Test
  void connectionAttemptsAreNewAndEstablishedRulesDoNotOpenPorts() {
    FirewallAnalyzer a = fw("""
        table inet filter {
        	chain input {
        		type filter hook input priority filter; policy drop;
        		ct state established,related accept
        		ct state invalid drop
        		ct state new tcp dport 443 accept
        	}
        }
        """);
    assertThat(tcp(a, "203.0.113.1", 443).verdict()).isEqualTo(Verdict.ACCEPT);
    assertThat(tcp(a, "203.0.113.1", 22).verdict()).isEqualTo(Verdict.DROP);
  }

  @Test
  void redirectAndDnatRewriteThePortTheFilterSees() {
    FirewallAnalyzer a = fw("""
        table ip nat {
        	chain prerouting {
        		type nat hook prerouting priority dstnat; policy accept;
        		tcp dport 8443 redirect to :443
        		tcp dport 2222 dnat to 198.51.100.10:22
        	}
        }
        table inet filter {
        	chain input {
        		type filter hook input priority filter; policy drop;
        		tcp dport { 22, 443 } accept
        	}
        }
        """);
    Explanation r = tcp(a, "203.0.113.1", 8443);
    assertThat(r.verdict()).isEqualTo(Verdict.ACCEPT);
    assertThat(r.rewrittenTo()).isNotNull();
    assertThat(tcp(a, "203.0.113.1", 2222).verdict()).isEqualTo(Verdict.ACCEPT);
    assertThat(tcp(a, "203.0.113.1", 8080).verdict()).isEqualTo(Verdict.DROP);
    // The nat table is ip only: IPv6 8443 is not redirected.
    assertThat(tcp(a, "2001:db8:5::1", 8443).verdict()).isEqualTo(Verdict.DROP);
  }

  @Test
  void netdevIngressSeesOnlyItsDeviceAndRunsFirst() {
    FirewallAnalyzer a = fw("""
        table netdev edge {
        	chain ingress {
        		type filter hook ingress device "eth1" priority -500; policy accept;
        		ip saddr 10.0.0.0/8 drop
        	}
        }
        table ip raw {
        	chain pre {
        		type filter hook prerouting priority raw; policy accept;
        		ip saddr 10.0.0.0/8 accept
        	}
        }
        """);
    assertThat(tcp(a, "10.1.1.1", 80, "eth1").verdict()).isEqualTo(Verdict.DROP);
    assertThat(tcp(a, "10.1.1.1", 80, "eth0").verdict()).isEqualTo(Verdict.ACCEPT);
  }

  @Test
  void rateLimitsAndDynamicSetsAreUnknownUnlessBothBranchesAgree() {
    FirewallAnalyzer a = fw("""
        table inet filter {
        	set seen {
        		type ipv4_addr
        		flags dynamic
        	}
        	chain input {
        		type filter hook input priority filter; policy drop;
        		tcp dport 22 limit rate 3/minute accept
        		tcp dport 80 add @seen { ip saddr } accept
        		ip saddr @seen tcp dport 8080 accept
        		tcp dport 443 limit rate 3/minute counter
        		tcp dport 443 accept
        	}
        }
        """);
    assertThat(tcp(a, "203.0.113.1", 22).verdict()).isEqualTo(Verdict.UNKNOWN);
    assertThat(tcp(a, "203.0.113.1", 80).verdict()).isEqualTo(Verdict.ACCEPT);
    assertThat(tcp(a, "203.0.113.1", 8080).verdict()).isEqualTo(Verdict.UNKNOWN);
    assertThat(tcp(a, "203.0.113.1", 443).verdict()).isEqualTo(Verdict.ACCEPT);
  }

  @Test
  void marksCarryAcrossBaseChains() {
    FirewallAnalyzer a = fw("""
        table inet mangle {
        	chain pre {
        		type filter hook prerouting priority mangle; policy accept;
        		ip saddr 192.0.2.0/24 meta mark set 0x1
        	}
        }
        table inet filter {
        	chain input {
        		type filter hook input priority filter; policy drop;
        		meta mark 0x1 tcp dport 22 accept
        	}
        }
        """);
    assertThat(tcp(a, "192.0.2.5", 22).verdict()).isEqualTo(Verdict.ACCEPT);
    assertThat(tcp(a, "203.0.113.5", 22).verdict()).isEqualTo(Verdict.DROP);
  }
}
