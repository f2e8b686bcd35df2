package io.portproof.report;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.portproof.testing.Cli;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** The exit code as a gate: waivers, expiry, baselines, undecided verdicts, and every way their files can be wrong. */
class GateTest {
  private static Path waivers(String name, String yaml) {
    return Fixtures.write(Fixtures.dir("waivers-" + name).resolve("waivers.yaml"), yaml);
  }

  private static List<String> blocking(String json) {
    List<String> out = new ArrayList<>();
    for (JsonNode c : Fixtures.parse(json).path("hosts").get(0).path("checks")) {
      for (JsonNode f : c.path("findings")) {
        out.add(f.path("subject").asText() + (f.path("blocking").asBoolean() ? " blocks" : " passes")
            + (f.has("waiver") ? " waived" : "") + (f.has("baselineState") ? " " + f.path("baselineState").asText() : ""));
      }
    }
    return out;
  }

  @Test
  void waivedFindingsStillShowButDoNotFail() {
    Path w = waivers("all", """
        - id: UNEXPECTED-EXPOSURE
          host: ufw-host
          expires: 2099-01-01
          reason: ssh stays open for the bastion
          ticket: SEC-1
        """);
    Cli text = Cli.run("check", "samples/ufw-host", "--waivers", w.toString());
    assertThat(text.exit()).as(text.err()).isZero();
    assertThat(text.out()).contains("[high] [waived] tcp/22 on 192.0.2.20", "[high] [waived] tcp/22 on 2001:db8:20::20",
        "waived until 2099-01-01 by " + w + ":1 (SEC-1): ssh stays open for the bastion", "gate: PASS; 0 blocking, 2 waived");
    Cli json = Cli.run("check", "samples/ufw-host", "--waivers", w.toString(), "--format", "json");
    assertThat(json.exit()).isZero();
    assertThat(blocking(json.out())).containsExactly("tcp/22 on 192.0.2.20 passes waived", "tcp/22 on 2001:db8:20::20 passes waived");
  }

  @Test
  void aSubjectGlobWaivesOnlyWhatItMatches() {
    Path w = waivers("glob", """
        - {id: UNEXPECTED-EXPOSURE, host: "ufw-*", subject: "tcp/22 on 2001:*", expires: 2099-01-01, reason: v6 bastion}
        """);
    Cli json = Cli.run("check", "samples/ufw-host", "--waivers", w.toString(), "--format", "json");
    assertThat(json.exit()).isEqualTo(1);
    assertThat(blocking(json.out())).containsExactly("tcp/22 on 192.0.2.20 blocks", "tcp/22 on 2001:db8:20::20 passes waived");
  }

  @Test
  void anExpiredWaiverFailsTheRunNamingItsLine() {
    Path w = waivers("expired", """
        - id: UNEXPECTED-EXPOSURE
          host: ufw-host
          expires: 2099-01-01
          reason: ssh stays open for the bastion
        - id: UNEXPECTED-EXPOSURE
          host: ufw-host
          subject: "tcp/22 on 192.0.2.20"
          expires: 2021-06-30
          reason: old exception
        """);
    Cli run = Cli.run("check", "samples/ufw-host", "--waivers", w.toString());
    assertThat(run.exit()).isEqualTo(1);
    assertThat(run.err()).contains(w + ":5: the waiver for UNEXPECTED-EXPOSURE on ufw-host (tcp/22 on 192.0.2.20) expired on 2021-06-30");
    assertThat(run.out()).contains("expired waivers (each fails the run):", w + ":5:");
  }

  @Test
  void aWaiverThatMatchesNothingIsPointedOut() {
    Path w = waivers("unused", """
        - {id: HTTPS-OPEN, host: ufw-host, expires: 2099-01-01, reason: not needed}
        """);
    Cli run = Cli.run("check", "samples/web-good", "--waivers", w.toString());
    assertThat(run.exit()).isZero();
    assertThat(run.err()).contains("note: " + w + ":1: the waiver for HTTPS-OPEN on ufw-host matched no finding");
  }

