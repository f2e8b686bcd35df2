package io.portproof.probe;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/** Slow, endless and garbage answers must cost the deadline at most, never a hang or a crash. */
class HostileServerTest {
  private static final Duration DEADLINE = Duration.ofMillis(1500);
  private static final long BOUND_MILLIS = 4000;

  private static Observation probe(LoopbackServer server, Service service) {
    ProbeOptions options =
        ProbeOptions.defaults().toBuilder()
            .connectTimeout(Duration.ofSeconds(1))
            .operationTimeout(DEADLINE)
            .build();
    long start = System.nanoTime();
    Observation o =
        new Prober(options)
            .probe(new Target("127.0.0.1", InetAddress.getLoopbackAddress(), server.port(), service));
    long millis = (System.nanoTime() - start) / 1_000_000;
    assertThat(millis).as("probe of a hostile %s server took %d ms", service, millis)
        .isLessThan(BOUND_MILLIS);
    assertThat(o.tcp().state()).isEqualTo(TcpState.OPEN);
    return o;
  }

  @Test
  void dripFeedingHttpCostsOneDeadline() throws Exception {
    byte[] slow = "HTTP/1.1 200 OK\r\nX-Slow: yes\r\n\r\n".getBytes(StandardCharsets.US_ASCII);
    // One byte every 200 ms stays inside any per-read timeout; only a deadline stops it.
    try (LoopbackServer s = new LoopbackServer(LoopbackServer.drip(slow, 200))) {
      Observation o = probe(s, Service.HTTP);
      assertThat(o.http()).hasSize(1);
      assertThat(o.http().get(0).error()).contains("no complete answer within 1500 ms");
    }
  }

  @Test
  void dripFeedingTlsCostsOneDeadline() throws Exception {
    byte[] slowHello = {22, 3, 3, 0, 60, 2, 0, 0, 56, 3, 3, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12};
    try (LoopbackServer s = new LoopbackServer(LoopbackServer.drip(slowHello, 200))) {
      TlsObservation tls = probe(s, Service.HTTPS).tls();
      assertThat(tls.protocols()).isEmpty();
      assertThat(tls.errors()).singleElement().asString().contains("no complete answer");
    }
  }

  @Test
  void endlessHeadersHitTheByteCap() throws Exception {
    try (LoopbackServer s = new LoopbackServer(LoopbackServer.endlessHeaders())) {
      Observation o = probe(s, Service.HTTP);
      assertThat(o.http().get(0).error()).contains("more than 262144 bytes");
    }
  }

  @Test
  void garbageInsteadOfTlsIsNamedAsSuch() throws Exception {
    byte[] ssh = "SSH-2.0-OpenSSH_9.2p1 Debian-2\r\n".getBytes(StandardCharsets.US_ASCII);
    try (LoopbackServer s = new LoopbackServer(LoopbackServer.banner(ssh))) {
      TlsObservation tls = probe(s, Service.TLS).tls();
      assertThat(tls.protocols()).isEmpty();
      assertThat(tls.errors()).singleElement().asString()
          .contains("not TLS: first bytes 5353482D32");
    }
  }

  @Test
  void garbageInsteadOfSmtpIsAnErrorNotACrash() throws Exception {
    byte[] junk = "\u0000\u0001garbage\r\n".getBytes(StandardCharsets.ISO_8859_1);
    try (LoopbackServer s = new LoopbackServer(LoopbackServer.banner(junk))) {
      StartTlsObservation st = probe(s, Service.SMTP).startTls();
      assertThat(st.offered()).isFalse();
      assertThat(st.error()).isNotBlank();
    }
  }

  @Test
  void silentSmtpServerCostsOneDeadline() throws Exception {
    try (LoopbackServer s = new LoopbackServer(LoopbackServer.drip(new byte[] {'2'}, 10_000))) {
      StartTlsObservation st = probe(s, Service.SMTP).startTls();
      assertThat(st.offered()).isFalse();
      assertThat(st.error()).contains("no complete answer");
    }
  }
}
