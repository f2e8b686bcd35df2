package io.portproof.parse.firewalld;

import io.portproof.analysis.Protocols;
import io.portproof.analysis.RejectTypes;
import io.portproof.diag.Diagnostics;
import io.portproof.model.Family;
import io.portproof.model.IpSet;
import io.portproof.model.PortSet;
import io.portproof.model.SourceRef;
import io.portproof.model.fw.Action;
import io.portproof.model.fw.BaseChain;
import io.portproof.model.fw.Chain;
import io.portproof.model.fw.CtState;
import io.portproof.model.fw.Hook;
import io.portproof.model.fw.Match;
import io.portproof.model.fw.Rule;
import io.portproof.model.fw.Ruleset;
import io.portproof.model.fw.Verdict;
import io.portproof.parse.FilterLayers;
import io.portproof.parse.firewalld.Services.Service;
import io.portproof.parse.firewalld.Zone.Addr;
import io.portproof.parse.firewalld.Zone.Element;
import io.portproof.parse.firewalld.Zone.Item;
import io.portproof.parse.firewalld.Zone.RichRule;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.EnumSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Zones to the ruleset firewalld's nftables backend loads ({@code table inet firewalld}), one per family:
 * {@code filter_INPUT} at priority filter+10 accepts established and related traffic, DNAT'd traffic and
 * loopback, drops invalid packets, dispatches by source then by interface to the zone (unmatched traffic to the
 * default zone), and each zone's chain runs its rich rules with negative priority, its deny rules, its allow rules
 * (services, ports, protocols, source ports: new connections only), rich rules with positive priority, and its
 * target. The default target accepts ICMP and rejects everything else with {@code icmpx admin-prohibited}, like
 * %%REJECT%%.
 */
final class FirewalldConverter {
  private static final String TABLE = "firewalld";
  /** firewalld hooks at the iptables priorities plus this offset, so iptables rules run first. */
  private static final int PRIORITY = 10;
  private static final Set<CtState> NEW = EnumSet.of(CtState.NEW, CtState.UNTRACKED);
  /** firewalld's ICMP type names: IPv4 type, IPv6 type (-1 where the family has none). */
  private static final Map<String, int[]> ICMP_TYPES = Map.ofEntries(
      Map.entry("echo-request", new int[] {8, 128}), Map.entry("echo-reply", new int[] {0, 129}),
      Map.entry("destination-unreachable", new int[] {3, 1}), Map.entry("time-exceeded", new int[] {11, 3}),
      Map.entry("parameter-problem", new int[] {12, 4}), Map.entry("redirect", new int[] {5, 137}),
      Map.entry("router-advertisement", new int[] {9, 134}), Map.entry("router-solicitation", new int[] {10, 133}),
      Map.entry("source-quench", new int[] {4, -1}), Map.entry("timestamp-request", new int[] {13, -1}),
      Map.entry("timestamp-reply", new int[] {14, -1}), Map.entry("packet-too-big", new int[] {-1, 2}),
      Map.entry("neighbour-solicitation", new int[] {-1, 135}), Map.entry("neighbour-advertisement", new int[] {-1, 136}),
      Map.entry("mld-listener-query", new int[] {-1, 130}), Map.entry("mld-listener-report", new int[] {-1, 131}),
      Map.entry("mld-listener-done", new int[] {-1, 132}), Map.entry("mld2-listener-report", new int[] {-1, 143}));

  private final String file;
  private final List<Zone> zones;
  private final Diagnostics diags;

  FirewalldConverter(String file, List<Zone> zones, Diagnostics diags) {
    this.file = file;
    this.zones = List.copyOf(zones);
    this.diags = diags;
  }

  List<Ruleset> convert() {
    if (zones.isEmpty()) {
      return List.of();
    }
    Zone dflt = zones.stream().filter(Zone::isDefault).findFirst().orElse(null);
    if (dflt == null) {
      dflt = zones.stream().filter(z -> z.name().equals("public")).findFirst().orElse(zones.get(0));
      diags.risky(dflt.source(), "no zone is marked (default); taking " + dflt.name() + " as the default zone, as firewalld.conf's DefaultZone is not among the inputs");
    }
    List<Ruleset> out = new ArrayList<>();
    for (Family f : Family.values()) {
      // Every construct is the same in both families; say what is wrong with it once.
      Diagnostics d = f == Family.IPV4 ? diags : new Diagnostics();
      out.add(convert(f, dflt, d));
    }
    return out;
  }