  @ParameterizedTest(name = "{0}")
  @CsvSource(delimiter = '|', value = {
      "no expiry|- {id: HTTPS-OPEN, host: web1, reason: r}|waivers.yaml:1: a waiver needs 'expires': every waiver ends on a date",
      "typo in a key|- {id: HTTPS-OPEN, host: web1, expiers: 2099-01-01, reason: r}|waivers.yaml:1: unknown key 'expiers' (did you mean 'expires'?)",
      "not a date|- {id: HTTPS-OPEN, host: web1, expires: next week, reason: r}|waivers.yaml:1: expires: 'next week' is not a date (YYYY-MM-DD)",
      "impossible date|- {id: HTTPS-OPEN, host: web1, expires: 2099-02-30, reason: r}|is not a date",
      "wrong type|- {id: HTTPS-OPEN, host: [web1, web2], expires: 2099-01-01, reason: r}|waivers.yaml:1: expected a single value, found a list",
      "unknown check|- {id: HTTPS-OPNE, host: web1, expires: 2099-01-01, reason: r}|waivers.yaml:1: unknown check 'HTTPS-OPNE' (checks: HTTPS-OPEN",
      "a mapping, not a list|id: HTTPS-OPEN|waivers.yaml:1: a waivers file is a list of waivers",
      "empty reason|- {id: HTTPS-OPEN, host: web1, expires: 2099-01-01, reason: ''}|waivers.yaml:1: reason is empty",
      "broken YAML|- {id: HTTPS-OPEN, host: web1|waivers.yaml:2: invalid YAML"})
  void aBadWaiversFileIsAUsageErrorAtFileLine(String what, String yaml, String message) {
    Path w = waivers("bad", yaml + "\n");
    Cli run = Cli.run("check", "samples/web-good", "--waivers", w.toString());
    assertThat(run.exit()).as(run.err()).isEqualTo(2);
    assertThat(run.err()).contains(message).doesNotContain("Exception").doesNotContain("\tat ");
  }

  @Test
  void aYamlBombOrAHugeWaiversFileIsRefusedQuickly() {
    StringBuilder bomb = new StringBuilder("a: &a [x, x, x, x, x, x, x, x, x]\n");
    for (char c = 'b'; c <= 'j'; c++) {
      char p = (char) (c - 1);
      bomb.append(c).append(": &").append(c).append(" [*").append(p).append(", *").append(p).append(", *").append(p)
          .append(", *").append(p).append(", *").append(p).append(", *").append(p).append("]\n");
    }
    long start = System.nanoTime();
    Cli run = Cli.run("check", "samples/web-good", "--waivers", waivers("bomb", bomb.toString()).toString());
    assertThat(run.exit()).isEqualTo(2);
    assertThat(run.err()).contains("waivers.yaml").doesNotContain("Exception");
    Cli huge = Cli.run("check", "samples/web-good", "--waivers", waivers("huge", "# padding\n".repeat(600_000)).toString());
    assertThat(huge.exit()).isEqualTo(2);
    assertThat(huge.err()).contains("waivers.yaml: larger than");
    assertThat(System.nanoTime() - start).as("refusing takes no time").isLessThan(20_000_000_000L);
  }

  @Test
  void aBaselineFailsOnlyOnNewFindings() {
    Path d = Fixtures.dir("baseline");
    Path same = Fixtures.write(d.resolve("same.json"), Cli.run("check", "samples/ufw-host", "--format", "json").out());
    Cli run = Cli.run("check", "samples/ufw-host", "--baseline", same.toString(), "--format", "json");
    assertThat(run.exit()).as("nothing new").isZero();
    assertThat(blocking(run.out())).containsExactly("tcp/22 on 192.0.2.20 passes unchanged", "tcp/22 on 2001:db8:20::20 passes unchanged");
    Path gatedReport = Fixtures.write(d.resolve("gated.json"), run.out());
    assertThat(Cli.run("check", "samples/ufw-host", "--baseline", gatedReport.toString()).exit())
        .as("a report written with a baseline serves as the next baseline").isZero();

    Path older = Fixtures.write(d.resolve("older.json"), Cli.run("check", "samples/web-good", "--format", "json").out()
        .replace("\"web-good\"", "\"ufw-host\""));
    Cli grown = Cli.run("check", "samples/ufw-host", "--baseline", older.toString(), "--format", "json");
    assertThat(grown.exit()).isEqualTo(1);
    assertThat(blocking(grown.out())).containsExactly("tcp/22 on 192.0.2.20 blocks new", "tcp/22 on 2001:db8:20::20 blocks new");
  }

