package io.portproof.parse;

import io.portproof.diag.Diagnostics;
import io.portproof.model.web.ServerModel;
import java.nio.file.Path;

/**
 * Reads one kind of server configuration (or socket listing) into the vendor-independent {@link
 * ServerModel}. Implementations never throw on bad input: every problem becomes a diagnostic with
 * file:line, and {@link ServerModel#analyzable()} is false when nothing could be read.
 *
 * <p>Call order: {@link #sniff} (optional, for auto-detection), then {@link #parse} once per input.
 */
public interface ServerConfigParser {
  /** The format name used on the command line ({@code nginx:FILE}). */
  String format();

  /**
   * Whether the beginning of a file looks like this format.
   *
   * @param head the first few KiB of the file
   */
  boolean sniff(String head);

  /** Parses the file (and what it includes). */
  ServerModel parse(Path file, Diagnostics diagnostics);
}
