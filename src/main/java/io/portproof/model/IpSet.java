package io.portproof.model;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.Comparator;
import java.util.List;

/**
 * An exact set of addresses of both families: sorted, disjoint, closed ranges, IPv4 before IPv6.
 *
 * <p>Stored as runs, each a slice of a shared immutable array of ranges with its two ends clipped. The analysis
 * cuts big sets (a 100,000-entry blocklist) thousands of times by small ones (one rule's /24): taking a few ranges
 * out of such a set, or intersecting it with a few ranges, then costs a binary search and shares the array
 * instead of copying it. (Guava's {@code ImmutableRangeSet}, used before, copies on every operation.) Only
 * operations between two big sets merge into a new array.
 */
public final class IpSet {
  public static final IpSet EMPTY = new IpSet(new Run[0]);
  /** Up to this many ranges, a set is cheaper to splice into another than to merge with it. */
  private static final int SMALL = 32;
  private static final IpSet ALL = new IpSet(new Run[] {Run.whole(new Ip[] {Ip.min(Family.IPV4), Ip.min(Family.IPV6)},
      new Ip[] {Ip.max(Family.IPV4), Ip.max(Family.IPV6)})});

  /**
   * The ranges {@code from..to-1} of shared arrays (sorted, disjoint, not touching), the first starting at
   * {@code first} and the last ending at {@code last} instead of where the array says.
   */
  private record Run(Ip[] los, Ip[] his, int from, int to, Ip first, Ip last) {
    static Run whole(Ip[] los, Ip[] his) {
      return new Run(los, his, 0, los.length, los[0], his[his.length - 1]);
    }

    Ip lo(int i) {
      return i == from ? first : los[i];
    }

    Ip hi(int i) {
      return i == to - 1 ? last : his[i];
    }

    /** This run's part within {@code lo..hi}, or null. */
    Run clip(Ip lo, Ip hi) {
      int a = from;
      int z = to;
      while (a < z) {
        int m = (a + z) >>> 1;
        if (hi(m).compareTo(lo) < 0) {
          a = m + 1;
        } else {
          z = m;
        }
      }
      int b = a;
      z = to;
      while (b < z) {
        int m = (b + z) >>> 1;
        if (lo(m).compareTo(hi) <= 0) {
          b = m + 1;
        } else {
          z = m;
        }
      }
      if (a >= b) {
        return null;
      }
      Ip f = lo(a).compareTo(lo) < 0 ? lo : lo(a);
      Ip l = hi(b - 1).compareTo(hi) > 0 ? hi : hi(b - 1);
      return new Run(los, his, a, b, f, l);
    }
  }

  private final Run[] runs;
  /** Ranges counted per run; ranges of neighbouring runs may touch and count twice. */
  private final int size;
  private int hash;

  private IpSet(Run[] runs) {
    this.runs = runs;
    int n = 0;
    for (Run r : runs) {
      n += r.to - r.from;
    }
    this.size = n;
  }

  public static IpSet of(Collection<IpRange> ranges) {
    if (ranges.isEmpty()) {
      return EMPTY;
    }
    IpRange[] sorted = ranges.toArray(new IpRange[0]);
    Arrays.sort(sorted, Comparator.comparing(IpRange::first));
    Builder b = new Builder(sorted.length);
    for (IpRange r : sorted) {
      b.add(r.first(), r.last());
    }
    return b.build();
  }

  public static IpSet of(IpRange... ranges) {
    return of(List.of(ranges));
  }

  public static IpSet all(Family family) {
    return of(IpRange.all(family));
  }

  public static IpSet all() {
    return ALL;
  }

  public List<IpRange> ranges() {
    List<IpRange> out = new ArrayList<>(size);
    for (Cursor c = new Cursor(this); c.next(); ) {
      out.add(new IpRange(c.lo, c.hi));
    }
    return out;
  }

  public List<IpRange> ranges(Family family) {
    return only(family).ranges();
  }

  public IpSet only(Family family) {
    return slice(Ip.min(family), Ip.max(family));
  }

  public boolean isEmpty() {
    return runs.length == 0;
  }

  public boolean contains(Ip ip) {
    return !slice(ip, ip).isEmpty();
  }

  /** The part of this set between {@code lo} and {@code hi} inclusive (in address order, IPv4 before IPv6). */
  public IpSet slice(Ip lo, Ip hi) {
    List<Run> out = new ArrayList<>(2);
    sliceInto(lo, hi, out);
    return out.isEmpty() ? EMPTY : new IpSet(out.toArray(new Run[0]));
  }

  private void sliceInto(Ip lo, Ip hi, List<Run> out) {
    int a = 0;
    int z = runs.length;
    while (a < z) {
      int m = (a + z) >>> 1;
      if (runs[m].last.compareTo(lo) < 0) {
        a = m + 1;
      } else {
        z = m;
      }
    }
    for (int i = a; i < runs.length && runs[i].first.compareTo(hi) <= 0; i++) {
      Run c = runs[i].first.compareTo(lo) >= 0 && runs[i].last.compareTo(hi) <= 0 ? runs[i] : runs[i].clip(lo, hi);
      if (c != null) {
        out.add(c);
      }
    }
  }

