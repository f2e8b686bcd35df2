package io.portproof.model.web;

import io.portproof.model.Family;
import io.portproof.model.SourceRef;
import java.util.Objects;

/**
 * A network socket a server binds or is configured to bind: one {@code listen}, {@code Listen},
 * {@code bind} or {@code ss} line. UNIX-domain sockets are never exposed and are not modelled.
 *
 * @param family address family
 * @param address the literal address, {@code 0.0.0.0} or {@code ::} for a wildcard
 * @param port the port
 * @param transport {@code tcp} or {@code udp}
 * @param tls whether the socket speaks TLS from the first byte
 * @param defaultServer whether this line marks its server as the default for the socket
 * @param http2 whether HTTP/2 is enabled on the socket
 * @param proxyProtocol whether the socket expects a PROXY protocol header first (plain clients
 *     then fail)
 * @param dualStack an IPv6 wildcard that also accepts IPv4 ({@code ipv6only=off}, {@code v4v6})
 * @param source the line that declared the socket
 */
public record ListenerRef(
    Family family,
    String address,
    int port,
    String transport,
    boolean tls,
    boolean defaultServer,
    boolean http2,
    boolean proxyProtocol,
    boolean dualStack,
    SourceRef source) {
  public ListenerRef {
    Objects.requireNonNull(family, "family");
    Objects.requireNonNull(address, "address");
    Objects.requireNonNull(source, "source");
    if (!transport.equals("tcp") && !transport.equals("udp")) {
      throw new IllegalArgumentException("transport must be tcp or udp: " + transport);
    }
    if (port < 1 || port > 65535) {
      throw new IllegalArgumentException("bad port " + port + " for " + family);
    }
  }

  /** Whether the address is the family's wildcard. */
  public boolean wildcard() {
    return address.equals("0.0.0.0") || address.equals("::");
  }

  /** The socket identity {@code family address port transport}, ignoring flags and source. */
  public String socketKey() {
    return family + " " + address + " " + port + " " + transport;
  }

  /** {@code 127.0.0.1:443}, {@code [::]:80}, with {@code /udp} if so. */
  public String display() {
    String at = family == Family.IPV4 ? address + ":" + port : "[" + address + "]:" + port;
    return transport.equals("udp") ? at + "/udp" : at;
  }
}
