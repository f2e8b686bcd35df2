package io.portproof.probe;

import java.util.List;
import java.util.Objects;

/**
 * Everything seen on one target.
 *
 * @param target what was probed
 * @param tcp the TCP state; the rest is empty unless it is {@link TcpState#OPEN}
 * @param tls the implicit TLS matrix, or null when the service is not implicit TLS
 * @param http redirect chains, one per probe path, for HTTP and HTTPS services
 * @param startTls the upgrade on a cleartext mail/FTP port, or null for other services
 * @param transcript short human lines of what was sent and seen, in order
 */
public record Observation(
    Target target,
    TcpObservation tcp,
    TlsObservation tls,
    List<HttpObservation> http,
    StartTlsObservation startTls,
    List<String> transcript) {
  public Observation {
    Objects.requireNonNull(target, "target");
    Objects.requireNonNull(tcp, "tcp");
    http = List.copyOf(http);
    transcript = List.copyOf(transcript);
  }
}
