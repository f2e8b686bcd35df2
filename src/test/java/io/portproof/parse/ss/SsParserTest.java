package io.portproof.parse.ss;

import static org.assertj.core.api.Assertions.assertThat;

import io.portproof.analysis.web.Golden;
import io.portproof.analysis.web.WebPredictor;
import io.portproof.analysis.web.WebText;
import io.portproof.diag.Diagnostics;
import io.portproof.model.web.ServerModel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class SsParserTest {
  @ParameterizedTest
  @ValueSource(strings = {"ss-tulnp", "ss-ltnH"})
  void golden(String name) throws Exception {
    Path dir = Path.of("src/test/resources/web/ss");
    Diagnostics d = new Diagnostics();
    ServerModel model = new SsParser().parse(dir.resolve(name + ".txt"), d);
    Golden.check("web/ss/" + name + ".expected.txt",
        new WebText(dir).render(model, d.asList(), WebPredictor.predict(model, "example.com")));
  }

  /** The real ss on this machine: its own output must parse without a diagnostic. */
  @Test
  void readsThisMachinesSs(@org.junit.jupiter.api.io.TempDir Path dir) throws Exception {
    String ss = io.portproof.analysis.web.Tools.require("ss");
    Path out = dir.resolve("ss.txt");
    try (java.net.ServerSocket listener = new java.net.ServerSocket(0, 1,
        java.net.InetAddress.getLoopbackAddress())) {
      Process p = new ProcessBuilder(ss, "-tlnp").redirectOutput(out.toFile()).start();
      assertThat(p.waitFor(10, TimeUnit.SECONDS)).isTrue();
      Diagnostics d = new Diagnostics();
      ServerModel model = new SsParser().parse(out, d);
      assertThat(d.asList()).isEmpty();
      assertThat(model.boundSockets()).anyMatch(l -> l.port() == listener.getLocalPort()
          && l.address().equals("127.0.0.1") && l.transport().equals("tcp"));
      assertThat(new SsParser().sniff(Files.readString(out), "ss.txt")).isTrue();
    }
  }
}
