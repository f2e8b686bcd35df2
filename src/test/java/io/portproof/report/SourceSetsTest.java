package io.portproof.report;

import static org.assertj.core.api.Assertions.assertThat;

import io.portproof.model.Family;
import io.portproof.model.Ip;
import io.portproof.model.IpRange;
import io.portproof.model.IpSet;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class SourceSetsTest {
  /** 2,000 disjoint /28s from 20.0.0.0, 32 addresses apart. */
  private static final IpSet BLOCKLIST;

  static {
    List<IpRange> rs = new ArrayList<>();
    for (int i = 0; i < 2000; i++) {
      rs.add(IpRange.prefix(Ip.v4((20L << 24) + i * 32L), 28));
    }
    BLOCKLIST = IpSet.of(rs);
  }

  @Test
  void smallSetsAreCidrBlocksOrTheirComplement() {
    assertThat(SourceSets.describe(IpSet.of(IpRange.prefix(Ip.parse("10.0.0.0"), 8)), Family.IPV4)).isEqualTo("10.0.0.0/8");
    assertThat(SourceSets.describe(IpSet.all(Family.IPV4).minus(IpSet.of(IpRange.prefix(Ip.parse("10.0.0.0"), 8))), Family.IPV4))
        .isEqualTo("0.0.0.0/0 except 10.0.0.0/8");
  }

  @Test
  void aBlocklistIsSaidInItsFirstRangesAndACount() {
    assertThat(SourceSets.describe(BLOCKLIST, Family.IPV4)).isEqualTo("20.0.0.0/28, 20.0.0.32/28, 20.0.0.64/28, 20.0.0.96/28, "
        + "20.0.0.128/28, 20.0.0.160/28, 20.0.0.192/28, 20.0.0.224/28, 20.0.1.0/28, 20.0.1.32/28, 20.0.1.64/28, 20.0.1.96/28 "
        + "and 1988 more ranges");
  }

  @Test
  void everythingButABlocklistIsSaidAsItsComplement() {
    IpSet rest = IpSet.all(Family.IPV4).minus(BLOCKLIST).minus(IpSet.of(IpRange.prefix(Ip.parse("10.1.2.0"), 24)));
    assertThat(SourceSets.describe(rest, Family.IPV4)).isEqualTo("0.0.0.0/0 except 10.1.2.0/24, 20.0.0.0/28, 20.0.0.32/28, "
        + "20.0.0.64/28, 20.0.0.96/28, 20.0.0.128/28, 20.0.0.160/28, 20.0.0.192/28, 20.0.0.224/28, 20.0.1.0/28, 20.0.1.32/28, "
        + "20.0.1.64/28 and 1989 more ranges");
  }
}
