package io.portproof.parse.apache;

import io.portproof.diag.Diagnostics;
import io.portproof.model.SourceRef;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.PathMatcher;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * Reads httpd configuration into a tree of directives and sections, splicing {@code Include} and
 * {@code IncludeOptional} (globs, relative to ServerRoot) and resolving {@code <IfModule>} against
 * the modules loaded so far, as httpd does while reading.
 */
final class ApacheReader {
  static final long MAX_FILE_BYTES = 64L << 20;
  private static final int MAX_DEPTH = 32;

  /** Debian's apache2 with the modules a TLS site enables (a2enmod ssl headers rewrite). */
  static final Set<String> DEBIAN_DEFAULT_MODULES = Set.of("core", "mod_so", "http_core",
      "mod_access_compat", "mod_alias", "mod_auth_basic", "mod_authn_core", "mod_authn_file",
      "mod_authz_core", "mod_authz_host", "mod_authz_user", "mod_autoindex", "mod_deflate",
      "mod_dir", "mod_env", "mod_filter", "mod_mime", "mod_mpm_event", "mod_negotiation",
      "mod_reqtimeout", "mod_setenvif", "mod_status", "mod_ssl", "mod_headers", "mod_rewrite",
      "mod_socache_shmcb", "mod_unixd", "mod_log_config", "mod_logio", "mod_version");

  /** A directive or section. */
  record Node(String name, List<String> args, List<Node> children, SourceRef source) {
    Node {
      args = List.copyOf(args);
      children = children == null ? null : List.copyOf(children);
    }

    String arg(int i) {
      return i < args.size() ? args.get(i) : "";
    }

    String lower() {
      return name.toLowerCase(Locale.ROOT);
    }
  }

  private final Diagnostics diagnostics;
  private final boolean allowOutsideRoot;
  private final Deque<Path> stack = new ArrayDeque<>();
  private final java.util.Set<String> modules = new java.util.HashSet<>();
  private boolean sawLoadModule;
  private Path serverRoot;

  ApacheReader(Diagnostics diagnostics, boolean allowOutsideRoot) {
    this.diagnostics = diagnostics;
    this.allowOutsideRoot = allowOutsideRoot;
  }

  Path serverRoot() {
    return serverRoot;
  }

  List<Node> read(Path main) {
    serverRoot = main.toAbsolutePath().normalize().getParent();
    Path abs = main.toAbsolutePath().normalize();
    String text = load(main, SourceRef.ofFile(main.toString()));
    if (text == null) {
      return null;
    }
    stack.push(abs);
    try {
      List<Node> out = new ArrayList<>();
      parse(main.toString(), text, out);
      return out;
    } finally {
      stack.pop();
    }
  }

  private boolean hasModule(String id) {
    String m = id.toLowerCase(Locale.ROOT).replace(".c", "");
    m = m.startsWith("mod_") ? m : "mod_" + m.replace("_module", "");
    return sawLoadModule ? modules.contains(m) || m.equals("mod_so") : DEBIAN_DEFAULT_MODULES.contains(m);
  }

  /** Parses one file's text into {@code out}, handling sections with an explicit stack. */
  private void parse(String file, String text, List<Node> out) {
    String[] lines = text.split("\n", -1);
    Deque<List<Node>> targets = new ArrayDeque<>();
    Deque<Node> open = new ArrayDeque<>();
    Deque<Boolean> active = new ArrayDeque<>();
    targets.push(out);
    active.push(true);
    for (int i = 0; i < lines.length; i++) {
      int first = i;
      StringBuilder logical = new StringBuilder(lines[i].stripTrailing());
      while (logical.length() > 0 && logical.charAt(logical.length() - 1) == '\\' && i + 1 < lines.length) {
        logical.setLength(logical.length() - 1);
        logical.append(' ').append(lines[++i].strip());
      }
      String line = logical.toString().strip();
      if (line.isEmpty() || line.startsWith("#")) {
        continue;
      }
      SourceRef at = new SourceRef(file, first + 1, lines[first]);
      if (line.startsWith("</")) {
        String name = line.substring(2, line.endsWith(">") ? line.length() - 1 : line.length()).strip();
        if (open.isEmpty() || !open.peek().name().equalsIgnoreCase(name)) {
          diagnostics.invalid(at, "</" + name + "> without a matching open section");
          continue;
        }
        Node section = open.pop();
        List<Node> children = targets.pop();
        boolean wasActive = active.pop();
        if (wasActive && section.children() != null) {
          targets.peek().add(new Node(section.name(), section.args(), children, section.source()));
        } else if (wasActive) {
          targets.peek().addAll(children);
        }
        continue;
      }
      if (line.startsWith("<")) {
        if (!line.endsWith(">")) {
          diagnostics.invalid(at, "section line does not end with \">\"");
          continue;
        }
        List<String> words = words(line.substring(1, line.length() - 1));
        if (words.isEmpty()) {
          continue;
        }
        String name = words.get(0);
        List<String> args = words.subList(1, words.size());
        boolean parentActive = active.peek();
        boolean on = parentActive;
        boolean transparent = false;
        if (name.equalsIgnoreCase("IfModule")) {
          String m = args.isEmpty() ? "" : args.get(0);
          on = parentActive && (m.startsWith("!") ? !hasModule(m.substring(1)) : hasModule(m));
          transparent = true;
        } else if (name.equalsIgnoreCase("IfDefine") || name.equalsIgnoreCase("IfVersion")
            || name.equalsIgnoreCase("IfFile") || name.equalsIgnoreCase("IfDirective")) {
          // defines come from the command line: assume none, like a plain "apache2ctl start"
          String d = args.isEmpty() ? "" : args.get(0);
          on = parentActive && (name.equalsIgnoreCase("IfDefine") ? d.startsWith("!") : true);
          transparent = true;
        }
        open.push(new Node(name, args, transparent ? null : List.of(), at));
        targets.push(new ArrayList<>());
        active.push(on);
        continue;
      }
      if (!active.peek()) {
        continue;
      }
      List<String> words = words(line);
      if (words.isEmpty()) {
        continue;
      }
      Node node = new Node(words.get(0), words.subList(1, words.size()), null, at);
      switch (node.lower()) {
        case "include", "includeoptional" -> targets.peek().addAll(include(node));
        case "serverroot" -> serverRoot = Path.of(node.arg(0));
        case "loadmodule" -> {
          sawLoadModule = true;
          modules.add("mod_" + node.arg(0).replace("_module", ""));
          targets.peek().add(node);
        }
        default -> targets.peek().add(node);
      }
    }
    while (!open.isEmpty()) {
      Node section = open.pop();
      diagnostics.invalid(section.source(), "<" + section.name() + "> is never closed");
      List<Node> children = targets.pop();
      active.pop();
      targets.peek().addAll(children);
    }
  }

