package io.portproof.parse;

/**
 * One kind of input portproof reads. Each format lives in its own package and is listed once in the CLI's
 * registry; {@link #sniff} lets users omit the type.
 */
public interface InputFormat {
  /** The name users write before a colon to force the type, e.g. {@code iptables:rules.v4}. */
  String name();

  /** One line for {@code --help} and error messages. */
  String summary();

  /** Whether the start of a file (up to 64 KiB) and its name look like this format. */
  boolean sniff(String head, String fileName);
}
