package io.portproof.parse;

import io.portproof.analysis.Protocols;
import io.portproof.diag.Diagnostics;
import io.portproof.model.Family;
import io.portproof.model.Ip;
import io.portproof.model.IpRange;
import io.portproof.model.IpSet;
import io.portproof.model.PortSet;
import io.portproof.model.SourceRef;
import io.portproof.model.fw.Action;
import io.portproof.model.fw.BaseChain;
import io.portproof.model.fw.Chain;
import io.portproof.model.fw.Match;
import io.portproof.model.fw.Rule;
import io.portproof.model.fw.Ruleset;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;

/**
 * What the formats of filter layers share: where cloud filters (AWS, Azure, GCP) sit on the netfilter path, CIDRs, protocol
 * numbers, port and ICMP ranges. A cloud filter is converted to base chains at priorities outside the host's own
 * (-300..100): the network ACL first, then the security group, both in PREROUTING, and a stateless ACL's outbound
 * rules in POSTROUTING after everything of the host, where they meet the host's reply.
 */
public final class FilterLayers {
  /** A stateless network ACL's inbound rules: the subnet's border, met first. */
  public static final int ACL_INBOUND = -20000;
  /** A stateful security group (AWS SG, Azure NSG, GCP firewall rules): at the instance's interface. */
  public static final int GROUP_INBOUND = -10000;
  /** A stateless network ACL's outbound rules, which must let the host's reply out. */
  public static final int ACL_OUTBOUND = 20000;

  private FilterLayers() {}

  /**
   * What no cloud filter sees, as ACCEPT rules to put first: loopback traffic never leaves the host, and IPv6
   * link-local traffic (neighbour discovery above all) stays between the instance and its hypervisor — AWS
   * documents that security groups and network ACLs do not filter link-local traffic, and Azure and GCP answer
   * neighbour discovery in the host's virtual switch. IPv4 link-local needs no rule: ARP is not IP, and no
   * client connects to the host from 169.254.0.0/16.
   *
   * @param inbound whether the rules are for arriving packets (else for the host's replies)
   */
  public static List<Rule> unfiltered(String file, Family family, boolean inbound) {
    Rule lo = new Rule(List.of(new Match.Interface(inbound, List.of("lo"), false)), new Action.Accept(),
        new SourceRef(file, 0, "loopback traffic never reaches the cloud network's filters"));
    if (family == Family.IPV4) {
      return List.of(lo);
    }
    return List.of(lo, new Rule(
        List.of(new Match.Address(inbound ? Match.Side.SOURCE : Match.Side.DESTINATION, IpSet.of(IpRange.prefix(Ip.parse("fe80::"), 10)), false)),
        new Action.Accept(), new SourceRef(file, 0, "link-local traffic stays with the hypervisor; cloud filters do not see it")));
  }

  /**
   * One cloud filter from the per-file rulesets of a format whose files are parts of one filter (the security
   * groups of an instance, the firewall rules of a network): per family, one chain holding every file's rules in
   * {@code order} (stable, so ties keep the files' order), and the pass-through rules each file starts with (line
   * 0, see {@link #unfiltered}) kept once. A family seen in one file only is returned as it was.
   *
   * @param policyText what the joined chain's default verdict says, given the files' names
   */
  public static List<Ruleset> join(List<Ruleset> perFile, Comparator<Rule> order, Function<String, String> policyText) {
    Map<Family, List<Ruleset>> byFamily = new EnumMap<>(Family.class);
    perFile.forEach(rs -> byFamily.computeIfAbsent(rs.family(), f -> new ArrayList<>()).add(rs));
    List<Ruleset> out = new ArrayList<>();
    for (Map.Entry<Family, List<Ruleset>> e : byFamily.entrySet()) {
      List<Ruleset> group = e.getValue();
      if (group.size() == 1) {
        out.add(group.get(0));
        continue;
      }
      List<Rule> passThrough = new ArrayList<>();
      List<Rule> rules = new ArrayList<>();
      List<String> files = new ArrayList<>();
      for (Ruleset rs : group) {
        for (Rule r : rs.baseChains().get(0).chain().rules()) {
          if (r.source().line() > 0) {
            rules.add(r);
          } else if (files.isEmpty()) {
            passThrough.add(r);
          }
        }
        files.add(rs.source().file());
      }
      rules.sort(order);
      passThrough.addAll(rules);
      BaseChain base = group.get(0).baseChains().get(0);
      Chain first = base.chain();
      SourceRef policy = new SourceRef(first.source().file(), first.source().line(), policyText.apply(String.join(", ", files)));
      Chain c = new Chain(first.key(), first.table(), first.name(), first.policy(), passThrough, policy);
      out.add(new Ruleset(e.getKey(), List.of(new BaseChain(base.hook(), base.priority(), base.nat(), c)), Map.of(c.key(), c),
          group.get(0).source()));
    }
    return out;
  }

