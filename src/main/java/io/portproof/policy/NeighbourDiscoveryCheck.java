package io.portproof.policy;

import io.portproof.analysis.Exposure;
import io.portproof.analysis.HostFacts;
import io.portproof.analysis.Protocols;
import io.portproof.model.Family;
import io.portproof.model.Ip;
import io.portproof.model.IpRange;
import io.portproof.model.IpSet;
import io.portproof.model.SourceRef;
import io.portproof.model.fw.Verdict;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * IPv6 needs neighbour discovery to work at all: a ruleset that drops neighbour solicitations or advertisements
 * from the link makes every IPv6 port unreachable, whatever it accepts.
 */
final class NeighbourDiscoveryCheck implements Check<Void> {
  private static final int SOLICITATION = 135;
  private static final int ADVERTISEMENT = 136;
  private static final IpSet LINK_LOCAL = IpSet.of(IpRange.prefix(Ip.parse("fe80::"), 10));

  @Override
  public String id() {
    return "IPV6-NEIGHBOUR-DISCOVERY";
  }

  @Override
  public String title() {
    return "IPv6 neighbour discovery is allowed";
  }

  @Override
  public Severity defaultSeverity() {
    return Severity.HIGH;
  }

  @Override
  public String documentation() {
    return "ICMPv6 neighbour solicitations (type 135, to the host's addresses and their solicited-node multicast groups) and "
        + "neighbour advertisements (136) from link-local neighbours (fe80::/10) must be accepted; without them no IPv6 "
        + "packet reaches the host. Current kernels leave these messages untracked, so an INVALID rule does not catch them, "
        + "but a default-drop policy does.";
  }

  @Override
  public Set<String> parameters() {
    return Set.of();
  }

  @Override
  public Void configure(Map<String, Yaml.Doc> params) {
    return null;
  }

  @Override
  public CheckResult run(HostFacts host, Policy policy, Policy.CheckConfig config, Void settings) {
    List<Ip> v6 = host.addresses(Family.IPV6);
    if (v6.isEmpty()) {
      return new CheckResult(id(), title(), CheckResult.Status.SKIPPED, "the host declares no IPv6 address", List.of());
    }
    List<Finding> findings = new ArrayList<>();
    boolean unknown = false;
    for (Ip a : v6) {
      List<Ip> targets = List.of(a, HostFacts.solicitedNode(a));
      for (Ip dst : targets) {
        for (int type : new int[] {SOLICITATION, ADVERTISEMENT}) {
          if (type == ADVERTISEMENT && !dst.equals(a)) {
            continue;
          }
          Exposure.Block b = host.exposure(dst, Protocols.ICMPV6).blockFor(type);
          List<Exposure.Piece> blocked = new ArrayList<>();
          for (Exposure.Piece p : b.pieces()) {
            if (p.sources().intersect(LINK_LOCAL).isEmpty()) {
              continue;
            }
            if (p.verdict() == Verdict.DROP || p.verdict() == Verdict.REJECT) {
              blocked.add(p);
            } else if (p.verdict() == Verdict.UNKNOWN) {
              unknown = true;
            }
          }
          if (!blocked.isEmpty()) {
            List<SourceRef> ev = Subjects.evidence(blocked);
            String what = type == SOLICITATION ? "neighbour solicitations" : "neighbour advertisements";
            String subject = "icmpv6/" + type + " to " + dst;
            findings.add(new Finding(id(), config.severity(), host.name(), subject,
                "ICMPv6 " + what + " to " + dst + " from link-local neighbours meet " + Subjects.verdict(blocked.get(0))
                    + ": the host cannot resolve or answer its IPv6 neighbours, so every IPv6 port of " + a
                    + " is unreachable whatever the rules accept.",
                ev.get(0), ev));
          }
        }
      }
    }
    if (!findings.isEmpty()) {
      return new CheckResult(id(), title(), CheckResult.Status.FAIL, "neighbour discovery is blocked", findings);
    }
    if (unknown) {
      return new CheckResult(id(), title(), CheckResult.Status.INCONCLUSIVE, "UNKNOWN in the way (see INCONCLUSIVE)", List.of());
    }
    return new CheckResult(id(), title(), CheckResult.Status.PASS, "neighbour solicitations and advertisements are accepted", List.of());
  }
}
