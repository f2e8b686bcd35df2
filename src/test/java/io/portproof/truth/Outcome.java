package io.portproof.truth;

/** What a TCP client sees when it connects, in DESIGN.md's terms. */
public enum Outcome {
  /** The three-way handshake completed. */
  OPEN,
  /** A TCP reset or an ICMP port-unreachable answered the SYN. */
  REFUSED,
  /** An ICMP host/net/prohibited/no-route error answered the SYN. */
  UNREACHABLE,
  /** Nothing came back before the connect timeout. */
  FILTERED;

  public static Outcome parse(String lowerCase) {
    return valueOf(lowerCase.toUpperCase(java.util.Locale.ROOT));
  }
}
