package io.portproof.analysis.web;

import static org.assertj.core.api.Assertions.assertThat;

import io.portproof.diag.Diagnostics;
import io.portproof.model.web.EndpointPrediction;
import io.portproof.model.web.ServerModel;
import io.portproof.parse.nginx.NginxParser;
import io.portproof.parse.ss.SsParser;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** One golden per fixture listing every check's findings, so each check is exercised by fixtures. */
class WebChecksTest {
  private static final Instant NOW = Instant.parse("2027-01-01T00:00:00Z");

  @ParameterizedTest
  @ValueSource(strings = {"certbot", "hsts-lost-in-location", "redirect-other-host-first",
      "tls10-enabled", "loopback-443", "hand-written"})
  void findings(String name) throws Exception {
    Path conf = Path.of("src/test/resources/web/nginx", name, "nginx.conf");
    ServerModel model = new NginxParser().parse(conf, new Diagnostics());
    List<EndpointPrediction> p = WebPredictor.predict(model, "example.com");
    List<WebFinding> all = new ArrayList<>();
    all.addAll(WebChecks.redirectsToHttps(p, "example.com"));
    all.addAll(WebChecks.httpsListener(p));
    all.addAll(WebChecks.hsts(p));
    all.addAll(WebChecks.tlsProtocols(p));
    all.addAll(WebChecks.tlsCiphers(p));
    all.addAll(WebChecks.certificate(p, List.of("example.com", "www.example.com"), NOW));
    all.addAll(WebChecks.listenersMatch(model,
        new SsParser().parse(Path.of("src/test/resources/web/ss/ss-tulnp.txt"), new Diagnostics())));
    StringBuilder sb = new StringBuilder();
    for (WebFinding f : all) {
      sb.append(f.check()).append(' ').append(f.outcome()).append(' ').append(f.endpoint()).append(": ")
          .append(f.message()).append(f.decidedBy() != null
              ? "  <" + Path.of(f.decidedBy().file()).getFileName() + ":" + f.decidedBy().line() + ">" : "")
          .append('\n');
    }
    assertThat(all).isNotEmpty();
    Golden.check("web/checks/" + name + ".txt", sb.toString());
  }
}
