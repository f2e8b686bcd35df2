package io.portproof.parse.haproxy;

import static org.assertj.core.api.Assertions.assertThat;

import io.portproof.analysis.web.Golden;
import io.portproof.analysis.web.WebPredictor;
import io.portproof.analysis.web.WebText;
import io.portproof.diag.Diagnostic;
import io.portproof.diag.Diagnostics;
import io.portproof.model.web.ServerModel;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class HaproxyGoldenTest {
  @ParameterizedTest
  @ValueSource(strings = {"edge-redirect", "bind-forms"})
  void golden(String name) throws Exception {
    Path dir = Path.of("src/test/resources/web/haproxy", name);
    Diagnostics diagnostics = new Diagnostics();
    ServerModel model = new HaproxyParser().parse(dir.resolve("haproxy.cfg"), diagnostics);
    var predictions = new WebPredictor().predict(model, "example.com", diagnostics);
    String text = new WebText(dir).render(model, diagnostics.asList(), predictions);
    Golden.check("web/haproxy/" + name + "/expected.txt", text);
  }

  @Test
  void nothingToAnalyze(@TempDir Path dir) throws Exception {
    Path cfg = dir.resolve("haproxy.cfg");
    Files.writeString(cfg, "bind :80\nglobal\n  maxconn 100\ndefaults\n  mode http\n  timeout client \"5s\n");
    Diagnostics d = new Diagnostics();
    assertThat(new HaproxyParser().parse(cfg, d).analyzable()).isFalse();
    assertThat(d.asList()).extracting(Diagnostic::toString).map(s -> s.replace(dir + "/", ""))
        .containsExactly(
            "haproxy.cfg:1: invalid: \"bind\" outside of any section  | bind :80",
            "haproxy.cfg:6: invalid: unterminated quote  | timeout client \"5s",
            "haproxy.cfg: invalid: no frontend or listen section with a bind line: nothing could be analyzed");
  }

  @Test
  void sniffing() {
    assertThat(new HaproxyParser().sniff("global\n  daemon\n\nfrontend web\n  bind :80\n", "haproxy.cfg")).isTrue();
    assertThat(new HaproxyParser().sniff("server {\n listen 80;\n}\n", "nginx.conf")).isFalse();
  }
}
