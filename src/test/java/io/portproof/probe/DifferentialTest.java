package io.portproof.probe;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.InetAddress;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The prober's protocol and suite matrix must agree with two independent scanners, sslscan
 * (OpenSSL's client) and nmap's ssl-enum-ciphers (its own Lua hellos), on real nginx servers.
 */
class DifferentialTest {
  private static Nginx nginx;
  private static final Map<String, Integer> PORTS = new LinkedHashMap<>();

  @BeforeAll
  static void startNginx() throws Exception {
    TestCerts certs = TestCerts.get();
    List<Integer> ports = Nginx.freePorts(3);
    PORTS.put("old", ports.get(0));
    PORTS.put("intermediate", ports.get(1));
    PORTS.put("modern", ports.get(2));
    nginx =
        Nginx.start(
            TlsProfiles.old(ports.get(0), certs)
                + TlsProfiles.intermediate(ports.get(1), certs)
                + TlsProfiles.modern(ports.get(2), certs),
            ports);
  }

  @AfterAll
  static void stopNginx() {
    if (nginx != null) {
      nginx.close();
    }
  }

  private static Map<String, Set<String>> ours(int port) throws Exception {
    TlsObservation tls =
        new Prober(ProbeOptions.defaults())
            .probe(new Target("127.0.0.1", InetAddress.getByName("127.0.0.1"), port, Service.TLS))
            .tls();
    assertThat(tls.errors()).isEmpty();
    Map<String, Set<String>> out = new LinkedHashMap<>();
    tls.ciphers().forEach((v, list) -> out.put(v, new TreeSet<>(list)));
    return out;
  }

  @ParameterizedTest
  @ValueSource(strings = {"old", "intermediate", "modern"})
  void agreesWithSslscan(String profile) throws Exception {
    Env.requireTool("sslscan");
    int port = PORTS.get(profile);
    String xml =
        Env.run(120, "sslscan", "--no-colour", "--show-ciphers", "--no-heartbleed",
            "--no-renegotiation", "--no-compression", "--no-fallback", "--no-groups",
            "--xml=-", "127.0.0.1:" + port);
    Map<String, Set<String>> theirs = ScannerOutputs.sslscan(xml);
    assertThat(theirs).as("sslscan found suites on the %s server", profile).isNotEmpty();
    assertThat(ours(port)).as("prober vs sslscan, %s profile", profile).isEqualTo(theirs);
  }

  @ParameterizedTest
  @ValueSource(strings = {"old", "intermediate", "modern"})
  void agreesWithNmap(String profile) throws Exception {
    Env.requireTool("nmap");
    int port = PORTS.get(profile);
    String xml =
        Env.run(180, "nmap", "-Pn", "-n", "-p", String.valueOf(port), "--script",
            "ssl-enum-ciphers", "-oX", "-", "127.0.0.1");
    Map<String, Set<String>> theirs = ScannerOutputs.nmap(xml);
    assertThat(theirs).as("nmap found suites on the %s server", profile).isNotEmpty();
    assertThat(ours(port)).as("prober vs nmap, %s profile", profile).isEqualTo(theirs);
  }
}
