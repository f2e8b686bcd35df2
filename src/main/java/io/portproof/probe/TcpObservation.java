package io.portproof.probe;

import java.util.Objects;

/**
 * The outcome of connecting to a port.
 *
 * @param state open, refused, filtered or unreachable
 * @param millis time the (last) attempt took
 * @param reason the system's words for it, e.g. "Connection refused", "connect timed out after 1000
 *     ms"
 */
public record TcpObservation(TcpState state, long millis, String reason) {
  public TcpObservation {
    Objects.requireNonNull(state, "state");
    Objects.requireNonNull(reason, "reason");
    if (millis < 0) {
      throw new IllegalArgumentException("millis must be >= 0: " + millis);
    }
  }
}