  private SourceRef synthetic(String text) {
    return new SourceRef(file, 0, "firewalld: " + text);
  }

  private static String adminProhibited(Family f) {
    return f == Family.IPV4 ? "icmp-admin-prohibited" : "icmp6-adm-prohibited";
  }

  private Ruleset convert(Family f, Zone dflt, Diagnostics d) {
    Map<String, Chain> chains = new LinkedHashMap<>();
    String dispatch = "filter_INPUT_ZONES";
    List<Rule> input = List.of(
        new Rule(List.of(new Match.ConnState(EnumSet.of(CtState.ESTABLISHED, CtState.RELATED), false)), new Action.Accept(),
            synthetic("ct state { established, related } accept")),
        new Rule(List.of(new Match.ConnState(EnumSet.of(CtState.DNAT), false)), new Action.Accept(), synthetic("ct status dnat accept")),
        new Rule(List.of(new Match.Interface(true, List.of("lo"), false)), new Action.Accept(), synthetic("iifname \"lo\" accept")),
        new Rule(List.of(new Match.ConnState(EnumSet.of(CtState.INVALID), false)), new Action.Drop(), synthetic("ct state { invalid } drop")),
        new Rule(List.of(), new Action.Jump(Chain.key(TABLE, dispatch)), synthetic("jump " + dispatch)),
        new Rule(List.of(), new Action.Reject(adminProhibited(f)), synthetic("reject with icmpx admin-prohibited")));
    Chain inputChain = new Chain(Chain.key(TABLE, "filter_INPUT"), TABLE, "filter_INPUT", Verdict.ACCEPT, input,
        synthetic("chain filter_INPUT { type filter hook input priority filter + 10; policy accept; }"));
    chains.put(inputChain.key(), inputChain);

    List<Rule> zoneDispatch = new ArrayList<>();
    for (Zone z : zones) {
      for (Item s : z.sources()) {
        Match m = address(s.qualifier(), s.value(), false, Match.Side.SOURCE, f, s.source(), d);
        if (m != null) {
          zoneDispatch.add(new Rule(List.of(m), new Action.Goto(zoneKey(z)), s.source()));
        }
      }
    }
    for (Zone z : zones) {
      for (Item i : z.interfaces()) {
        zoneDispatch.add(new Rule(List.of(new Match.Interface(true, List.of(i.value()), false)), new Action.Goto(zoneKey(z)), i.source()));
      }
    }
    zoneDispatch.add(new Rule(List.of(), new Action.Goto(zoneKey(dflt)), dflt.source()));
    Chain zc = new Chain(Chain.key(TABLE, dispatch), TABLE, dispatch, null, zoneDispatch, synthetic("chain " + dispatch));
    chains.put(zc.key(), zc);
    for (Zone z : zones) {
      Chain c = new Chain(zoneKey(z), TABLE, "filter_IN_" + z.name(), null, zoneRules(z, f, d), z.source());
      chains.put(c.key(), c);
    }
    return new Ruleset(f, List.of(new BaseChain(Hook.INPUT, PRIORITY, false, inputChain)), chains, SourceRef.ofFile(file));
  }

  private static String zoneKey(Zone z) {
    return Chain.key(TABLE, "filter_IN_" + z.name());
  }

