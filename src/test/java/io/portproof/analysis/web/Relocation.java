package io.portproof.analysis.web;

import java.io.IOException;
import java.net.ServerSocket;
import java.util.HashMap;
import java.util.Map;

/**
 * Moves a configuration's sockets onto test-owned ones: every distinct IPv4 address to its own
 * 127.0.0.x, every IPv6 address to ::1, every distinct port to a free high port — consistently, so
 * the relocated file keeps the original's structure.
 */
final class Relocation {
  private final Map<String, Integer> ports = new HashMap<>();
  private final Map<String, String> addresses = new HashMap<>();
  private final int firstOctet;

  Relocation(int firstOctet) {
    this.firstOctet = firstOctet;
  }

  /** A 127.0.0.x standing in for an IPv4 address or wildcard. */
  String ipv4(String original) {
    String key = original.isEmpty() || original.equals("*") || original.equals("0.0.0.0") ? "*" : original;
    return addresses.computeIfAbsent(key, k -> "127.0.0." + (firstOctet + addresses.size()));
  }

  /** A free port standing in for a port. */
  int port(String original) throws IOException {
    Integer p = ports.get(original);
    if (p == null) {
      try (ServerSocket s = new ServerSocket(0)) {
        p = s.getLocalPort();
      }
      ports.put(original, p);
    }
    return p;
  }
}
