package io.portproof.reconcile;

import io.portproof.model.SourceRef;
import java.util.List;
import java.util.Objects;

/**
 * One prediction beside its observation.
 *
 * @param endpoint e.g. {@code tcp/443 on 198.51.100.10}
 * @param aspect what was compared: tcp, http /path, hsts, tls-protocols
 * @param predicted what the inputs say, in words
 * @param observed what the live host did
 * @param confirmed whether they agree
 * @param cause for drift, the most likely reason; else null
 * @param decidedBy the input line behind the prediction
 * @param transcript what the probe sent and saw
 */
public record Drift(String endpoint, String aspect, String predicted, String observed, boolean confirmed, String cause,
    SourceRef decidedBy, List<String> transcript) {
  public Drift {
    Objects.requireNonNull(endpoint);
    Objects.requireNonNull(aspect);
    transcript = List.copyOf(transcript);
  }
}
