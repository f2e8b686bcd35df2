package io.portproof.analysis;

import io.portproof.model.SourceRef;
import java.util.Objects;

/**
 * Why an answer is UNKNOWN: the construct the analyzer could not decide, and where it stands.
 *
 * @param text what could not be decided, e.g. {@code -m limit --limit 5/min}
 * @param source its line; {@link SourceRef#ofFile} for facts outside the inputs
 */
public record Reason(String text, SourceRef source) {
  public Reason {
    Objects.requireNonNull(text);
    Objects.requireNonNull(source);
  }

  @Override
  public String toString() {
    return source.location() + ": " + text;
  }
}
