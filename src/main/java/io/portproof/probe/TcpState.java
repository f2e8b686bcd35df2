package io.portproof.probe;

/**
 * What a TCP connect saw. The same states the analysis predicts, so prediction and observation
 * compare line by line.
 */
public enum TcpState {
  /** The handshake completed. */
  OPEN,
  /** ECONNREFUSED: a RST, or ICMP port-unreachable. */
  REFUSED,
  /** No answer before the connect timeout: a DROP. */
  FILTERED,
  /** EHOSTUNREACH, ENETUNREACH or EACCES: an ICMP error other than port-unreachable, or no route. */
  UNREACHABLE
}
