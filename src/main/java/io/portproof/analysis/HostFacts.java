package io.portproof.analysis;

import io.portproof.model.Family;
import io.portproof.model.Ip;
import io.portproof.model.IpRange;
import io.portproof.model.IpSet;
import io.portproof.model.PortSet;
import io.portproof.model.fw.Ruleset;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * Everything checks ask about one host, computed once: per host address and protocol, the exposure of every
 * port to every client.
 */
public final class HostFacts {
  private final String name;
  private final List<Ip> addresses;
  private final String inIface;
  private final FirewallAnalyzer analyzer;
  private final List<Ruleset> rulesets;
  private final Map<String, Exposure> cache = new HashMap<>();

  /**
   * @param name the host's name
   * @param addresses its public addresses, the ones checks speak about
   * @param inIface the interface clients arrive on, or null for any external one
   * @param forwarding whether the host routes packets not addressed to it
   * @param rulesets its packet filters
   */
  public HostFacts(String name, List<Ip> addresses, String inIface, boolean forwarding, List<Ruleset> rulesets) {
    this.name = Objects.requireNonNull(name);
    this.addresses = List.copyOf(addresses);
    this.inIface = inIface;
    this.rulesets = List.copyOf(rulesets);
    IpSet local = IpSet.EMPTY;
    for (Ip a : addresses) {
      local = local.union(IpSet.of(IpRange.of(a)));
      if (a.family() == Family.IPV6) {
        local = local.union(IpSet.of(IpRange.of(solicitedNode(a))));
      }
    }
    this.analyzer = new FirewallAnalyzer(new HostContext(rulesets, local, forwarding));
  }

  /** ff02::1:ffXX:XXXX, the multicast group a neighbour solicitation for {@code a} is sent to. */
  public static Ip solicitedNode(Ip a) {
    byte[] b = a.toInetAddress().getAddress();
    byte[] m = new byte[16];
    m[0] = (byte) 0xff;
    m[1] = 0x02;
    m[11] = 0x01;
    m[12] = (byte) 0xff;
    m[13] = b[13];
    m[14] = b[14];
    m[15] = b[15];
    try {
      return Ip.of(java.net.InetAddress.getByAddress(m));
    } catch (java.net.UnknownHostException e) {
      throw new AssertionError(e);
    }
  }

  public String name() {
    return name;
  }

  public List<Ip> addresses() {
    return addresses;
  }

  public List<Ip> addresses(Family family) {
    return addresses.stream().filter(a -> a.family() == family).toList();
  }

  public boolean hasRuleset(Family family) {
    return rulesets.stream().anyMatch(r -> r.family() == family);
  }

  public FirewallAnalyzer analyzer() {
    return analyzer;
  }

  /** Every port of {@code proto} on {@code address} (for ICMP: every type), cached. */
  public Exposure exposure(Ip address, int proto) {
    return cache.computeIfAbsent(address + "/" + proto, k -> analyzer.exposure(address, proto,
        proto == Protocols.ICMP || proto == Protocols.ICMPV6 ? PortSet.range(0, 255) : PortSet.range(1, PortSet.MAX), inIface));
  }

  /** The exposures computed so far, for checks that review everything others looked at. */
  public List<Exposure> computed() {
    return cache.values().stream()
        .sorted(java.util.Comparator.comparing((Exposure e) -> e.destination()).thenComparingInt(Exposure::proto))
        .toList();
  }
}
