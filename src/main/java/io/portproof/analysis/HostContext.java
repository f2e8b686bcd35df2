package io.portproof.analysis;

import io.portproof.model.Family;
import io.portproof.model.Ip;
import io.portproof.model.IpRange;
import io.portproof.model.IpSet;
import io.portproof.model.SourceRef;
import io.portproof.model.fw.Ruleset;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeMap;

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
public record HostContext(List<Ruleset> rulesets, IpSet addresses, boolean forwarding, List<Route> routes, Cloud cloud) {
  public HostContext {
    rulesets = List.copyOf(rulesets);
    Objects.requireNonNull(addresses);
    routes = List.copyOf(routes);
    Objects.requireNonNull(cloud);
  }

  public HostContext(List<Ruleset> rulesets, IpSet addresses, boolean forwarding, List<Route> routes) {
    this(rulesets, addresses, forwarding, routes, Cloud.NONE);
  }

  /** A host with the kernel's default of not forwarding. */
  public HostContext(List<Ruleset> rulesets, IpSet addresses) {
    this(rulesets, addresses, false, List.of());
  }

  public HostContext(List<Ruleset> rulesets, IpSet addresses, boolean forwarding) {
    this(rulesets, addresses, forwarding, List.of());
  }

  /**
   * What a cloud's filters say about the instance by name only: its network tags and service accounts (GCP rules
   * for target instances) and the addresses behind service tags (Azure).
   *
   * @param attributes the instance's values per attribute ({@code network tag}, {@code service account})
   * @param addressNames addresses per name ({@code VirtualNetwork}), names compared without case
   */
  public record Cloud(Map<String, Set<String>> attributes, Map<String, IpSet> addressNames) {
    public static final Cloud NONE = new Cloud(Map.of(), Map.of());

    public Cloud {
      attributes = Map.copyOf(attributes);
      Map<String, IpSet> names = new TreeMap<>(String.CASE_INSENSITIVE_ORDER);
      names.putAll(addressNames);
      addressNames = Collections.unmodifiableMap(names);
    }

    /**
     * The addresses behind {@code name}, or null when not declared. Azure's Internet is everything outside the
     * virtual network, so it follows from a declared VirtualNetwork.
     */
    public IpSet addresses(String name) {
      IpSet s = addressNames.get(name);
      if (s == null && name.equalsIgnoreCase("Internet") && addressNames.containsKey("VirtualNetwork")) {
        s = IpSet.all().minus(addressNames.get("VirtualNetwork"));
      }
      return s;
    }
  }

  /**
   * A route of the host's table: packets to {@code prefix} leave by {@code iface}. Only forwarded packets need one,
   * to decide rules on the outgoing interface ({@code -o docker0}).
   *
   * @param prefix the destination prefix ({@code 0.0.0.0/0} for a default route)
   * @param length its prefix length; the longest matching prefix wins, as in the kernel
   * @param iface the outgoing interface
   * @param source where it was declared
   */
  public record Route(IpRange prefix, int length, String iface, SourceRef source) {
    public Route {
      Objects.requireNonNull(prefix);
      Objects.requireNonNull(iface);
      Objects.requireNonNull(source);
    }

    /**
     * Parses {@code CIDR} or {@code default} (both families' default routes) for {@code iface}.
     *
     * @throws IllegalArgumentException with a message for people when the text is neither
     */
    public static List<Route> parse(String text, String iface, SourceRef source) {
      String t = text.trim();
      if (t.equals("default")) {
        return List.of(new Route(IpRange.all(Family.IPV4), 0, iface, source),
            new Route(IpRange.all(Family.IPV6), 0, iface, source));
      }
      int slash = t.indexOf('/');
      String addr = slash < 0 ? t : t.substring(0, slash);
      if (!Ip.isLiteral(addr)) {
        throw new IllegalArgumentException("'" + text + "' is not a CIDR prefix or 'default'");
      }
      Ip ip = Ip.parse(addr);
      int len;
      try {
        len = slash < 0 ? ip.family().bits() : Integer.parseInt(t.substring(slash + 1));
      } catch (NumberFormatException e) {
        len = -1;
      }
      if (len < 0 || len > ip.family().bits()) {
        throw new IllegalArgumentException("'" + text + "' has no valid prefix length for " + ip.family().label());
      }
      return List.of(new Route(IpRange.prefix(ip, len), len, iface, source));
    }

    @Override
    public String toString() {
      return (length == 0 ? "default" : prefix.toCidrs().get(0)) + " dev " + iface;
    }
  }

  /** The interfaces routes name, so rules on them can be told apart from others. */
  public List<String> routeInterfaces() {
    return routes.stream().map(Route::iface).distinct().toList();
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
