package io.portproof.model;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * A closed range of addresses of one family.
 *
 * @param first the first address
 * @param last the last address, same family, not below {@code first}
 */
public record IpRange(Ip first, Ip last) {
  public IpRange {
    Objects.requireNonNull(first);
    Objects.requireNonNull(last);
    if (first.family() != last.family() || first.compareTo(last) > 0) {
      throw new IllegalArgumentException("bad range " + first + "-" + last);
    }
  }

  public Family family() {
    return first.family();
  }

  public static IpRange all(Family family) {
    return new IpRange(Ip.min(family), Ip.max(family));
  }

  public static IpRange of(Ip single) {
    return new IpRange(single, single);
  }

  /** The prefix {@code address/prefix}, host bits cleared. */
  public static IpRange prefix(Ip address, int prefix) {
    return new IpRange(address.mask(prefix), address.fill(prefix));
  }

  /** The fewest CIDR blocks that cover exactly this range, in order. */
  public List<String> toCidrs() {
    List<String> out = new ArrayList<>();
    int bits = family().bits();
    Ip cur = first;
    while (cur != null && cur.compareTo(last) <= 0) {
      int prefix = bits;
      // Widen the block while it stays aligned and inside the range.
      while (prefix > 0) {
        int wider = prefix - 1;
        if (!cur.mask(wider).equals(cur) || cur.fill(wider).compareTo(last) > 0) {
          break;
        }
        prefix = wider;
      }
      out.add(cur + "/" + prefix);
      cur = cur.fill(prefix).next();
    }
    return out;
  }

  @Override
  public String toString() {
    return first.equals(last) ? first.toString() : first + "-" + last;
  }
}
