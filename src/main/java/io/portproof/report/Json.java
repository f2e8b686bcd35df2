package io.portproof.report;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.portproof.model.SourceRef;

/** The one Jackson mapper the reports share, and the JSON shapes of model values used by several reports. */
public final class Json {
  public static final ObjectMapper MAPPER = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);
  public static final ObjectMapper COMPACT = new ObjectMapper();

  private Json() {}

  public static ObjectNode object() {
    return MAPPER.createObjectNode();
  }

  /** {@code {"file", "line", "text"}}, or a JSON null. */
  public static ObjectNode source(SourceRef ref) {
    if (ref == null) {
      return null;
    }
    ObjectNode n = object();
    n.put("file", ref.file());
    n.put("line", ref.line());
    n.put("text", ref.text());
    return n;
  }
}
