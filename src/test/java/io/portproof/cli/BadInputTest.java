package io.portproof.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.portproof.testing.Cli;
import java.io.RandomAccessFile;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** Bad input is exit 2 with a message naming file:line — never a stack trace, never a hang. */
class BadInputTest {
  private static final String BAD = "src/test/resources/iptables/bad/";

  private static Cli explain(String file) {
    return Cli.run("explain", "-f", file, "--src", "203.0.113.1", "--dst", "198.51.100.10", "--dport", "22");
  }

  private static void assertClean(Cli c) {
    assertThat(c.exit()).as("exit code; stderr: %s", c.err()).isEqualTo(2);
    assertThat(c.err()).doesNotContain("Exception").doesNotContain("\tat ");
  }

  @ParameterizedTest
  @CsvSource(delimiter = '|', value = {
      "no-commit.v4|no-commit.v4:1: invalid: table filter has no COMMIT",
      "truncated.v4|truncated.v4:3: invalid: jump to chain ACC, which does not exist",
      "unknown-table.v4|unknown-table.v4:1: invalid: unknown table bogus",
      "undefined-chain.v4|undefined-chain.v4:3: invalid: jump to chain nowhere, which does not exist",
      "loop.v4|loop.v4:7: invalid: loop between chains: a -> b -> a",
      "bad-values.v4|bad-values.v4:3: invalid: bad port specification 99999"})
  void invalidExportsNameTheLine(String file, String expected) {
    Cli c = explain(BAD + file);
    assertClean(c);
    assertThat(c.err()).contains(expected);
  }

  @Test
  void aBadAddressIsNamedToo() {
    assertThat(explain(BAD + "bad-values.v4").err()).contains("bad-values.v4:4: invalid: '300.1.2.3' is not an IPv4 address");
  }

  @Test
  void binaryGarbageIsRefused() {
    Cli c = explain(BAD + "garbage.bin");
    assertClean(c);
    assertThat(c.err()).contains("garbage.bin: binary data");
  }

  @Test
  void aMissingFileIsNamed() {
    Cli c = explain(BAD + "does-not-exist.v4");
    assertClean(c);
    assertThat(c.err()).contains("does-not-exist.v4: no such file");
  }

  @Test
  void anUnreadableFileIsNamed(@TempDir Path dir) throws Exception {
    Path f = dir.resolve("secret.v4");
    Files.writeString(f, "*filter\nCOMMIT\n");
    Files.setPosixFilePermissions(f, PosixFilePermissions.fromString("---------"));
    Cli c = explain(f.toString());
    if (Files.isReadable(f)) {
      // root reads anything: then the file is simply valid.
      assertThat(c.exit()).isZero();
    } else {
      assertClean(c);
      assertThat(c.err()).contains("permission denied");
    }
  }

  @Test
  void aFileOfSeveralGigabytesIsRefusedWithoutReadingIt(@TempDir Path dir) throws Exception {
    Path f = dir.resolve("huge.v4");
    try (RandomAccessFile raf = new RandomAccessFile(f.toFile(), "rw")) {
      raf.setLength(5L * 1024 * 1024 * 1024); // sparse: costs no disk
    }
    Cli c = explain(f.toString());
    assertClean(c);
    assertThat(c.err()).contains("is larger than");
  }

  @Test
  void aDirectoryIsNotAFile() {
    Cli c = explain("samples");
    assertClean(c);
    assertThat(c.err()).contains("is a directory");
  }

  @Test
  void badUsageIsExitTwoWithHelpfulText() {
    Cli c = Cli.run("explain", "-f", "samples/web-good/rules.v4", "--src", "nonsense", "--dst", "198.51.100.10", "--dport", "22");
    assertClean(c);
    assertThat(c.err()).contains("'nonsense' is not an IPv4 or IPv6 address");
    assertClean(Cli.run("exposure", "--dst", "198.51.100.10"));
    assertClean(Cli.run("frobnicate"));
  }

  @Test
  void packetFileErrorsNameTheLine(@TempDir Path dir) throws Exception {
    Path p = dir.resolve("packets.txt");
    Files.writeString(p, "# src dst proto port\n203.0.113.1 198.51.100.10 tcp 22\n203.0.113.1 198.51.100.10 tcp\n");
    Cli c = Cli.run("explain", "-f", "samples/web-good/rules.v4", "--packets", p.toString());
    assertClean(c);
    assertThat(c.err()).contains("packets.txt:3: expected SRC DST PROTO DPORT [IFACE]");
  }

  @Test
  void policyMistakesNameTheLine(@TempDir Path dir) throws Exception {
    Path pol = dir.resolve("policy.yaml");
    Files.writeString(pol, "policy: mine\nextends: web-baseline\nchecks:\n  HTTPS-OPNE:\n    severity: high\n");
    Cli c = check(pol);
    assertClean(c);
    assertThat(c.err()).contains("policy.yaml:4: unknown check 'HTTPS-OPNE' (did you mean 'HTTPS-OPEN'?)");

    Files.writeString(pol, "policy: mine\nchecks:\n  HTTPS-OPEN:\n    severity: hihg\n");
    c = check(pol);
    assertClean(c);
    assertThat(c.err()).contains("policy.yaml:4: severity must be one of");

    Files.writeString(pol, "policy: mine\nchekcs: {}\n");
    c = check(pol);
    assertClean(c);
    assertThat(c.err()).contains("policy.yaml:2: unknown key 'chekcs' (did you mean 'checks'?)");

    Files.writeString(pol, "policy: mine\nchecks:\n  HTTPS-OPEN:\n    ports: [443, https]\n");
    c = check(pol);
    assertClean(c);
    assertThat(c.err()).contains("policy.yaml:4: 'https' is not a port");

    Files.writeString(pol, "policy: mine\nchecks:\n  HTTPS-OPEN:\n    prots: [443]\n");
    c = check(pol);
    assertClean(c);
    assertThat(c.err()).contains("policy.yaml:4: unknown key 'prots' (did you mean 'ports'?)");
  }

  private static Cli check(Path pol) {
    return Cli.run("check", "-f", "samples/web-good/rules.v4", "--address", "198.51.100.10", "--policy", pol.toString());
  }

  @Test
  void aYamlBombIsRefused(@TempDir Path dir) throws Exception {
    StringBuilder y = new StringBuilder("policy: bomb\na: &a [x, x, x, x, x, x, x, x, x]\n");
    String prev = "a";
    for (int i = 0; i < 9; i++) {
      String cur = "l" + i;
      y.append(cur).append(": &").append(cur).append(" [")
          .append(String.join(", ", java.util.Collections.nCopies(9, "*" + prev))).append("]\n");
      prev = cur;
    }
    Path pol = dir.resolve("bomb.yaml");
    Files.writeString(pol, y.toString());
    Cli c = check(pol);
    assertClean(c);
    assertThat(c.err()).contains("bomb.yaml");
  }
}
