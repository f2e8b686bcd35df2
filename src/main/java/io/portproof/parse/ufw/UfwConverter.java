package io.portproof.parse.ufw;

import io.portproof.analysis.Protocols;
import io.portproof.diag.Diagnostics;
import io.portproof.model.Family;
import io.portproof.model.IpSet;
import io.portproof.model.PortSet;
import io.portproof.model.SourceRef;
import io.portproof.model.fw.Action;
import io.portproof.model.fw.AddrType;
import io.portproof.model.fw.BaseChain;
import io.portproof.model.fw.Chain;
import io.portproof.model.fw.CtState;
import io.portproof.model.fw.Hook;
import io.portproof.model.fw.Match;
import io.portproof.model.fw.Rule;
import io.portproof.model.fw.Ruleset;
import io.portproof.model.fw.Verdict;
import io.portproof.parse.FilterLayers;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * ufw's rules in ufw's standard chain skeleton, as {@code before.rules}, {@code after.rules} and their IPv6
 * twins set it up on Debian and Ubuntu (compare {@code samples/ufw-host/rules.v4}): INPUT runs
 * {@code ufw-before-input} (loopback, established, the ICMP and DHCP ufw always accepts, invalid and non-local
 * packets dropped, mDNS and UPnP), which calls {@code ufw-user-input} (the user's rules in order, first match
 * wins), then {@code ufw-after-input} (NetBIOS, DHCP server and broadcasts go straight to the default), then the
 * default for incoming traffic. Logging rules are left out: they never change a verdict.
 */
final class UfwConverter {
  private static final String T = "filter";

  private final String file;
  private final Diagnostics diags;

  UfwConverter(String file, Diagnostics diags) {
    this.file = file;
    this.diags = diags;
  }

  List<Ruleset> convert(UfwReader.Parsed p) {
    if (!p.active()) {
      diags.risky(SourceRef.ofFile(file), "ufw is inactive: it filters nothing, so these rules have no effect");
    }
    List<Ruleset> out = new ArrayList<>();
    for (Family f : p.families()) {
      Diagnostics d = f == p.families().get(0) ? diags : new Diagnostics();
      out.add(p.active() ? active(p, f, d) : inactive(f));
    }
    return out;
  }

  private SourceRef skeleton(String text) {
    return new SourceRef(file, 0, "ufw skeleton: " + text);
  }

  private Ruleset inactive(Family f) {
    Chain input = new Chain(Chain.key(T, "INPUT"), T, "INPUT", Verdict.ACCEPT, List.of(), SourceRef.ofFile(file));
    return new Ruleset(f, List.of(new BaseChain(Hook.INPUT, 0, false, input)), Map.of(input.key(), input), SourceRef.ofFile(file));
  }

