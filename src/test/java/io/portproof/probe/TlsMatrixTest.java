package io.portproof.probe;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.InetAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The prober against real nginx in the three Mozilla profiles, with RSA and ECDSA certificates. */
class TlsMatrixTest {
  private static Nginx nginx;
  private static int oldPort;
  private static int intermediatePort;
  private static int modernPort;
  private static int rsaOnlyPort;

  @BeforeAll
  static void startNginx() throws Exception {
    TestCerts c = TestCerts.get();
    List<Integer> ports = Nginx.freePorts(4);
    oldPort = ports.get(0);
    intermediatePort = ports.get(1);
    modernPort = ports.get(2);
    rsaOnlyPort = ports.get(3);
    String rsaOnly =
        "server {\n  listen 127.0.0.1:" + rsaOnlyPort + " ssl;\n"
            + "  ssl_certificate " + c.rsaCert + ";\n  ssl_certificate_key " + c.rsaKey + ";\n"
            + "  ssl_protocols TLSv1.2;\n  ssl_ciphers ECDHE-RSA-AES256-GCM-SHA384;\n"
            + "  ssl_ecdh_curve secp384r1;\n}\n";
    nginx =
        Nginx.start(
            TlsProfiles.old(oldPort, c)
                + TlsProfiles.intermediate(intermediatePort, c)
                + TlsProfiles.modern(modernPort, c)
                + rsaOnly,
            ports);
  }

  @AfterAll
  static void stopNginx() {
    if (nginx != null) {
      nginx.close();
    }
  }

  private static TlsObservation scan(String host, int port, ProbeOptions options) throws Exception {
    Observation o =
        new Prober(options)
            .probe(new Target(host, InetAddress.getByName("127.0.0.1"), port, Service.TLS));
    assertThat(o.tcp().state()).isEqualTo(TcpState.OPEN);
    return o.tls();
  }

  private static TlsObservation scan(int port) throws Exception {
    return scan(TestCerts.HOST, port, ProbeOptions.defaults());
  }

  private static List<String> iana(String openSslList) {
    return Arrays.stream(openSslList.split(":"))
        .filter(n -> !n.startsWith("@"))
        .map(n -> CipherSuites.standard().byOpenSslName(n).orElseThrow().ianaName())
        .toList();
  }

  @Test
  void intermediateAcceptsExactlyTheConfiguredSuites() throws Exception {
    TlsObservation tls = scan(intermediatePort);
    assertThat(tls.errors()).isEmpty();
    assertThat(tls.protocols()).containsExactly("TLSv1.3", "TLSv1.2");
    assertThat(tls.ciphers().get("TLSv1.2"))
        .containsExactlyInAnyOrderElementsOf(iana(TlsProfiles.INTERMEDIATE_CIPHERS));
    assertThat(tls.ciphers().get("TLSv1.3"))
        .containsExactlyInAnyOrder(
            "TLS_AES_128_GCM_SHA256", "TLS_AES_256_GCM_SHA384", "TLS_CHACHA20_POLY1305_SHA256");
    assertThat(tls.group()).isEqualTo("x25519");
  }

  @Test
  void oldAcceptsLegacyVersionsAndCbcButNeverTls13() throws Exception {
    TlsObservation tls = scan(oldPort);
    assertThat(tls.protocols()).containsExactly("TLSv1.2", "TLSv1.1", "TLSv1");
    assertThat(tls.ciphers().get("TLSv1"))
        .contains("TLS_RSA_WITH_AES_128_CBC_SHA", "TLS_ECDHE_RSA_WITH_AES_256_CBC_SHA")
        .noneMatch(s -> s.contains("GCM"));
    // ssl_prefer_server_ciphers on: the server's order, not ours (ascending ids), comes back.
    assertThat(tls.ciphers().get("TLSv1.2").get(0))
        .isEqualTo("TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256");
  }

  @Test
  void modernIsTls13OnlyAndItsCertificateComesFromAJdkHandshake() throws Exception {
    TlsObservation tls = scan(modernPort);
    assertThat(tls.protocols()).containsExactly("TLSv1.3");
    CertificateObservation cert = tls.certificate();
    assertThat(cert).isNotNull();
    assertThat(cert.subject()).isEqualTo("CN=" + TestCerts.HOST);
    assertThat(cert.keyType()).isIn("EC", "RSA");
    assertThat(cert.sans()).contains(TestCerts.HOST, "127.0.0.1");
  }

  @Test
  void certificateFromThePlaintextHandshake() throws Exception {
    TlsObservation tls = scan(rsaOnlyPort);
    assertThat(tls.ciphers())
        .containsOnlyKeys("TLSv1.2")
        .containsEntry("TLSv1.2", List.of("TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384"));
    assertThat(tls.group()).isEqualTo("secp384r1");
    CertificateObservation cert = tls.certificate();
    assertThat(cert.keyType()).isEqualTo("RSA");
    assertThat(cert.keyBits()).isEqualTo(2048);
    assertThat(cert.signatureAlgorithm()).isEqualTo("SHA256withRSA");
    assertThat(cert.daysLeft()).isBetween(29L, 30L);
    assertThat(cert.hostnameMatches()).isTrue();
    // Self-signed: not trusted by the system store.
    assertThat(cert.chainValid()).isFalse();
    assertThat(cert.chainError()).isNotBlank();
  }

  @Test
  void givenCaBundleValidatesTheChainAndHostnameIsCheckedSeparately() throws Exception {
    TestCerts c = TestCerts.get();
    Path bundle = Files.createTempFile("portproof-ca", ".pem");
    try {
      Files.writeString(bundle, Files.readString(c.rsaCert) + Files.readString(c.ecCert));
      ProbeOptions options = ProbeOptions.defaults().toBuilder().caBundle(bundle).build();
      CertificateObservation trusted = scan(TestCerts.HOST, rsaOnlyPort, options).certificate();
      assertThat(trusted.chainValid()).as(String.valueOf(trusted.chainError())).isTrue();
      assertThat(trusted.hostnameMatches()).isTrue();

      CertificateObservation otherName = scan("other.example", rsaOnlyPort, options).certificate();
      assertThat(otherName.chainValid()).isTrue();
      assertThat(otherName.hostnameMatches()).isFalse();

      CertificateObservation byIp = scan("127.0.0.1", rsaOnlyPort, options).certificate();
      assertThat(byIp.hostnameMatches()).isTrue();
    } finally {
      Files.deleteIfExists(bundle);
    }
  }

  @Test
  void oneHostsFullTlsCheckTakesUnderASecondOnLoopback() throws Exception {
    Prober prober = new Prober(ProbeOptions.defaults());
    Target t = new Target(TestCerts.HOST, InetAddress.getByName("127.0.0.1"), intermediatePort, Service.TLS);
    prober.probe(t); // warm the JIT
    long start = System.nanoTime();
    Observation o = prober.probe(t);
    long millis = (System.nanoTime() - start) / 1_000_000;
    assertThat(o.tls().protocols()).isNotEmpty();
    assertThat(millis).isLessThan(1000);
  }
}
