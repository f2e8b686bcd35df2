package io.portproof.probe;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.InetAddress;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

class TlsMatrixTest {
  private static Nginx nginx;
  private static int oldPort;
  private static int intermediatePort;
  private static int modernPort;

  @BeforeAll
  static void startNginx() throws Exception {
    TestCerts certs = TestCerts.get();
    List<Integer> ports = Nginx.freePorts(3);
    oldPort = ports.get(0);
    intermediatePort = ports.get(1);
    modernPort = ports.get(2);
    nginx =
        Nginx.start(
            TlsProfiles.old(oldPort, certs)
                + TlsProfiles.intermediate(intermediatePort, certs)
                + TlsProfiles.modern(modernPort, certs),
            ports);
  }

  @AfterAll
  static void stopNginx() {
    if (nginx != null) {
      nginx.close();
    }
  }

  private static Observation probe(int port) throws Exception {
    Prober prober = new Prober(ProbeOptions.defaults());
    return prober.probe(
        new Target(TestCerts.HOST, InetAddress.getByName("127.0.0.1"), port, Service.TLS));
  }

  @Test
  void smoke() throws Exception {
    for (int port : List.of(oldPort, intermediatePort, modernPort)) {
      long t0 = System.nanoTime();
      Observation o = probe(port);
      System.out.println((System.nanoTime() - t0) / 1_000_000 + " ms " + o.tls());
      o.transcript().forEach(System.out::println);
    }
    assertThat(probe(modernPort).tls().protocols()).containsExactly("TLSv1.3");
  }
}
