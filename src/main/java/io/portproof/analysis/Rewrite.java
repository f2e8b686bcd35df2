package io.portproof.analysis;

import io.portproof.model.Ip;
import io.portproof.model.SourceRef;

/**
 * Where NAT sent a connection.
 *
 * @param address the new destination address, or null when a REDIRECT picked one of several the exports
 *     cannot tell apart
 * @param port the new destination port, or -1 when unchanged
 * @param source the DNAT/REDIRECT rule
 */
public record Rewrite(Ip address, int port, SourceRef source) {}
