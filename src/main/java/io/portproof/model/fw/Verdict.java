package io.portproof.model.fw;

/** The three-valued answer: a definite ACCEPT, DROP or REJECT, or UNKNOWN with the constructs that made it so. */
public enum Verdict {
  ACCEPT,
  DROP,
  REJECT,
  UNKNOWN
}
