package io.portproof.analysis.web;

import static org.assertj.core.api.Assertions.assertThat;

import io.portproof.diag.Diagnostics;
import io.portproof.model.web.EndpointPrediction;
import io.portproof.model.web.ServerModel;
import io.portproof.parse.haproxy.HaproxyParser;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Truth for HAProxy: the prediction from the relocated file equals what HAProxy does with it. */
class HaproxyTruthTest {
  @ParameterizedTest
  @ValueSource(strings = {"edge-redirect"})
  void fixture(String name) throws Exception {
    Tools.require("haproxy");
    try (HaproxyInstance haproxy =
        HaproxyInstance.prepare(Path.of("src/test/resources/web/haproxy", name), 60)) {
      Diagnostics diagnostics = new Diagnostics();
      ServerModel model = new HaproxyParser().parse(haproxy.config(), diagnostics);
      List<EndpointPrediction> live = new WebPredictor().predict(model, "example.com", diagnostics)
          .stream().filter(EndpointPrediction::listening).toList();
      assertThat(live).isNotEmpty();
      String failure = haproxy.start(
          live.stream().map(e -> new InetSocketAddress(e.address(), e.port())).toList());
      assertThat(failure).as("HAProxy failed to start").isNull();
      List<String> mismatches = new ArrayList<>();
      for (EndpointPrediction e : live) {
        TruthCheck.compare(e, "example.com", mismatches);
      }
      assertThat(mismatches).as("prediction differs from the running HAProxy for\n%s",
          Files.readString(haproxy.config())).isEmpty();
    }
  }
}
