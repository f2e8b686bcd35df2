package io.portproof.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.portproof.testing.Cli;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Ports published to a container: the connection is DNATted in nat PREROUTING and accepted in filter FORWARD,
 * never in INPUT, so an INPUT-only firewall (ufw) does not see it. {@code check} must report it, naming the
 * DNAT and the FORWARD accept; samples/docker-ufw is the real-world case.
 */
class PublishedPortTest {
  private static final ObjectMapper JSON = new ObjectMapper();

  /** Docker's path without its interface matches: DNAT 8080 to the container, FORWARD accepts it. */
  private static final String PUBLISHED = """
      *filter
      :INPUT DROP [0:0]
      :FORWARD DROP [0:0]
      :OUTPUT ACCEPT [0:0]
      -A INPUT -m conntrack --ctstate RELATED,ESTABLISHED -j ACCEPT
      -A INPUT -p tcp -m tcp --dport 443 -j ACCEPT
      -A FORWARD -m conntrack --ctstate RELATED,ESTABLISHED -j ACCEPT
      -A FORWARD -d 172.17.0.2/32 -p tcp -m tcp --dport 80 -j ACCEPT
      COMMIT
      *nat
      :PREROUTING ACCEPT [0:0]
      :INPUT ACCEPT [0:0]
      :OUTPUT ACCEPT [0:0]
      :POSTROUTING ACCEPT [0:0]
      -A PREROUTING -p tcp -m tcp --dport 8080 -j DNAT --to-destination 172.17.0.2:80
      COMMIT
      """;

  @Test
  void aForwardedDnatIsReportedWithItsTargetAndTheDnat(@TempDir Path dir) throws IOException {
    List<String> findings = exposureFindings(host(dir, /* forwarding= */ true));
    assertThat(findings).hasSize(1);
    assertThat(findings.get(0)).startsWith("tcp/8080 on 198.51.100.60 is open to 0.0.0.0/0 except 0.0.0.0/8, 127.0.0.0/8, "
        + "224.0.0.0/4, 255.255.255.255/32: it reaches 172.17.0.2:80 through FORWARD (DNAT at " + dir.resolve("rules.v4")
        + ":15), accepted at ");
  }

  @Test
  void aForwardedDnatIsReportedWithTheForwardAccept(@TempDir Path dir) throws IOException {
    List<String> findings = exposureFindings(host(dir, /* forwarding= */ true));
    assertThat(findings).containsExactly("tcp/8080 on 198.51.100.60 is open to 0.0.0.0/0 except 0.0.0.0/8, 127.0.0.0/8, "
        + "224.0.0.0/4, 255.255.255.255/32: it reaches 172.17.0.2:80 through FORWARD (DNAT at " + dir.resolve("rules.v4")
        + ":15), accepted at " + dir.resolve("rules.v4") + ":8, which the policy does not allow.");
  }

  @Test
  void withoutForwardingTheKernelDropsTheDnatAndNothingIsExposed(@TempDir Path dir) throws IOException {
    assertThat(exposureFindings(host(dir, /* forwarding= */ false))).isEmpty();
  }

  @Test
  void dockerUserDropsEveryoneButTheOffice() throws IOException {
    Cli run = Cli.run("exposure", "-f", "samples/docker-ufw/docker-user.v4", "--forwarding", "--route", "docker0=172.17.0.0/16", "--address", "198.51.100.50",
        "--dst", "198.51.100.50", "--ports", "8080", "--in-iface", "eth0", "--format", "json");
    assertThat(run.exit()).as(run.err()).isZero();
    JsonNode drop = piece(JSON.readTree(run.out()), "DROP", "0.0.0.0-203.0.112.255", "203.0.114.0-255.255.255.255");
    assertThat(drop.path("decidedBy").path("line").asInt()).isEqualTo(72);
  }

  @Test
  void dockerUfwSampleReportsThePublishedPort() throws IOException {
    Cli run = Cli.run("check", "samples/docker-ufw", "--format", "json");
    assertThat(run.exit()).as(run.err()).isEqualTo(1);
    List<String> findings = findings(JSON.readTree(run.out()));
    assertThat(findings).containsExactly("tcp/8080 on 198.51.100.50 is open to 0.0.0.0/0 except 0.0.0.0/8, 127.0.0.0/8, "
        + "203.0.113.0/24, 224.0.0.0/4, 255.255.255.255/32: it reaches 172.17.0.2:80 through FORWARD (DNAT at "
        + "samples/docker-ufw/rules.v4:135), accepted at samples/docker-ufw/rules.v4:66, which the policy does not allow.");
  }

  @Test
  void dockerUserFixLeavesThePublishedPortToTheOffice() throws IOException {
    Cli check = Cli.run("check", "samples/docker-ufw/docker-user.yaml", "--format", "json");
    assertThat(check.exit()).as(check.err()).isZero();
    Cli run = Cli.run("exposure", "-f", "samples/docker-ufw/docker-user.v4", "--forwarding", "--route", "docker0=172.17.0.0/16", "--address", "198.51.100.50",
        "--dst", "198.51.100.50", "--ports", "8080", "--in-iface", "eth0", "--format", "json");
    JsonNode accept = piece(JSON.readTree(run.out()), "ACCEPT", "203.0.113.0-203.0.113.255");
    assertThat(accept.path("decidedBy").path("line").asInt()).isEqualTo(66);
  }

  private static Path host(Path dir, boolean forwarding) throws IOException {
    Files.writeString(dir.resolve("rules.v4"), PUBLISHED);
    Files.writeString(dir.resolve("portproof.yaml"), "host: published\naddresses: [198.51.100.60]\ninterface: eth0\n"
        + "forwarding: " + forwarding + "\nroutes: {docker0: [172.17.0.0/16]}\nfirewall: [rules.v4]\n");
    return dir;
  }

  private static List<String> exposureFindings(Path inventory) throws IOException {
    Cli run = Cli.run("check", inventory.toString(), "--format", "json");
    assertThat(run.exit()).as(run.err()).isIn(0, 1);
    return findings(JSON.readTree(run.out()));
  }

  private static List<String> findings(JsonNode report) {
    List<String> out = new ArrayList<>();
    for (JsonNode check : report.path("hosts").get(0).path("checks")) {
      if (check.path("id").asText().equals("UNEXPECTED-EXPOSURE")) {
        check.path("findings").forEach(f -> out.add(f.path("message").asText()));
      }
    }
    return out;
  }

  /** The exposure piece with this verdict for exactly these source ranges, as {@code exposure --format json} prints it. */
  private static JsonNode piece(JsonNode exposure, String verdict, String... ranges) {
    List<String> wanted = List.of(ranges);
    for (JsonNode block : exposure.path("blocks")) {
      for (JsonNode p : block.path("pieces")) {
        List<String> have = new ArrayList<>();
        p.path("ranges").forEach(r -> have.add(r.asText()));
        if (p.path("verdict").asText().equals(verdict) && have.equals(wanted)) {
          return p;
        }
      }
    }
    throw new AssertionError("no " + verdict + " piece for " + wanted + " in " + exposure);
  }
}
