package io.portproof.parse.firewalld;

import io.portproof.model.SourceRef;
import java.util.List;

/**
 * One firewalld zone as its XML file or {@code firewall-cmd --list-all-zones} describes it, before conversion.
 *
 * @param name the zone's name
 * @param target default, ACCEPT, DROP, REJECT or %%REJECT%%
 * @param icmpBlockInversion whether icmp-blocks list the allowed types instead of the blocked ones
 * @param isDefault whether unmatched traffic lands here (the default zone)
 * @param interfaces bound interfaces
 * @param sources bound sources ({@code qualifier} address, mac or ipset)
 * @param services service names
 * @param ports ports ({@code qualifier} the protocol)
 * @param protocols IP protocols
 * @param sourcePorts source ports ({@code qualifier} the protocol)
 * @param icmpBlocks ICMP type names
 * @param forwardPorts port forwards, which firewalld turns into DNAT
 * @param rules rich rules
 * @param source the zone's declaration
 */
record Zone(String name, String target, boolean icmpBlockInversion, boolean isDefault, List<Item> interfaces,
    List<Item> sources, List<Item> services, List<Item> ports, List<Item> protocols, List<Item> sourcePorts,
    List<Item> icmpBlocks, List<Item> forwardPorts, List<RichRule> rules, SourceRef source) {
  Zone {
    interfaces = List.copyOf(interfaces);
    sources = List.copyOf(sources);
    services = List.copyOf(services);
    ports = List.copyOf(ports);
    protocols = List.copyOf(protocols);
    sourcePorts = List.copyOf(sourcePorts);
    icmpBlocks = List.copyOf(icmpBlocks);
    forwardPorts = List.copyOf(forwardPorts);
    rules = List.copyOf(rules);
  }

  Zone asDefault() {
    return new Zone(name, target, icmpBlockInversion, true, interfaces, sources, services, ports, protocols, sourcePorts,
        icmpBlocks, forwardPorts, rules, source);
  }

  /**
   * One entry of a zone.
   *
   * @param value the name, address or port range
   * @param qualifier the protocol of a port, the kind of a source (address, mac, ipset); else null
   * @param source where it is written
   */
  record Item(String value, String qualifier, SourceRef source) {}

  /**
   * A rich rule.
   *
   * @param family ipv4, ipv6 or null for both
   * @param priority rules below 0 run before the zone's own entries, above 0 after them
   * @param from the source condition, or null
   * @param to the destination condition, or null
   * @param element what it matches beyond addresses (service, port, …), or null
   * @param action accept, reject, drop, mark, or null when it only logs
   * @param rejectType reject's type, or null for the default
   * @param limit the action's rate limit, or null
   * @param source the rule as written
   */
  record RichRule(String family, int priority, Addr from, Addr to, Element element, String action, String rejectType,
      String limit, SourceRef source) {}

  /** A rich rule's source or destination: address, mac or ipset, possibly inverted. */
  record Addr(String kind, String value, boolean invert) {}

  /**
   * A rich rule's element.
   *
   * @param kind service, port, protocol, icmp-block, icmp-type, source-port, masquerade, forward-port
   * @param value the name, port or protocol value
   * @param protocol the protocol of a port, else null
   */
  record Element(String kind, String value, String protocol) {}
}
