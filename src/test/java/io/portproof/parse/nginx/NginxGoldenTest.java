package io.portproof.parse.nginx;

import io.portproof.analysis.web.Golden;
import io.portproof.analysis.web.WebPredictor;
import io.portproof.analysis.web.WebText;
import io.portproof.diag.Diagnostics;
import io.portproof.model.web.EndpointPrediction;
import io.portproof.model.web.ServerModel;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Whole-configuration golden files: the model, the diagnostics and the prediction for example.com. */
class NginxGoldenTest {
  static final Path FIXTURES = Path.of("src/test/resources/web/nginx");

  @ParameterizedTest
  @ValueSource(strings = {"certbot", "hsts-lost-in-location", "redirect-other-host-first",
      "tls10-enabled", "loopback-443", "hand-written", "listen-forms", "includes", "dump"})
  void golden(String name) throws Exception {
    Path dir = FIXTURES.resolve(name);
    Path conf = dir.resolve(name.equals("dump") ? "nginx-T.txt" : "nginx.conf");
    Diagnostics diagnostics = new Diagnostics();
    ServerModel model = new NginxParser().parse(conf, diagnostics);
    List<EndpointPrediction> predictions =
        new WebPredictor().predict(model, "example.com", diagnostics);
    String text = new WebText(dir).render(model, diagnostics.asList(), predictions);
    Golden.check("web/nginx/" + name + "/expected.txt", text);
  }
}
