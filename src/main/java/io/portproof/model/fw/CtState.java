package io.portproof.model.fw;

/**
 * Connection-tracking states as rules can match them. {@code SNAT}/{@code DNAT} are the virtual states of
 * {@code --ctstate}. A packet with no conntrack entry yet (before the conntrack hook, or one conntrack refused)
 * matches INVALID.
 */
public enum CtState {
  NEW,
  ESTABLISHED,
  RELATED,
  INVALID,
  UNTRACKED,
  SNAT,
  DNAT
}
