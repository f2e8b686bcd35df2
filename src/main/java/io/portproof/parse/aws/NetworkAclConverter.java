package io.portproof.parse.aws;

import io.portproof.analysis.Protocols;
import io.portproof.diag.Diagnostics;
import io.portproof.model.Family;
import io.portproof.model.IpSet;
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
import java.util.Map;
import java.util.Set;

/**
 * A network ACL to two chains per family: inbound entries in PREROUTING before everything else, outbound entries
 * in POSTROUTING after everything else. An ACL is stateless, so the outbound entries must also let the host's
 * reply out (to the client's ephemeral port), which is exactly what the reply meets there. Entries run by rule
 * number, first match wins; the {@code *} entry (32767) and the chain policy both deny.
 */
final class NetworkAclConverter {
  private static final String TABLE = "aws-nacl";
  /** The {@code *} entry AWS lists last; not a number users can choose. */
  private static final int DEFAULT_RULE = 32767;

  private final JsonInput doc;
  private final String file;
  private final Diagnostics diags;

  NetworkAclConverter(JsonInput doc, Diagnostics diags) {
    this.doc = doc;
    this.file = doc.input().name();
    this.diags = diags;
  }

  private record Entry(int number, boolean egress, JsonInput.Node node) {}

  List<Ruleset> convert() {
    JsonInput.Node root = doc.root();
    List<JsonInput.Node> acls;
    if (root.value().isArray()) {
      acls = root.elements();
    } else if (root.value().has("NetworkAcls")) {
      JsonInput.Node n = root.get("NetworkAcls");
      if (!n.value().isArray()) {
        diags.invalid(n.lineRef(), "NetworkAcls must be a list of network ACLs");
        return List.of();
      }
      acls = n.elements();
    } else if (root.value().has("Entries")) {
      acls = List.of(root);
    } else {
      diags.invalid(root.lineRef(), "not 'aws ec2 describe-network-acls' output: no NetworkAcls list");
      return List.of();
    }
    if (acls.isEmpty()) {
      diags.invalid(root.lineRef(), "no network ACLs: every subnet has exactly one");
      return List.of();
    }
    if (acls.size() > 1) {
      diags.risky(acls.get(1).lineRef(), acls.size() + " network ACLs, but a subnet has exactly one; all are applied here, so "
          + "give only the host subnet's (aws ec2 describe-network-acls --filters Name=association.subnet-id,Values=SUBNET)");
    }
    Map<Family, List<BaseChain>> bases = new LinkedHashMap<>();
    Map<Family, Map<String, Chain>> chains = new LinkedHashMap<>();
    for (Family f : Family.values()) {
      bases.put(f, new ArrayList<>());
      chains.put(f, new LinkedHashMap<>());
    }
    for (JsonInput.Node acl : acls) {
      String id = acl.text("NetworkAclId") == null ? "acl" : acl.text("NetworkAclId");
      List<Entry> entries = entries(acl);
      for (boolean egress : new boolean[] {false, true}) {
        String name = id + (egress ? " outbound" : " inbound");
        SourceRef policy = new SourceRef(file, acl.line(), id + " * " + (egress ? "outbound" : "inbound") + ": deny everything no entry allows");
        for (Family f : Family.values()) {
          List<Rule> rules = new ArrayList<>(FilterLayers.unfiltered(file, f, /* inbound= */ !egress));
          for (Entry e : entries) {
            if (e.egress == egress) {
              Rule r = rule(e, f);
              if (r != null) {
                rules.add(r);
              }
            }
          }
          Chain c = new Chain(Chain.key(TABLE, name), TABLE, name, Verdict.DROP, rules, policy);
          chains.get(f).put(c.key(), c);
          bases.get(f).add(egress ? new BaseChain(Hook.POSTROUTING, FilterLayers.ACL_OUTBOUND, false, c)
              : new BaseChain(Hook.PREROUTING, FilterLayers.ACL_INBOUND, false, c));
        }
      }
    }
    List<Ruleset> out = new ArrayList<>();
    for (Family f : Family.values()) {
      out.add(new Ruleset(f, bases.get(f), chains.get(f), SourceRef.ofFile(file)));
    }
    return out;
  }

  private List<Entry> entries(JsonInput.Node acl) {
    JsonInput.Node es = acl.get("Entries");
    if (!es.value().isArray()) {
      diags.invalid(acl.lineRef(), "the network ACL has no Entries list");
      return List.of();
    }
    List<Entry> out = new ArrayList<>();
    Set<String> seen = new HashSet<>();
    for (JsonInput.Node e : es.elements()) {
      if (!e.value().path("RuleNumber").canConvertToInt() || !e.value().path("Egress").isBoolean()) {
        diags.invalid(e.ref(), "an entry needs a RuleNumber and Egress true/false");
        continue;
      }
      int n = e.value().get("RuleNumber").asInt();
      boolean egress = e.value().get("Egress").asBoolean();
      // Numbers are unique per direction across both families; only the two "*" entries share one.
      String key = n + "/" + egress + (n == DEFAULT_RULE ? "/" + (e.text("Ipv6CidrBlock") != null) : "");
      if (n < 1 || n > DEFAULT_RULE) {
        diags.invalid(e.ref(), "rule number " + n + " is outside 1-32766");
        continue;
      }
      if (!seen.add(key)) {
        diags.invalid(e.ref(), "rule number " + n + " appears twice in the " + (egress ? "outbound" : "inbound") + " entries");
        continue;
      }
      out.add(new Entry(n, egress, e));
    }
    out.sort(Comparator.comparingInt(Entry::number));
    return out;
  }

  /** The entry as a rule of {@code family}'s chain, or null when it is of the other family or invalid. */
  private Rule rule(Entry e, Family family) {
    JsonInput.Node n = e.node;
    SourceRef at = n.ref();
    String cidr = n.text(family == Family.IPV4 ? "CidrBlock" : "Ipv6CidrBlock");
    if (cidr == null) {
      if (family == Family.IPV6 && n.text("CidrBlock") == null) {
        diags.invalid(at, "the entry has neither CidrBlock nor Ipv6CidrBlock");
      }
      return null;
    }
    IpSet set = FilterLayers.cidr(cidr, family, at, diags);
    Integer proto = FilterLayers.protocol(n.text("Protocol"), at, diags);
    if (set == null || proto == null) {
      return null;
    }
    int from = -1;
    int to = -1;
    if (proto == Protocols.TCP || proto == Protocols.UDP) {
      JsonInput.Node pr = n.get("PortRange");
      if (pr.isMissing()) {
        diags.invalid(at, "a TCP or UDP entry needs a PortRange");
        return null;
      }
      from = FilterLayers.intOr(pr.value().get("From"), -2);
      to = FilterLayers.intOr(pr.value().get("To"), -2);
    } else if (proto == Protocols.ICMP || proto == Protocols.ICMPV6) {
      JsonInput.Node tc = n.get("IcmpTypeCode");
      from = FilterLayers.intOr(tc.value().get("Type"), -1);
      to = FilterLayers.intOr(tc.value().get("Code"), -1);
    }
    List<Match> ms = FilterLayers.protocolMatches(proto, from, to, at, diags);
    if (ms == null) {
      return null;
    }
    ms.add(0, new Match.Address(e.egress ? Match.Side.DESTINATION : Match.Side.SOURCE, set, false));
    String action = n.text("RuleAction");
    if (!"allow".equals(action) && !"deny".equals(action)) {
      diags.invalid(at, "RuleAction must be allow or deny, not " + action);
      return null;
    }
    return new Rule(ms, "allow".equals(action) ? new Action.Accept() : new Action.Drop(), at);
  }
}
