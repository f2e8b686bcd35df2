package io.portproof.analysis.web;

import io.portproof.model.SourceRef;
import java.util.Objects;

/**
 * One check result about one endpoint (or response).
 *
 * @param check the check id ({@code HSTS}, {@code TLS-PROTOCOLS}, …)
 * @param outcome pass, weaker-than-required, fail, or not decidable from the configuration
 * @param endpoint {@code IPV4 0.0.0.0:443/tcp}-style label, plus the path when it is about a response
 * @param message what was found, in a sentence
 * @param decidedBy the configuration line responsible, or null
 */
public record WebFinding(String check, Outcome outcome, String endpoint, String message, SourceRef decidedBy) {
  /** UNKNOWN never passes silently: the policy layer decides how to gate on it. */
  public enum Outcome {
    PASS,
    WARN,
    FAIL,
    UNKNOWN
  }

  public WebFinding {
    Objects.requireNonNull(check, "check");
    Objects.requireNonNull(outcome, "outcome");
    Objects.requireNonNull(endpoint, "endpoint");
    Objects.requireNonNull(message, "message");
  }
}