  /** The family of a CIDR block or address as written, or null when it is neither (a name, a service tag). */
  public static Family familyOf(String cidr) {
    String addr = cidr.indexOf('/') < 0 ? cidr : cidr.substring(0, cidr.indexOf('/'));
    return Ip.isLiteral(addr) ? Ip.parse(addr).family() : null;
  }

  /** A CIDR (or single address) of the given family, or of either when {@code family} is null; else null with an INVALID diagnostic. */
  public static IpSet cidr(String text, Family family, SourceRef at, Diagnostics diags) {
    int slash = text.indexOf('/');
    String addr = slash < 0 ? text : text.substring(0, slash);
    if (!Ip.isLiteral(addr)) {
      diags.invalid(at, "'" + text + "' is not a CIDR block");
      return null;
    }
    Ip ip = Ip.parse(addr);
    if (family == null) {
      family = ip.family();
    } else if (ip.family() != family) {
      diags.invalid(at, "'" + text + "' is not an " + family.label() + " CIDR block");
      return null;
    }
    int prefix;
    try {
      prefix = slash < 0 ? family.bits() : Integer.parseInt(text.substring(slash + 1));
    } catch (NumberFormatException e) {
      prefix = -1;
    }
    if (prefix < 0 || prefix > family.bits()) {
      diags.invalid(at, "'" + text + "' has a bad prefix length");
      return null;
    }
    return IpSet.of(IpRange.prefix(ip, prefix));
  }

  /**
   * The protocol number for a name or number; {@code -1}, {@code all} and {@code *} (every protocol) give -1, or null with an INVALID diagnostic.
   */
  public static Integer protocol(String value, SourceRef at, Diagnostics diags) {
    if (value == null) {
      diags.invalid(at, "the entry has no protocol");
      return null;
    }
    if (value.equals("-1") || value.equals("*") || value.equalsIgnoreCase("all")) {
      return -1;
    }
    int n = Protocols.number(value);
    if (n < 0) {
      diags.invalid(at, "unknown protocol '" + value + "'");
      return null;
    }
    return n;
  }

  /**
   * Protocol, port and ICMP conditions. For TCP/UDP {@code from..to} are ports, for ICMP(v6) type and code (-1 =
   * any), otherwise ignored as AWS ignores them. Null with an INVALID diagnostic when the ranges are bad.
   */
  public static List<Match> protocolMatches(int proto, int from, int to, SourceRef at, Diagnostics diags) {
    List<Match> ms = new ArrayList<>();
    if (proto < 0) {
      return ms;
    }
    ms.add(new Match.Protocol(Set.of(proto), false));
    if (proto == Protocols.TCP || proto == Protocols.UDP) {
      if (from == -1 && to == -1) {
        return ms;
      }
      if (from < 0 || to > PortSet.MAX || from > to) {
        diags.invalid(at, "bad port range " + from + "-" + to);
        return null;
      }
      if (from > 0 || to < PortSet.MAX) {
        ms.add(new Match.Port(Match.Side.DESTINATION, PortSet.range(from, to), false));
      }
    } else if (proto == Protocols.ICMP || proto == Protocols.ICMPV6) {
      if (from > 255 || to > 255) {
        diags.invalid(at, "bad ICMP type/code " + from + "/" + to);
        return null;
      }
      if (from >= 0) {
        ms.add(new Match.IcmpType(from, to < 0 ? 0 : to, to < 0 ? 255 : to, false));
      }
    }
    return ms;
  }

  public static int intOr(com.fasterxml.jackson.databind.JsonNode v, int dflt) {
    return v == null || v.isMissingNode() || v.isNull() ? dflt : v.asInt(dflt);
  }
}