  private List<Rule> zoneRules(Zone z, Family f, Diagnostics d) {
    List<Rule> rules = new ArrayList<>();
    for (Item fp : z.forwardPorts()) {
      d.unsupported(fp.source(), "forward-port rewrites the destination before filtering; portproof does not model firewalld's DNAT, so connections to port " + fp.value() + " are UNKNOWN");
      List<Match> ms = new ArrayList<>();
      addPort(ms, fp.value(), fp.qualifier() == null ? "tcp" : fp.qualifier(), Match.Side.DESTINATION, fp.source(), d);
      rules.add(new Rule(ms, new Action.Unsupported("forward-port"), fp.source()));
    }
    List<RichRule> byPriority = new ArrayList<>(z.rules());
    byPriority.sort(Comparator.comparingInt(RichRule::priority));
    for (RichRule r : byPriority) {
      if (r.priority() < 0) {
        rules.addAll(rich(r, f, d));
      }
    }
    String admin = adminProhibited(f);
    if (!z.icmpBlockInversion()) {
      for (Item b : z.icmpBlocks()) {
        icmp(b.value(), f, b.source(), d).forEach(ms -> rules.add(new Rule(ms, new Action.Reject(admin), b.source())));
      }
    }
    for (RichRule r : z.rules()) {
      if (r.priority() == 0 && ("drop".equals(r.action()) || "reject".equals(r.action()))) {
        rules.addAll(rich(r, f, d));
      }
    }
    for (Item s : z.services()) {
      for (List<Match> ms : service(s.value(), f, s.source(), d)) {
        ms.add(new Match.ConnState(NEW, false));
        rules.add(new Rule(ms, new Action.Accept(), s.source()));
      }
    }
    for (Item p : z.ports()) {
      List<Match> ms = new ArrayList<>();
      if (addPort(ms, p.value(), p.qualifier(), Match.Side.DESTINATION, p.source(), d)) {
        ms.add(new Match.ConnState(NEW, false));
        rules.add(new Rule(ms, new Action.Accept(), p.source()));
      }
    }
    for (Item p : z.protocols()) {
      int n = Protocols.number(p.value());
      if (n < 0) {
        d.invalid(p.source(), "unknown protocol '" + p.value() + "'");
        continue;
      }
      rules.add(new Rule(List.of(new Match.Protocol(Set.of(n), false), new Match.ConnState(NEW, false)), new Action.Accept(), p.source()));
    }
    for (Item p : z.sourcePorts()) {
      List<Match> ms = new ArrayList<>();
      if (addPort(ms, p.value(), p.qualifier(), Match.Side.SOURCE, p.source(), d)) {
        ms.add(new Match.ConnState(NEW, false));
        rules.add(new Rule(ms, new Action.Accept(), p.source()));
      }
    }
    if (z.icmpBlockInversion()) {
      for (Item b : z.icmpBlocks()) {
        icmp(b.value(), f, b.source(), d).forEach(ms -> rules.add(new Rule(ms, new Action.Accept(), b.source())));
      }
    }
    for (RichRule r : z.rules()) {
      if (r.priority() == 0 && !"drop".equals(r.action()) && !"reject".equals(r.action())) {
        rules.addAll(rich(r, f, d));
      }
    }
    for (RichRule r : byPriority) {
      if (r.priority() > 0) {
        rules.addAll(rich(r, f, d));
      }
    }
    String t = z.target();
    SourceRef at = new SourceRef(file, z.source().line(), z.source().text() + "  [zone " + z.name() + ", target " + t + "]");
    int icmp = f == Family.IPV4 ? Protocols.ICMP : Protocols.ICMPV6;
    switch (t) {
      case "ACCEPT" -> rules.add(new Rule(List.of(), new Action.Accept(), at));
      case "DROP" -> rules.add(new Rule(List.of(), new Action.Drop(), at));
      case "default" -> {
        if (!z.icmpBlockInversion()) {
          rules.add(new Rule(List.of(new Match.Protocol(Set.of(icmp), false)), new Action.Accept(), at));
        }
        rules.add(new Rule(List.of(), new Action.Reject(admin), at));
      }
      default -> rules.add(new Rule(List.of(), new Action.Reject(admin), at));
    }
    return rules;
  }

