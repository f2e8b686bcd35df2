package io.portproof.report;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.portproof.model.Ip;
import io.portproof.model.SourceRef;
import io.portproof.policy.CheckResult;
import io.portproof.policy.Finding;
import io.portproof.policy.HostResult;
import io.portproof.policy.PolicyLoader;
import io.portproof.policy.RunResult;
import io.portproof.policy.Severity;
import io.portproof.testing.Cli;
import io.portproof.testing.Golden;
import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import javax.xml.parsers.DocumentBuilderFactory;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.w3c.dom.Document;
import org.w3c.dom.Element;
import org.w3c.dom.NodeList;

/** Every report format, on every sample and on a gated run (waivers and a baseline), against golden files and schemas. */
class ReportFormatsTest {
  private static final Map<String, String> EXTENSION = Map.of("text", "txt", "json", "json", "sarif", "sarif",
      "junit", "xml", "markdown", "md", "html", "html");

  /** ufw-host, with the IPv6 ssh finding waived, an expired waiver, and a baseline that lacks the IPv4 ssh finding. */
  private static Path gated;

  @BeforeAll
  static void gatedRun() {
    gated = Fixtures.dir("gated");
    Fixtures.write(gated.resolve("waivers.yaml"), """
        # ssh over IPv6 is the bastion path until the VPN lands
        - id: UNEXPECTED-EXPOSURE
          host: ufw-*
          subject: "tcp/22 on 2001:*"
          expires: 2099-12-31
          reason: bastion ssh over IPv6 until the VPN <migration> lands
          ticket: SEC-142
        - id: HTTPS-OPEN
          host: ufw-host
          expires: 2020-01-31
          reason: maintenance window
        """);
    Cli base = Cli.run("check", "samples/ufw-host", "--format", "json");
    ObjectNode root = (ObjectNode) Fixtures.parse(base.out());
    for (JsonNode check : root.path("hosts").get(0).path("checks")) {
      ArrayNode findings = (ArrayNode) check.path("findings");
      for (int i = findings.size() - 1; i >= 0; i--) {
        if (findings.get(i).path("subject").asText().equals("tcp/22 on 192.0.2.20")) {
          findings.remove(i);
        }
      }
    }
    Fixtures.write(gated.resolve("baseline.json"), root.toPrettyString());
  }

  private static Cli gatedCheck(String format) {
    return Cli.run("check", "samples/ufw-host", "--format", format, "--waivers", gated.resolve("waivers.yaml").toString(),
        "--baseline", gated.resolve("baseline.json").toString());
  }

  @ParameterizedTest(name = "{0} as {1}")
  @CsvSource({"web-good,sarif", "web-good,junit", "web-good,markdown", "web-good,html",
      "ufw-host,sarif", "ufw-host,junit", "ufw-host,markdown", "ufw-host,html",
      "v6-dropped,sarif", "v6-dropped,junit", "v6-dropped,markdown", "v6-dropped,html",
      "nat-redirect,sarif", "nat-redirect,junit", "nat-redirect,markdown", "nat-redirect,html",
      "nginx-certbot,sarif", "nginx-certbot,junit", "nginx-certbot,markdown", "nginx-certbot,html",
      "nginx-tls10,sarif", "nginx-tls10,junit", "nginx-tls10,markdown", "nginx-tls10,html"})
  void sampleReportMatchesGolden(String sample, String format) {
    Cli run = Cli.run("check", "samples/" + sample, "--format", format);
    assertThat(run.exit()).as(run.err()).isIn(0, 1);
    Golden.assertMatches("report/" + sample + "." + EXTENSION.get(format), Fixtures.normalise(run.out()));
  }

  @ParameterizedTest(name = "{0}")
  @CsvSource({"text", "json", "sarif", "junit", "markdown", "html"})
  void gatedReportMatchesGolden(String format) {
    Cli run = gatedCheck(format);
    assertThat(run.exit()).as("the new IPv4 ssh finding and the expired waiver fail the run: %s", run.err()).isEqualTo(1);
    assertThat(run.err()).contains(gated.resolve("waivers.yaml") + ":8: the waiver for HTTPS-OPEN on ufw-host expired on 2020-01-31");
    Golden.assertMatches("report/gated." + EXTENSION.get(format), Fixtures.normalise(run.out()));
  }

  @ParameterizedTest(name = "{0}")
  @CsvSource({"web-good", "ufw-host", "v6-dropped", "nat-redirect", "nginx-certbot", "nginx-tls10", "nginx-hand-written",
      "nginx-hsts-lost", "nginx-loopback-443", "nginx-redirect-other-host", "apache-certbot", "haproxy-edge"})
  void sarifAndJsonFollowTheirSchemas(String sample) {
    String sarif = Cli.run("check", "samples/" + sample, "--format", "sarif").out();
    Fixtures.assertValidSarif(sarif);
    for (JsonNode r : Fixtures.parse(sarif).path("runs").get(0).path("results")) {
      assertThat(r.path("locations").path(0).path("physicalLocation").path("artifactLocation").path("uri").asText())
          .as("GitHub rejects an upload with any result lacking a physical location: %s", r).isNotEmpty();
    }
    Fixtures.assertValidReport(Cli.run("check", "samples/" + sample, "--format", "json").out());
  }

