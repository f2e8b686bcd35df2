package io.portproof.analysis;

import io.portproof.model.Ip;
import io.portproof.model.SourceRef;

/**
 * Where NAT sent a connection.
 *
 * @param address the new destination address
 * @param port the new destination port, or -1 when unchanged
 * @param source the DNAT/REDIRECT rule
 */
public record Rewrite(Ip address, int port, SourceRef source) {}
