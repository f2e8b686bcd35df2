package io.portproof.parse.gcp;

import io.portproof.analysis.Protocols;
import io.portproof.diag.Diagnostics;
import io.portproof.model.Family;
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
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * VPC firewall rules to one chain per family in PREROUTING at the security-group priority: enabled INGRESS rules
 * by ascending priority, a deny before an allow of the same priority (GCP's tie-break), first match wins; the
 * implied deny-ingress rule (priority 65535) is the chain policy. Rules are stateful: egress rules never stop a
 * reply and are not converted.
 *
 * <p>Target tags and service accounts decide whether a rule applies to this instance at all: the host
 * description says the instance's ({@code tags:}, {@code service-accounts:}), else such rules are undecidable.
 * Source tags and service accounts, and destination ranges (compared with the instance's internal address after
 * GCP's NAT), are undecidable.
 */
final class GcpConverter {
  private static final String TABLE = "gcp-firewall";

  private final JsonInput doc;
  private final String file;
  private final Diagnostics diags;

  GcpConverter(JsonInput doc, Diagnostics diags) {
    this.doc = doc;
    this.file = doc.input().name();
    this.diags = diags;
  }

  private record GcpRule(int priority, boolean deny, JsonInput.Node node) {}

  List<Ruleset> convert() {
    JsonInput.Node root = doc.root();
    List<JsonInput.Node> items = root.value().isArray() ? root.elements()
        : root.value().has("items") ? root.get("items").elements() : List.of(root);
    List<GcpRule> rules = new ArrayList<>();
    Set<String> networks = new HashSet<>();
    for (JsonInput.Node n : items) {
      if (!n.value().isObject()) {
        diags.invalid(n.ref(), "not a firewall rule object");
        continue;
      }
      if (n.value().path("disabled").asBoolean(false)) {
        continue;
      }
      String direction = n.text("direction") == null ? "INGRESS" : n.text("direction");
      if (!direction.equals("INGRESS") && !direction.equals("EGRESS")) {
        diags.invalid(n.lineRef(), "direction must be INGRESS or EGRESS, not " + direction);
        continue;
      }
      if (direction.equals("EGRESS")) {
        continue;
      }
      boolean deny = !n.get("denied").isMissing();
      if (deny == !n.get("allowed").isMissing()) {
        diags.invalid(n.lineRef(), "a firewall rule has either allowed or denied");
        continue;
      }
      if (n.text("network") != null) {
        networks.add(n.text("network"));
      }
      rules.add(new GcpRule(n.value().path("priority").asInt(1000), deny, n));
    }
    if (items.isEmpty() && !root.value().isArray()) {
      diags.invalid(root.lineRef(), "not 'gcloud compute firewall-rules list --format=json' output");
      return List.of();
    }
    if (networks.size() > 1) {
      diags.risky(SourceRef.ofFile(file), networks.size() + " VPC networks' rules; an interface is in one network, but all are applied here, so filter the list by the host's network");
    }
    rules.sort(Comparator.comparingInt(GcpRule::priority).thenComparing(r -> !r.deny));
    SourceRef policy = new SourceRef(file, root.line(), "implied rule: deny all ingress, priority 65535");
    List<Ruleset> out = new ArrayList<>();
    for (Family f : Family.values()) {
      Diagnostics d = f == Family.IPV4 ? diags : new Diagnostics();
      List<Rule> chain = new ArrayList<>(FilterLayers.unfiltered(file, f, /* inbound= */ true));
      for (GcpRule r : rules) {
        chain.addAll(rule(r, f, d));
      }
      Chain c = new Chain(Chain.key(TABLE, "ingress"), TABLE, "ingress", Verdict.DROP, chain, policy);
      out.add(new Ruleset(f, List.of(new BaseChain(Hook.PREROUTING, FilterLayers.GROUP_INBOUND, false, c)), Map.of(c.key(), c), SourceRef.ofFile(file)));
    }
    return out;
  }

  /** How {@link #rule} names a rule's line; GCP rule names hold no spaces, so the priority reads back unambiguously. */
  private static final Pattern PRIORITY = Pattern.compile("^\\S+ priority (\\d+): (allowed|denied) ");

  /**
   * Several files' rules in one chain per family: the network's rules apply together, by priority (a deny first
   * on a tie), so rules from different files interleave.
   */
  static List<Ruleset> union(List<Ruleset> perFile) {
    return FilterLayers.join(perFile,
        Comparator.comparingInt((Rule r) -> priority(r)).thenComparing(r -> !(r.action() instanceof Action.Drop)),
        files -> "implied rule of " + files + ": deny all ingress, priority 65535");
  }

  private static int priority(Rule r) {
    Matcher m = PRIORITY.matcher(r.source().text());
    if (!m.find()) {
      throw new IllegalStateException("not a converted GCP rule: " + r.source());
    }
    return Integer.parseInt(m.group(1));
  }

  private List<Rule> rule(GcpRule r, Family f, Diagnostics d) {
    JsonInput.Node n = r.node;
    String name = n.text("name") == null ? "rule" : n.text("name");
    SourceRef at = new SourceRef(file, n.line(), name + " priority " + r.priority + ": " + (r.deny ? "denied " : "allowed ")
        + n.get(r.deny ? "denied" : "allowed").value() + " from " + n.get("sourceRanges").value());
    List<Match> common = new ArrayList<>();
    for (String key : new String[] {"targetTags", "targetServiceAccounts", "sourceTags", "sourceServiceAccounts", "destinationRanges"}) {
      List<String> values = texts(n.get(key));
      if (values.isEmpty()) {
        continue;
      }
      if (key.equals("sourceTags") || key.equals("sourceServiceAccounts")) {
        // Handled with the ranges below: they widen the sources rather than narrowing them.
        continue;
      }
      if (key.startsWith("target")) {
        boolean tags = key.equals("targetTags");
        d.unsupported(at, key + " " + values + ": the rule applies only to instances with " + (tags ? "one of these network tags" : "one of these service accounts")
            + "; list the instance's under " + (tags ? "tags:" : "service-accounts:") + " in the host description, else packets the rule might match are UNKNOWN");
        common.add(new Match.InstanceHas(tags ? "network tag" : "service account", values, false));
        continue;
      }
      d.unsupported(at, key + " " + values
          + ": compared with the instance's internal address after GCP's NAT, which the host description need not use; packets the rule might match are UNKNOWN");
      common.add(new Match.Undecidable(key + " " + String.join(",", values)));
    }
    List<Match> sources = new ArrayList<>();
    List<String> ranges = texts(n.get("sourceRanges"));
    List<String> tags = new ArrayList<>(texts(n.get("sourceTags")));
    tags.addAll(texts(n.get("sourceServiceAccounts")));
    if (ranges.isEmpty() && tags.isEmpty()) {
      // GCP's default source for an ingress rule without one.
      ranges = List.of("0.0.0.0/0");
    }
    for (String cidr : ranges) {
      Family family = FilterLayers.familyOf(cidr);
      if (family != null && family != f) {
        continue;
      }
      IpSet set = FilterLayers.cidr(cidr, f, at, d);
      if (set != null) {
        sources.add(new Match.Address(Match.Side.SOURCE, set, false));
      }
    }
    if (!tags.isEmpty()) {
      d.unsupported(at, "source tags or service accounts " + tags + " name instances, not addresses; packets the rule might match are UNKNOWN");
      sources.add(new Match.Undecidable("source instances " + String.join(",", tags)));
    }
    List<Rule> out = new ArrayList<>();
    Action action = r.deny ? new Action.Drop() : new Action.Accept();
    for (JsonInput.Node spec : n.get(r.deny ? "denied" : "allowed").elements()) {
      List<Match> proto = protocol(spec, f, at, d);
      if (proto == null) {
        continue;
      }
      for (Match src : sources) {
        List<Match> ms = new ArrayList<>();
        ms.add(src);
        ms.addAll(common);
        ms.addAll(proto);
        out.add(new Rule(ms, action, at));
      }
    }
    return out;
  }

  /** {@code {"IPProtocol": "tcp", "ports": ["22", "8000-8100"]}} as conditions; null with a diagnostic when invalid. */
  private static List<Match> protocol(JsonInput.Node spec, Family f, SourceRef at, Diagnostics d) {
    String p = spec.text("IPProtocol");
    if (p == null) {
      d.invalid(at, "a protocol entry needs IPProtocol");
      return null;
    }
    String lower = p.toLowerCase(Locale.ROOT);
    if (lower.equals("all")) {
      return List.of();
    }
    int n = Protocols.number(lower);
    if (n == Protocols.ICMP && f == Family.IPV6) {
      // GCP's "icmp" is ICMP for IPv4 only; ICMPv6 is written as protocol 58.
      return null;
    }
    if (n < 0) {
      d.invalid(at, "unknown protocol '" + p + "'");
      return null;
    }
    List<Match> ms = new ArrayList<>();
    ms.add(new Match.Protocol(Set.of(n), false));
    List<String> ports = texts(spec.get("ports"));
    if (!ports.isEmpty() && Protocols.hasPorts(n)) {
      try {
        ms.add(new Match.Port(Match.Side.DESTINATION, PortSet.parse(String.join(",", ports)), false));
      } catch (IllegalArgumentException e) {
        d.invalid(at, "bad ports " + ports);
        return null;
      }
    }
    return ms;
  }

  private static List<String> texts(JsonInput.Node list) {
    List<String> out = new ArrayList<>();
    for (JsonInput.Node e : list.elements()) {
      out.add(e.value().asText());
    }
    return out;
  }
}
