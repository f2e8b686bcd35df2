package io.portproof.parse;

import static org.assertj.core.api.Assertions.assertThat;

import io.portproof.diag.Diagnostics;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/** JSON exports keep the line of every value, so findings can point into them. */
class JsonInputTest {
  private static JsonInput read(String text, Diagnostics d) {
    return JsonInput.read(new InputText(Path.of("x.json"), "x.json", text), d);
  }

  @Test
  void everyValueKnowsItsLine() {
    JsonInput doc = read("{\n  \"a\": [\n    {\"b\": 1},\n    {\n      \"b\": 2\n    }\n  ]\n}\n", new Diagnostics());
    assertThat(doc.root().get("a").elements()).extracting(JsonInput.Node::line).containsExactly(3, 4);
    assertThat(doc.root().get("a").elements().get(1).get("b").line()).isEqualTo(5);
    // An absent field is placed where its parent is, never at line 0.
    assertThat(doc.root().get("a").elements().get(1).get("missing").line()).isEqualTo(4);
    assertThat(doc.root().get("a").elements().get(0).ref().text()).isEqualTo("{\"b\":1}");
  }

  @Test
  void malformedOrTrailingContentIsInvalidAtItsLine() {
    Diagnostics d = new Diagnostics();
    assertThat(read("{\n  \"a\": [1,\n  }\n", d)).isNull();
    assertThat(d.asList()).singleElement().satisfies(x -> assertThat(x.toString()).startsWith("x.json:3: invalid: malformed JSON"));
    Diagnostics t = new Diagnostics();
    assertThat(read("{}\n{}\n", t)).isNull();
    assertThat(t.asList()).singleElement().satisfies(x -> assertThat(x.toString()).startsWith("x.json:2: invalid: content after the end"));
    Diagnostics e = new Diagnostics();
    assertThat(read("  \n", e)).isNull();
    assertThat(e.asList()).singleElement().satisfies(x -> assertThat(x.message()).contains("empty file"));
  }
}