  public IpSet union(IpSet other) {
    if (isEmpty()) {
      return other;
    }
    if (other.isEmpty()) {
      return this;
    }
    if (highest().compareTo(other.lowest()) < 0) {
      return concat(this, other);
    }
    if (other.highest().compareTo(lowest()) < 0) {
      return concat(other, this);
    }
    if (other.size <= SMALL || size <= SMALL) {
      IpSet big = other.size <= SMALL ? this : other;
      IpSet small = big == this ? other : this;
      // The big set's runs within the gaps between the small set's ranges, and those ranges one run each, do not
      // interleave: merge them by address.
      Run[] rest = big.minus(small).runs;
      List<Run> single = new ArrayList<>();
      for (Cursor c = new Cursor(small); c.next(); ) {
        single.add(new Run(new Ip[] {c.lo}, new Ip[] {c.hi}, 0, 1, c.lo, c.hi));
      }
      Run[] add = single.toArray(new Run[0]);
      Run[] out = new Run[rest.length + add.length];
      int i = 0;
      int j = 0;
      int k = 0;
      while (i < rest.length || j < add.length) {
        out[k++] = j == add.length || (i < rest.length && rest[i].first.compareTo(add[j].first) < 0) ? rest[i++] : add[j++];
      }
      return new IpSet(out);
    }
    return merge(other, Op.UNION);
  }

  public IpSet intersect(IpSet other) {
    if (isEmpty() || other.isEmpty()) {
      return EMPTY;
    }
    if (other.size <= SMALL || size <= SMALL) {
      IpSet big = other.size <= SMALL ? this : other;
      IpSet small = big == this ? other : this;
      List<Run> out = new ArrayList<>();
      for (Cursor c = new Cursor(small); c.next(); ) {
        big.sliceInto(c.lo, c.hi, out);
      }
      return out.isEmpty() ? EMPTY : new IpSet(out.toArray(new Run[0]));
    }
    return merge(other, Op.INTERSECT);
  }

  public IpSet minus(IpSet other) {
    if (isEmpty() || other.isEmpty()) {
      return this;
    }
    if (other.size <= SMALL) {
      // This set within the gaps between the other's ranges.
      List<Run> out = new ArrayList<>();
      Ip from = Ip.min(Family.IPV4);
      for (Cursor c = new Cursor(other); c.next() && from != null; ) {
        Ip before = before(c.lo);
        if (before != null && from.compareTo(before) <= 0) {
          sliceInto(from, before, out);
        }
        from = after(c.hi);
      }
      if (from != null) {
        sliceInto(from, Ip.max(Family.IPV6), out);
      }
      return out.isEmpty() ? EMPTY : new IpSet(out.toArray(new Run[0]));
    }
    return merge(other, Op.MINUS);
  }

  /** The address before {@code ip} in the order of both families, or null at the very start. */
  private static Ip before(Ip ip) {
    return ip.equals(Ip.min(Family.IPV6)) ? Ip.max(Family.IPV4) : ip.previous();
  }

  private static Ip after(Ip ip) {
    Ip n = ip.next();
    return n == null && ip.family() == Family.IPV4 ? Ip.min(Family.IPV6) : n;
  }

  /** How many ranges the set holds; counts runs, not ranges, so it costs nothing on a big set. */
  public int rangeCount() {
    int n = size;
    for (int i = 1; i < runs.length; i++) {
      if (runs[i - 1].last.justBefore(runs[i].first)) {
        n--;
      }
    }
    return n;
  }

  /** The first {@code k} ranges (fewer if the set has fewer), without walking the rest. */
  public List<IpRange> firstRanges(int k) {
    List<IpRange> out = new ArrayList<>(Math.min(k, size));
    for (Cursor c = new Cursor(this); out.size() < k && c.next(); ) {
      out.add(new IpRange(c.lo, c.hi));
    }
    return out;
  }

  /** The lowest address; the set must not be empty. */
  public Ip lowest() {
    return runs[0].first;
  }

  /** The highest address; the set must not be empty. */
  public Ip highest() {
    return runs[runs.length - 1].last;
  }

  /** Whether the set is one range of one family (or empty). */
  public boolean isRange() {
    if (runs.length == 0) {
      return true;
    }
    Cursor c = new Cursor(this);
    c.next();
    return !c.next() && lowest().family() == highest().family();
  }

  private static IpSet concat(IpSet a, IpSet b) {
    Run[] out = Arrays.copyOf(a.runs, a.runs.length + b.runs.length);
    System.arraycopy(b.runs, 0, out, a.runs.length, b.runs.length);
    return new IpSet(out);
  }

  private enum Op {
    UNION,
    INTERSECT,
    MINUS
  }

