package io.portproof.probe;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.InetAddress;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** Redirect chains and HSTS against real nginx redirects and headers. */
class HttpChainTest {
  private static final String DEEP = "/portproof/deep/path?x=1&y=2";
  private static final String ACME = "/.well-known/acme-challenge/portproof-test";
  private static final String STRONG = "max-age=63072000; includeSubDomains; preload";

  private static Nginx nginx;
  private static int redirect301;
  private static int hstsAlways;
  private static int hstsNotAlways;
  private static int redirect302;
  private static int otherHost;
  private static int toLocalhost;
  private static int endless;

  @BeforeAll
  static void startNginx() throws Exception {
    TestCerts c = TestCerts.get();
    List<Integer> p = Nginx.freePorts(7);
    redirect301 = p.get(0);
    hstsAlways = p.get(1);
    hstsNotAlways = p.get(2);
    redirect302 = p.get(3);
    otherHost = p.get(4);
    toLocalhost = p.get(5);
    endless = p.get(6);
    String tls =
        "  ssl_certificate " + c.ecCert + ";\n  ssl_certificate_key " + c.ecKey + ";\n"
            + "  ssl_protocols TLSv1.2 TLSv1.3;\n";
    String conf =
        "server { listen 127.0.0.1:" + redirect301 + "; server_name " + TestCerts.HOST + ";\n"
            + "  location /.well-known/acme-challenge/ { return 200 \"token\\n\"; }\n"
            + "  location / { return 301 https://$host:" + hstsAlways + "$request_uri; } }\n"
            + "server { listen 127.0.0.1:" + hstsAlways + " ssl;\n" + tls
            + "  add_header Strict-Transport-Security \"" + STRONG + "\" always;\n"
            + "  location = / { return 200 \"ok\\n\"; } }\n"
            + "server { listen 127.0.0.1:" + hstsNotAlways + " ssl;\n" + tls
            + "  add_header Strict-Transport-Security \"max-age=300\";\n"
            + "  location = / { return 200 \"ok\\n\"; } }\n"
            + "server { listen 127.0.0.1:" + redirect302 + ";\n"
            + "  location / { return 302 https://$host:" + hstsNotAlways + "$request_uri; } }\n"
            + "server { listen 127.0.0.1:" + otherHost + ";\n"
            + "  location / { return 301 https://elsewhere.example:" + hstsAlways + "$request_uri; } }\n"
            + "server { listen 127.0.0.1:" + toLocalhost + ";\n"
            + "  location / { return 301 https://localhost:" + hstsAlways + "/; } }\n"
            + "server { listen 127.0.0.1:" + endless + ";\n"
            + "  location = /loop { return 301 /loop; }\n"
            + "  location / { return 301 /r$request_uri; } }\n";
    nginx = Nginx.start(conf, p);
  }

  @AfterAll
  static void stopNginx() {
    if (nginx != null) {
      nginx.close();
    }
  }

  private static List<HttpObservation> probe(int port, Service service, ProbeOptions options)
      throws Exception {
    Observation o =
        new Prober(options)
            .probe(new Target(TestCerts.HOST, InetAddress.getByName("127.0.0.1"), port, service));
    assertThat(o.tcp().state()).isEqualTo(TcpState.OPEN);
    return o.http();
  }

  private static List<HttpObservation> probe(int port, Service service) throws Exception {
    return probe(port, service, ProbeOptions.defaults());
  }

