package io.portproof.diag;

import io.portproof.model.SourceRef;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Lists the first few rules that use each construct a parser cannot decide and sums up the rest in one
 * diagnostic: a ruleset with 5,000 rate-limited rules needs a few examples and a count, not 5,000 lines.
 */
public final class UndecidableTally {
  private static final int LISTED = 3;
  private final Map<String, List<SourceRef>> uses = new LinkedHashMap<>();

  /** Records a use of {@code construct}; true while its uses are few enough to be listed one by one. */
  public boolean admit(String construct, SourceRef at) {
    List<SourceRef> u = uses.computeIfAbsent(construct, k -> new ArrayList<>());
    u.add(at);
    return u.size() <= LISTED;
  }

  /** Adds one diagnostic per construct used more often than listed, at its first unlisted use. */
  public void summarise(Diagnostics into) {
    uses.forEach((construct, u) -> {
      if (u.size() > LISTED) {
        into.unsupported(u.get(LISTED), String.format(
            "and %,d more rules use %s (lines %d-%d), which no export can decide; affected packets are UNKNOWN unless every branch agrees",
            u.size() - LISTED, construct, u.get(LISTED).line(), u.get(u.size() - 1).line()));
      }
    });
  }
}
