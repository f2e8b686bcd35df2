package io.portproof.model.web;

import io.portproof.model.Family;
import io.portproof.model.SourceRef;
import java.util.List;
import java.util.Objects;

/**
 * What the outside world sees on one socket of a host, according to the server configuration.
 *
 * @param family address family
 * @param address the bound address ({@code 0.0.0.0}/{@code ::} for wildcards)
 * @param port the port
 * @param transport {@code tcp} or {@code udp}
 * @param tls whether the socket speaks TLS
 * @param listener the configuration line that binds the socket, or null when nothing listens
 * @param protocols TLS protocol versions accepted, lowest first (empty for plain sockets)
 * @param protocolsBy the line that decided the protocols
 * @param ciphers suites offered: TLS 1.3 suites first, then TLS 1.2-and-below in server order
 * @param ciphersBy the line that decided the cipher list
 * @param certificate the certificate presented for the host name asked for, or null
 * @param server the virtual host that answers the host name asked for, or null
 * @param responses predicted answers for the probe paths
 */
public record EndpointPrediction(
    Family family,
    String address,
    int port,
    String transport,
    boolean tls,
    ListenerRef listener,
    List<String> protocols,
    SourceRef protocolsBy,
    List<String> ciphers,
    SourceRef ciphersBy,
    CertificateFacts certificate,
    SourceRef server,
    List<ResponsePrediction> responses) {
  public EndpointPrediction {
    Objects.requireNonNull(family, "family");
    Objects.requireNonNull(address, "address");
    Objects.requireNonNull(transport, "transport");
    protocols = List.copyOf(protocols);
    ciphers = List.copyOf(ciphers);
    responses = List.copyOf(responses);
  }

  public boolean listening() {
    return listener != null;
  }
}
