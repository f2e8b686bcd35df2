package io.portproof.truth;

import com.google.common.net.InetAddresses;

/**
 * One TCP connection attempt: from a client address to a server address and port.
 *
 * @param src client address the socket binds
 * @param dst server address it connects to
 * @param port destination port before any NAT
 */
public record Probe(String src, String dst, int port) {
  public Probe {
    if (InetAddresses.forString(src).getClass() != InetAddresses.forString(dst).getClass()) {
      throw new IllegalArgumentException("mixed families: " + src + " -> " + dst);
    }
    if (port < 1 || port > 65535) {
      throw new IllegalArgumentException("port " + port);
    }
  }

  public boolean v6() {
    return src.contains(":");
  }

  /** The line portproof's {@code explain --packets} reads for this probe. */
  public String packetLine(String iface) {
    return src + " " + dst + " tcp " + port + " " + iface;
  }

  @Override
  public String toString() {
    return v6() ? src + " -> [" + dst + "]:" + port : src + " -> " + dst + ":" + port;
  }
}
