package io.portproof.parse;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.MissingNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.portproof.diag.Diagnostics;
import io.portproof.model.SourceRef;
import java.io.IOException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * A JSON export (cloud CLIs' {@code describe}/{@code show}/{@code list} output) read whole, remembering the line
 * each value starts on: Jackson's trees forget locations, and findings must point at the entry that decided.
 */
public final class JsonInput {
  private static final ObjectMapper MAPPER = new ObjectMapper();
  private static final JsonFactory FACTORY = MAPPER.getFactory();
  /** Beyond this a finding's text is noise; the line number still says where the rest is. */
  private static final int MAX_TEXT = 240;

  private final InputText in;
  private final List<String> lines;
  private final Map<String, Integer> lineOf = new HashMap<>();
  private JsonNode root;

  private JsonInput(InputText in) {
    this.in = in;
    this.lines = in.lines();
  }

  /**
   * Parses {@code in}; malformed JSON is an INVALID diagnostic at the line where the parser gave up, and the
   * result is null.
   */
  public static JsonInput read(InputText in, Diagnostics diags) {
    JsonInput doc = new JsonInput(in);
    try (JsonParser p = FACTORY.createParser(in.text())) {
      if (p.nextToken() == null) {
        diags.invalid(SourceRef.ofFile(in.name()), "empty file, expected a JSON document");
        return null;
      }
      doc.root = doc.readValue(p, "");
      if (p.nextToken() != null) {
        int line = p.currentTokenLocation().getLineNr();
        diags.invalid(doc.at(line), "content after the end of the JSON document");
        return null;
      }
      return doc;
    } catch (JsonProcessingException e) {
      int line = e.getLocation() == null ? 0 : Math.max(0, e.getLocation().getLineNr());
      diags.invalid(doc.at(line), "malformed JSON: " + e.getOriginalMessage());
      return null;
    } catch (IOException e) {
      diags.invalid(SourceRef.ofFile(in.name()), "cannot read JSON: " + e.getMessage());
      return null;
    }
  }

  /** Whether {@code head} starts like a JSON document that holds {@code marker} (a key the format always has). */
  public static boolean sniff(String head, String marker) {
    String h = head.stripLeading();
    return (h.startsWith("{") || h.startsWith("[")) && h.contains(marker);
  }

  private JsonNode readValue(JsonParser p, String pointer) throws IOException {
    lineOf.put(pointer, p.currentTokenLocation().getLineNr());
    JsonToken t = p.currentToken();
    if (t == JsonToken.START_OBJECT) {
      ObjectNode o = JsonNodeFactory.instance.objectNode();
      while (p.nextToken() == JsonToken.FIELD_NAME) {
        String name = p.currentName();
        p.nextToken();
        o.set(name, readValue(p, pointer + "/" + name));
      }
      return o;
    }
    if (t == JsonToken.START_ARRAY) {
      ArrayNode a = JsonNodeFactory.instance.arrayNode();
      for (int i = 0; p.nextToken() != JsonToken.END_ARRAY; i++) {
        a.add(readValue(p, pointer + "/" + i));
      }
      return a;
    }
    return MAPPER.readTree(p);
  }

  private SourceRef at(int line) {
    String text = line >= 1 && line <= lines.size() ? lines.get(line - 1) : "";
    return new SourceRef(in.name(), line, text);
  }

  public InputText input() {
    return in;
  }

  public Node root() {
    return new Node(root, "");
  }

  /** A value of the document with its place in it. */
  public final class Node {
    private final JsonNode value;
    private final String pointer;

    private Node(JsonNode value, String pointer) {
      this.value = value;
      this.pointer = pointer;
    }

    public JsonNode value() {
      return value;
    }

    public boolean isMissing() {
      return value.isMissingNode() || value.isNull();
    }

    /** A field of this object; missing (never null) when absent, placed at this node's line. */
    public Node get(String field) {
      JsonNode v = value.get(field);
      return new Node(v == null ? MissingNode.getInstance() : v, pointer + "/" + field);
    }

    /** The field as text, or null when absent or null. */
    public String text(String field) {
      JsonNode v = value.get(field);
      return v == null || v.isNull() ? null : v.asText();
    }

    /** The elements of an array; empty for anything else. */
    public List<Node> elements() {
      List<Node> out = new ArrayList<>();
      if (value.isArray()) {
        for (int i = 0; i < value.size(); i++) {
          out.add(new Node(value.get(i), pointer + "/" + i));
        }
      }
      return out;
    }

    /** The line the value starts on, or its nearest present ancestor's. */
    public int line() {
      String p = pointer;
      while (true) {
        Integer l = lineOf.get(p);
        if (l != null) {
          return l;
        }
        if (p.isEmpty()) {
          return 0;
        }
        p = p.substring(0, p.lastIndexOf('/'));
      }
    }

    /** This value's line, with the value itself as compact JSON for the text. */
    public SourceRef ref() {
      String t = value.isMissingNode() ? lineText() : value.toString();
      return new SourceRef(in.name(), line(), t.length() > MAX_TEXT ? t.substring(0, MAX_TEXT - 1) + "…" : t);
    }

    /** This value's line with the line's own text. */
    public SourceRef lineRef() {
      return new SourceRef(in.name(), line(), lineText());
    }

    private String lineText() {
      int l = line();
      return l >= 1 && l <= lines.size() ? lines.get(l - 1) : "";
    }
  }
}
