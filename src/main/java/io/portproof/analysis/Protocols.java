package io.portproof.analysis;

import java.util.Locale;
import java.util.Map;

/** IP protocol numbers and names as iptables and nft spell them (the /etc/protocols names). */
public final class Protocols {
  public static final int ICMP = 1;
  public static final int TCP = 6;
  public static final int UDP = 17;
  public static final int DCCP = 33;
  public static final int ESP = 50;
  public static final int AH = 51;
  public static final int ICMPV6 = 58;
  public static final int SCTP = 132;
  public static final int UDPLITE = 136;

  private static final Map<String, Integer> BY_NAME = Map.ofEntries(
      Map.entry("icmp", ICMP), Map.entry("igmp", 2), Map.entry("tcp", TCP), Map.entry("udp", UDP),
      Map.entry("dccp", DCCP), Map.entry("gre", 47), Map.entry("esp", ESP), Map.entry("ah", AH),
      Map.entry("icmpv6", ICMPV6), Map.entry("ipv6-icmp", ICMPV6), Map.entry("icmp6", ICMPV6),
      Map.entry("sctp", SCTP), Map.entry("udplite", UDPLITE), Map.entry("ipip", 4), Map.entry("ospf", 89),
      Map.entry("vrrp", 112), Map.entry("pim", 103), Map.entry("l2tp", 115), Map.entry("mh", 135),
      Map.entry("ipv6-mh", 135), Map.entry("ipv6", 41), Map.entry("encap", 98));

  private Protocols() {}

  /** The number for a name or a decimal string, or -1 when unknown. */
  public static int number(String text) {
    String t = text.toLowerCase(Locale.ROOT);
    Integer n = BY_NAME.get(t);
    if (n != null) {
      return n;
    }
    try {
      int v = Integer.parseInt(t);
      return v >= 0 && v <= 255 ? v : -1;
    } catch (NumberFormatException e) {
      return -1;
    }
  }

  public static String name(int number) {
    return switch (number) {
      case ICMP -> "icmp";
      case TCP -> "tcp";
      case UDP -> "udp";
      case ICMPV6 -> "icmpv6";
      case SCTP -> "sctp";
      case UDPLITE -> "udplite";
      case DCCP -> "dccp";
      default -> Integer.toString(number);
    };
  }

  /** Whether the protocol's header carries source and destination ports. */
  public static boolean hasPorts(int number) {
    return number == TCP || number == UDP || number == SCTP || number == UDPLITE || number == DCCP;
  }
}
