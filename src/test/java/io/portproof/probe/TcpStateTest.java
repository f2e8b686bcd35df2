package io.portproof.probe;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.InetAddress;
import java.net.ServerSocket;
import java.time.Duration;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/** TCP states against the real kernel: loopback listeners, and netfilter rules in our own netns. */
class TcpStateTest {
  private static final InetAddress LOOPBACK = InetAddress.getLoopbackAddress();

  private static ProbeOptions fast(int retries) {
    return ProbeOptions.defaults().toBuilder()
        .connectTimeout(Duration.ofMillis(400))
        .retries(retries)
        .build();
  }

  @Test
  void openAndRefusedOnLoopback() throws Exception {
    Prober prober = new Prober(fast(1));
    try (ServerSocket listener = new ServerSocket(0, 5, LOOPBACK)) {
      Observation open = prober.probe(new Target("127.0.0.1", LOOPBACK, listener.getLocalPort(), Service.TCP));
      assertThat(open.tcp().state()).isEqualTo(TcpState.OPEN);
      assertThat(open.tls()).isNull();
      assertThat(open.http()).isEmpty();
    }
    int closed = Nginx.freePorts(1).get(0);
    TcpObservation refused = prober.probe(new Target("127.0.0.1", LOOPBACK, closed, Service.HTTPS)).tcp();
    assertThat(refused.state()).isEqualTo(TcpState.REFUSED);
    assertThat(refused.reason()).containsIgnoringCase("refused");
  }

  @Test
  void netfilterDecidesFilteredRefusedAndUnreachable() throws Exception {
    try (NetNs ns = NetNs.create()) {
      ns.nft(
          "table inet portproof {\n"
              + "  chain input {\n"
              + "    type filter hook input priority 0; policy accept;\n"
              + "    tcp dport 9001 counter drop\n"
              + "    tcp dport 9002 counter reject with tcp reset\n"
              + "    tcp dport 9003 reject with icmpx type host-unreachable\n"
              + "    tcp dport 9004 reject with icmp type net-unreachable\n"
              + "    tcp dport 9005 reject with icmpx type admin-prohibited\n"
              + "  }\n"
              + "}\n");
      Prober prober = new Prober(fast(1));
      List<Target> targets =
          List.of(9001, 9002, 9003, 9004, 9005, 9006).stream()
              .map(p -> new Target("198.19.test", ns.inside, p, Service.TCP))
              .toList();
      List<Observation> seen = prober.probeAll(targets, ProgressListener.NONE);
      assertThat(seen).extracting(o -> o.tcp().state())
          .containsExactly(
              TcpState.FILTERED,
              TcpState.REFUSED,
              TcpState.UNREACHABLE,
              TcpState.UNREACHABLE,
              TcpState.UNREACHABLE,
              TcpState.REFUSED);
      assertThat(seen.get(0).tcp().millis()).isBetween(350L, 2000L);
      assertThat(seen.get(2).tcp().reason()).containsIgnoringCase("no route to host");
      assertThat(seen.get(3).tcp().reason()).containsIgnoringCase("network is unreachable");

      // Only the timeout was retried: two SYNs met the DROP, one met the RST.
      String counters = ns.exec("nft", "list", "chain", "inet", "portproof", "input");
      assertThat(packets(counters, 9001)).isEqualTo(2);
      assertThat(packets(counters, 9002)).isEqualTo(1);
    }
  }

  private static long packets(String ruleset, int port) {
    Matcher m = Pattern.compile("dport " + port + " counter packets (\\d+)").matcher(ruleset);
    assertThat(m.find()).as("counter for %d in %s", port, ruleset).isTrue();
    return Long.parseLong(m.group(1));
  }
}
