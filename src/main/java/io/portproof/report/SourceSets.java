package io.portproof.report;

import io.portproof.model.Family;
import io.portproof.model.IpSet;
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
    List<String> direct = set.toCidrs();
    List<String> missing = all.minus(set).toCidrs();
    if (missing.size() < direct.size()) {
      return family.anyCidr() + " except " + abbreviate(missing);
    }
    return abbreviate(direct);
  }

  private static String abbreviate(List<String> cidrs) {
    final int shown = 12;
    if (cidrs.size() <= shown) {
      return String.join(", ", cidrs);
    }
    return String.join(", ", cidrs.subList(0, shown)) + " and " + (cidrs.size() - shown) + " more blocks";
  }
}
