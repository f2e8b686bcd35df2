package io.portproof.probetruth;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.fail;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.google.common.net.InetAddresses;
import io.portproof.analysis.web.WebPredictor;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.stream.StreamSupport;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * Issue 4's truth test: in network namespaces, with the real kernel running real rules and a real
 * nginx serving, {@code portproof check --probe} confirms every endpoint of a good sample and reports
 * the expected DRIFT when what runs is not what portproof was given.
 *
 * <p>portproof always reads the nginx-certbot sample as given (its rules.v4, rules.v6 and nginx
 * config, copied beside a portproof.yaml naming the namespace's addresses); each case varies only
 * what the kernel or nginx actually runs.
 */
@Tag("kernel")
class LiveDriftTruthTest {
  private static final Path SAMPLE = Path.of("samples/nginx-certbot");
  private static final ObjectMapper JSON = new ObjectMapper();
  /** The sample's lines behind "443 is allowed": the multiport ACCEPT of each family. */
  private static final String V4_ACCEPT = "rules.v4:12";
  private static final String V6_ACCEPT = "rules.v6:16";
  /** The paths check --probe asks for on each web port (WebPredictor.PROBE_PATHS). */
  private static final int PROBE_PATHS = WebPredictor.PROBE_PATHS.size();

  @BeforeAll
  static void needsRootAndTools() {
    WebLab.missingPrerequisites().ifPresent(message -> {
      if ("true".equalsIgnoreCase(System.getenv("CI"))) {
        fail("CI=true but " + message);
      }
      Assumptions.abort(message);
    });
  }

  @Test
  void goodSampleIsConfirmedOnEveryProbedEndpoint() {
    try (WebLab lab = new WebLab()) {
      Path given = given(lab);
      lab.loadRules(given.resolve("rules.v4"), given.resolve("rules.v6"));
      lab.startNginx(given.resolve("nginx/nginx.conf"), Set.of(80, 443));

      JsonNode host = checkWithProbe(lab, given, 0);

      JsonNode drift = drift(host);
      assertThat(drift.path("status").asText()).as(drift.toPrettyString()).isEqualTo("PASS");
      // Per address: tcp/22 (the export opens ssh to the admin VPN only, so from the prober's address
      // its DROP is confirmed as filtered); tcp/80 and its three probe paths' 301s; tcp/443, the
      // answer and HSTS on "/", and the TLS versions accepted.
      assertThat(drift.path("summary").asText()).isEqualTo("18 of 18 probed aspect(s) confirmed");
      assertThat(drift.path("findings")).isEmpty();
    }
  }

  @Test
  void kernelRunningAnotherRulesetIsDriftOn443() {
    try (WebLab lab = new WebLab()) {
      Path given = given(lab);
      lab.loadRules(resource(lab, "running-no443.v4"), resource(lab, "running-443-rejected.v6"));
      lab.startNginx(given.resolve("nginx/nginx.conf"), Set.of(80, 443));

      JsonNode host = checkWithProbe(lab, given, 1);

      JsonNode drift = drift(host);
      assertThat(drift.path("status").asText()).as(drift.toPrettyString()).isEqualTo("FAIL");
      // Per address: tcp/22 (filtered, as predicted), tcp/80 and its three probe paths confirmed;
      // 443 drifted, so nothing of HTTPS is compared.
      assertThat(drift.path("summary").asText()).isEqualTo("10 of 12 probed aspect(s) confirmed");
      List<JsonNode> findings = list(drift.path("findings"));
      // Compared as addresses: the findings spell IPv6 uncompressed (2001:db8:0:0:0:0:0:1), the rest
      // of the report as RFC 5952 (2001:db8::1).
      assertThat(findings).extracting(f -> f.path("subject").asText().replaceFirst(" on .*", ""))
          .containsOnly("tcp/443");
      assertThat(findings).extracting(LiveDriftTruthTest::subjectAddress).containsExactlyInAnyOrder(
          InetAddresses.forString(WebLab.SERVER_V4), InetAddresses.forString(WebLab.SERVER_V6));

      JsonNode v4 = finding(findings, WebLab.SERVER_V4);
      assertThat(v4.path("message").asText())
          .contains("predicted open (ACCEPT at ")
          .contains(V4_ACCEPT)
          .contains("observed filtered")
          .contains("predicted allowed (")
          .contains("or the running ruleset is not the export given");
      assertThat(v4.path("location").path("line").asInt()).isEqualTo(12);
      assertThat(v4.path("severity").asText()).isEqualTo("high");

      // The kernel answered with an ICMPv6 administratively-prohibited: an unreachable, not a timeout.
      JsonNode v6 = finding(findings, WebLab.SERVER_V6);
      assertThat(v6.path("message").asText())
          .contains(V6_ACCEPT)
          .contains("observed unreachable")
          .contains("observed an ICMP unreachable");
      assertThat(v6.path("location").path("line").asInt()).isEqualTo(16);
    }
  }

  /**
   * nginx serves 200 on port 80 where the given config redirects: every probe path on port 80 of
   * both addresses is an http drift naming the config's return line; TCP and HTTPS are confirmed.
   */
  @Test
  void nginxServing200InsteadOfTheRedirectIsHttpDrift() {
    try (WebLab lab = new WebLab()) {
      Path given = given(lab);
      lab.loadRules(given.resolve("rules.v4"), given.resolve("rules.v6"));
      lab.startNginx(runningConfig(given, "nginx-200-on-80.conf"), Set.of(80, 443));

      JsonNode host = checkWithProbe(lab, given, 1);

      assertThat(predictedStatuses(host, 80)).as("the static prediction reads the given config").containsOnly(301);
      assertThat(lab.accessLog()).as("nginx really served the prober 200 on port 80")
          .contains("\"GET / HTTP/1.1\" 200 ").doesNotContain("\" 301 ");
      JsonNode drift = drift(host);
      assertThat(drift.path("status").asText()).as(drift.toPrettyString()).isEqualTo("FAIL");
      List<JsonNode> findings = list(drift.path("findings"));
      // Everything else (tcp, the HTTPS answer, HSTS, TLS versions) is confirmed: 18 - 6.
      assertThat(drift.path("summary").asText()).isEqualTo("12 of 18 probed aspect(s) confirmed");
      assertThat(findings).hasSize(2 * PROBE_PATHS);
      assertThat(findings).allSatisfy(f -> {
        assertThat(f.path("subject").asText()).startsWith("tcp/80 on ").contains(" http /");
        assertThat(f.path("message").asText()).contains("predicted 301 https://example.com/", "observed 200.",
            "the running server does not use the configuration given");
        assertThat(f.path("location").path("file").asText()).endsWith("nginx.conf");
        assertThat(f.path("location").path("text").asText()).isEqualTo("return 301 https://$host$request_uri;");
      });
      assertThat(findings).extracting(LiveDriftTruthTest::subjectAddress).containsOnly(
          InetAddresses.forString(WebLab.SERVER_V4), InetAddresses.forString(WebLab.SERVER_V6));
    }
  }

  /**
   * nginx never listens on 443 while the given config binds it: the refusal is drift, not the
   * "open or refused" a firewall alone would allow, and HTTPS is not compared further.
   */
  @Test
  void nginxNotListeningOn443IsDrift() {
    try (WebLab lab = new WebLab()) {
      Path given = given(lab);
      lab.loadRules(given.resolve("rules.v4"), given.resolve("rules.v6"));
      lab.startNginx(runningConfig(given, "nginx-no-443.conf"), Set.of(80));

      JsonNode host = checkWithProbe(lab, given, 1);

      assertThat(predictions(host, 443)).as("the endpoint prediction from the given config").containsOnly("open");
      JsonNode drift = drift(host);
      assertThat(drift.path("status").asText()).as(drift.toPrettyString()).isEqualTo("FAIL");
      List<JsonNode> findings = list(drift.path("findings"));
      assertThat(findings).extracting(f -> f.path("subject").asText().replaceFirst(" on \\S+", ""))
          .containsExactly("tcp/443 tcp", "tcp/443 tcp");
      assertThat(findings).extracting(LiveDriftTruthTest::subjectAddress).containsExactlyInAnyOrder(
          InetAddresses.forString(WebLab.SERVER_V4), InetAddresses.forString(WebLab.SERVER_V6));
      assertThat(findings).allSatisfy(f -> assertThat(f.path("message").asText())
          .contains("predicted open (ACCEPT at ", "observed refused", "but nothing listens"));
    }
  }

  /** Copies the sample as portproof reads it, with a portproof.yaml naming the lab's addresses. */
  private static Path given(WebLab lab) {
    Path given = lab.dir().resolve("given");
    try {
      for (String file : List.of("rules.v4", "rules.v6", "policy.yaml", "nginx/nginx.conf",
          "nginx/mime.types", "certs/example-rsa.crt", "certs/example-rsa.key")) {
        Path to = given.resolve(file);
        Files.createDirectories(to.getParent());
        Files.copy(SAMPLE.resolve(file), to);
      }
      Files.writeString(given.resolve("portproof.yaml"), String.join("\n",
          "# The nginx-certbot sample, on the addresses of the test's server namespace.",
          "host: srv",
          "hostname: example.com",
          "addresses: [" + WebLab.SERVER_V4 + ", \"" + WebLab.SERVER_V6 + "\"]",
          "interface: " + WebLab.SERVER_IF,
          "policy: policy.yaml",
          "firewall:",
          "  - rules.v4",
          "  - rules.v6",
          "servers:",
          "  - nginx/nginx.conf",
          ""));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return given;
  }

  /** A config nginx runs instead of the given one; it sits beside it so includes and certs resolve alike. */
  private static Path runningConfig(Path given, String name) {
    Path to = given.resolve("nginx/running-" + name);
    copyResource(name, to);
    return to;
  }

  private static Path resource(WebLab lab, String name) {
    Path to = lab.dir().resolve("running").resolve(name);
    copyResource(name, to);
    return to;
  }

  private static void copyResource(String name, Path to) {
    try (InputStream in = LiveDriftTruthTest.class.getResourceAsStream("/probetruth/" + name)) {
      assertThat(in).as("test resource probetruth/" + name).isNotNull();
      Files.createDirectories(to.getParent());
      Files.copy(in, to);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /**
   * Runs {@code check --probe --format json} from the client namespace and returns the one host.
   * The connect timeout is 2.5 s: the first ICMP answer to a SYN on a zero-latency veth is dropped
   * while connect() holds the socket, and the retransmission's answer is the one that counts.
   */
  private static JsonNode checkWithProbe(WebLab lab, Path given, int expectedExit) {
    WebLab.CheckRun run = lab.check(given.resolve("portproof.yaml").toString(), "--probe",
        "--format", "json", "--connect-timeout", "2.5", "--timeout", "5");
    assertThat(run.exitCode()).as("exit code; stderr:%n%s%nstdout:%n%s", run.stderr(), run.stdout())
        .isEqualTo(expectedExit);
    try {
      JsonNode hosts = JSON.readTree(run.stdout()).path("hosts");
      assertThat(hosts).hasSize(1);
      return hosts.get(0);
    } catch (IOException e) {
      throw new AssertionError("not JSON: " + run.stdout() + "\n" + run.stderr(), e);
    }
  }

  private static JsonNode drift(JsonNode host) {
    return list(host.path("checks")).stream().filter(c -> c.path("id").asText().equals("DRIFT"))
        .findFirst().orElseThrow(() -> new AssertionError("no DRIFT check in " + host.toPrettyString()));
  }

  /** The address of a DRIFT finding's subject, "tcp/PORT on ADDRESS ASPECT". */
  private static InetAddress subjectAddress(JsonNode finding) {
    return InetAddresses.forString(finding.path("subject").asText().split(" ")[2]);
  }

  private static JsonNode finding(List<JsonNode> findings, String address) {
    return findings.stream().filter(f -> subjectAddress(f).equals(InetAddresses.forString(address)))
        .findFirst().orElseThrow(() -> new AssertionError("no finding for " + address + " in " + findings));
  }

  private static List<String> predictions(JsonNode host, int port) {
    return endpoints(host, port).stream().map(e -> e.path("prediction").asText()).toList();
  }

  private static List<Integer> predictedStatuses(JsonNode host, int port) {
    List<Integer> statuses = new ArrayList<>();
    for (JsonNode e : endpoints(host, port)) {
      list(e.path("responses")).forEach(r -> statuses.add(r.path("status").asInt()));
    }
    assertThat(statuses).as("predicted responses on port " + port).isNotEmpty();
    return statuses;
  }

  private static List<JsonNode> endpoints(JsonNode host, int port) {
    List<JsonNode> found = list(host.path("endpoints")).stream()
        .filter(e -> e.path("port").asInt() == port && e.path("transport").asText().equals("tcp")).toList();
    assertThat(found).as("endpoints on tcp/" + port).hasSize(2);
    return found;
  }

  private static List<JsonNode> list(JsonNode array) {
    return StreamSupport.stream(array.spliterator(), false).toList();
  }
}
