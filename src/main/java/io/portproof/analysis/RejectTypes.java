package io.portproof.analysis;

import java.util.Map;

/**
 * The {@code --reject-with} kinds: the ICMP code each sends and what a TCP client sees. Linux aborts a
 * connecting socket on any ICMP destination-unreachable; only port-unreachable (and a RST) read as
 * "connection refused", the others as "no route" / "network unreachable" / "permission denied".
 */
public final class RejectTypes {
  /** Canonical iptables-save spellings, keyed by every accepted alias. */
  private static final Map<String, String> CANONICAL = Map.ofEntries(
      Map.entry("icmp-net-unreachable", "icmp-net-unreachable"), Map.entry("net-unreach", "icmp-net-unreachable"),
      Map.entry("icmp-host-unreachable", "icmp-host-unreachable"), Map.entry("host-unreach", "icmp-host-unreachable"),
      Map.entry("icmp-proto-unreachable", "icmp-proto-unreachable"), Map.entry("proto-unreach", "icmp-proto-unreachable"),
      Map.entry("icmp-port-unreachable", "icmp-port-unreachable"), Map.entry("port-unreach", "icmp-port-unreachable"),
      Map.entry("icmp-net-prohibited", "icmp-net-prohibited"), Map.entry("net-prohib", "icmp-net-prohibited"),
      Map.entry("icmp-host-prohibited", "icmp-host-prohibited"), Map.entry("host-prohib", "icmp-host-prohibited"),
      Map.entry("icmp-admin-prohibited", "icmp-admin-prohibited"), Map.entry("admin-prohib", "icmp-admin-prohibited"),
      Map.entry("tcp-reset", "tcp-reset"),
      Map.entry("icmp6-no-route", "icmp6-no-route"), Map.entry("no-route", "icmp6-no-route"),
      Map.entry("icmp6-adm-prohibited", "icmp6-adm-prohibited"), Map.entry("adm-prohibited", "icmp6-adm-prohibited"),
      Map.entry("icmp6-addr-unreachable", "icmp6-addr-unreachable"), Map.entry("addr-unreach", "icmp6-addr-unreachable"),
      Map.entry("icmp6-port-unreachable", "icmp6-port-unreachable"), Map.entry("port-unreach6", "icmp6-port-unreachable"),
      Map.entry("icmp6-policy-fail", "icmp6-policy-fail"), Map.entry("policy-fail", "icmp6-policy-fail"),
      Map.entry("icmp6-reject-route", "icmp6-reject-route"), Map.entry("reject-route", "icmp6-reject-route"));

  private static final Map<String, Integer> CODES = Map.ofEntries(
      Map.entry("icmp-net-unreachable", 0), Map.entry("icmp-host-unreachable", 1),
      Map.entry("icmp-proto-unreachable", 2), Map.entry("icmp-port-unreachable", 3),
      Map.entry("icmp-net-prohibited", 9), Map.entry("icmp-host-prohibited", 10),
      Map.entry("icmp-admin-prohibited", 13), Map.entry("icmp6-no-route", 0),
      Map.entry("icmp6-adm-prohibited", 1), Map.entry("icmp6-addr-unreachable", 3),
      Map.entry("icmp6-port-unreachable", 4), Map.entry("icmp6-policy-fail", 5),
      Map.entry("icmp6-reject-route", 6));

  private RejectTypes() {}

  /**
   * The canonical name for a {@code --reject-with} value in the given family, or null if there is none. IPv6
   * takes {@code port-unreach} as its own port-unreachable.
   */
  public static String canonical(String with, boolean ipv6) {
    if (ipv6 && "port-unreach".equals(with)) {
      return "icmp6-port-unreachable";
    }
    String c = CANONICAL.get(with);
    if (c == null) {
      return null;
    }
    return (c.startsWith("icmp6") == ipv6 || c.equals("tcp-reset")) ? c : null;
  }

  static int icmpCode(String with) {
    return CODES.getOrDefault(with, 3);
  }

  /** What a TCP client sees: {@code refused} or {@code unreachable}. */
  public static String clientSees(String with) {
    return "tcp-reset".equals(with) || "icmp-port-unreachable".equals(with) || "icmp6-port-unreachable".equals(with)
        ? "refused" : "unreachable";
  }
}
