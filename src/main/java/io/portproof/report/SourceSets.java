package io.portproof.report;

import io.portproof.model.Family;
import io.portproof.model.Ip;
import io.portproof.model.IpRange;
import io.portproof.model.IpSet;
import java.util.ArrayList;
import java.util.List;

/** Says a set of client addresses the short way a person reads it. */
public final class SourceSets {
  private SourceSets() {}

  /**
   * {@code 0.0.0.0/0}, a CIDR list, or {@code 0.0.0.0/0 except …} when the set is most of the family and its
   * complement is the shorter list.
   */
  public static String describe(IpSet set, Family family) {
    IpSet all = IpSet.all(family);
    if (set.equals(all)) {
      return family.anyCidr() + " (every " + family.label() + " address)";
    }
    if (set.isEmpty()) {
      return "(none)";
    }
    int ranges = set.rangeCount();
    if (ranges > HUGE) {
      return describeHuge(set, family, ranges);
    }
    List<String> direct = set.toCidrs();
    List<String> missing = all.minus(set).toCidrs();
    if (missing.size() < direct.size()) {
      return family.anyCidr() + " except " + abbreviate(missing);
    }
    return abbreviate(direct);
  }

  /** Beyond this many ranges, counting CIDR blocks would cost more than the analysis that made the set. */
  private static final int HUGE = 1000;
  private static final int SHOWN = 12;

  /**
   * A set of a blocklist's size, said in ranges: the first few of the set or of its complement, whichever has
   * fewer, and how many ranges follow. Costs the few shown, not the whole set.
   */
  private static String describeHuge(IpSet set, Family family, int ranges) {
    List<IpRange> head = set.firstRanges(SHOWN + 1);
    boolean fromStart = head.get(0).first().equals(Ip.min(family));
    boolean toEnd = set.highest().equals(Ip.max(family));
    int gaps = ranges + 1 - (fromStart ? 1 : 0) - (toEnd ? 1 : 0);
    if (gaps < ranges) {
      List<String> shown = new ArrayList<>();
      Ip from = Ip.min(family);
      for (IpRange r : head) {
        if (shown.size() == SHOWN) {
          break;
        }
        if (r.first().compareTo(from) > 0) {
          shown.add(describe(new IpRange(from, r.first().previous())));
        }
        from = r.last().next();
      }
      return family.anyCidr() + " except " + String.join(", ", shown) + " and " + (gaps - shown.size()) + " more ranges";
    }
    List<String> shown = head.stream().limit(SHOWN).map(SourceSets::describe).toList();
    return String.join(", ", shown) + " and " + (ranges - shown.size()) + " more ranges";
  }

  private static String describe(IpRange r) {
    List<String> cidrs = r.toCidrs();
    return cidrs.size() == 1 ? cidrs.get(0) : r.first() + "-" + r.last();
  }

  private static String abbreviate(List<String> cidrs) {
    if (cidrs.size() <= SHOWN) {
      return String.join(", ", cidrs);
    }
    return String.join(", ", cidrs.subList(0, SHOWN)) + " and " + (cidrs.size() - SHOWN) + " more blocks";
  }
}
