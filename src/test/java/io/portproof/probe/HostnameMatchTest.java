package io.portproof.probe;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.security.cert.X509Certificate;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** RFC 6125 matching on certificates made by the real openssl. */
class HostnameMatchTest {
  private static X509Certificate wildcard;
  private static X509Certificate publicSuffixWildcard;

  @BeforeAll
  static void certificates() throws Exception {
    Env.requireTool("openssl");
    wildcard = make("DNS:*.example.org,DNS:Example.NET,IP:2001:db8::1");
    publicSuffixWildcard = make("DNS:*.co.uk");
  }

  private static X509Certificate make(String san) throws Exception {
    Path dir = Files.createTempDirectory("portproof-hostname");
    try {
      Path cert = dir.resolve("c.pem");
      Env.run(60, "openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt",
          "ec_paramgen_curve:prime256v1", "-nodes", "-days", "1", "-subj", "/CN=ignored.example",
          "-addext", "subjectAltName=" + san, "-keyout", dir.resolve("k.pem").toString(),
          "-out", cert.toString());
      String pem = Files.readString(cert);
      String b64 = pem.replaceAll("-----[A-Z ]+-----", "").replaceAll("\\s", "");
      return CertificateInspector.parse(List.of(java.util.Base64.getDecoder().decode(b64))).get(0);
    } finally {
      Nginx.deleteTree(dir);
    }
  }

  @Test
  void wildcardCoversExactlyOneLabel() {
    assertThat(CertificateInspector.hostnameMatches(wildcard, "www.example.org")).isTrue();
    assertThat(CertificateInspector.hostnameMatches(wildcard, "WWW.Example.Org.")).isTrue();
    assertThat(CertificateInspector.hostnameMatches(wildcard, "example.org")).isFalse();
    assertThat(CertificateInspector.hostnameMatches(wildcard, "a.b.example.org")).isFalse();
  }

  @Test
  void exactNamesAreCaseInsensitiveAndCnIsNotConsulted() {
    assertThat(CertificateInspector.hostnameMatches(wildcard, "example.net")).isTrue();
    assertThat(CertificateInspector.hostnameMatches(wildcard, "ignored.example")).isFalse();
  }

  @Test
  void ipLiteralsMatchIpSansOnly() {
    assertThat(CertificateInspector.hostnameMatches(wildcard, "2001:db8:0:0::1")).isTrue();
    assertThat(CertificateInspector.hostnameMatches(wildcard, "[2001:db8::1]")).isTrue();
    assertThat(CertificateInspector.hostnameMatches(wildcard, "2001:db8::2")).isFalse();
  }

  @Test
  void wildcardOverAPublicSuffixMatchesNothing() {
    assertThat(CertificateInspector.hostnameMatches(publicSuffixWildcard, "bbc.co.uk")).isFalse();
  }
}