  /** A validation that accepts anything proves nothing: broken documents must be rejected. */
  @Test
  void schemasRejectBrokenDocuments() {
    ObjectNode sarif = (ObjectNode) Fixtures.parse(Cli.run("check", "samples/ufw-host", "--format", "sarif").out());
    ((ObjectNode) sarif.path("runs").get(0).path("results").get(0)).put("level", "fatal");
    assertThatThrownBy(() -> Fixtures.assertValidSarif(sarif.toString())).isInstanceOf(AssertionError.class).hasMessageContaining("level");
    ObjectNode json = (ObjectNode) Fixtures.parse(Cli.run("check", "samples/ufw-host", "--format", "json").out());
    ((ObjectNode) json.path("hosts").get(0).path("checks").get(0)).put("status", "MAYBE");
    assertThatThrownBy(() -> Fixtures.assertValidReport(json.toString())).isInstanceOf(AssertionError.class).hasMessageContaining("status");
  }

  @Test
  void gatedSarifAndJsonFollowTheirSchemasAndCarryTheGate() {
    String sarif = gatedCheck("sarif").out();
    Fixtures.assertValidSarif(sarif);
    JsonNode run = Fixtures.parse(sarif).path("runs").get(0);
    List<String> states = new ArrayList<>();
    for (JsonNode r : run.path("results")) {
      states.add(r.path("properties").path("subject").asText() + " " + r.path("baselineState").asText()
          + (r.has("suppressions") ? " suppressed:" + r.path("suppressions").get(0).path("status").asText() : ""));
    }
    assertThat(states).containsExactly("tcp/22 on 192.0.2.20 new", "tcp/22 on 2001:db8:20::20 unchanged suppressed:accepted");
    JsonNode notes = run.path("invocations").get(0).path("toolExecutionNotifications");
    assertThat(notes.toString()).contains("gate/expired-waiver", "input/unsupported");

    String json = gatedCheck("json").out();
    Fixtures.assertValidReport(json);
    JsonNode gate = Fixtures.parse(json).path("gate");
    assertThat(gate.path("failed").asBoolean()).isTrue();
    assertThat(gate.path("blocking").asInt()).isEqualTo(1);
    assertThat(gate.path("waived").asInt()).isEqualTo(1);
    assertThat(gate.path("expiredWaivers").get(0).path("at").path("line").asInt()).isEqualTo(8);
  }

  @Test
  void sarifRulesCarryHelpSeverityAndFingerprintsIgnoreLineMoves() {
    JsonNode before = Fixtures.parse(Cli.run("check", "samples/ufw-host", "--format", "sarif").out()).path("runs").get(0);
    JsonNode rule = before.path("tool").path("driver").path("rules").get(0);
    assertThat(rule.path("id").asText()).isEqualTo("HTTPS-OPEN");
    assertThat(rule.path("help").path("text").asText()).contains("TCP 443 must be allowed");
    assertThat(rule.path("properties").path("security-severity").asText()).isEqualTo("8.0");
    JsonNode result = before.path("results").get(0);
    assertThat(result.path("level").asText()).isEqualTo("error");
    JsonNode art = result.path("locations").get(0).path("physicalLocation");
    assertThat(art.path("artifactLocation").path("uri").asText()).isEqualTo("samples/ufw-host/rules.v4");
    assertThat(art.path("artifactLocation").path("uriBaseId").asText()).isEqualTo("SRCROOT");
    assertThat(art.path("region").path("startLine").asInt()).isEqualTo(100);

    Path moved = Fixtures.copySample("ufw-host", "moved");
    Fixtures.write(moved.resolve("rules.v4"), "# reviewed 2026-11\n# by ops\n" + Fixtures.read(moved.resolve("rules.v4")));
    JsonNode after = Fixtures.parse(Cli.run("check", moved.toString(), "--format", "sarif").out()).path("runs").get(0);
    JsonNode movedResult = after.path("results").get(0);
    assertThat(movedResult.path("locations").get(0).path("physicalLocation").path("region").path("startLine").asInt()).isEqualTo(102);
    assertThat(movedResult.path("partialFingerprints")).isEqualTo(result.path("partialFingerprints"));
  }

