package io.portproof.probe;

import com.google.common.net.HostAndPort;
import java.net.InetAddress;
import java.util.Objects;

/**
 * One endpoint to probe. Only endpoints named this way are ever contacted: the prober never scans
 * ranges.
 *
 * @param hostname the name sent as TLS SNI and HTTP Host; may be an IP literal (then no SNI is sent)
 * @param address the address connected to
 * @param port TCP port, 1..65535
 * @param service what the port speaks
 */
public record Target(String hostname, InetAddress address, int port, Service service) {
  public Target {
    Objects.requireNonNull(hostname, "hostname");
    Objects.requireNonNull(address, "address");
    Objects.requireNonNull(service, "service");
    if (hostname.isBlank()) {
      throw new IllegalArgumentException("hostname must not be blank");
    }
    if (port < 1 || port > 65535) {
      throw new IllegalArgumentException("port out of range: " + port);
    }
  }

  /** A target whose service is the port's well-known one. */
  public static Target of(String hostname, InetAddress address, int port) {
    return new Target(hostname, address, port, Service.defaultFor(port));
  }

  /** {@code address:port} as connected, IPv6 in brackets. */
  public String endpoint() {
    return HostAndPort.fromParts(address.getHostAddress(), port).toString();
  }
}
