package io.portproof.parse.nginx;

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
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Reads an nginx configuration tree into directives with every {@code include} spliced in where it
 * stands, as nginx does: relative paths resolve against the directory of the main file (nginx's
 * conf prefix), globs expand in sorted order and may match nothing, a missing literal file is an
 * error. An {@code nginx -T} dump is read as the set of files it contains.
 */
final class NginxReader {
  /** Larger inputs are refused: no real configuration comes near this. */
  static final long MAX_FILE_BYTES = 64L << 20;

  private static final int MAX_INCLUDE_DEPTH = 32;
  private static final int MAX_FILES = 20_000;
  private static final Pattern DUMP_MARKER =
      Pattern.compile("^# configuration file (.+):$", Pattern.MULTILINE);

  private final Diagnostics diagnostics;
  private final boolean allowOutsideRoot;
  private final Deque<Path> stack = new ArrayDeque<>();
  private Map<Path, String> dump;
  private Path root;
  private int filesRead;

  NginxReader(Diagnostics diagnostics, boolean allowOutsideRoot) {
    this.diagnostics = diagnostics;
    this.allowOutsideRoot = allowOutsideRoot;
  }

  /** The directory relative paths resolve against; valid after {@link #read}. */
  Path confPrefix() {
    return root;
  }

  /** Whether text looks like {@code nginx -T} output. */
  static boolean isDump(String head) {
    return DUMP_MARKER.matcher(head).find();
  }

  /**
   * Reads the main file and its includes; returns null when the main file itself is unreadable
   * (the diagnostic says why).
   */
  List<Directive> read(Path main) {
    String text = load(main, SourceRef.ofFile(main.toString()));
    if (text == null) {
      return null;
    }
    if (isDump(text)) {
      return readDump(main, text);
    }
    root = main.toAbsolutePath().normalize().getParent();
    Path absolute = main.toAbsolutePath().normalize();
    stack.push(absolute);
    try {
      return expand(new NginxTokenizer(main.toString(), text, diagnostics).parse(), absolute);
    } finally {
      stack.pop();
    }
  }

  private List<Directive> readDump(Path dumpFile, String text) {
    dump = new LinkedHashMap<>();
    Matcher m = DUMP_MARKER.matcher(text);
    List<int[]> starts = new ArrayList<>();
    List<String> names = new ArrayList<>();
    while (m.find()) {
      starts.add(new int[] {m.start(), m.end()});
      names.add(m.group(1).strip());
    }
    for (int i = 0; i < names.size(); i++) {
      int bodyStart = starts.get(i)[1] + 1;
      int bodyEnd = i + 1 < names.size() ? starts.get(i + 1)[0] : text.length();
      String body = bodyStart <= bodyEnd ? text.substring(Math.min(bodyStart, text.length()), bodyEnd) : "";
      // nginx -T prints an empty line after each file; it is not part of the file
      if (body.endsWith("\n\n")) {
        body = body.substring(0, body.length() - 1);
      }
      dump.put(Path.of(names.get(i)).normalize(), body);
    }
    Path first = Path.of(names.get(0)).normalize();
    root = first.toAbsolutePath().getParent();
    stack.push(first);
    try {
      return expand(
          new NginxTokenizer(first.toString(), dump.get(first), diagnostics).parse(),
          first);
    } finally {
      stack.pop();
    }
  }

  /** Splices includes into a freshly tokenized list, recursively into blocks. */
  private List<Directive> expand(List<Directive> raw, Path current) {
    List<Directive> out = new ArrayList<>(raw.size());
    for (Directive d : raw) {
      if (d.name().equals("include") && d.block() == null) {
        if (d.args().size() != 1) {
          diagnostics.invalid(d.source(), "include takes exactly one file or glob");
          continue;
        }
        out.addAll(include(d));
      } else if (d.block() != null) {
        out.add(new Directive(d.name(), d.args(), expand(d.block(), current), d.source()));
      } else {
        out.add(d);
      }
    }
    return out;
  }

  private List<Directive> include(Directive d) {
    String spec = d.arg(0);
    Path target = root.resolve(spec).normalize();
    if (!allowOutsideRoot && !target.startsWith(root)) {
      diagnostics.invalid(
          d.source(),
          "include of " + target + " leaves the configuration root " + root
              + "; refused (allow includes outside the root to read it)");
      return List.of();
    }
    boolean glob = spec.indexOf('*') >= 0 || spec.indexOf('?') >= 0 || spec.indexOf('[') >= 0;
    List<Path> files = glob ? expandGlob(target) : List.of(target);
    if (!glob && !exists(target)) {
      diagnostics.invalid(d.source(), "included file " + target + " does not exist (nginx refuses to start)");
      return List.of();
    }
    List<Directive> out = new ArrayList<>();
    for (Path file : files) {
      if (stack.contains(file)) {
        diagnostics.invalid(d.source(), "include cycle: " + file + " is already being read");
        continue;
      }
      if (stack.size() >= MAX_INCLUDE_DEPTH || ++filesRead > MAX_FILES) {
        diagnostics.invalid(d.source(), "includes nested deeper than " + MAX_INCLUDE_DEPTH
            + " levels or more than " + MAX_FILES + " files; stopped reading");
        return out;
      }
      String text;
      if (dump != null) {
        text = dump.get(file);
      } else {
        text = load(file, d.source());
        if (text == null) {
          continue;
        }
      }
      stack.push(file);
      try {
        out.addAll(expand(new NginxTokenizer(file.toString(), text, diagnostics).parse(), file));
      } finally {
        stack.pop();
      }
    }
    return out;
  }

  private boolean exists(Path p) {
    return dump != null ? dump.containsKey(p) : Files.isRegularFile(p);
  }

  /** Glob expansion like glob(3): only the last component may hold wildcards here, sorted. */
  private List<Path> expandGlob(Path pattern) {
    PathMatcher matcher = FileSystems.getDefault().getPathMatcher("glob:" + pattern);
    List<Path> found = new ArrayList<>();
    if (dump != null) {
      for (Path p : dump.keySet()) {
        if (matcher.matches(p)) {
          found.add(p);
        }
      }
    } else {
      Path dir = pattern.getParent();
      if (dir != null && Files.isDirectory(dir)) {
        try (DirectoryStream<Path> entries = Files.newDirectoryStream(dir)) {
          for (Path p : entries) {
            // glob(3) skips dot files unless the pattern names them
            if (matcher.matches(p) && !p.getFileName().toString().startsWith(".")
                && !Files.isDirectory(p)) {
              found.add(p);
            }
          }
        } catch (IOException e) {
          diagnostics.invalid(SourceRef.ofFile(dir.toString()), "cannot list " + dir + ": " + e.getMessage());
        }
      }
    }
    found.sort(null);
    return found;
  }

  private String load(Path file, SourceRef by) {
    try {
      long size = Files.size(file);
      if (size > MAX_FILE_BYTES) {
        diagnostics.invalid(by, file + " is " + size + " bytes, over the " + MAX_FILE_BYTES
            + "-byte limit for a configuration file; not read");
        return null;
      }
      // decoded leniently: a Latin-1 comment must not make the whole file unreadable
      return new String(Files.readAllBytes(file), StandardCharsets.UTF_8);
    } catch (IOException e) {
      diagnostics.invalid(by, "cannot read " + file + ": " + e.getMessage());
      return null;
    }
  }
}