  /** A rich rule as rules of family {@code f}: none when it is for the other family. */
  private List<Rule> rich(RichRule r, Family f, Diagnostics d) {
    if (r.family() != null && !r.family().equals(f == Family.IPV4 ? "ipv4" : "ipv6")) {
      return List.of();
    }
    SourceRef at = r.source();
    List<Match> base = new ArrayList<>();
    for (Addr a : new Addr[] {r.from(), r.to()}) {
      if (a == null) {
        continue;
      }
      Match m = address(a.kind(), a.value(), a.invert(), a == r.from() ? Match.Side.SOURCE : Match.Side.DESTINATION, f, at, d);
      if (m == null) {
        return List.of();
      }
      base.add(m);
    }
    if (r.limit() != null) {
      d.unsupported(at, "the action is rate-limited (limit value=\"" + r.limit() + "\"), which no export can decide; affected packets are UNKNOWN");
      base.add(new Match.Undecidable("limit value=\"" + r.limit() + "\""));
    }
    Action action;
    if (r.element() != null && r.element().kind().equals("forward-port")) {
      d.unsupported(at, "forward-port rewrites the destination before filtering; portproof does not model firewalld's DNAT, so these connections are UNKNOWN");
      action = new Action.Unsupported("forward-port");
    } else if (r.action() == null) {
      action = new Action.Continue("log");
    } else {
      action = switch (r.action()) {
        case "accept" -> new Action.Accept();
        case "drop" -> new Action.Drop();
        case "mark" -> new Action.Continue("mark");
        default -> reject(r.rejectType(), f, at, d);
      };
      if (action == null) {
        return List.of();
      }
    }
    List<List<Match>> alternatives = element(r.element(), f, at, d);
    List<Rule> out = new ArrayList<>();
    for (List<Match> alt : alternatives) {
      List<Match> ms = new ArrayList<>(base);
      ms.addAll(alt);
      out.add(new Rule(ms, action, at));
    }
    return out;
  }

  private static Action reject(String type, Family f, SourceRef at, Diagnostics d) {
    if (type == null) {
      // nft's plain "reject" in an inet table sends port-unreachable of the packet's family.
      return new Action.Reject(f == Family.IPV4 ? "icmp-port-unreachable" : "icmp6-port-unreachable");
    }
    String c = RejectTypes.canonical(type, f == Family.IPV6);
    if (c == null) {
      // A rich rule with a reject type names its family; the other family never sees it.
      if (RejectTypes.canonical(type, f != Family.IPV6) == null) {
        d.invalid(at, "unknown reject type '" + type + "'");
      }
      return null;
    }
    return new Action.Reject(c);
  }

  /** The element's conditions: one list per alternative (a service has one per port); none when it cannot match. */
  private List<List<Match>> element(Element e, Family f, SourceRef at, Diagnostics d) {
    List<List<Match>> out = new ArrayList<>();
    if (e == null) {
      out.add(new ArrayList<>());
      return out;
    }
    switch (e.kind()) {
      case "service" -> out.addAll(service(e.value(), f, at, d));
      case "port", "forward-port", "source-port" -> {
        List<Match> ms = new ArrayList<>();
        if (addPort(ms, e.value(), e.protocol(), e.kind().equals("source-port") ? Match.Side.SOURCE : Match.Side.DESTINATION, at, d)) {
          out.add(ms);
        }
      }
      case "protocol" -> {
        int n = Protocols.number(e.value());
        if (n < 0) {
          d.invalid(at, "unknown protocol '" + e.value() + "'");
        } else {
          out.add(new ArrayList<>(List.of(new Match.Protocol(Set.of(n), false))));
        }
      }
      case "icmp-block", "icmp-type" -> out.addAll(icmp(e.value(), f, at, d));
      default -> {
        // masquerade and tcp-mss-clamp act on forwarded and outgoing traffic only.
      }
    }
    return out;
  }

  private List<List<Match>> service(String name, Family f, SourceRef at, Diagnostics d) {
    return service(name, f, at, d, new java.util.HashSet<>());
  }

