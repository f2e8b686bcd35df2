package io.portproof.analysis.web;

import static org.assertj.core.api.Assertions.assertThat;

import io.portproof.diag.Diagnostic;
import io.portproof.diag.Diagnostics;
import io.portproof.model.web.EndpointPrediction;
import io.portproof.model.web.ServerModel;
import io.portproof.parse.nginx.NginxParser;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.LongStream;
import java.util.stream.Stream;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Truth: the static prediction for a configuration equals what a real nginx does when started
 * from that very file — status, Location and HSTS per probe path, TLS versions accepted, and the
 * negotiated suite being one of those predicted.
 */
class NginxTruthTest {
  static final Path FIXTURES = Path.of("src/test/resources/web/nginx");
  static final String HOST = "example.com";

  @TempDir Path generated;

  @ParameterizedTest
  @ValueSource(strings = {"certbot", "hsts-lost-in-location", "redirect-other-host-first",
      "tls10-enabled", "loopback-443", "hand-written"})
  void handWritten(String name) throws Exception {
    check(name, FIXTURES.resolve(name), 20);
  }

  static Stream<Long> seeds() {
    return LongStream.range(1, 37).boxed();
  }

  @ParameterizedTest
  @MethodSource("seeds")
  void generatedConfig(long seed) throws Exception {
    Path dir = generated.resolve("gen-" + seed);
    Files.createDirectories(dir);
    Files.writeString(dir.resolve("nginx.conf"), NginxConfigGenerator.generate(seed));
    check("seed " + seed, dir, 100 + (int) (seed % 50) * 2);
  }

  private void check(String name, Path source, int octet) throws Exception {
    try (NginxInstance nginx = NginxInstance.prepare(source, FIXTURES.resolve("certs"), octet)) {
      Diagnostics diagnostics = new Diagnostics();
      ServerModel model = new NginxParser().parse(nginx.config(), diagnostics);
      List<EndpointPrediction> predictions = new WebPredictor().predict(model, HOST, diagnostics);
      List<EndpointPrediction> live = predictions.stream().filter(EndpointPrediction::listening).toList();
      String failure = nginx.start(live.stream()
          .map(e -> new InetSocketAddress(e.address(), e.port())).toList());
      String config = Files.readString(nginx.config());
      if (failure != null) {
        assertThat(diagnostics.asList()).as("nginx refused to start (%s) but nothing predicted it:\n%s",
            failure, config).anyMatch(d -> d.kind() == Diagnostic.Kind.INVALID);
        return;
      }
      List<String> mismatches = new ArrayList<>();
      for (EndpointPrediction e : live) {
        TruthCheck.compare(e, HOST, mismatches);
      }
      assertThat(mismatches).as("%s: prediction differs from the running nginx for\n%s", name, config)
          .isEmpty();
    }
  }

}
