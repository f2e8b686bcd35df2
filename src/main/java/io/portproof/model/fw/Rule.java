package io.portproof.model.fw;

import io.portproof.model.SourceRef;
import java.util.List;
import java.util.Objects;

/**
 * One rule: all matches must hold for the action to apply.
 *
 * @param matches conditions, all of which must hold
 * @param action what happens to matching packets
 * @param source the rule's line in the export
 */
public record Rule(List<Match> matches, Action action, SourceRef source) {
  public Rule {
    matches = List.copyOf(matches);
    Objects.requireNonNull(action);
    Objects.requireNonNull(source);
  }
}
