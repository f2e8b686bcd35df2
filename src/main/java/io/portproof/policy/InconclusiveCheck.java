package io.portproof.policy;

import io.portproof.analysis.Exposure;
import io.portproof.analysis.HostFacts;
import io.portproof.analysis.Protocols;
import io.portproof.analysis.Reason;
import io.portproof.model.Ip;
import io.portproof.model.IpSet;
import io.portproof.model.PortSet;
import io.portproof.model.SourceRef;
import io.portproof.model.fw.Verdict;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * An UNKNOWN never passes silently: every port and source range the analysis could not decide, for the
 * internet, with the constructs that made it unknown. Runs last, over everything the other checks examined.
 */
final class InconclusiveCheck implements Check<Void> {
  @Override
  public String id() {
    return "INCONCLUSIVE";
  }

  @Override
  public String title() {
    return "Every verdict is decided";
  }

  @Override
  public Severity defaultSeverity() {
    return Severity.MEDIUM;
  }

  @Override
  public String documentation() {
    return "Lists what the analysis could not decide for clients on the internet — rate limits, payload matches, ipsets "
        + "not given, unmodelled targets, verdicts that depend on the interface or the client's source port — with the "
        + "line of each construct. Give the missing facts (ipset save output, the interface in portproof.yaml) or accept "
        + "the finding with a waiver.";
  }

  @Override
  public Set<String> parameters() {
    return Set.of();
  }

  @Override
  public Void configure(Map<String, Yaml.Doc> params) {
    return null;
  }

  private record Key(int proto, Ip address, List<Reason> reasons) {}

  @Override
  public CheckResult run(HostFacts host, Policy policy, Policy.CheckConfig config, Void settings) {
    for (Ip a : host.addresses()) {
      host.exposure(a, Protocols.TCP);
      host.exposure(a, Protocols.UDP);
    }
    Map<Key, PortSet> ports = new LinkedHashMap<>();
    Map<Key, IpSet> sources = new LinkedHashMap<>();
    for (Exposure e : host.computed()) {
      boolean icmp = e.proto() == Protocols.ICMPV6 || e.proto() == Protocols.ICMP;
      // Neighbour discovery comes from the link, not the internet; other ICMP types no check examines.
      IpSet internet = icmp ? IpSet.all(e.destination().family()) : policy.internet().only(e.destination().family());
      for (Exposure.Block b : e.blocks()) {
        if (icmp && !b.ports().contains(135) && !b.ports().contains(136)) {
          continue;
        }
        for (Exposure.Piece p : b.pieces()) {
          if (p.verdict() != Verdict.UNKNOWN) {
            continue;
          }
          IpSet hit = p.sources().intersect(internet);
          if (hit.isEmpty()) {
            continue;
          }
          Key k = new Key(e.proto(), e.destination(), p.reasons());
          ports.merge(k, b.ports(), PortSet::union);
          sources.merge(k, hit, IpSet::union);
        }
      }
    }
    List<Finding> findings = new ArrayList<>();
    ports.forEach((k, ps) -> {
      List<SourceRef> ev = k.reasons().stream().map(Reason::source).distinct().toList();
      String why = String.join("; ", k.reasons().stream().map(Reason::toString).toList());
      String subject = Subjects.endpoint(k.proto(), ps, k.address());
      findings.add(new Finding(id(), config.severity(), host.name(), subject,
          subject + " from " + Subjects.sources(sources.get(k), k.address()) + " is UNKNOWN: " + why + ".",
          ev.isEmpty() ? SourceRef.ofFile("(analysis)") : ev.get(0), ev));
    });
    if (!findings.isEmpty()) {
      return new CheckResult(id(), title(), CheckResult.Status.FAIL, findings.size() + " undecided exposure(s)", findings);
    }
    return new CheckResult(id(), title(), CheckResult.Status.PASS, "every verdict for the internet is decided", List.of());
  }
}
