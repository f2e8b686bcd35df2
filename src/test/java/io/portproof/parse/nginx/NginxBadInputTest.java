package io.portproof.parse.nginx;

import static org.assertj.core.api.Assertions.assertThat;

import io.portproof.diag.Diagnostic;
import io.portproof.diag.Diagnostics;
import io.portproof.model.web.ServerModel;
import java.io.RandomAccessFile;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Each kind of bad input yields a located diagnostic and never an exception. */
class NginxBadInputTest {
  @TempDir Path dir;

  private List<String> parse(String main) throws Exception {
    Path conf = dir.resolve("nginx.conf");
    Files.writeString(conf, main);
    Diagnostics d = new Diagnostics();
    model = new NginxParser().parse(conf, d);
    return d.asList().stream().map(Diagnostic::toString)
        .map(s -> s.replace(dir.toString() + "/", "")).toList();
  }

  private ServerModel model;

  @Test
  void unbalancedBraces() throws Exception {
    assertThat(parse("http {\n  server {\n    listen 80;\n    return 204;\n  }\n"))
        .anyMatch(s -> s.startsWith("nginx.conf:1: invalid: unexpected end of file, expecting \"}\""));
    assertThat(model.analyzable()).isTrue();
    assertThat(parse("http { server { listen 80; } }\n}\n"))
        .contains("nginx.conf:2: invalid: unexpected \"}\" without an open block  | }");
  }

  @Test
  void unknownDirectiveIsReportedNotFatal() throws Exception {
    assertThat(parse("http {\n server {\n  listen 80;\n  frobnicate on;\n  return 204;\n }\n}\n"))
        .containsExactly("nginx.conf:4: unsupported: unknown or unmodelled directive \"frobnicate\""
            + "  | frobnicate on;");
    assertThat(model.hosts()).hasSize(1);
  }

  @Test
  void missingInclude() throws Exception {
    assertThat(parse("http {\n include missing.conf;\n include none/*.conf;\n server { listen 80; }\n}\n"))
        .containsExactly("nginx.conf:2: invalid: included file missing.conf"
            + " does not exist (nginx refuses to start)  | include missing.conf;");
  }

  @Test
  void includeCycle() throws Exception {
    Files.writeString(dir.resolve("a.conf"), "include b.conf;\n");
    Files.writeString(dir.resolve("b.conf"), "server { listen 81; }\ninclude a.conf;\n");
    assertThat(parse("http {\n include a.conf;\n}\n"))
        .containsExactly("b.conf:2: invalid: include cycle: " + dir.resolve("a.conf")
            .toString().replace(dir + "/", "") + " is already being read  | include a.conf;"
            .replace("b.conf:2", "b.conf:2"));
    assertThat(model.hosts()).hasSize(1);
  }

  @Test
  void includeEscapingTheRootIsRefusedUnlessAllowed() throws Exception {
    Path conf = dir.resolve("etc/nginx.conf");
    Files.createDirectories(conf.getParent());
    Files.writeString(dir.resolve("outside.conf"), "server { listen 82; }\n");
    Files.writeString(conf, "http {\n include ../outside.conf;\n}\n");
    Diagnostics refused = new Diagnostics();
    assertThat(new NginxParser().parse(conf, refused).analyzable()).isFalse();
    assertThat(refused.asList()).anyMatch(d -> d.message().contains("leaves the configuration root")
        && d.source().line() == 2);
    Diagnostics allowed = new Diagnostics();
    assertThat(new NginxParser(/* allowIncludesOutsideRoot= */ true).parse(conf, allowed).hosts())
        .hasSize(1);
    assertThat(allowed.asList()).isEmpty();
  }

  @Test
  void hugeFileIsRefusedWithoutReadingIt() throws Exception {
    Path conf = dir.resolve("huge.conf");
    try (RandomAccessFile f = new RandomAccessFile(conf.toFile(), "rw")) {
      f.setLength(NginxReader.MAX_FILE_BYTES + 1); // sparse: costs no disk
    }
    Diagnostics d = new Diagnostics();
    ServerModel m = new NginxParser().parse(conf, d);
    assertThat(m.analyzable()).isFalse();
    assertThat(d.asList()).singleElement().satisfies(x -> {
      assertThat(x.kind()).isEqualTo(Diagnostic.Kind.INVALID);
      assertThat(x.message()).contains("over the 67108864-byte limit");
    });
  }

  @Test
  void unreadableOrEmptyMeansNothingToAnalyze() throws Exception {
    Diagnostics d = new Diagnostics();
    assertThat(new NginxParser().parse(dir.resolve("absent.conf"), d).analyzable()).isFalse();
    assertThat(d.asList()).singleElement().satisfies(x -> assertThat(x.message()).contains("cannot read"));
    assertThat(parse("events { }\n")).contains("nginx.conf: invalid: no http server block found: nothing could be analyzed");
    assertThat(model.analyzable()).isFalse();
  }

  @Test
  void badDirectivesInsideServer() throws Exception {
    assertThat(parse("http {\n server {\n  listen 80;\n  return abc;\n  rewrite ^(/ x;\n"
        + "  if ($a ~ \"(\") { return 403; }\n  if (-f $request_filename) { return 403; }\n"
        + "  location ~ [ { }\n  location {\n  }\n }\n}\n"))
        .containsExactlyInAnyOrder(
            "nginx.conf:4: invalid: invalid return code \"abc\"  | return abc;",
            "nginx.conf:5: invalid: regular expression does not compile: Unclosed group  | rewrite ^(/ x;",
            "nginx.conf:9: invalid: location needs a modifier and URI and a block  | location {",
            "nginx.conf:8: invalid: regular expression does not compile: Unclosed character class  | location ~ [ { }",
            "nginx.conf:6: invalid: regular expression does not compile: Unclosed group  | if ($a ~ \"(\") { return 403; }",
            "nginx.conf:7: unsupported: if condition (-f $request_filename) is not modelled (file tests and the like);"
                + " affected responses are unknown  | if (-f $request_filename) { return 403; }");
  }

  @Test
  void quotesEscapesAndComments() throws Exception {
    parse("http { # comment } {\n server { listen 80; server_name \"a b\" 'c\\'d' e\\;f;\n"
        + " add_header X-A \"v;{}#x\" always; return 204; } }\n");
    assertThat(model.hosts().get(0).names()).containsExactly("a b", "c'd", "e\\;f");
    assertThat(model.hosts().get(0).headers().get(0).value()).isEqualTo("v;{}#x");
  }
}
