package io.portproof.analysis;

import io.portproof.model.Family;
import io.portproof.model.IpRange;
import io.portproof.model.IpSet;
import io.portproof.model.Ip;
import io.portproof.model.fw.Ruleset;
import java.util.List;
import java.util.Objects;

/**
 * What the analyzer knows about one host: its packet-filter rulesets (all families, all sources that hook its
 * packets) and its own addresses, which decide {@code addrtype LOCAL} and whether a DNAT target is delivered
 * locally or forwarded.
 *
 * @param rulesets every ruleset hooking this host's packets
 * @param addresses the host's own addresses; loopback is added automatically
 * @param forwarding whether the host routes packets that are not for it (net.ipv4.ip_forward /
 *     net.ipv6.conf.all.forwarding); the kernel's default is off, and then a DNAT to another host is dropped
 */
public record HostContext(List<Ruleset> rulesets, IpSet addresses, boolean forwarding) {
  public HostContext {
    rulesets = List.copyOf(rulesets);
    Objects.requireNonNull(addresses);
  }

  /** A host with the kernel's default of not forwarding. */
  public HostContext(List<Ruleset> rulesets, IpSet addresses) {
    this(rulesets, addresses, false);
  }

  /** Loopback is always local, whatever the inputs say. */
  public IpSet localAddresses() {
    return addresses.union(IpSet.of(
        IpRange.prefix(Ip.parse("127.0.0.0"), 8), IpRange.of(Ip.parse("::1"))));
  }

  public List<Ruleset> rulesets(Family family) {
    return rulesets.stream().filter(r -> r.family() == family).toList();
  }
}
