package io.portproof.policy;

import io.portproof.analysis.web.WebChecks;
import io.portproof.model.PortSet;
import java.util.List;
import java.util.Optional;

/** The registry of checks: adding one is a class and a line here. INCONCLUSIVE stays last: it reviews the rest. */
public final class Checks {
  public static final List<Check<?>> ALL = List.of(
      new PortOpenCheck("HTTPS-OPEN", "HTTPS is open to the internet", Severity.HIGH, PortSet.of(443),
          "Clients on the internet cannot reach the HTTPS service from there."),
      new PortOpenCheck("HTTP-OPEN", "HTTP is open so it can redirect", Severity.MEDIUM, PortSet.of(80),
          "Port 80 must answer so that http:// links and typed addresses are redirected to HTTPS."),
      new Ipv6ParityCheck(),
      new NeighbourDiscoveryCheck(),
      new UnexpectedExposureCheck(),
      WebCheck.of("HTTP-REDIRECTS-TO-HTTPS", "Port 80 redirects every path to HTTPS on the same host", Severity.HIGH,
          "For /, a deep path with a query string and /.well-known/acme-challenge/x, the first answer on port 80 is a 301 or 308 "
              + "to https:// on the same host with path and query preserved (302/307 is a weaker finding).",
          h -> WebChecks.redirectsToHttps(h.webPredictions(), h.hostname())),
      WebCheck.of("HTTPS-LISTENER", "TLS listens on 443", Severity.HIGH,
          "Every family the configuration serves has a TLS listener on 443 reachable from outside (bound to loopback only fails).",
          h -> WebChecks.httpsListener(h.webPredictions())),
      new WebCheck<>("HSTS", "HSTS on every HTTPS response", Severity.MEDIUM,
          "Strict-Transport-Security is sent on every HTTPS response, error pages included, with max-age >= 31536000; "
              + "includeSubDomains and preload are reported. Parameters: min-max-age, require-include-subdomains, require-preload.",
          WebRequirements::hsts, false, java.util.Set.of("min-max-age", "require-include-subdomains", "require-preload"),
          WebRequirements.Hsts::parse),
      new WebCheck<>("TLS-PROTOCOLS", "Only modern TLS versions", Severity.HIGH,
          "No SSLv2/3, TLS 1.0 or 1.1 is accepted, and TLS 1.3 is offered. Parameter: allowed (e.g. [TLSv1.3]).",
          WebRequirements::protocols, false, java.util.Set.of("allowed"), WebRequirements.Protocols::parse),
      new WebCheck<>("TLS-CIPHERS", "Cipher suites of Mozilla's intermediate profile", Severity.MEDIUM,
          "Every suite offered is in Mozilla Server Side TLS 6.0 'intermediate'. Parameter: profile (intermediate or modern).",
          WebRequirements::ciphers, false, java.util.Set.of("profile"), WebRequirements.Ciphers::parse),
      WebCheck.of("CERTIFICATE", "The certificate is valid and covers the names", Severity.HIGH,
          "Dates valid with more than 30 days left, SANs cover every server_name, key at least RSA 2048 or ECDSA P-256.",
          h -> WebChecks.certificate(h.webPredictions(), serverNames(h), java.time.Instant.now())),
      new WebCheck<Void>("RUNNING-CONFIG", "What listens is what the configuration binds", Severity.MEDIUM,
          "With an 'ss -tlnp' capture among the inputs: every socket the configuration binds is listening, and nothing else is.",
          (h, s) -> WebChecks.listenersMatch(h.configs().get(0), h.running().get(0)), /* needsRunning= */ true, java.util.Set.of(), p -> null),
      new InconclusiveCheck());

  /** The names the virtual hosts answer to, plain ones only (wildcards and regexes name no single host). */
  private static List<String> serverNames(io.portproof.analysis.HostFacts h) {
    java.util.Set<String> names = new java.util.LinkedHashSet<>();
    if (h.hostname().contains(".")) {
      names.add(h.hostname());
    }
    for (io.portproof.model.web.ServerModel m : h.configs()) {
      for (io.portproof.model.web.VirtualHost v : m.hosts()) {
        for (String n : v.names()) {
          if (!n.isEmpty() && !n.startsWith("~") && !n.contains("*") && !n.equals("_") && n.contains(".")) {
            names.add(n);
          }
        }
      }
    }
    return List.copyOf(names);
  }

  private Checks() {}

  public static Optional<Check<?>> byId(String id) {
    return ALL.stream().filter(c -> c.id().equals(id)).findFirst();
  }
}
