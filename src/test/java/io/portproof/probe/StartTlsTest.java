package io.portproof.probe;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.security.KeyStore;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.stream.Collectors;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLSocket;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * STARTTLS against a real TLS server: the JDK's, behind just enough SMTP, IMAP, POP3 or FTP spoken
 * by a test thread. The JDK server's own enabled protocols and suites are the oracle.
 */
class StartTlsTest {
  private static SSLContext serverContext;
  private static Set<String> serverSuites;

  @BeforeAll
  static void serverTls() throws Exception {
    TestCerts c = TestCerts.get();
    KeyStore ks = KeyStore.getInstance("PKCS12");
    try (InputStream in = Files.newInputStream(c.rsaP12)) {
      ks.load(in, TestCerts.P12_PASSWORD.toCharArray());
    }
    KeyManagerFactory kmf = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
    kmf.init(ks, TestCerts.P12_PASSWORD.toCharArray());
    serverContext = SSLContext.getInstance("TLS");
    serverContext.init(kmf.getKeyManagers(), null, null);
    serverSuites =
        Arrays.stream(serverContext.getDefaultSSLParameters().getCipherSuites())
            .collect(Collectors.toSet());
  }

  enum Protocol {
    SMTP(Service.SMTP),
    IMAP(Service.IMAP),
    POP3(Service.POP3),
    FTP(Service.FTP);

    final Service service;

    Protocol(Service service) {
      this.service = service;
    }
  }

  /** Speaks the cleartext part; on the upgrade command hands the socket to the JDK TLS server. */
  private static LoopbackServer.Behaviour speaker(Protocol protocol, boolean offer) {
    return client -> {
      OutputStream out = client.getOutputStream();
      InputStream in = client.getInputStream();
      client.setSoTimeout(10_000);
      // Real mail servers write a TLS flight at once; the JDK writes record by record.
      client.setTcpNoDelay(true);
      send(out, switch (protocol) {
        case SMTP -> "220 mail.portproof.test ESMTP\r\n";
        case IMAP -> "* OK IMAP4rev1 ready\r\n";
        case POP3 -> "+OK POP3 ready\r\n";
        case FTP -> "220 FTP ready\r\n";
      });
      for (int lines = 0; lines < 20; lines++) {
        String line = readLine(in);
        if (line == null) {
          return;
        }
        String upper = line.toUpperCase(Locale.ROOT);
        String tag = line.contains(" ") ? line.substring(0, line.indexOf(' ')) : "";
        boolean upgrade = false;
        switch (protocol) {
          case SMTP -> {
            if (upper.startsWith("EHLO")) {
              send(out, "250-mail.portproof.test\r\n" + (offer ? "250-PIPELINING\r\n250 STARTTLS\r\n" : "250 PIPELINING\r\n"));
            } else if (upper.equals("STARTTLS") && offer) {
              send(out, "220 2.0.0 Ready to start TLS\r\n");
              upgrade = true;
            } else {
              send(out, "502 5.5.2 Error: command not recognized\r\n");
            }
          }
          case IMAP -> {
            if (upper.endsWith(" CAPABILITY")) {
              send(out, "* CAPABILITY IMAP4rev1" + (offer ? " STARTTLS" : "") + " LOGINDISABLED\r\n" + tag + " OK done\r\n");
            } else if (upper.endsWith(" STARTTLS") && offer) {
              send(out, tag + " OK Begin TLS negotiation now\r\n");
              upgrade = true;
            } else {
              send(out, tag + " BAD unknown\r\n");
            }
          }
          case POP3 -> {
            if (upper.equals("CAPA")) {
              send(out, "+OK\r\nUSER\r\n" + (offer ? "STLS\r\n" : "") + ".\r\n");
            } else if (upper.equals("STLS") && offer) {
              send(out, "+OK Begin TLS negotiation\r\n");
              upgrade = true;
            } else {
              send(out, "-ERR unknown\r\n");
            }
          }
          case FTP -> {
            if (upper.equals("AUTH TLS") && offer) {
              send(out, "234 AUTH TLS OK.\r\n");
              upgrade = true;
            } else {
              send(out, "500 unknown command\r\n");
            }
          }
        }
        if (upgrade) {
          SSLSocket tls =
              (SSLSocket) serverContext.getSocketFactory().createSocket(client, null, client.getPort(), false);
          tls.setUseClientMode(false);
          try {
            tls.startHandshake();
          } catch (IOException e) {
            // The prober hangs up after the ServerHello it came for.
          }
          return;
        }
      }
    };
  }

  private static void send(OutputStream out, String text) throws IOException {
    out.write(text.getBytes(StandardCharsets.US_ASCII));
    out.flush();
  }

  /** Byte by byte, so nothing after the line (a ClientHello) is swallowed by a buffer. */
  private static String readLine(InputStream in) throws IOException {
    ByteArrayOutputStream line = new ByteArrayOutputStream();
    for (int i = 0; i < 1000; i++) {
      int b = in.read();
      if (b < 0) {
        return null;
      }
      if (b == '\n') {
        return line.toString(StandardCharsets.US_ASCII).strip();
      }
      line.write(b);
    }
    throw new IOException("line too long");
  }

  private static Observation probe(LoopbackServer server, Service service) {
    return new Prober(ProbeOptions.defaults())
        .probe(new Target(TestCerts.HOST, InetAddress.getLoopbackAddress(), server.port(), service));
  }

  @ParameterizedTest
  @EnumSource(Protocol.class)
  void tlsBehindTheUpgradeIsScannedLikeImplicitTls(Protocol protocol) throws Exception {
    try (LoopbackServer server = new LoopbackServer(speaker(protocol, /* offer= */ true))) {
      Observation o = probe(server, protocol.service);
      StartTlsObservation st = o.startTls();
      assertThat(st.offered()).as(String.join("\n", o.transcript())).isTrue();
      assertThat(st.error()).isNull();
      TlsObservation tls = st.tls();
      assertThat(tls.errors()).isEmpty();
      // The JDK server has TLS 1.0 and 1.1 disabled by jdk.tls.disabledAlgorithms.
      assertThat(tls.protocols()).containsExactly("TLSv1.3", "TLSv1.2");
      assertThat(tls.ciphers().get("TLSv1.3"))
          .containsExactlyInAnyOrderElementsOf(
              serverSuites.stream()
                  .filter(s -> CipherSuites.standard().byIanaName(s).map(CipherSuites.CipherSuite::tls13).orElse(false))
                  .toList());
      assertThat(serverSuites).containsAll(tls.ciphers().get("TLSv1.2"));
      assertThat(tls.ciphers().get("TLSv1.2"))
          .contains("TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384")
          .noneMatch(s -> s.contains("ECDSA"));
      assertThat(tls.certificate().subject()).isEqualTo("CN=" + TestCerts.HOST);
      assertThat(tls.certificate().keyType()).isEqualTo("RSA");
    }
  }

  @ParameterizedTest
  @EnumSource(Protocol.class)
  void notOfferedIsReportedWithoutTls(Protocol protocol) throws Exception {
    try (LoopbackServer server = new LoopbackServer(speaker(protocol, /* offer= */ false))) {
      StartTlsObservation st = probe(server, protocol.service).startTls();
      assertThat(st.offered()).isFalse();
      assertThat(st.tls()).isNull();
      assertThat(st.error()).containsAnyOf("STARTTLS", "STLS", "AUTH TLS");
    }
  }

}
