package io.portproof.model;

import java.util.Objects;

/**
 * One connection attempt to ask about.
 *
 * @param src the client's address
 * @param dst the address it connects to
 * @param proto IP protocol number (6 tcp, 17 udp, …)
 * @param dport destination port; for ICMP the ICMP type
 * @param sport the client's source port, or null for "any unprivileged port"
 * @param inIface the interface it arrives on, or null for "any external interface"
 */
public record Packet(Ip src, Ip dst, int proto, int dport, Integer sport, String inIface) {
  public Packet {
    Objects.requireNonNull(src);
    Objects.requireNonNull(dst);
    if (src.family() != dst.family()) {
      throw new IllegalArgumentException("source " + src + " and destination " + dst + " are of different families");
    }
    if (dport < 0 || dport > 65535 || (sport != null && (sport < 0 || sport > 65535))) {
      throw new IllegalArgumentException("port out of range");
    }
  }

  public Family family() {
    return src.family();
  }
}
