package io.portproof.policy;

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
      new InconclusiveCheck());

  private Checks() {}

  public static Optional<Check<?>> byId(String id) {
    return ALL.stream().filter(c -> c.id().equals(id)).findFirst();
  }
}
