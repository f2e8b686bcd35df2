package io.portproof.model;

import java.util.Objects;

/**
 * Where a model object came from: the input file, the 1-based line, and the line's text as written.
 *
 * @param file path of the input as the user named it
 * @param line 1-based line number, or 0 when the object is synthesised (a chain policy default)
 * @param text the offending or deciding text, trimmed; may be empty
 */
public record SourceRef(String file, int line, String text) {
  public SourceRef {
    Objects.requireNonNull(file, "file");
    if (line < 0) {
      throw new IllegalArgumentException("line must be >= 0: " + line);
    }
    text = text == null ? "" : text.strip();
  }

  /** A reference to a whole file, for facts that belong to no single line. */
  public static SourceRef ofFile(String file) {
    return new SourceRef(file, 0, "");
  }

  /** {@code file:line}, or just the file when the line is unknown. */
  public String location() {
    return line > 0 ? file + ":" + line : file;
  }

  @Override
  public String toString() {
    return location();
  }
}
