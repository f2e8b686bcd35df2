package io.portproof.policy;

import io.portproof.parse.InputException;
import io.portproof.parse.InputText;
import java.io.StringReader;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.nodes.MappingNode;
import org.yaml.snakeyaml.nodes.Node;
import org.yaml.snakeyaml.nodes.NodeTuple;
import org.yaml.snakeyaml.nodes.ScalarNode;
import org.yaml.snakeyaml.nodes.SequenceNode;

/**
 * YAML read through SnakeYAML's node API, so every value keeps its line and every error names file:line. Safe
 * by construction: nodes are never turned into arbitrary objects, aliases are capped (a "billion laughs" file
 * fails fast), and the size is capped before parsing.
 */
public final class Yaml {
  private static final int MAX_BYTES = 4 * 1024 * 1024;

  private final String file;

  private Yaml(String file) {
    this.file = file;
  }

  /** A node of a document, with the file it came from. */
  public record Doc(Yaml yaml, Node node) {
    public int line() {
      return node.getStartMark().getLine() + 1;
    }

    public String where() {
      return yaml.file + ":" + line();
    }

    public InputException error(String message) {
      return new InputException(where() + ": " + message);
    }

    public boolean isMap() {
      return node instanceof MappingNode;
    }

    public boolean isList() {
      return node instanceof SequenceNode;
    }

    public boolean isScalar() {
      return node instanceof ScalarNode;
    }

    /** The entries of a mapping, in order, checking the keys against {@code allowed} (null: any). */
    public Map<String, Doc> map(Set<String> allowed) throws InputException {
      if (!(node instanceof MappingNode m)) {
        throw error("expected a mapping (key: value), found " + kind());
      }
      Map<String, Doc> out = new LinkedHashMap<>();
      for (NodeTuple t : m.getValue()) {
        if (!(t.getKeyNode() instanceof ScalarNode k)) {
          throw new Doc(yaml, t.getKeyNode()).error("keys must be plain names");
        }
        String key = k.getValue();
        if (allowed != null && !allowed.contains(key)) {
          throw new Doc(yaml, k).error("unknown key '" + key + "'" + suggestion(key, allowed) + " (allowed: " + String.join(", ", allowed.stream().sorted().toList()) + ")");
        }
        if (out.containsKey(key)) {
          throw new Doc(yaml, k).error("key '" + key + "' appears twice");
        }
        out.put(key, new Doc(yaml, t.getValueNode()));
      }
      return out;
    }

    /** The key nodes of a mapping by name, to point errors at the key rather than its value. */
    public Map<String, Doc> keys() throws InputException {
      if (!(node instanceof MappingNode m)) {
        throw error("expected a mapping (key: value), found " + kind());
      }
      Map<String, Doc> out = new LinkedHashMap<>();
      for (NodeTuple t : m.getValue()) {
        if (t.getKeyNode() instanceof ScalarNode k) {
          out.put(k.getValue(), new Doc(yaml, k));
        }
      }
      return out;
    }

    public List<Doc> list() throws InputException {
      if (node instanceof ScalarNode) {
        return List.of(this);
      }
      if (!(node instanceof SequenceNode s)) {
        throw error("expected a list, found " + kind());
      }
      List<Doc> out = new ArrayList<>();
      for (Node n : s.getValue()) {
        out.add(new Doc(yaml, n));
      }
      return out;
    }

    public String string() throws InputException {
      if (!(node instanceof ScalarNode s)) {
        throw error("expected a single value, found " + kind());
      }
      return s.getValue();
    }

    public int integer(int min, int max) throws InputException {
      String s = string();
      try {
        int v = Integer.parseInt(s.strip());
        if (v < min || v > max) {
          throw error("expected a whole number from " + min + " to " + max + ", found " + s);
        }
        return v;
      } catch (NumberFormatException e) {
        throw error("expected a whole number, found '" + s + "'");
      }
    }

    public boolean bool() throws InputException {
      String s = string();
      return switch (s) {
        case "true", "yes", "on" -> true;
        case "false", "no", "off" -> false;
        default -> throw error("expected true or false, found '" + s + "'");
      };
    }

    private String kind() {
      return node instanceof MappingNode ? "a mapping" : node instanceof SequenceNode ? "a list" : "a value";
    }
  }

  /** "Did you mean" for a key one or two edits from an allowed one. */
  static String suggestion(String key, Set<String> allowed) {
    String best = null;
    int bestD = 3;
    for (String a : allowed) {
      int d = distance(key.toLowerCase(java.util.Locale.ROOT), a.toLowerCase(java.util.Locale.ROOT));
      if (d < bestD) {
        bestD = d;
        best = a;
      }
    }
    return best == null ? "" : " (did you mean '" + best + "'?)";
  }

  private static int distance(String a, String b) {
    int[] prev = new int[b.length() + 1];
    int[] cur = new int[b.length() + 1];
    for (int j = 0; j <= b.length(); j++) {
      prev[j] = j;
    }
    for (int i = 1; i <= a.length(); i++) {
      cur[0] = i;
      for (int j = 1; j <= b.length(); j++) {
        int c = a.charAt(i - 1) == b.charAt(j - 1) ? 0 : 1;
        cur[j] = Math.min(Math.min(cur[j - 1] + 1, prev[j] + 1), prev[j - 1] + c);
      }
      int[] t = prev;
      prev = cur;
      cur = t;
    }
    return prev[b.length()];
  }

  /** Parses one YAML document safely. */
  public static Doc load(InputText in) throws InputException {
    if (in.text().length() > MAX_BYTES) {
      throw new InputException(in.name() + ": larger than " + MAX_BYTES + " bytes; not a policy or host file");
    }
    LoaderOptions opts = new LoaderOptions();
    opts.setAllowDuplicateKeys(false);
    opts.setMaxAliasesForCollections(20);
    opts.setNestingDepthLimit(50);
    opts.setCodePointLimit(MAX_BYTES);
    org.yaml.snakeyaml.Yaml y = new org.yaml.snakeyaml.Yaml(new org.yaml.snakeyaml.constructor.SafeConstructor(opts));
    try {
      Node n = y.compose(new StringReader(in.text()));
      if (n == null) {
        throw new InputException(in.name() + ": empty YAML document");
      }
      return new Doc(new Yaml(in.name()), n);
    } catch (org.yaml.snakeyaml.error.MarkedYAMLException e) {
      int line = e.getProblemMark() != null ? e.getProblemMark().getLine() + 1 : 0;
      throw new InputException(in.name() + ":" + line + ": invalid YAML: " + e.getProblem());
    } catch (org.yaml.snakeyaml.error.YAMLException e) {
      throw new InputException(in.name() + ": invalid YAML: " + e.getMessage().lines().findFirst().orElse(""));
    }
  }
}
