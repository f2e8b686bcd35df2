package io.portproof.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.portproof.testing.Cli;
import io.portproof.testing.Golden;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** Every bundled sample gives the result its README promises. */
class SamplesTest {
  @ParameterizedTest(name = "{0}")
  @CsvSource(delimiter = '|', value = {
      "web-good|0|HTTPS-OPEN=PASS HTTP-OPEN=PASS IPV6-PARITY=PASS IPV6-NEIGHBOUR-DISCOVERY=PASS UNEXPECTED-EXPOSURE=PASS HTTP-REDIRECTS-TO-HTTPS=SKIPPED HTTPS-LISTENER=SKIPPED HSTS=SKIPPED TLS-PROTOCOLS=SKIPPED TLS-CIPHERS=SKIPPED CERTIFICATE=SKIPPED RUNNING-CONFIG=SKIPPED INCONCLUSIVE=PASS",
      "ufw-host|1|HTTPS-OPEN=PASS HTTP-OPEN=PASS IPV6-PARITY=PASS IPV6-NEIGHBOUR-DISCOVERY=PASS UNEXPECTED-EXPOSURE=FAIL HTTP-REDIRECTS-TO-HTTPS=SKIPPED HTTPS-LISTENER=SKIPPED HSTS=SKIPPED TLS-PROTOCOLS=SKIPPED TLS-CIPHERS=SKIPPED CERTIFICATE=SKIPPED RUNNING-CONFIG=SKIPPED INCONCLUSIVE=PASS",
      "v6-dropped|1|HTTPS-OPEN=FAIL HTTP-OPEN=PASS IPV6-PARITY=FAIL IPV6-NEIGHBOUR-DISCOVERY=PASS UNEXPECTED-EXPOSURE=FAIL HTTP-REDIRECTS-TO-HTTPS=SKIPPED HTTPS-LISTENER=SKIPPED HSTS=SKIPPED TLS-PROTOCOLS=SKIPPED TLS-CIPHERS=SKIPPED CERTIFICATE=SKIPPED RUNNING-CONFIG=SKIPPED INCONCLUSIVE=PASS",
      "nat-redirect|0|HTTPS-OPEN=PASS HTTP-OPEN=PASS IPV6-PARITY=PASS IPV6-NEIGHBOUR-DISCOVERY=PASS UNEXPECTED-EXPOSURE=PASS HTTP-REDIRECTS-TO-HTTPS=SKIPPED HTTPS-LISTENER=SKIPPED HSTS=SKIPPED TLS-PROTOCOLS=SKIPPED TLS-CIPHERS=SKIPPED CERTIFICATE=SKIPPED RUNNING-CONFIG=SKIPPED INCONCLUSIVE=PASS"})
  void sampleGivesItsExpectedResult(String sample, int exit, String expected) throws Exception {
    assertStatuses(sample, exit, expected, /* exact= */ true);
  }

  /** Server-config and layered samples: the checks that matter for each, and the exit code. */
  @ParameterizedTest(name = "{0}")
  @CsvSource(delimiter = '|', value = {
      "nginx-certbot|0|HTTP-REDIRECTS-TO-HTTPS=PASS HTTPS-LISTENER=PASS HSTS=PASS TLS-PROTOCOLS=PASS TLS-CIPHERS=PASS CERTIFICATE=PASS RUNNING-CONFIG=SKIPPED",
      "apache-certbot|0|HTTP-REDIRECTS-TO-HTTPS=PASS HTTPS-LISTENER=PASS HSTS=PASS TLS-PROTOCOLS=PASS CERTIFICATE=PASS",
      "nginx-hand-written|1|HTTP-REDIRECTS-TO-HTTPS=FAIL HSTS=FAIL TLS-PROTOCOLS=FAIL CERTIFICATE=PASS",
      "nginx-hsts-lost|1|HTTP-REDIRECTS-TO-HTTPS=PASS HSTS=FAIL CERTIFICATE=PASS",
      "nginx-tls10|1|HTTP-REDIRECTS-TO-HTTPS=PASS TLS-PROTOCOLS=FAIL",
      "nginx-redirect-other-host|1|HTTP-REDIRECTS-TO-HTTPS=FAIL HSTS=FAIL",
      "nginx-loopback-443|1|HTTPS-LISTENER=FAIL",
      "haproxy-edge|1|HTTP-REDIRECTS-TO-HTTPS=FAIL TLS-PROTOCOLS=PASS CERTIFICATE=PASS",
      // Layers in front of the host: a NACL that blocks 443 although the security group opens it.
      "aws-nacl-blocks|1|HTTPS-OPEN=FAIL HTTP-OPEN=PASS IPV6-PARITY=FAIL INCONCLUSIVE=PASS",
      // firewalld's stock public zone: ssh, dhcpv6-client and cockpit, no http or https.
      "firewalld-public|1|HTTPS-OPEN=FAIL HTTP-OPEN=FAIL UNEXPECTED-EXPOSURE=FAIL INCONCLUSIVE=PASS",
      // iptables-nft, iptables-legacy and native nft at once: every table from the export that shows it, none UNKNOWN.
      "mixed-backends|1|HTTPS-OPEN=FAIL HTTP-OPEN=PASS IPV6-PARITY=PASS UNEXPECTED-EXPOSURE=FAIL INCONCLUSIVE=PASS"})
  void serverSampleGivesItsExpectedResult(String sample, int exit, String expected) throws Exception {
    assertStatuses(sample, exit, expected, /* exact= */ false);
  }

  /** Samples whose verdict crosses filter FORWARD: a port published to a container. */
  @ParameterizedTest(name = "{0}")
  @CsvSource(delimiter = '|', value = {
      "docker-ufw|1|HTTPS-OPEN=PASS IPV6-PARITY=PASS IPV6-NEIGHBOUR-DISCOVERY=PASS UNEXPECTED-EXPOSURE=FAIL INCONCLUSIVE=PASS"})
  void forwardingSampleGivesItsExpectedResult(String sample, int exit, String expected) throws Exception {
    assertStatuses(sample, exit, expected, /* exact= */ false);
  }

  private static void assertStatuses(String sample, int exit, String expected, boolean exact) throws Exception {
    Cli json = Cli.run("check", "samples/" + sample, "--format", "json");
    assertThat(json.exit()).as(json.err()).isEqualTo(exit);
    JsonNode root = new ObjectMapper().readTree(json.out());
    Map<String, String> statuses = new LinkedHashMap<>();
    for (JsonNode c : root.path("hosts").get(0).path("checks")) {
      statuses.put(c.path("id").asText(), c.path("status").asText());
    }
    StringBuilder got = new StringBuilder();
    statuses.forEach((k, v) -> got.append(got.length() == 0 ? "" : " ").append(k).append('=').append(v));
    if (exact) {
      assertThat(got.toString()).isEqualTo(expected);
    } else {
      for (String kv : expected.split(" ")) {
        String[] p = kv.split("=");
        assertThat(statuses.get(p[0])).as("%s of %s (all: %s)", p[0], sample, got).isEqualTo(p[1]);
      }
    }

    Cli text = Cli.run("check", "samples/" + sample);
    assertThat(text.exit()).isEqualTo(exit);
    Golden.assertMatches("check/" + sample + ".txt", text.out());
    Golden.assertMatches("check/" + sample + ".json", json.out().replaceAll("\"time\" : \"[^\"]+\"", "\"time\" : \"(time)\"")
        .replaceAll("\"tool\" : \"[^\"]+\"", "\"tool\" : \"(tool)\""));
  }
}