  private List<Node> include(Node d) {
    boolean optional = d.lower().equals("includeoptional");
    String spec = d.arg(0);
    Path target = serverRoot.resolve(spec).normalize();
    if (!allowOutsideRoot && !target.startsWith(serverRoot)) {
      diagnostics.invalid(d.source(), d.name() + " of " + target + " leaves the server root "
          + serverRoot + "; refused (allow includes outside the root to read it)");
      return List.of();
    }
    List<Path> files = new ArrayList<>();
    if (spec.contains("*") || spec.contains("?") || spec.contains("[")) {
      PathMatcher m = FileSystems.getDefault().getPathMatcher("glob:" + target);
      Path dir = target.getParent();
      if (dir != null && Files.isDirectory(dir)) {
        try (DirectoryStream<Path> ds = Files.newDirectoryStream(dir)) {
          for (Path p : ds) {
            if (m.matches(p) && !Files.isDirectory(p)) {
              files.add(p);
            }
          }
        } catch (IOException e) {
          diagnostics.invalid(d.source(), "cannot list " + dir + ": " + e.getMessage());
        }
      } else if (!optional) {
        diagnostics.invalid(d.source(), "Include directory " + dir + " does not exist (httpd refuses to start)");
      }
      if (files.isEmpty() && !optional) {
        diagnostics.invalid(d.source(), "Include " + spec + " matches no file (httpd refuses to start; use IncludeOptional)");
      }
      files.sort(null);
    } else if (Files.isDirectory(target)) {
      try (DirectoryStream<Path> ds = Files.newDirectoryStream(target)) {
        ds.forEach(files::add);
      } catch (IOException e) {
        diagnostics.invalid(d.source(), "cannot list " + target);
      }
      files.sort(null);
    } else if (Files.isRegularFile(target)) {
      files.add(target);
    } else if (!optional) {
      diagnostics.invalid(d.source(), "included file " + target + " does not exist (httpd refuses to start)");
    }
    List<Node> out = new ArrayList<>();
    for (Path f : files) {
      if (stack.contains(f)) {
        diagnostics.invalid(d.source(), "include cycle: " + f + " is already being read");
        continue;
      }
      if (stack.size() >= MAX_DEPTH) {
        diagnostics.invalid(d.source(), "includes nested deeper than " + MAX_DEPTH + " levels; stopped");
        return out;
      }
      String text = load(f, d.source());
      if (text == null) {
        continue;
      }
      stack.push(f);
      try {
        parse(f.toString(), text, out);
      } finally {
        stack.pop();
      }
    }
    return out;
  }

  private String load(Path file, SourceRef by) {
    try {
      long size = Files.size(file);
      if (size > MAX_FILE_BYTES) {
        diagnostics.invalid(by, file + " is " + size + " bytes, over the " + MAX_FILE_BYTES
            + "-byte limit for a configuration file; not read");
        return null;
      }
      return new String(Files.readAllBytes(file), StandardCharsets.UTF_8);
    } catch (IOException e) {
      diagnostics.invalid(by, "cannot read " + file + ": " + e.getMessage());
      return null;
    }
  }

  /** httpd's argument splitting: whitespace, double or single quotes, backslash escapes. */
  static List<String> words(String line) {
    List<String> out = new ArrayList<>();
    int i = 0;
    int n = line.length();
    while (i < n) {
      while (i < n && Character.isWhitespace(line.charAt(i))) {
        i++;
      }
      if (i >= n) {
        break;
      }
      char q = line.charAt(i);
      StringBuilder w = new StringBuilder();
      if (q == '"' || q == '\'') {
        i++;
        while (i < n && line.charAt(i) != q) {
          if (line.charAt(i) == '\\' && i + 1 < n && line.charAt(i + 1) == q) {
            i++;
          }
          w.append(line.charAt(i++));
        }
        i++;
      } else {
        while (i < n && !Character.isWhitespace(line.charAt(i))) {
          w.append(line.charAt(i++));
        }
      }
      out.add(w.toString());
    }
    return out;
  }
}
