package io.portproof.diag;

import io.portproof.model.SourceRef;
import java.util.Objects;

/**
 * Something an input said that portproof could not take at face value.
 *
 * @param kind UNSUPPORTED (valid but not modelled), RISKY (valid, probably not what was meant), or
 *     INVALID (the owning tool would reject it)
 * @param message what happened and what it means for the analysis, in a full sentence
 * @param source the file:line and text responsible
 */
public record Diagnostic(Kind kind, String message, SourceRef source) {
  /** The three kinds keep "we don't model this" apart from "this is wrong". */
  public enum Kind {
    UNSUPPORTED,
    RISKY,
    INVALID
  }

  public Diagnostic {
    Objects.requireNonNull(kind, "kind");
    Objects.requireNonNull(message, "message");
    Objects.requireNonNull(source, "source");
  }

  @Override
  public String toString() {
    String text = source.text().isEmpty() ? "" : "  | " + source.text();
    return source.location() + ": " + kind.name().toLowerCase(java.util.Locale.ROOT) + ": " + message + text;
  }
}
