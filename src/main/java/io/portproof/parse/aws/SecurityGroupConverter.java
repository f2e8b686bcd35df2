package io.portproof.parse.aws;

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
import java.util.EnumMap;
import java.util.List;
import java.util.Map;

/**
 * Security groups to one chain per family: a security group is stateful and a union of allows, so every
 * permission of every group attached to the instance becomes one ACCEPT rule in one chain whose policy is DROP
 * (any allow wins, nothing else passes). Egress permissions are not converted: replies of an allowed connection
 * always pass a stateful group.
 */
final class SecurityGroupConverter {
  private static final String TABLE = "aws-sg";

  private final JsonInput doc;
  private final String file;
  private final Diagnostics diags;
  private final Map<Family, List<Rule>> rules = new EnumMap<>(Family.class);

  SecurityGroupConverter(JsonInput doc, Diagnostics diags) {
    this.doc = doc;
    this.file = doc.input().name();
    this.diags = diags;
    for (Family f : Family.values()) {
      rules.put(f, new ArrayList<>(FilterLayers.unfiltered(file, f, /* inbound= */ true)));
    }
  }

  List<Ruleset> convert() {
    JsonInput.Node root = doc.root();
    List<JsonInput.Node> groups;
    if (root.value().isArray()) {
      groups = root.elements();
    } else if (root.value().has("SecurityGroups")) {
      JsonInput.Node sgs = root.get("SecurityGroups");
      if (!sgs.value().isArray()) {
        diags.invalid(sgs.lineRef(), "SecurityGroups must be a list of groups");
        return List.of();
      }
      groups = sgs.elements();
    } else if (root.value().has("IpPermissions")) {
      groups = List.of(root);
    } else {
      diags.invalid(root.lineRef(), "not 'aws ec2 describe-security-groups' output: no SecurityGroups list");
      return List.of();
    }
    if (groups.isEmpty()) {
      diags.invalid(root.lineRef(), "no security groups: an instance has at least one, and with none nothing would reach it");
      return List.of();
    }
    List<String> ids = new ArrayList<>();
    for (JsonInput.Node g : groups) {
      String id = g.text("GroupId") == null ? "(no GroupId)" : g.text("GroupId");
      ids.add(g.text("GroupName") == null ? id : id + " (" + g.text("GroupName") + ")");
      JsonInput.Node perms = g.get("IpPermissions");
      if (!perms.isMissing() && !perms.value().isArray()) {
        diags.invalid(perms.lineRef(), "IpPermissions must be a list");
        continue;
      }
      for (JsonInput.Node p : perms.elements()) {
        permission(id, p);
      }
    }
    SourceRef policy = new SourceRef(file, groups.get(0).line(),
        String.join(", ", ids) + ": inbound traffic no permission allows is denied");
    List<Ruleset> out = new ArrayList<>();
    for (Family f : Family.values()) {
      Chain c = new Chain(Chain.key(TABLE, "inbound"), TABLE, "inbound", Verdict.DROP, rules.get(f), policy);
      out.add(new Ruleset(f, List.of(new BaseChain(Hook.PREROUTING, FilterLayers.GROUP_INBOUND, false, c)),
          Map.of(c.key(), c), SourceRef.ofFile(file)));
    }
    return out;
  }

  /** Every file's permissions in one chain per family: any allow of any attached group admits a packet. */
  static List<Ruleset> union(List<Ruleset> perFile) {
    return FilterLayers.join(perFile, (a, b) -> 0,
        files -> "security groups of " + files + " (one union): inbound traffic no permission allows is denied");
  }

  private void permission(String group, JsonInput.Node p) {
    SourceRef at = p.lineRef();
    Integer proto = FilterLayers.protocol(p.text("IpProtocol"), at, diags);
    if (proto == null) {
      return;
    }
    List<Match> base = FilterLayers.protocolMatches(proto, FilterLayers.intOr(p.value().get("FromPort"), -1),
        FilterLayers.intOr(p.value().get("ToPort"), -1), at, diags);
    if (base == null) {
      return;
    }
    String what = describe(p);
    for (JsonInput.Node r : p.get("IpRanges").elements()) {
      source(group, what, base, r, "CidrIp", Family.IPV4);
    }
    for (JsonInput.Node r : p.get("Ipv6Ranges").elements()) {
      source(group, what, base, r, "CidrIpv6", Family.IPV6);
    }
    for (JsonInput.Node r : p.get("PrefixListIds").elements()) {
      String id = r.text("PrefixListId");
      undecidable(group, what, base, r, "prefix list " + id,
          "allows sources in managed prefix list " + id + ", whose entries the inputs do not hold; affected packets are UNKNOWN");
    }
    for (JsonInput.Node r : p.get("UserIdGroupPairs").elements()) {
      String id = r.text("GroupId");
      undecidable(group, what, base, r, "instances in security group " + id,
          "allows traffic from instances in security group " + id + ", whose addresses the inputs do not hold; affected packets are UNKNOWN");
    }
  }

  private void source(String group, String what, List<Match> base, JsonInput.Node r, String field, Family family) {
    SourceRef at = ref(group, what, r);
    String cidr = r.text(field);
    if (cidr == null) {
      diags.invalid(at, "the range has no " + field);
      return;
    }
    IpSet set = FilterLayers.cidr(cidr, family, at, diags);
    if (set == null) {
      return;
    }
    List<Match> ms = new ArrayList<>(base);
    ms.add(0, new Match.Address(Match.Side.SOURCE, set, false));
    rules.get(family).add(new Rule(ms, new Action.Accept(), at));
  }

  private void undecidable(String group, String what, List<Match> base, JsonInput.Node r, String construct, String message) {
    SourceRef at = ref(group, what, r);
    diags.unsupported(at, message);
    for (Family f : Family.values()) {
      List<Match> ms = new ArrayList<>(base);
      ms.add(0, new Match.Undecidable(construct));
      rules.get(f).add(new Rule(ms, new Action.Accept(), at));
    }
  }

  /** The permission's protocol and ports as written, for every rule it yields. */
  private static String describe(JsonInput.Node p) {
    StringBuilder sb = new StringBuilder("IpProtocol ").append(p.text("IpProtocol"));
    if (p.text("FromPort") != null) {
      sb.append(" FromPort ").append(p.text("FromPort")).append(" ToPort ").append(p.text("ToPort"));
    }
    return sb.toString();
  }

  private SourceRef ref(String group, String what, JsonInput.Node r) {
    return new SourceRef(file, r.line(), group + ": " + what + " " + r.value());
  }
}
