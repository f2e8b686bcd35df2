package io.portproof.policy;

import io.portproof.model.SourceRef;
import java.util.List;
import java.util.Objects;

/**
 * One thing a check found wrong (or could not decide) on one host.
 *
 * @param checkId the check's id, e.g. HTTPS-OPEN
 * @param severity from the policy
 * @param host the host's name
 * @param subject what it is about, e.g. {@code tcp/443 IPv6 2001:db8::10}
 * @param message a full sentence a person can act on
 * @param location the input line that decided it (the first of {@code evidence}), or a file reference
 * @param evidence every line involved, deciding one first
 */
public record Finding(String checkId, Severity severity, String host, String subject, String message, SourceRef location,
    List<SourceRef> evidence) {
  public Finding {
    Objects.requireNonNull(checkId);
    Objects.requireNonNull(severity);
    Objects.requireNonNull(host);
    Objects.requireNonNull(subject);
    Objects.requireNonNull(message);
    Objects.requireNonNull(location);
    evidence = List.copyOf(evidence);
  }
}
