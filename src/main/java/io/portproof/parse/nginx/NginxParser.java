package io.portproof.parse.nginx;

import io.portproof.diag.Diagnostics;
import io.portproof.model.SourceRef;
import io.portproof.model.web.ServerModel;
import io.portproof.model.web.VirtualHost;
import io.portproof.parse.ServerConfigParser;
import java.nio.file.Path;
import java.util.List;
import java.util.regex.Pattern;

/**
 * Reads an nginx configuration (a main file with its includes, or an {@code nginx -T} dump) as
 * nginx 1.22 reads it.
 */
public final class NginxParser implements ServerConfigParser {
  private static final Pattern SNIFF =
      Pattern.compile("(?m)^\\s*(http|server|events|worker_processes|location|listen|server_name)"
          + "\\s[^\\n#]*[{;]\\s*(#.*)?$");

  private final boolean allowIncludesOutsideRoot;

  /** A parser that refuses includes outside the main file's directory. */
  public NginxParser() {
    this(/* allowIncludesOutsideRoot= */ false);
  }

  /**
   * @param allowIncludesOutsideRoot whether {@code include} may read files outside the directory
   *     of the main configuration file
   */
  public NginxParser(boolean allowIncludesOutsideRoot) {
    this.allowIncludesOutsideRoot = allowIncludesOutsideRoot;
  }

  @Override
  public String summary() {
    return "nginx configuration (main file with includes, or nginx -T output)";
  }

  @Override
  public String name() {
    return "nginx";
  }

  @Override
  public boolean sniff(String head, String fileName) {
    return NginxReader.isDump(head) || SNIFF.matcher(head).find();
  }

  @Override
  public ServerModel parse(Path file, Diagnostics diagnostics) {
    NginxReader reader = new NginxReader(diagnostics, allowIncludesOutsideRoot);
    List<Directive> directives = reader.read(file);
    if (directives == null) {
      return new ServerModel(name(), file.toString(), List.of(), List.of());
    }
    Path prefix = reader.confPrefix();
    List<VirtualHost> hosts =
        new NginxConverter(diagnostics, prefix).convert(directives, file.toString());
    if (hosts.isEmpty()) {
      diagnostics.invalid(SourceRef.ofFile(file.toString()),
          "no http server block found: nothing could be analyzed");
    }
    return new ServerModel(name(), file.toString(), hosts, List.of());
  }
}