  private Ruleset active(UfwReader.Parsed p, Family f, Diagnostics d) {
    boolean v4 = f == Family.IPV4;
    int icmp = v4 ? Protocols.ICMP : Protocols.ICMPV6;
    Map<String, Chain> chains = new LinkedHashMap<>();
    // The default's verdict, as INPUT's policy (deny, allow) or ufw-reject-input's REJECT.
    Action dflt = switch (p.incoming()) {
      case "allow" -> new Action.Accept();
      case "reject" -> new Action.Reject(v4 ? "icmp-port-unreachable" : "icmp6-port-unreachable");
      default -> new Action.Drop();
    };
    SourceRef dfltAt = p.incomingSource();

    List<Rule> notLocal = new ArrayList<>();
    notLocal.add(rule(List.of(new Match.AddressType(Match.Side.DESTINATION, EnumSet.of(AddrType.LOCAL), false)), new Action.Return(), "-m addrtype --dst-type LOCAL -j RETURN"));
    notLocal.add(rule(List.of(new Match.AddressType(Match.Side.DESTINATION, EnumSet.of(AddrType.MULTICAST), false)), new Action.Return(), "-m addrtype --dst-type MULTICAST -j RETURN"));
    if (v4) {
      notLocal.add(rule(List.of(new Match.AddressType(Match.Side.DESTINATION, EnumSet.of(AddrType.BROADCAST), false)), new Action.Return(), "-m addrtype --dst-type BROADCAST -j RETURN"));
    }
    notLocal.add(rule(List.of(), new Action.Drop(), "ufw-not-local -j DROP"));
    put(chains, "ufw-not-local", null, notLocal);

    List<Rule> before = new ArrayList<>();
    before.add(rule(List.of(new Match.Interface(true, List.of("lo"), false)), new Action.Accept(), "-i lo -j ACCEPT"));
    before.add(rule(List.of(new Match.ConnState(EnumSet.of(CtState.RELATED, CtState.ESTABLISHED), false)), new Action.Accept(), "--ctstate RELATED,ESTABLISHED -j ACCEPT"));
    if (v4) {
      before.add(rule(List.of(new Match.ConnState(EnumSet.of(CtState.INVALID), false)), new Action.Drop(), "--ctstate INVALID -j DROP"));
      for (int type : new int[] {3, 11, 12, 8}) {
        before.add(rule(icmpType(icmp, type), new Action.Accept(), "-p icmp --icmp-type " + type + " -j ACCEPT"));
      }
      before.add(rule(List.of(proto(Protocols.UDP), new Match.Port(Match.Side.SOURCE, PortSet.of(67), false),
          new Match.Port(Match.Side.DESTINATION, PortSet.of(68), false)), new Action.Accept(), "-p udp --sport 67 --dport 68 -j ACCEPT"));
    } else {
      for (int type : new int[] {1, 2, 3, 4}) {
        before.add(rule(icmpType(icmp, type), new Action.Accept(), "-p ipv6-icmp --icmpv6-type " + type + " -j ACCEPT"));
      }
      for (int type : new int[] {133, 134, 135, 136, 141, 142, 148, 149}) {
        List<Match> ms = new ArrayList<>(icmpType(icmp, type));
        ms.add(new Match.HopLimit("eq", 255, false));
        before.add(rule(ms, new Action.Accept(), "-p ipv6-icmp --icmpv6-type " + type + " -m hl --hl-eq 255 -j ACCEPT"));
      }
      IpSet linkLocal = FilterLayers.cidr("fe80::/10", Family.IPV6, skeleton(""), d);
      for (int type : new int[] {130, 131, 132, 143, 151, 152, 153}) {
        List<Match> ms = new ArrayList<>(icmpType(icmp, type));
        ms.add(0, new Match.Address(Match.Side.SOURCE, linkLocal, false));
        before.add(rule(ms, new Action.Accept(), "-s fe80::/10 -p ipv6-icmp --icmpv6-type " + type + " -j ACCEPT"));
      }
      before.add(rule(icmpType(icmp, 128), new Action.Accept(), "-p ipv6-icmp --icmpv6-type 128 -j ACCEPT"));
      before.add(rule(List.of(new Match.Address(Match.Side.SOURCE, linkLocal, false), new Match.Address(Match.Side.DESTINATION, linkLocal, false),
          proto(Protocols.UDP), new Match.Port(Match.Side.SOURCE, PortSet.of(547), false), new Match.Port(Match.Side.DESTINATION, PortSet.of(546), false)),
          new Action.Accept(), "-s fe80::/10 -d fe80::/10 -p udp --sport 547 --dport 546 -j ACCEPT"));
      before.add(rule(List.of(new Match.ConnState(EnumSet.of(CtState.INVALID), false)), new Action.Drop(), "--ctstate INVALID -j DROP"));
    }
    before.add(rule(List.of(), new Action.Jump(Chain.key(T, "ufw-not-local")), "-j ufw-not-local"));
    String mdns = v4 ? "224.0.0.251/32" : "ff02::fb/128";
    String upnp = v4 ? "239.255.255.250/32" : "ff02::f/128";
    before.add(rule(List.of(new Match.Address(Match.Side.DESTINATION, FilterLayers.cidr(mdns, f, skeleton(""), d), false), proto(Protocols.UDP),
        new Match.Port(Match.Side.DESTINATION, PortSet.of(5353), false)), new Action.Accept(), "-d " + mdns + " -p udp --dport 5353 -j ACCEPT"));
    before.add(rule(List.of(new Match.Address(Match.Side.DESTINATION, FilterLayers.cidr(upnp, f, skeleton(""), d), false), proto(Protocols.UDP),
        new Match.Port(Match.Side.DESTINATION, PortSet.of(1900), false)), new Action.Accept(), "-d " + upnp + " -p udp --dport 1900 -j ACCEPT"));
    before.add(rule(List.of(), new Action.Jump(Chain.key(T, "ufw-user-input")), "-j ufw-user-input"));
    put(chains, "ufw-before-input", null, before);

    List<Rule> user = new ArrayList<>();
    for (UfwRule r : p.rules()) {
      if (r.family() == f) {
        user.addAll(user(r, f, d));
      }
    }
    put(chains, "ufw-user-input", null, user);

    List<Rule> after = new ArrayList<>();
    int[][] skip = {{Protocols.UDP, 137}, {Protocols.UDP, 138}, {Protocols.TCP, 139}, {Protocols.TCP, 445}, {Protocols.UDP, 67}, {Protocols.UDP, 68}};
    for (int[] s : skip) {
      after.add(new Rule(List.of(proto(s[0]), new Match.Port(Match.Side.DESTINATION, PortSet.of(s[1]), false)), dflt,
          skeleton("-p " + Protocols.name(s[0]) + " --dport " + s[1] + " -j ufw-skip-to-policy-input (no logging for noisy broadcast services)")));
    }
    if (v4) {
      after.add(new Rule(List.of(new Match.AddressType(Match.Side.DESTINATION, EnumSet.of(AddrType.BROADCAST), false)), dflt,
          skeleton("-m addrtype --dst-type BROADCAST -j ufw-skip-to-policy-input")));
    }
    put(chains, "ufw-after-input", null, after);

    List<Rule> input = new ArrayList<>();
    input.add(rule(List.of(), new Action.Jump(Chain.key(T, "ufw-before-input")), "-A INPUT -j ufw-before-input"));
    input.add(rule(List.of(), new Action.Jump(Chain.key(T, "ufw-after-input")), "-A INPUT -j ufw-after-input"));
    if (dflt instanceof Action.Reject) {
      input.add(new Rule(List.of(), dflt, dfltAt));
    }
    Chain in = new Chain(Chain.key(T, "INPUT"), T, "INPUT", dflt instanceof Action.Accept ? Verdict.ACCEPT : Verdict.DROP, input, dfltAt);
    chains.put(in.key(), in);
    return new Ruleset(f, List.of(new BaseChain(Hook.INPUT, 0, false, in)), chains, SourceRef.ofFile(file));
  }

