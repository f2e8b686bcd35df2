package io.portproof.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.portproof.testing.Cli;
import io.portproof.testing.Golden;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** explain and exposure as a user calls them. */
class QuestionsTest {
  @Test
  void explainTracesThePacket() {
    Cli c = Cli.run("explain", "-f", "samples/nat-redirect/rules.v4", "--src", "203.0.113.50", "--dst", "198.51.100.40",
        "--dport", "443", "--in-iface", "eth0");
    assertThat(c.exit()).isZero();
    Golden.assertMatches("explain/nat-redirect-443.txt", c.out());
  }

  @Test
  void explainPacketsWritesOneJsonObjectPerLineInOrder(@TempDir Path dir) throws Exception {
    Path p = dir.resolve("packets.txt");
    Files.writeString(p, "# the sample's admin range, the world, IPv6\n"
        + "203.0.113.9 198.51.100.10 tcp 22\n"
        + "192.0.2.1 198.51.100.10 tcp 22   # not an admin\n"
        + "192.0.2.1 198.51.100.10 tcp 443 eth0\n"
        + "2001:db8:ad::1 2001:db8::10 tcp 22\n"
        + "2001:db8:99::1 2001:db8::10 udp 53\n");
    Cli c = Cli.run("explain", "-f", "samples/web-good/rules.v4", "-f", "samples/web-good/rules.v6", "--packets", p.toString(), "--format", "json");
    assertThat(c.exit()).as(c.err()).isZero();
    String[] lines = c.out().strip().split("\n");
    assertThat(lines).hasSize(5);
    ObjectMapper m = new ObjectMapper();
    String[][] expect = {{"203.0.113.9", "22", "ACCEPT", "open"}, {"192.0.2.1", "22", "DROP", "filtered"},
        {"192.0.2.1", "443", "ACCEPT", "open"}, {"2001:db8:ad::1", "22", "ACCEPT", "open"}, {"2001:db8:99::1", "53", "DROP", "filtered"}};
    for (int i = 0; i < lines.length; i++) {
      JsonNode n = m.readTree(lines[i]);
      assertThat(n.path("src").asText()).isEqualTo(expect[i][0]);
      assertThat(n.path("dport").asText()).isEqualTo(expect[i][1]);
      assertThat(n.path("verdict").asText()).isEqualTo(expect[i][2]);
      assertThat(n.path("expected").asText()).isEqualTo(expect[i][3]);
      assertThat(n.path("decidedBy").path("file").asText()).startsWith("samples/web-good/rules.v");
      assertThat(n.has("trace")).isTrue();
      assertThat(n.has("rewrittenTo")).isTrue();
    }
  }

  @Test
  void exposureListsSourceSetsPerPortRange() {
    Cli c = Cli.run("exposure", "-f", "samples/web-good/rules.v4", "--dst", "198.51.100.10");
    assertThat(c.exit()).isZero();
    Golden.assertMatches("exposure/web-good-v4.txt", c.out());
    Cli j = Cli.run("exposure", "-f", "samples/web-good/rules.v6", "--dst", "2001:db8::10", "--ports", "1-1024", "--format", "json");
    assertThat(j.exit()).isZero();
    Golden.assertMatches("exposure/web-good-v6.json", j.out());
  }

  @Test
  void helpTeaches() {
    Cli c = Cli.run("--help");
    assertThat(c.exit()).isZero();
    assertThat(c.out()).contains("check", "explain", "exposure", "Exit codes");
    assertThat(Cli.run("explain", "--help").out()).contains("--packets", "Example");
  }
}
