package io.portproof.probe;

import java.util.Objects;

/**
 * One request of a redirect chain. For a redirect, {@code sameHost}, {@code https} and {@code
 * pathQueryPreserved} describe its Location; for the last hop (no Location) they describe the hop
 * itself: same host true, https by its own scheme, path preserved true.
 *
 * @param url the absolute URL requested
 * @param status the HTTP status code
 * @param location the Location header as sent, or null
 * @param sameHost the Location names the same host as this hop
 * @param https the Location (or, for the last hop, this URL) is https
 * @param pathQueryPreserved the Location keeps this hop's path and query exactly
 * @param hsts the Strict-Transport-Security header on an https hop, or null when absent or on http
 *     (where UAs ignore it)
 */
public record HttpHop(
    String url,
    int status,
    String location,
    boolean sameHost,
    boolean https,
    boolean pathQueryPreserved,
    Hsts hsts) {
  public HttpHop {
    Objects.requireNonNull(url, "url");
    if (status < 100 || status > 999) {
      throw new IllegalArgumentException("status out of range: " + status);
    }
  }

  /** Whether this hop is a redirect that was (or could have been) followed. */
  public boolean isRedirect() {
    return location != null && status >= 300 && status < 400;
  }
}
