package io.portproof.analysis.web;

import static org.assertj.core.api.Assertions.assertThat;

import io.portproof.diag.Diagnostics;
import io.portproof.model.web.EndpointPrediction;
import io.portproof.model.web.ServerModel;
import io.portproof.parse.apache.ApacheParser;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Truth for Apache httpd: prediction from the relocated file equals what httpd does with it. */
class ApacheTruthTest {
  @ParameterizedTest
  @ValueSource(strings = {"certbot", "hsts-onsuccess"})
  void fixture(String name) throws Exception {
    Tools.require("apache2");
    try (ApacheInstance httpd = ApacheInstance.prepare(Path.of("src/test/resources/web/apache", name), 80)) {
      Diagnostics diagnostics = new Diagnostics();
      ServerModel model = new ApacheParser().parse(httpd.config(), diagnostics);
      List<EndpointPrediction> live = new WebPredictor().predict(model, "example.com", diagnostics)
          .stream().filter(EndpointPrediction::listening).toList();
      assertThat(live).isNotEmpty();
      String failure = httpd.start(
          live.stream().map(e -> new InetSocketAddress(e.address(), e.port())).toList());
      assertThat(failure).as("httpd failed to start").isNull();
      List<String> mismatches = new ArrayList<>();
      for (EndpointPrediction e : live) {
        TruthCheck.compare(e, "example.com", mismatches);
      }
      assertThat(mismatches).as("prediction differs from the running httpd for\n%s\ndiagnostics %s",
          Files.readString(httpd.config()), diagnostics.asList()).isEmpty();
    }
  }
}
