package io.portproof.analysis;

import io.portproof.model.Ip;
import io.portproof.model.SourceRef;
import io.portproof.model.web.EndpointPrediction;
import java.util.Objects;

/**
 * What a client on the internet meets at one host address and port: the firewall's answer joined with what
 * the server configuration binds there.
 *
 * @param address the host address
 * @param port the port
 * @param transport tcp or udp
 * @param prediction open, refused, unreachable, filtered, or unknown
 * @param firewall the firewall's verdict for the internet: ACCEPT, DROP, REJECT, UNKNOWN, or MIXED when part of
 *     the internet meets one verdict and part another
 * @param firewallBy the deciding firewall line (for MIXED, the one for the largest part)
 * @param web the server's prediction for this socket, or null when no server configuration was given
 * @param why one line explaining the prediction (bound to loopback only, blocked although bound, …)
 */
public record Endpoint(Ip address, int port, String transport, String prediction, String firewall, SourceRef firewallBy,
    EndpointPrediction web, String why) {
  public Endpoint {
    Objects.requireNonNull(address);
    Objects.requireNonNull(prediction);
  }
}