  private Rule rule(List<Match> ms, Action a, String text) {
    return new Rule(ms, a, skeleton(text));
  }

  private void put(Map<String, Chain> chains, String name, Verdict policy, List<Rule> rules) {
    Chain c = new Chain(Chain.key(T, name), T, name, policy, rules, skeleton(":" + name + " - [0:0]"));
    chains.put(c.key(), c);
  }

  private static Match proto(int n) {
    return new Match.Protocol(Set.of(n), false);
  }

  private static List<Match> icmpType(int proto, int type) {
    return List.of(proto(proto), new Match.IcmpType(type, 0, 255, false));
  }

  /** One user rule: one iptables rule per protocol and port group, as ufw generates them. */
  private List<Rule> user(UfwRule r, Family f, Diagnostics d) {
    List<Match> base = new ArrayList<>();
    for (String[] a : new String[][] {{r.src(), "SOURCE"}, {r.dst(), "DESTINATION"}}) {
      if (a[0] != null) {
        IpSet set = FilterLayers.cidr(a[0], f, r.source(), d);
        if (set == null) {
          return List.of();
        }
        base.add(new Match.Address(Match.Side.valueOf(a[1]), set, false));
      }
    }
    if (r.iface() != null) {
      base.add(new Match.Interface(true, List.of(r.iface()), false));
    }
    List<List<Match>> dports = ports(r.dapp(), r.dports(), r.protocol(), Match.Side.DESTINATION, r.source(), d);
    List<List<Match>> sports = ports(r.sapp(), r.sports(), r.protocol(), Match.Side.SOURCE, r.source(), d);
    if (dports == null || sports == null) {
      return List.of();
    }
    List<Rule> out = new ArrayList<>();
    for (List<Match> dp : dports) {
      for (List<Match> sp : sports) {
        List<Match> ms = new ArrayList<>(base);
        Integer proto = protocolOf(dp, sp);
        if (proto == null) {
          continue;
        }
        ms.addAll(dp.stream().filter(m -> !(m instanceof Match.Protocol)).toList());
        ms.addAll(sp.stream().filter(m -> !(m instanceof Match.Protocol)).toList());
        if (proto >= 0) {
          ms.add(0, proto(proto));
        }
        switch (r.action()) {
          case "allow" -> out.add(new Rule(ms, new Action.Accept(), r.source()));
          case "deny" -> out.add(new Rule(ms, new Action.Drop(), r.source()));
          case "reject" -> out.add(new Rule(ms, new Action.Reject(proto == Protocols.TCP ? "tcp-reset"
              : f == Family.IPV4 ? "icmp-port-unreachable" : "icmp6-port-unreachable"), r.source()));
          default -> {
            // LIMIT: a source that opened 6 connections within 30 s is refused (-m recent); which one this is, no export says.
            List<Match> limited = new ArrayList<>(ms);
            limited.add(new Match.Undecidable("ufw limit: more than 6 connections in 30 s from one address are refused"));
            out.add(new Rule(limited, new Action.Reject(f == Family.IPV4 ? "icmp-port-unreachable" : "icmp6-port-unreachable"), r.source()));
            out.add(new Rule(ms, new Action.Accept(), r.source()));
          }
        }
      }
    }
    if ("limit".equals(r.action())) {
      d.unsupported(r.source(), "LIMIT refuses a source after 6 connections in 30 seconds, which no export can decide; its packets are UNKNOWN");
    }
    return out;
  }