  @ParameterizedTest(name = "{0}")
  @CsvSource(delimiter = '|', value = {
      "not JSON|this is not a report|baseline.json:1: a baseline is a JSON report of an earlier run",
      "newer schema|{\"schemaVersion\": 2, \"hosts\": []}|baseline.json:1: schemaVersion 2 is not one this portproof reads (1)",
      "typo in a key|{\"schemaVersion\": 1, \"hosts\": [{\"name\": \"h\", \"checkz\": []}]}|baseline.json:1: unknown key 'checkz' (did you mean 'checks'?)",
      "wrong type|{\"schemaVersion\": 1, \"hosts\": [{\"name\": \"h\", \"checks\": [{\"id\": \"X\", \"status\": \"FAIL\", \"findings\": [{\"check\": \"X\", \"host\": {\"a\": 1}, \"subject\": \"s\"}]}]}]}|baseline.json:1: expected a single value, found a mapping",
      "missing field|{\"schemaVersion\": 1, \"hosts\": [{\"name\": \"h\"}]}|baseline.json:1: 'checks' is missing",
      "truncated|{\"schemaVersion\": 1, \"hosts\": [|baseline.json:2: invalid YAML"})
  void aBadBaselineIsAUsageErrorAtFileLine(String what, String json, String message) {
    Path b = Fixtures.write(Fixtures.dir("bad-baseline").resolve("baseline.json"), json + "\n");
    Cli run = Cli.run("check", "samples/web-good", "--baseline", b.toString());
    assertThat(run.exit()).as(run.err()).isEqualTo(2);
    assertThat(run.err()).contains(message).doesNotContain("Exception");
  }

  @Test
  void undecidedVerdictsFailWhateverTheSeverityUnlessAllowed() {
    Path d = Fixtures.copySample("web-good", "undecided");
    Fixtures.write(d.resolve("rules.v4"), Fixtures.read(d.resolve("rules.v4")).replace("-A INPUT -m limit --limit 5/min",
        "-A INPUT -p tcp -m tcp --dport 8443 -m string --string \"GET /admin\" --algo bm -j ACCEPT\n-A INPUT -m limit --limit 5/min"));
    Cli strict = Cli.run("check", d.toString(), "--fail-on", "critical");
    assertThat(strict.exit()).as(strict.out()).isEqualTo(1);
    assertThat(strict.out()).contains("FAIL  INCONCLUSIVE", "tcp/8443 on 198.51.100.10");
    assertThat(Cli.run("check", d.toString(), "--fail-on", "critical", "--allow-inconclusive").exit()).isZero();
    Path w = waivers("undecided", """
        - {id: INCONCLUSIVE, host: web-good, subject: "tcp/8443 *", expires: 2099-01-01, reason: "admin port, matched by payload"}
        """);
    assertThat(Cli.run("check", d.toString(), "--fail-on", "critical", "--waivers", w.toString()).exit()).isZero();
  }

  @Test
  void aCheckLeftInconclusiveFailsEvenWithoutTheInconclusiveCheck() {
    Path d = Fixtures.copySample("web-good", "undecided-443");
    Fixtures.write(d.resolve("rules.v4"), Fixtures.read(d.resolve("rules.v4")).replace("-A INPUT -p tcp -m multiport --dports 80,443",
        "-A INPUT -p tcp -m tcp --dport 443 -m string --string \"X-Scanner\" --algo bm -j DROP\n-A INPUT -p tcp -m multiport --dports 80,443"));
    Fixtures.write(d.resolve("policy.yaml"), Fixtures.read(d.resolve("policy.yaml")) + "  INCONCLUSIVE:\n    enabled: false\n");
    Cli strict = Cli.run("check", d.toString(), "--fail-on", "critical", "--format", "sarif");
    assertThat(strict.exit()).as(strict.err()).isEqualTo(1);
    Fixtures.assertValidSarif(strict.out());
    JsonNode undecided = Fixtures.parse(strict.out()).path("runs").get(0).path("results").get(0);
    assertThat(undecided.path("ruleId").asText()).isEqualTo("HTTPS-OPEN");
    assertThat(undecided.path("message").path("text").asText()).contains("could not be decided");
    assertThat(undecided.path("locations").get(0).path("physicalLocation").path("artifactLocation").path("uri").asText())
        .as("anchored at the policy line configuring the check").isEqualTo("rules/web-baseline.yaml");
    assertThat(Cli.run("check", d.toString(), "--fail-on", "critical", "--allow-inconclusive").exit()).isZero();
    Path w = waivers("undecided-443", """
        - {id: HTTPS-OPEN, host: web-good, expires: 2099-01-01, reason: scanner filter}
        - {id: IPV6-PARITY, host: web-good, expires: 2099-01-01, reason: scanner filter is IPv4 only}
        """);
    Cli waived = Cli.run("check", d.toString(), "--fail-on", "critical", "--waivers", w.toString());
    assertThat(waived.exit()).as(waived.out()).isZero();
  }

  @Test
  void failOnStillSetsTheSeverityThatCounts() {
    assertThat(Cli.run("check", "samples/ufw-host", "--fail-on", "critical").exit()).isZero();
    assertThat(Cli.run("check", "samples/ufw-host", "--fail-on", "high").exit()).isEqualTo(1);
  }
}