  /** The probe adds a DRIFT result the policy does not configure; SARIF still needs a rule for it. */
  @Test
  void resultsFromOutsideThePolicyGetARule() throws Exception {
    SourceRef at = new SourceRef("rules.v4", 12, "-A INPUT -p tcp -m tcp --dport 443 -j ACCEPT");
    Finding drift = new Finding("DRIFT", Severity.HIGH, "web1", "tcp/443 on 192.0.2.1 state",
        "tcp/443 on 192.0.2.1 (state): predicted open, observed filtered. Likely cause: a firewall outside the host.", at, List.of(at));
    RunResult run = new RunResult("portproof 1.0.0", PolicyLoader.load("web-baseline"), Instant.EPOCH, List.of(new HostResult("web1",
        List.of(Ip.parse("192.0.2.1")), "web-baseline", List.of(new CheckResult("DRIFT", "The live host behaves as predicted",
            CheckResult.Status.FAIL, "0 of 1 probed aspect(s) confirmed", List.of(drift))), List.of(), List.of())));
    String sarif = Fixtures.render(new SarifReporter(), run);
    Fixtures.assertValidSarif(sarif);
    JsonNode r = Fixtures.parse(sarif).path("runs").get(0);
    JsonNode rule = r.path("tool").path("driver").path("rules").get(r.path("results").get(0).path("ruleIndex").asInt());
    assertThat(rule.path("id").asText()).isEqualTo("DRIFT");
    assertThat(rule.path("properties").path("security-severity").asText()).isEqualTo("8.0");
    assertThat(r.path("tool").path("driver").path("semanticVersion").asText()).isEqualTo("1.0.0");
  }

  @Test
  void junitHasOneCasePerCheckAndSubjectWithWaivedOnesSkipped() throws Exception {
    Document doc = DocumentBuilderFactory.newInstance().newDocumentBuilder()
        .parse(new ByteArrayInputStream(gatedCheck("junit").out().getBytes(StandardCharsets.UTF_8)));
    Element suites = doc.getDocumentElement();
    JsonNode checks = Fixtures.parse(gatedCheck("json").out()).path("hosts").get(0).path("checks");
    int skippedChecks = 0;
    for (JsonNode c : checks) {
      skippedChecks += c.path("status").asText().equals("SKIPPED") ? 1 : 0;
    }
    assertThat(suites.getAttribute("tests")).as("a case per check, the two ssh findings apart, and the expired waiver")
        .isEqualTo(String.valueOf(checks.size() + 1 + 1));
    assertThat(suites.getAttribute("failures")).isEqualTo("1");
    assertThat(suites.getAttribute("skipped")).as("the waived finding and the checks skipped without server configs")
        .isEqualTo(String.valueOf(1 + skippedChecks));
    assertThat(suites.getAttribute("errors")).as("the expired waiver").isEqualTo("1");
    NodeList cases = doc.getElementsByTagName("testcase");
    List<String> names = new ArrayList<>();
    for (int i = 0; i < cases.getLength(); i++) {
      Element c = (Element) cases.item(i);
      String outcome = c.getElementsByTagName("failure").getLength() > 0 ? "failure"
          : c.getElementsByTagName("skipped").getLength() > 0 ? "skipped" : c.getElementsByTagName("error").getLength() > 0 ? "error" : "pass";
      names.add(c.getAttribute("name") + "=" + outcome);
    }
    assertThat(names).contains("UNEXPECTED-EXPOSURE tcp/22 on 192.0.2.20=failure", "UNEXPECTED-EXPOSURE tcp/22 on 2001:db8:20::20=skipped",
        "HTTPS-OPEN=pass");
    Element failure = (Element) doc.getElementsByTagName("failure").item(0);
    assertThat(failure.getTextContent()).contains("samples/ufw-host/rules.v4:100  -A ufw-user-input -p tcp -m tcp --dport 22 -j ACCEPT");
  }

  @Test
  void everyFormatWritesAtOnceToItsOwnFile() {
    Path out = Fixtures.dir("several");
    Cli run = Cli.run("check", "samples/v6-dropped", "--format", "sarif", "--output", out.resolve("a.sarif").toString(),
        "--format", "junit", "--output", out.resolve("b.xml").toString(), "--format", "text");
    assertThat(run.exit()).isEqualTo(1);
    assertThat(run.out()).contains("FAIL  HTTPS-OPEN");
    Fixtures.assertValidSarif(Fixtures.read(out.resolve("a.sarif")));
    assertThat(Fixtures.read(out.resolve("b.xml"))).startsWith("<?xml").contains("<testsuite name=\"v6-dropped\"");
  }

  @Test
  void inputTextIsEscapedInEveryMarkupFormat() {
    Path d = Fixtures.copySample("ufw-host", "hostile");
    Fixtures.write(d.resolve("portproof.yaml"), """
        host: "<script>alert('x')</script>|**bold**&amp;"
        addresses: [192.0.2.20, "2001:db8:20::20"]
        firewall: [rules.v4, rules.v6]
        """);
    String html = Cli.run("check", d.toString(), "--format", "html").out();
    assertThat(html).doesNotContain("<script").contains("&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt;");
    String md = Cli.run("check", d.toString(), "--format", "markdown").out();
    assertThat(md).doesNotContain("<script").contains("&lt;script&gt;").contains("\\|\\*\\*bold\\*\\*&amp;amp;");
    String xml = Cli.run("check", d.toString(), "--format", "junit").out();
    assertThat(xml).doesNotContain("<script").contains("name=\"&lt;script&gt;alert(&apos;x&apos;)&lt;/script&gt;|**bold**&amp;amp;\"");
  }
}
