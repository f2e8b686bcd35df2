package io.portproof.truth;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.stream.Collectors;
import java.util.stream.LongStream;
import org.junit.jupiter.api.Test;

/** The generator is reproducible and, over a run's worth of seeds, exercises every feature. */
class RulesetGeneratorTest {
  private static final List<TruthCase.Backend> BACKENDS =
      List.of(TruthCase.Backend.NFT, TruthCase.Backend.LEGACY);

  @Test
  void sameSeedSameCase() {
    assertThat(RulesetGenerator.generate(42, BACKENDS)).isEqualTo(RulesetGenerator.generate(42, BACKENDS));
    assertThat(RulesetGenerator.generate(42, BACKENDS).rulesV4())
        .isNotEqualTo(RulesetGenerator.generate(43, BACKENDS).rulesV4());
  }

  @Test
  void twoHundredSeedsCoverTheIssuesFeatureList() {
    List<TruthCase> cases =
        LongStream.range(0, 200).mapToObj(s -> RulesetGenerator.generate(s, BACKENDS)).toList();
    String all = cases.stream().map(c -> c.rulesV4() + c.rulesV6()).collect(Collectors.joining());
    assertThat(all)
        .contains("*nat", "-j REDIRECT --to-ports", "-j DNAT --to-destination", "*mangle",
            "-j MARK --set-mark", "-m mark --mark", "*raw", "-j NOTRACK", "-g ", "-j RETURN",
            "! -s ", "! --dport", "-m multiport --dports", "-m multiport ! --dports", "-m iprange",
            "-m addrtype --dst-type LOCAL", "-m conntrack --ctstate NEW", "-m state --state",
            "-i eth+", "-o eth+", "! -i lo", "--reject-with tcp-reset", "--reject-with icmp-host-prohibited",
            "--reject-with icmp6-adm-prohibited", "--reject-with icmp6-no-route", ":OUTPUT DROP",
            "-A OUTPUT -p tcp -m tcp --sport", "-m statistic --mode random");
    // Host bits set in a CIDR, which iptables-restore masks: 198.18.1.10/24 and the like.
    assertThat(all).containsPattern("-s 198\\.1[89]\\.\\d+\\.\\d*[1-9]/(1[5-9]|2[0-9])\\b");
    assertThat(cases.stream().filter(c -> c.backend() == TruthCase.Backend.LEGACY).count())
        .isBetween(20L, 80L);
    assertThat(cases.stream().filter(c -> !c.undecidablePorts().isEmpty()).count()).isBetween(3L, 30L);
    // Both families, every client against every server address, on eight ports.
    assertThat(cases).allSatisfy(c -> assertThat(c.probes()).hasSize(128));
  }
}
