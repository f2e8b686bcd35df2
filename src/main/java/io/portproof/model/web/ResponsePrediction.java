package io.portproof.model.web;

import io.portproof.model.SourceRef;
import java.util.Objects;

/**
 * What the server answers to one request.
 *
 * @param path the request target sent (path and query)
 * @param status the status; {@link #CLOSED} when the server closes the connection without an
 *     answer (nginx 444), {@link #UPSTREAM} when a backend decides, {@link #UNKNOWN} when the model
 *     cannot tell
 * @param location the Location header of a redirect, or null
 * @param hsts the raw Strict-Transport-Security value on this response, or null when absent
 * @param decidedBy the line that decided the status
 * @param hstsBy the line that added the HSTS header, or the line whose scope dropped it, or null
 */
public record ResponsePrediction(
    String path, int status, String location, String hsts, SourceRef decidedBy, SourceRef hstsBy) {
  public static final int CLOSED = 0;
  public static final int UPSTREAM = -1;
  /** The configuration uses a construct the model cannot evaluate; decidedBy names it. */
  public static final int UNKNOWN = -2;

  public ResponsePrediction {
    Objects.requireNonNull(path, "path");
    Objects.requireNonNull(decidedBy, "decidedBy");
  }

  public boolean redirect() {
    return status >= 300 && status < 400 && location != null;
  }
}
