package io.portproof.probe;

import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketException;

/**
 * Which local address the kernel would use to reach a target, so a prediction can be made for the very
 * packet the prober sends. Connecting a UDP socket only consults the routing table: nothing is sent.
 */
public final class SourceAddress {
  private SourceAddress() {}

  /** The local address toward {@code target}, or null when there is no route. */
  public static InetAddress toward(InetAddress target) {
    try (DatagramSocket s = new DatagramSocket()) {
      s.connect(new InetSocketAddress(target, 9));
      InetAddress local = s.getLocalAddress();
      return local == null || local.isAnyLocalAddress() ? null : local;
    } catch (SocketException e) {
      return null;
    }
  }
}
