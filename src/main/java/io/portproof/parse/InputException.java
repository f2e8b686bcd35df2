package io.portproof.parse;

/** An input that cannot be read or understood at all; the CLI turns it into exit code 2. */
public final class InputException extends Exception {
  private static final long serialVersionUID = 1L;

  public InputException(String message) {
    super(message);
  }
}