  @Test
  void permanentRedirectToHttpsKeepsPathAndQueryAndLandsOnHsts() throws Exception {
    List<HttpObservation> chains = probe(redirect301, Service.HTTP);
    assertThat(chains).extracting(HttpObservation::path).containsExactly("/", DEEP, ACME);

    HttpObservation deep = chains.get(1);
    assertThat(deep.error()).isNull();
    assertThat(deep.chain()).hasSize(2);
    HttpHop first = deep.chain().get(0);
    assertThat(first.url()).isEqualTo("http://" + TestCerts.HOST + ":" + redirect301 + DEEP);
    assertThat(first.status()).isEqualTo(301);
    assertThat(first.location()).isEqualTo("https://" + TestCerts.HOST + ":" + hstsAlways + DEEP);
    assertThat(first.sameHost()).isTrue();
    assertThat(first.https()).isTrue();
    assertThat(first.pathQueryPreserved()).isTrue();
    assertThat(first.hsts()).as("HSTS over http is ignored by browsers").isNull();
    HttpHop landing = deep.chain().get(1);
    assertThat(landing.status()).isEqualTo(404);
    assertThat(landing.hsts()).isEqualTo(new Hsts(63072000, true, true, STRONG));

    HttpObservation acme = chains.get(2);
    assertThat(acme.chain()).singleElement().satisfies(h -> {
      assertThat(h.status()).isEqualTo(200);
      assertThat(h.https()).isFalse();
    });
  }

  @Test
  void hstsAlwaysSurvivesTheErrorPageAndWithoutAlwaysItDoesNot() throws Exception {
    List<HttpObservation> always = probe(hstsAlways, Service.HTTPS);
    assertThat(always).extracting(HttpObservation::path)
        .containsExactly("/", ProbeOptions.defaults().errorPath());
    assertThat(always.get(0).last().hsts().maxAge()).isEqualTo(63072000);
    assertThat(always.get(1).last().status()).isEqualTo(404);
    assertThat(always.get(1).last().hsts()).isNotNull();

    List<HttpObservation> notAlways = probe(hstsNotAlways, Service.HTTPS);
    assertThat(notAlways.get(0).last().hsts()).isEqualTo(new Hsts(300, false, false, "max-age=300"));
    assertThat(notAlways.get(1).last().status()).isEqualTo(404);
    assertThat(notAlways.get(1).last().hsts()).isNull();
  }

  @Test
  void temporaryRedirectIsReportedAsSuch() throws Exception {
    HttpObservation root = probe(redirect302, Service.HTTP).get(0);
    assertThat(root.chain()).extracting(HttpHop::status).containsExactly(302, 200);
    assertThat(root.chain().get(0).https()).isTrue();
    assertThat(root.last().hsts()).isNotNull();
  }

  @Test
  void neverLeavesTheNamedHostsUnlessAllowed() throws Exception {
    HttpObservation root = probe(otherHost, Service.HTTP).get(0);
    assertThat(root.chain()).singleElement().satisfies(h -> assertThat(h.sameHost()).isFalse());
    assertThat(root.error()).contains("elsewhere.example").contains("not an allowed host");

    HttpObservation stopped = probe(toLocalhost, Service.HTTP).get(1);
    assertThat(stopped.chain()).hasSize(1);
    assertThat(stopped.error()).contains("localhost");

    ProbeOptions allowLocalhost =
        ProbeOptions.defaults().toBuilder().allowedHosts(Set.of("LocalHost")).build();
    HttpObservation followed = probe(toLocalhost, Service.HTTP, allowLocalhost).get(1);
    assertThat(followed.error()).isNull();
    assertThat(followed.chain()).hasSize(2);
    assertThat(followed.chain().get(0).pathQueryPreserved()).as("deep path dropped").isFalse();
    assertThat(followed.chain().get(0).sameHost()).isFalse();
    assertThat(followed.last().url()).isEqualTo("https://localhost:" + hstsAlways + "/");
  }

  @Test
  void loopsAndLongChainsStop() throws Exception {
    ProbeOptions options =
        ProbeOptions.defaults().toBuilder().maxRedirects(3).paths(List.of("/loop", "/x")).build();
    List<HttpObservation> chains = probe(endless, Service.HTTP, options);
    assertThat(chains.get(0).error()).startsWith("redirect loop");
    assertThat(chains.get(1).error()).isEqualTo("stopped after 3 redirects");
    assertThat(chains.get(1).chain()).hasSize(4);
  }
}