  /** The protocol two port groups agree on: -1 for any, null when they cannot both hold. */
  private static Integer protocolOf(List<Match> a, List<Match> b) {
    Integer pa = a.stream().filter(m -> m instanceof Match.Protocol).map(m -> ((Match.Protocol) m).protocols().iterator().next()).findFirst().orElse(-1);
    Integer pb = b.stream().filter(m -> m instanceof Match.Protocol).map(m -> ((Match.Protocol) m).protocols().iterator().next()).findFirst().orElse(-1);
    if (pa >= 0 && pb >= 0 && !pa.equals(pb)) {
      return null;
    }
    return pa >= 0 ? pa : pb;
  }

  /**
   * Port groups of one side: each a protocol and ports. {@code any} ports with protocol any is one empty group;
   * ports with protocol any are a TCP and a UDP group, as ufw generates them. Null with a diagnostic when invalid.
   */
  private List<List<Match>> ports(String app, String ports, String protocol, Match.Side side, SourceRef at, Diagnostics d) {
    List<List<Match>> out = new ArrayList<>();
    if (app != null) {
      String spec = UfwApps.ports(app).orElse(null);
      if (spec == null) {
        d.unsupported(at, "application profile '" + app + "' is not one portproof bundles (its ports are in /etc/ufw/applications.d); its packets are UNKNOWN");
        out.add(new ArrayList<>(List.of(new Match.Undecidable("ufw application " + app))));
        return out;
      }
      for (String alt : spec.split("\\|")) {
        int slash = alt.indexOf('/');
        List<List<Match>> one = ports(null, slash < 0 ? alt : alt.substring(0, slash), slash < 0 ? "any" : alt.substring(slash + 1), side, at, d);
        if (one == null) {
          return null;
        }
        out.addAll(one);
      }
      return out;
    }
    boolean anyPort = ports == null || ports.equals("any");
    List<Integer> protos = new ArrayList<>();
    if (protocol == null || protocol.equals("any")) {
      if (anyPort) {
        out.add(new ArrayList<>());
        return out;
      }
      protos.add(Protocols.TCP);
      protos.add(Protocols.UDP);
    } else {
      int n = Protocols.number(protocol);
      if (n < 0) {
        d.invalid(at, "unknown protocol '" + protocol + "'");
        return null;
      }
      protos.add(n);
    }
    PortSet set = null;
    if (!anyPort) {
      try {
        set = PortSet.parse(ports);
      } catch (IllegalArgumentException e) {
        d.invalid(at, "bad port specification '" + ports + "'");
        return null;
      }
    }
    for (int n : protos) {
      List<Match> ms = new ArrayList<>();
      ms.add(proto(n));
      if (set != null) {
        ms.add(new Match.Port(side, set, false));
      }
      out.add(ms);
    }
    return out;
  }
}
