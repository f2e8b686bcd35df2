package io.portproof.parse.apache;

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

class ApacheGoldenTest {
  @ParameterizedTest
  @ValueSource(strings = {"certbot", "hsts-onsuccess", "debian-tree"})
  void golden(String name) throws Exception {
    Path dir = Path.of("src/test/resources/web/apache", name);
    Diagnostics diagnostics = new Diagnostics();
    ServerModel model = new ApacheParser().parse(dir.resolve("apache2.conf"), diagnostics);
    var predictions = new WebPredictor().predict(model, "example.com", diagnostics);
    String text = new WebText(dir).render(model, diagnostics.asList(), predictions);
    Golden.check("web/apache/" + name + "/expected.txt", text);
  }

  @Test
  void badInput(@TempDir Path dir) throws Exception {
    Path conf = dir.resolve("apache2.conf");
    Files.writeString(dir.resolve("loop.conf"), "Include loop.conf\n");
    Files.writeString(conf, "Listen 80\nInclude missing.conf\nIncludeOptional none/*.conf\n"
        + "Include loop.conf\nInclude ../outside.conf\n<VirtualHost *:80>\n  ServerName a\n"
        + "</Directory>\nRedirect permanent\n");
    Diagnostics d = new Diagnostics();
    ServerModel m = new ApacheParser().parse(conf, d);
    assertThat(m.analyzable()).isTrue();
    assertThat(d.asList()).extracting(Diagnostic::toString).map(s -> s.replace(dir + "/", ""))
        .containsExactly(
            "apache2.conf:2: invalid: included file missing.conf"
                + " does not exist (httpd refuses to start)  | Include missing.conf",
            "loop.conf:1: invalid: include cycle: loop.conf"
                + " is already being read  | Include loop.conf",
            "apache2.conf:5: invalid: Include of " + dir.getParent().resolve("outside.conf")
                + " leaves the server root " + dir + "; refused (allow includes outside the root to read it)"
                + "  | Include ../outside.conf",
            "apache2.conf:8: invalid: </Directory> without a matching open section  | </Directory>",
            "apache2.conf:6: invalid: <VirtualHost> is never closed  | <VirtualHost *:80>",
            "apache2.conf:9: invalid: Redirect needs a path and a URL  | Redirect permanent");
  }
}
