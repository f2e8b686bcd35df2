package io.portproof.analysis.web;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** The evaluator against the oracle: {@code openssl ciphers} on this machine. */
class OpenSslCipherStringTest {
  @ParameterizedTest
  @ValueSource(strings = {
      "HIGH:!aNULL:!MD5",
      "ECDHE+AESGCM",
      "DEFAULT",
      "DEFAULT:!DHE",
      "ALL:COMPLEMENTOFALL",
      "ALL:@STRENGTH",
      "HIGH:MEDIUM:!aNULL:!MD5:!RC4:@STRENGTH",
      "ECDHE-ECDSA-AES128-GCM-SHA256:ECDHE-RSA-AES128-GCM-SHA256:ECDHE-ECDSA-AES256-GCM-SHA384:"
          + "ECDHE-RSA-AES256-GCM-SHA384:ECDHE-ECDSA-CHACHA20-POLY1305:ECDHE-RSA-CHACHA20-POLY1305:"
          + "DHE-RSA-AES128-GCM-SHA256:DHE-RSA-AES256-GCM-SHA384:DHE-RSA-CHACHA20-POLY1305",
      "EECDH+AESGCM:EDH+AESGCM",
      "EECDH+AESGCM:EDH+AESGCM:AES256+EECDH:AES256+EDH",
      "HIGH:!aNULL:!eNULL:!EXPORT:!DES:!RC4:!MD5:!PSK:!SRP:!CAMELLIA",
      "AES128+EECDH:AES128+EDH:!aNULL",
      "kEECDH+ECDSA+AES128:kEECDH+ECDSA+AES256:kEECDH+AES128:kEECDH+AES256:kEDH+AES128:"
          + "kEDH+AES256:DES-CBC3-SHA:+SHA:!aNULL:!eNULL:!LOW:!kECDH:!DSS:!MD5:!RC4:!EXP:!PSK:!SRP",
      "ALL:-AES:+SHA256:!ARIA",
      "TLSv1.2:!SHA1:-CHACHA20:CHACHA20",
      "SSLv3:TLSv1",
      "RSA:AES256",
      "HIGH:!aNULL:!MD5:@SECLEVEL=0",
      "ECDHE+CHACHA20:ECDHE+AES:+AES128:CAMELLIA:!CBC",
      "FIPS:!PSK",
      "AESCCM8:AESCCM:ARIA128",
      "COMPLEMENTOFDEFAULT",
      "ADH:AECDH:aNULL",
      "PSK:kRSAPSK",
      "DEFAULT:+kRSA:-ECDSA",
      "HIGH:!SHA384:!SHA256:SHA",
  })
  void matchesOpensslCiphers(String rules) throws Exception {
    List<String> oracle = openssl(rules);
    assertThat(oracle).as("oracle output for %s", rules).isNotEmpty();
    List<String> ours =
        OpenSslCipherString.evaluate(rules).suites().stream().map(CipherSuite::name).toList();
    assertThat(ours).as(rules).containsExactlyElementsOf(oracle);
  }

  @Test
  void securityLevelAndErrors() {
    assertThat(OpenSslCipherString.evaluate("HIGH:@SECLEVEL=0").securityLevel()).isZero();
    assertThat(OpenSslCipherString.evaluate("HIGH").securityLevel()).isEqualTo(-1);
    assertThat(OpenSslCipherString.evaluate("NOSUCHALIAS").error()).contains("no cipher match");
    assertThat(OpenSslCipherString.evaluate("HIGH:@FOO").error()).contains("@FOO");
    assertThat(OpenSslCipherString.evaluate("HIGH:(").error()).contains("invalid");
  }

  /** The suites below TLS 1.3 that {@code openssl ciphers} lists, in its order. */
  static List<String> openssl(String rules) throws IOException, InterruptedException {
    Process p = new ProcessBuilder(Tools.require("openssl"), "ciphers", "-V", rules).redirectErrorStream(true).start();
    try {
      String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
      assertThat(p.waitFor(20, TimeUnit.SECONDS)).isTrue();
      List<String> names = new ArrayList<>();
      for (String line : out.split("\n")) {
        String[] f = line.trim().split("\\s+");
        if (f.length > 3 && f[1].equals("-") && !f[3].equals("TLSv1.3")) {
          names.add(f[2]);
        }
      }
      return names;
    } finally {
      p.destroyForcibly();
    }
  }
}
