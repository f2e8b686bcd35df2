package io.portproof.model.web;

import io.portproof.model.SourceRef;
import java.util.Objects;

/**
 * What answers a request no rule answered.
 *
 * @param kind where the answer comes from
 * @param missingStatus the status for a path that names no file ({@code try_files … =404}); 404
 *     unless configured
 * @param source the line that decides it ({@code root}, {@code proxy_pass}, the server block)
 */
public record Content(Kind kind, int missingStatus, SourceRef source) {
  /** Static files are predictable; an upstream's status is its own business. */
  public enum Kind {
    /**
     * Files from a document root: a directory path is assumed to have its index file (200), any
     * other probe path is assumed absent ({@code missingStatus}).
     */
    STATIC,
    /** A backend (proxy_pass, fastcgi_pass, HAProxy backend): status decided by the application. */
    UPSTREAM,
    /** The server itself answers with an error: HAProxy without a backend (503). */
    ERROR
  }

  public Content {
    Objects.requireNonNull(kind, "kind");
    Objects.requireNonNull(source, "source");
  }
}
