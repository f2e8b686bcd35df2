package io.portproof.parse.azure;

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
import io.portproof.model.fw.Hook;
import io.portproof.model.fw.Match;
import io.portproof.model.fw.Rule;
import io.portproof.model.fw.Ruleset;
import io.portproof.model.fw.Verdict;
import io.portproof.parse.FilterLayers;
import io.portproof.parse.JsonInput;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * A network security group to one chain per family in PREROUTING at the security-group priority: inbound rules,
 * custom and default, by ascending priority, first match wins (Allow accepts, Deny drops), policy DROP. An NSG
 * is stateful, so outbound rules never stop a reply and are not converted.
 *
 * <p>Service tags other than {@code *} name address sets the NSG JSON does not hold ({@code VirtualNetwork} is
 * the VNet's address space and what is peered or connected to it, {@code Internet} everything else): they are
 * undecidable, as are application security groups. {@code AzureLoadBalancer} is documented as the host's
 * virtual IP, 168.63.129.16. Destination prefixes are compared with the VM's private address after Azure's
 * NAT, which the host description need not use: undecidable too.
 */
final class NsgConverter {
  private static final String TABLE = "azure-nsg";
  private static final IpSet AZURE_LOAD_BALANCER = IpSet.of(IpRange.of(Ip.parse("168.63.129.16")));

  private final JsonInput doc;
  private final String file;
  private final Diagnostics diags;
  /** Tags already explained, so an NSG using Internet in ten rules says why once. */
  private final Set<String> explained = new HashSet<>();

  NsgConverter(JsonInput doc, Diagnostics diags) {
    this.doc = doc;
    this.file = doc.input().name();
    this.diags = diags;
  }

  private record NsgRule(int priority, boolean allow, JsonInput.Node node, JsonInput.Node props) {}

  List<Ruleset> convert() {
    JsonInput.Node root = doc.root();
    List<JsonInput.Node> nsgs = root.value().isArray() ? root.elements() : List.of(root);
    if (nsgs.isEmpty() || !nsgs.get(0).value().isObject()) {
      diags.invalid(root.lineRef(), "not 'az network nsg show' output: expected a network security group object");
      return List.of();
    }
    if (nsgs.size() > 1) {
      diags.risky(nsgs.get(1).lineRef(), nsgs.size() + " network security groups; each is applied here as if all filtered the host (a subnet's and a NIC's do), so give only those of the host's subnet and NIC");
    }
    Map<Family, List<BaseChain>> bases = new LinkedHashMap<>();
    Map<Family, Map<String, Chain>> chains = new LinkedHashMap<>();
    for (Family f : Family.values()) {
      bases.put(f, new ArrayList<>());
      chains.put(f, new LinkedHashMap<>());
    }
    for (JsonInput.Node nsg : nsgs) {
      JsonInput.Node props = nsg.get("properties").isMissing() ? nsg : nsg.get("properties");
      JsonInput.Node custom = props.get("securityRules");
      JsonInput.Node defaults = props.get("defaultSecurityRules");
      if (custom.isMissing() && defaults.isMissing()) {
        diags.invalid(nsg.lineRef(), "not a network security group: no securityRules or defaultSecurityRules");
        continue;
      }
      String name = nsg.text("name") == null ? "nsg" : nsg.text("name");
      List<NsgRule> rules = new ArrayList<>();
      collect(custom, rules);
      collect(defaults, rules);
      rules.sort(Comparator.comparingInt(NsgRule::priority));
      SourceRef policy = new SourceRef(file, nsg.line(), name + ": inbound traffic no rule allows is denied (DenyAllInBound)");
      for (Family f : Family.values()) {
        Diagnostics d = f == Family.IPV4 ? diags : new Diagnostics();
        List<Rule> out = new ArrayList<>(FilterLayers.unfiltered(file, f, /* inbound= */ true));
        for (NsgRule r : rules) {
          out.addAll(rule(r, f, d));
        }
        Chain c = new Chain(Chain.key(TABLE, name + " inbound"), TABLE, name + " inbound", Verdict.DROP, out, policy);
        chains.get(f).put(c.key(), c);
        bases.get(f).add(new BaseChain(Hook.PREROUTING, FilterLayers.GROUP_INBOUND, false, c));
      }
    }
    List<Ruleset> result = new ArrayList<>();
    for (Family f : Family.values()) {
      result.add(new Ruleset(f, bases.get(f), chains.get(f), SourceRef.ofFile(file)));
    }
    return result;
  }

  private void collect(JsonInput.Node list, List<NsgRule> into) {
    if (list.isMissing()) {
      return;
    }
    if (!list.value().isArray()) {
      diags.invalid(list.lineRef(), "security rules must be a list");
      return;
    }
    Set<Integer> seen = new HashSet<>();
    for (JsonInput.Node n : list.elements()) {
      JsonInput.Node p = n.get("properties").isMissing() ? n : n.get("properties");
      String direction = p.text("direction");
      String access = p.text("access");
      if (direction == null || access == null || !p.value().path("priority").canConvertToInt()) {
        diags.invalid(n.ref(), "a security rule needs direction, access and priority");
        continue;
      }
      if (!direction.equalsIgnoreCase("Inbound")) {
        continue;
      }
      if (!access.equalsIgnoreCase("Allow") && !access.equalsIgnoreCase("Deny")) {
        diags.invalid(n.ref(), "access must be Allow or Deny, not " + access);
        continue;
      }
      int priority = p.value().get("priority").asInt();
      if (!seen.add(priority)) {
        diags.invalid(n.ref(), "priority " + priority + " is used by two inbound rules; Azure rejects that");
        continue;
      }
      into.add(new NsgRule(priority, access.equalsIgnoreCase("Allow"), n, p));
    }
  }

  /** The rule's conditions for family {@code f} as one rule per (source prefix × protocol). */
  private List<Rule> rule(NsgRule r, Family f, Diagnostics d) {
    JsonInput.Node p = r.props;
    String name = r.node.text("name") == null ? "rule" : r.node.text("name");
    SourceRef at = new SourceRef(file, r.node.line(), name + " priority " + r.priority + ": " + (r.allow ? "Allow " : "Deny ")
        + p.text("protocol") + " from " + prefixes(p, "source") + " port " + ports(p, "destination"));
    String proto = p.text("protocol") == null ? "*" : p.text("protocol").toLowerCase(Locale.ROOT);
    int n = switch (proto) {
      case "*", "any" -> -1;
      case "icmp" -> f == Family.IPV4 ? Protocols.ICMP : Protocols.ICMPV6;
      default -> Protocols.number(proto);
    };
    if (n < 0 && !proto.equals("*") && !proto.equals("any")) {
      d.invalid(at, "unknown protocol '" + p.text("protocol") + "' (Tcp, Udp, Icmp, Esp, Ah or *)");
      return List.of();
    }
    List<Match> common = new ArrayList<>();
    if (n >= 0) {
      common.add(new Match.Protocol(Set.of(n), false));
    }
    for (String side : new String[] {"destination", "source"}) {
      PortSet ps = portSet(ports(p, side), at, d);
      if (ps == null) {
        return List.of();
      }
      if (!ps.equals(PortSet.ALL)) {
        if (n >= 0 && !Protocols.hasPorts(n)) {
          continue;
        }
        common.add(new Match.Port(side.equals("source") ? Match.Side.SOURCE : Match.Side.DESTINATION, ps, false));
      }
    }
    for (String dst : prefixes(p, "destination")) {
      if (!dst.equals("*") && !dst.equalsIgnoreCase("VirtualNetwork")) {
        explain("destination " + dst, at, d, "the rule is for destination " + dst + ", which Azure compares with the VM's private address after its NAT; the host description does not say that address, so its packets are UNKNOWN");
        common.add(new Match.Undecidable("destination " + dst));
      }
    }
    if (!p.get("sourceApplicationSecurityGroups").elements().isEmpty() || !p.get("destinationApplicationSecurityGroups").elements().isEmpty()) {
      explain("asg", at, d, "application security groups name VMs, not addresses; packets the rule might match are UNKNOWN");
      common.add(new Match.Undecidable("application security group"));
    }
    Action action = r.allow ? new Action.Accept() : new Action.Drop();
    List<Rule> out = new ArrayList<>();
    for (String src : prefixes(p, "source")) {
      Match m = source(src, f, at, d);
      if (m == null) {
        continue;
      }
      List<Match> ms = new ArrayList<>(common);
      if (!(m instanceof Match.Constant)) {
        ms.add(0, m);
      }
      out.add(new Rule(ms, action, at));
    }
    return out;
  }

  /** A source prefix as a condition of family {@code f}: null when it is of the other family or invalid. */
  private Match source(String prefix, Family f, SourceRef at, Diagnostics d) {
    if (prefix.equals("*") || prefix.equalsIgnoreCase("Any")) {
      return new Match.Constant(true, "*");
    }
    if (prefix.equalsIgnoreCase("AzureLoadBalancer")) {
      return f == Family.IPV4 ? new Match.Address(Match.Side.SOURCE, AZURE_LOAD_BALANCER, false) : null;
    }
    Family family = FilterLayers.familyOf(prefix);
    if (family != null) {
      if (family != f) {
        return null;
      }
      IpSet set = FilterLayers.cidr(prefix, f, at, d);
      return set == null ? null : new Match.Address(Match.Side.SOURCE, set, false);
    }
    explain(prefix, at, d, "service tag " + prefix + " names addresses the NSG JSON does not hold"
        + (prefix.equalsIgnoreCase("Internet") ? " (everything outside the virtual network's address space)"
            : prefix.equalsIgnoreCase("VirtualNetwork") ? " (the virtual network's address space and what is peered or connected to it)" : "")
        + "; map it under service-tags: in the host description (Internet follows from VirtualNetwork), else packets the rule might match are UNKNOWN");
    return new Match.NamedAddresses(Match.Side.SOURCE, prefix, false);
  }

  private void explain(String key, SourceRef at, Diagnostics d, String message) {
    if (explained.add(key)) {
      d.unsupported(at, message);
    }
  }

  private static List<String> prefixes(JsonInput.Node p, String side) {
    List<String> out = new ArrayList<>();
    for (JsonInput.Node e : p.get(side + "AddressPrefixes").elements()) {
      out.add(e.value().asText());
    }
    if (out.isEmpty() && p.text(side + "AddressPrefix") != null) {
      out.add(p.text(side + "AddressPrefix"));
    }
    if (out.isEmpty()) {
      // Only application security groups, or nothing: the address part is unrestricted.
      out.add("*");
    }
    return out;
  }

  private static List<String> ports(JsonInput.Node p, String side) {
    List<String> out = new ArrayList<>();
    for (JsonInput.Node e : p.get(side + "PortRanges").elements()) {
      out.add(e.value().asText());
    }
    if (out.isEmpty()) {
      out.add(p.text(side + "PortRange") == null ? "*" : p.text(side + "PortRange"));
    }
    return out;
  }

  private static PortSet portSet(List<String> ranges, SourceRef at, Diagnostics d) {
    PortSet s = PortSet.EMPTY;
    for (String r : ranges) {
      if (r.equals("*")) {
        return PortSet.ALL;
      }
      try {
        s = s.union(PortSet.parse(r));
      } catch (IllegalArgumentException e) {
        d.invalid(at, "bad port range '" + r + "'");
        return null;
      }
    }
    return s;
  }
}
