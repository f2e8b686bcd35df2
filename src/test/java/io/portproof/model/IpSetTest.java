package io.portproof.model;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.common.collect.BoundType;
import com.google.common.collect.Range;
import com.google.common.collect.RangeSet;
import com.google.common.collect.TreeRangeSet;
import java.math.BigInteger;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * IpSet's spliced runs against Guava's range sets over one number line (IPv4, then IPv6), on random sets whose
 * ends cluster so that ranges overlap, touch and meet the families' edges often.
 */
class IpSetTest {
  private static final BigInteger V6_BASE = BigInteger.ONE.shiftLeft(32);

  @Test
  void everyOperationAgreesWithGuavaOnRandomSets() {
    Random rnd = new Random(42);
    for (int round = 0; round < 3000; round++) {
      Pair a = random(rnd);
      Pair b = random(rnd);
      check(a.set.union(b.set), union(a.ref, b.ref));
      check(a.set.intersect(b.set), intersect(a.ref, b.ref));
      check(a.set.minus(b.set), minus(a.ref, b.ref));
      // Results of splicing are inputs too: operations on them must hold as well.
      IpSet spliced = a.set.minus(b.set).union(b.set.intersect(a.set));
      check(spliced, a.ref);
      assertThat(spliced).isEqualTo(a.set).hasSameHashCodeAs(a.set);
      assertThat(spliced.rangeCount()).isEqualTo(a.set.ranges().size());
      assertThat(spliced.firstRanges(3)).isEqualTo(a.set.ranges().subList(0, Math.min(3, a.set.ranges().size())));
      check(spliced.only(Family.IPV6), intersect(a.ref, ref(IpSet.all(Family.IPV6))));
      Ip probe = pick(rnd);
      assertThat(a.set.contains(probe)).isEqualTo(a.ref.contains(num(probe)));
    }
  }

  @Test
  void cuttingSmallPiecesOutOfAHugeSetKeepsEverythingElse() {
    List<IpRange> many = new ArrayList<>();
    for (int i = 0; i < 100_000; i++) {
      many.add(IpRange.prefix(Ip.v4((20L << 24) + i * 32L), 28));
    }
    IpSet big = IpSet.all(Family.IPV4).minus(IpSet.of(many));
    IpSet cut = big;
    for (int i = 0; i < 1000; i++) {
      cut = big.minus(IpSet.of(IpRange.prefix(Ip.v4((20L << 24) + i * 32L + 16), 28)));
    }
    assertThat(cut.ranges()).hasSize(100_000);
    // The last cut took the gap 20.0.124.240/28 between two blocked /28s; the set it was cut from keeps it.
    assertThat(cut.contains(Ip.parse("20.0.124.250"))).isFalse();
    assertThat(big.contains(Ip.parse("20.0.124.250"))).isTrue();
    assertThat(cut.contains(Ip.parse("20.0.125.0"))).isFalse();
    assertThat(cut.contains(Ip.parse("20.0.125.16"))).isTrue();
    assertThat(cut).isNotEqualTo(big).isEqualTo(big.minus(IpSet.of(IpRange.prefix(Ip.parse("20.0.124.240"), 28))));
  }

  private record Pair(IpSet set, RangeSet<BigInteger> ref) {}

  private static Pair random(Random rnd) {
    List<IpRange> rs = new ArrayList<>();
    int n = rnd.nextInt(4) == 0 ? 40 + rnd.nextInt(40) : rnd.nextInt(6);
    for (int i = 0; i < n; i++) {
      Ip x = pick(rnd);
      Ip y = rnd.nextBoolean() ? x : pick(rnd);
      if (x.family() != y.family()) {
        y = x;
      }
      rs.add(x.compareTo(y) <= 0 ? new IpRange(x, y) : new IpRange(y, x));
    }
    IpSet s = IpSet.of(rs);
    return new Pair(s, ref(s));
  }

  private static final long[] V4 = {0, 1, 2, 3, 5, 8, 9, 10, 11, 16, 0xfffffffdL, 0xfffffffeL, 0xffffffffL};

  private static Ip pick(Random rnd) {
    long v = V4[rnd.nextInt(V4.length)] + (rnd.nextInt(5) == 0 ? rnd.nextInt(3) : 0);
    if (rnd.nextBoolean()) {
      return Ip.v4(Math.min(v, 0xffffffffL));
    }
    long lo = rnd.nextInt(3) == 0 ? -1L - rnd.nextInt(3) : v;
    long hi = rnd.nextInt(4) == 0 ? -1L : 0;
    return Ip.of(Family.IPV6, hi, lo);
  }

  private static BigInteger num(Ip ip) {
    byte[] b = ip.toInetAddress().getAddress();
    BigInteger v = new BigInteger(1, b);
    return ip.family() == Family.IPV4 ? v : v.add(V6_BASE);
  }

  private static RangeSet<BigInteger> ref(IpSet s) {
    RangeSet<BigInteger> r = TreeRangeSet.create();
    for (IpRange x : s.ranges()) {
      r.add(Range.closedOpen(num(x.first()), num(x.last()).add(BigInteger.ONE)));
    }
    return r;
  }

  private static void check(IpSet got, RangeSet<BigInteger> want) {
    List<String> g = new ArrayList<>();
    for (IpRange x : got.ranges()) {
      g.add(num(x.first()) + "-" + num(x.last()));
    }
    List<String> w = new ArrayList<>();
    for (Range<BigInteger> x : want.asRanges()) {
      BigInteger hi = x.upperBoundType() == BoundType.OPEN ? x.upperEndpoint().subtract(BigInteger.ONE) : x.upperEndpoint();
      // Guava joins the end of IPv4 with the start of IPv6 on one number line; IpSet keeps families apart.
      if (x.lowerEndpoint().compareTo(V6_BASE) < 0 && hi.compareTo(V6_BASE) >= 0) {
        w.add(x.lowerEndpoint() + "-" + V6_BASE.subtract(BigInteger.ONE));
        w.add(V6_BASE + "-" + hi);
      } else {
        w.add(x.lowerEndpoint() + "-" + hi);
      }
    }
    assertThat(g).isEqualTo(w);
  }

  private static RangeSet<BigInteger> union(RangeSet<BigInteger> a, RangeSet<BigInteger> b) {
    RangeSet<BigInteger> r = TreeRangeSet.create(a);
    r.addAll(b);
    return r;
  }

  private static RangeSet<BigInteger> intersect(RangeSet<BigInteger> a, RangeSet<BigInteger> b) {
    RangeSet<BigInteger> r = TreeRangeSet.create(a);
    r.removeAll(b.complement());
    return r;
  }

  private static RangeSet<BigInteger> minus(RangeSet<BigInteger> a, RangeSet<BigInteger> b) {
    RangeSet<BigInteger> r = TreeRangeSet.create(a);
    r.removeAll(b);
    return r;
  }
}
