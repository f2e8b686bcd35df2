package io.portproof.parse;

import io.portproof.diag.Diagnostics;
import io.portproof.model.web.ServerModel;
import java.nio.file.Path;

/**
 * An input format that describes a web server (or the sockets really bound): nginx, Apache httpd,
 * HAProxy, {@code ss}. Parsers never throw on bad input: every problem becomes a diagnostic with
 * file:line, and {@link ServerModel#analyzable()} is false when nothing could be read.
 *
 * <p>It takes a path rather than an {@link InputText} because configurations include other files,
 * resolved relative to the main one.
 *
 * <p>Call order: {@link #sniff} (optional, for auto-detection), then {@link #parse} once per input.
 */
public interface ServerConfigParser extends InputFormat {
  /** Parses the file (and what it includes). */
  ServerModel parse(Path file, Diagnostics diagnostics);
}
