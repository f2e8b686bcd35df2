package io.portproof.policy.waiver;

import io.portproof.policy.Finding;
import java.util.Objects;

/**
 * What makes two findings of different runs "the same": check, host and subject — never the message or the
 * line numbers, which move when unrelated rules are added.
 *
 * @param checkId e.g. UNEXPECTED-EXPOSURE
 * @param host the host's name
 * @param subject the finding's subject; empty for a check that was INCONCLUSIVE without findings
 */
public record FindingKey(String checkId, String host, String subject) {
  public FindingKey {
    Objects.requireNonNull(checkId);
    Objects.requireNonNull(host);
    Objects.requireNonNull(subject);
  }

  public static FindingKey of(Finding f) {
    return new FindingKey(f.checkId(), f.host(), f.subject());
  }
}