  /** The general case: walks both sets' ranges once and builds a new array. */
  private IpSet merge(IpSet other, Op op) {
    Builder out = new Builder(Math.max(size, other.size));
    Cursor a = new Cursor(this);
    Cursor b = new Cursor(other);
    boolean ha = a.next();
    boolean hb = b.next();
    // For MINUS and INTERSECT, what is left of a's current range after the parts already handled.
    Ip aLo = ha ? a.lo : null;
    while (ha && hb) {
      if (op == Op.UNION) {
        if (a.lo.compareTo(b.lo) <= 0) {
          out.add(a.lo, a.hi);
          ha = a.next();
        } else {
          out.add(b.lo, b.hi);
          hb = b.next();
        }
        continue;
      }
      if (b.hi.compareTo(aLo) < 0) {
        hb = b.next();
        continue;
      }
      if (b.lo.compareTo(a.hi) > 0) {
        if (op == Op.MINUS) {
          out.add(aLo, a.hi);
        }
        ha = a.next();
        aLo = ha ? a.lo : null;
        continue;
      }
      // b overlaps what is left of a.
      if (op == Op.MINUS && aLo.compareTo(b.lo) < 0) {
        out.add(aLo, before(b.lo));
      }
      if (op == Op.INTERSECT) {
        out.add(aLo.compareTo(b.lo) > 0 ? aLo : b.lo, a.hi.compareTo(b.hi) < 0 ? a.hi : b.hi);
      }
      if (b.hi.compareTo(a.hi) >= 0) {
        ha = a.next();
        aLo = ha ? a.lo : null;
      } else {
        aLo = after(b.hi);
        hb = b.next();
      }
    }
    if (op == Op.UNION) {
      for (; ha; ha = a.next()) {
        out.add(a.lo, a.hi);
      }
      for (; hb; hb = b.next()) {
        out.add(b.lo, b.hi);
      }
    } else if (op == Op.MINUS && ha) {
      out.add(aLo, a.hi);
      while (a.next()) {
        out.add(a.lo, a.hi);
      }
    }
    return out.build();
  }

  /** CIDR blocks covering exactly this set, IPv4 first. */
  public List<String> toCidrs() {
    List<String> out = new ArrayList<>();
    for (IpRange r : ranges()) {
      out.addAll(r.toCidrs());
    }
    return out;
  }

  @Override
  public boolean equals(Object o) {
    if (o == this) {
      return true;
    }
    if (!(o instanceof IpSet s) || s.isEmpty() != isEmpty()) {
      return false;
    }
    // Cut from the same arrays at the same places: equal without walking a blocklist's ranges.
    if (Arrays.equals(runs, s.runs)) {
      return true;
    }
    Cursor a = new Cursor(this);
    Cursor b = new Cursor(s);
    while (true) {
      boolean ha = a.next();
      if (ha != b.next()) {
        return false;
      }
      if (!ha) {
        return true;
      }
      if (!a.lo.equals(b.lo) || !a.hi.equals(b.hi)) {
        return false;
      }
    }
  }

  @Override
  public int hashCode() {
    int h = hash;
    if (h == 0) {
      h = 1;
      for (Cursor c = new Cursor(this); c.next(); ) {
        h = 31 * (31 * h + c.lo.hashCode()) + c.hi.hashCode();
      }
      hash = h;
    }
    return h;
  }

  @Override
  public String toString() {
    return isEmpty() ? "(none)" : String.join(", ", toCidrs());
  }

  /** Collects ranges in ascending order, merging overlapping and touching ones, into one new array. */
  private static final class Builder {
    private final List<Ip> los;
    private final List<Ip> his;

    Builder(int capacity) {
      los = new ArrayList<>(capacity);
      his = new ArrayList<>(capacity);
    }

    void add(Ip lo, Ip hi) {
      int n = his.size();
      if (n > 0) {
        Ip prev = his.get(n - 1);
        if (lo.compareTo(prev) <= 0 || prev.justBefore(lo)) {
          if (hi.compareTo(prev) > 0) {
            his.set(n - 1, hi);
          }
          return;
        }
      }
      los.add(lo);
      his.add(hi);
    }

    IpSet build() {
      return los.isEmpty() ? EMPTY : new IpSet(new Run[] {Run.whole(los.toArray(new Ip[0]), his.toArray(new Ip[0]))});
    }
  }

  /** Walks a set's ranges in order, joining ranges of neighbouring runs that touch. */
  private static final class Cursor {
    private final Run[] runs;
    private int r;
    private int i;
    private Ip nextLo;
    private Ip nextHi;
    Ip lo;
    Ip hi;

    Cursor(IpSet s) {
      runs = s.runs;
      i = runs.length > 0 ? runs[0].from : 0;
      read();
    }

    private void read() {
      if (r >= runs.length) {
        nextLo = nextHi = null;
        return;
      }
      Run x = runs[r];
      nextLo = x.lo(i);
      nextHi = x.hi(i);
      if (++i >= x.to && ++r < runs.length) {
        i = runs[r].from;
      }
    }

    boolean next() {
      if (nextLo == null) {
        lo = hi = null;
        return false;
      }
      lo = nextLo;
      hi = nextHi;
      read();
      while (nextLo != null && hi.justBefore(nextLo)) {
        hi = nextHi;
        read();
      }
      return true;
    }
  }
}
