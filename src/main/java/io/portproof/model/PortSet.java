package io.portproof.model;

import com.google.common.collect.DiscreteDomain;
import com.google.common.collect.ImmutableRangeSet;
import com.google.common.collect.Range;
import com.google.common.collect.TreeRangeSet;
import java.util.ArrayList;
import java.util.List;

/** An exact set of port numbers 0-65535, canonical (adjacent ranges merge). */
public final class PortSet {
  public static final int MAX = 65535;
  public static final PortSet EMPTY = new PortSet(ImmutableRangeSet.of());
  public static final PortSet ALL = range(0, MAX);

  private final ImmutableRangeSet<Integer> ranges;

  private PortSet(ImmutableRangeSet<Integer> ranges) {
    this.ranges = ranges;
  }

  public static PortSet range(int first, int last) {
    if (first < 0 || last > MAX || first > last) {
      throw new IllegalArgumentException("bad port range " + first + "-" + last);
    }
    return new PortSet(ImmutableRangeSet.of(Range.closed(first, last).canonical(DiscreteDomain.integers())));
  }

  public static PortSet of(int port) {
    return range(port, port);
  }

  /** Parses {@code 80}, {@code 1-1024}, {@code 1024:65535}, {@code :1023} and comma lists of those. */
  public static PortSet parse(String text) {
    TreeRangeSet<Integer> s = TreeRangeSet.create();
    for (String part : text.split(",")) {
      String p = part.strip();
      int sep = p.indexOf(':') >= 0 ? p.indexOf(':') : p.indexOf('-');
      int first;
      int last;
      if (sep < 0) {
        first = last = Integer.parseInt(p);
      } else {
        String a = p.substring(0, sep).strip();
        String b = p.substring(sep + 1).strip();
        first = a.isEmpty() ? 0 : Integer.parseInt(a);
        last = b.isEmpty() ? MAX : Integer.parseInt(b);
      }
      if (first < 0 || last > MAX) {
        throw new IllegalArgumentException("port out of range: " + p);
      }
      if (first > last) {
        // iptables swaps an inverted range (--dport 2000:1000 means 1000-2000).
        int t = first;
        first = last;
        last = t;
      }
      s.add(Range.closed(first, last).canonical(DiscreteDomain.integers()));
    }
    return new PortSet(ImmutableRangeSet.copyOf(s));
  }

  public boolean isEmpty() {
    return ranges.isEmpty();
  }

  public boolean contains(int port) {
    return ranges.contains(port);
  }

  public PortSet union(PortSet o) {
    return new PortSet(ranges.union(o.ranges));
  }

  public PortSet intersect(PortSet o) {
    return new PortSet(ranges.intersection(o.ranges));
  }

  public PortSet minus(PortSet o) {
    return new PortSet(ranges.difference(o.ranges));
  }

  /** Closed {first, last} pairs in ascending order. */
  public List<int[]> intervals() {
    List<int[]> out = new ArrayList<>();
    for (Range<Integer> r : ranges.asRanges()) {
      out.add(new int[] {r.lowerEndpoint(), r.upperEndpoint() - 1});
    }
    return out;
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof PortSet p && p.ranges.equals(ranges);
  }

  @Override
  public int hashCode() {
    return ranges.hashCode();
  }

  @Override
  public String toString() {
    List<String> parts = new ArrayList<>();
    for (int[] r : intervals()) {
      parts.add(r[0] == r[1] ? Integer.toString(r[0]) : r[0] + "-" + r[1]);
    }
    return parts.isEmpty() ? "(none)" : String.join(",", parts);
  }
}