  /** @param seen services already expanded on this path: firewalld refuses include loops, so stop at one */
  private List<List<Match>> service(String name, Family f, SourceRef at, Diagnostics d, Set<String> seen) {
    List<List<Match>> out = new ArrayList<>();
    if (!seen.add(name)) {
      return out;
    }
    Service s = Services.get(name).orElse(null);
    if (s == null) {
      d.unsupported(at, "service '" + name + "' is not among the definitions portproof bundles; its ports are unknown, so traffic it might allow is UNKNOWN (list the ports with --add-port, or as ports in the zone)");
      out.add(new ArrayList<>(List.of(new Match.Undecidable("service " + name))));
      return out;
    }
    Match dest = null;
    boolean otherFamilyOnly = false;
    if (s.limitedToFamilies()) {
      String a = f == Family.IPV4 ? s.ipv4() : s.ipv6();
      if (a == null) {
        otherFamilyOnly = true;
      } else {
        dest = address("address", a, false, Match.Side.DESTINATION, f, at, d);
      }
    }
    for (Item p : otherFamilyOnly ? List.<Item>of() : s.ports()) {
      List<Match> ms = new ArrayList<>();
      if (addPort(ms, p.value(), p.qualifier(), Match.Side.DESTINATION, at, d)) {
        out.add(ms);
      }
    }
    for (String proto : otherFamilyOnly ? List.<String>of() : s.protocols()) {
      out.add(new ArrayList<>(List.of(new Match.Protocol(Set.of(Protocols.number(proto)), false))));
    }
    for (Item p : otherFamilyOnly ? List.<Item>of() : s.sourcePorts()) {
      List<Match> ms = new ArrayList<>();
      if (addPort(ms, p.value(), p.qualifier(), Match.Side.SOURCE, at, d)) {
        out.add(ms);
      }
    }
    if (dest != null) {
      for (List<Match> ms : out) {
        ms.add(0, dest);
      }
    }
    for (String included : s.includes()) {
      out.addAll(service(included, f, at, d, seen));
    }
    return out;
  }

  private static boolean addPort(List<Match> ms, String port, String protocol, Match.Side side, SourceRef at, Diagnostics d) {
    int n = protocol == null ? -1 : Protocols.number(protocol);
    if (n >= 0 && port.isEmpty()) {
      // firewalld writes a whole protocol as a port without a number: <port port="" protocol="esp"/>.
      ms.add(new Match.Protocol(Set.of(n), false));
      return true;
    }
    if (n < 0 || !Protocols.hasPorts(n)) {
      d.invalid(at, "port " + port + " needs a protocol with ports (tcp, udp, sctp, dccp), not " + protocol);
      return false;
    }
    PortSet ports;
    try {
      ports = PortSet.parse(port);
    } catch (IllegalArgumentException e) {
      d.invalid(at, "bad port '" + port + "'");
      return false;
    }
    ms.add(new Match.Protocol(Set.of(n), false));
    ms.add(new Match.Port(side, ports, false));
    return true;
  }

  private List<List<Match>> icmp(String name, Family f, SourceRef at, Diagnostics d) {
    List<List<Match>> out = new ArrayList<>();
    int[] types = ICMP_TYPES.get(name);
    int proto = f == Family.IPV4 ? Protocols.ICMP : Protocols.ICMPV6;
    if (types == null) {
      d.unsupported(at, "ICMP type '" + name + "' is not one portproof knows; ICMP it covers is UNKNOWN");
      out.add(new ArrayList<>(List.of(new Match.Protocol(Set.of(proto), false), new Match.Undecidable("icmp type " + name))));
      return out;
    }
    int type = types[f == Family.IPV4 ? 0 : 1];
    if (type >= 0) {
      out.add(new ArrayList<>(List.of(new Match.Protocol(Set.of(proto), false), new Match.IcmpType(type, 0, 255, false))));
    }
    return out;
  }

  /**
   * An address condition of family {@code f}; null when it concerns the other family (or is invalid, with a
   * diagnostic). MACs and firewalld ipsets are not in the inputs: undecidable.
   */
  private Match address(String kind, String value, boolean invert, Match.Side side, Family f, SourceRef at, Diagnostics d) {
    if (!"address".equals(kind)) {
      d.unsupported(at, (kind.equals("mac") ? "MAC address " : "firewalld ipset ") + value + " is not something the inputs resolve; affected packets are UNKNOWN");
      return new Match.Undecidable(kind + " " + value);
    }
    Family family = FilterLayers.familyOf(value);
    if (family == null) {
      d.invalid(at, "'" + value + "' is not an address or CIDR block");
      return null;
    }
    if (family != f) {
      return null;
    }
    IpSet set = FilterLayers.cidr(value, f, at, d);
    return set == null ? null : new Match.Address(side, set, invert);
  }
}
