package io.portproof.model;

import com.google.common.collect.ImmutableRangeSet;
import com.google.common.collect.Range;
import com.google.common.collect.RangeSet;
import com.google.common.collect.TreeRangeSet;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;

/**
 * An exact set of addresses of both families, as Guava range sets. Ranges are stored closed-open so that
 * adjacent pieces merge; the end of a family's space is represented by the first address past it in {@link
 * Ip}'s ordering.
 */
public final class IpSet {
  public static final IpSet EMPTY = new IpSet(ImmutableRangeSet.of());

  private final ImmutableRangeSet<Ip> ranges;

  private IpSet(RangeSet<Ip> ranges) {
    this.ranges = ImmutableRangeSet.copyOf(ranges);
  }

  public static IpSet of(Collection<IpRange> ranges) {
    TreeRangeSet<Ip> set = TreeRangeSet.create();
    for (IpRange r : ranges) {
      set.add(toGuava(r));
    }
    return new IpSet(set);
  }

  public static IpSet of(IpRange... ranges) {
    return of(List.of(ranges));
  }

  public static IpSet all(Family family) {
    return of(IpRange.all(family));
  }

  public static IpSet all() {
    return of(IpRange.all(Family.IPV4), IpRange.all(Family.IPV6));
  }

  private static Range<Ip> toGuava(IpRange r) {
    Ip after = r.last().next();
    if (after == null) {
      // Past the family's end: IPv4 ends before IPv6 begins; nothing follows IPv6.
      return r.family() == Family.IPV4 ? Range.closedOpen(r.first(), Ip.min(Family.IPV6)) : Range.atLeast(r.first());
    }
    return Range.closedOpen(r.first(), after);
  }

  private static IpRange fromGuava(Range<Ip> r) {
    Ip first = r.lowerEndpoint();
    Ip last = r.hasUpperBound() ? r.upperEndpoint().previous() : Ip.max(Family.IPV6);
    if (last == null || last.family() != first.family()) {
      last = Ip.max(first.family());
    }
    return new IpRange(first, last);
  }

  public List<IpRange> ranges() {
    List<IpRange> out = new ArrayList<>();
    for (Range<Ip> r : ranges.asRanges()) {
      out.add(fromGuava(r));
    }
    return out;
  }

  public List<IpRange> ranges(Family family) {
    return ranges().stream().filter(r -> r.family() == family).toList();
  }

  public IpSet only(Family family) {
    return intersect(all(family));
  }

  public boolean isEmpty() {
    return ranges.isEmpty();
  }

  public boolean contains(Ip ip) {
    return ranges.contains(ip);
  }

  public IpSet union(IpSet other) {
    return new IpSet(ranges.union(other.ranges));
  }

  public IpSet intersect(IpSet other) {
    TreeRangeSet<Ip> s = TreeRangeSet.create(ranges);
    s.removeAll(other.ranges.complement());
    return new IpSet(s);
  }

  public IpSet minus(IpSet other) {
    return new IpSet(ranges.difference(other.ranges));
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
    return o instanceof IpSet s && s.ranges.equals(ranges);
  }

  @Override
  public int hashCode() {
    return ranges.hashCode();
  }

  @Override
  public String toString() {
    return isEmpty() ? "(none)" : String.join(", ", toCidrs());
  }
}
