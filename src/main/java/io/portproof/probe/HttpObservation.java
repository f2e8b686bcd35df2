package io.portproof.probe;

import java.util.List;
import java.util.Objects;

/**
 * The redirect chain for one probe path.
 *
 * @param path the path (with query) first requested
 * @param chain the hops in order, possibly empty when the first request failed
 * @param error why the chain stopped early (limit reached, left the allowed hosts, timeout, ...), or
 *     null when it ended with a non-redirect response
 */
public record HttpObservation(String path, List<HttpHop> chain, String error) {
  public HttpObservation {
    Objects.requireNonNull(path, "path");
    chain = List.copyOf(chain);
  }

  /** The last hop reached, or null when none was. */
  public HttpHop last() {
    return chain.isEmpty() ? null : chain.get(chain.size() - 1);
  }
}
