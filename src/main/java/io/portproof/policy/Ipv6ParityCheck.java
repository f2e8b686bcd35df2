package io.portproof.policy;

import io.portproof.analysis.Exposure;
import io.portproof.analysis.HostFacts;
import io.portproof.analysis.Protocols;
import io.portproof.model.Family;
import io.portproof.model.Ip;
import io.portproof.model.IpSet;
import io.portproof.model.PortSet;
import io.portproof.model.SourceRef;
import io.portproof.model.fw.Verdict;
import io.portproof.parse.InputException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;

/** IPv4 and IPv6 are separate rulesets; the web ports should answer the internet the same way on both. */
final class Ipv6ParityCheck implements Check<Ipv6ParityCheck.Settings> {
  record Settings(PortSet ports) {}

  @Override
  public String id() {
    return "IPV6-PARITY";
  }

  @Override
  public String title() {
    return "IPv4 and IPv6 treat the web ports alike";
  }

  @Override
  public Severity defaultSeverity() {
    return Severity.MEDIUM;
  }

  @Override
  public String documentation() {
    return "For each port, the IPv4 and IPv6 rulesets must give the internet the same answer (open to all, closed to all, "
        + "or partly open). Parameters: ports (default 80, 443). Skipped when the host has addresses of only one family.";
  }

  @Override
  public Set<String> parameters() {
    return Set.of("ports");
  }

  @Override
  public Settings configure(Map<String, Yaml.Doc> params) throws InputException {
    return new Settings(params.containsKey("ports") ? Params.ports(params.get("ports")) : PortSet.parse("80,443"));
  }

  private record State(String word, List<SourceRef> evidence) {}

  private static State state(HostFacts host, Ip address, int port, IpSet internet) {
    Exposure.Block b = host.exposure(address, Protocols.TCP).blockFor(port);
    IpSet open = b.sources(Verdict.ACCEPT).intersect(internet);
    List<Exposure.Piece> pieces = b.pieces().stream().filter(p -> !p.sources().intersect(internet).isEmpty()).toList();
    List<SourceRef> ev = Subjects.evidence(pieces);
    if (!b.sources(Verdict.UNKNOWN).intersect(internet).isEmpty()) {
      return new State("unknown", ev);
    }
    if (open.equals(internet)) {
      return new State("open to the whole internet", ev);
    }
    return new State(open.isEmpty() ? "closed to the internet" : "open to part of the internet", ev);
  }

  @Override
  public CheckResult run(HostFacts host, Policy policy, Policy.CheckConfig config, Settings s) {
    List<Ip> v4 = host.addresses(Family.IPV4);
    List<Ip> v6 = host.addresses(Family.IPV6);
    if (v4.isEmpty() || v6.isEmpty()) {
      return new CheckResult(id(), title(), CheckResult.Status.SKIPPED,
          "the host declares addresses of one family only", List.of());
    }
    List<Finding> findings = new ArrayList<>();
    boolean unknown = false;
    for (int[] r : s.ports().intervals()) {
      for (int port = r[0]; port <= r[1]; port++) {
        for (Ip a4 : v4) {
          for (Ip a6 : v6) {
            State s4 = state(host, a4, port, policy.internet().only(Family.IPV4));
            State s6 = state(host, a6, port, policy.internet().only(Family.IPV6));
            if (s4.word().equals("unknown") || s6.word().equals("unknown")) {
              unknown = true;
              continue;
            }
            if (!s4.word().equals(s6.word())) {
              List<SourceRef> ev = new ArrayList<>(s6.evidence());
              s4.evidence().stream().filter(x -> !ev.contains(x)).forEach(ev::add);
              String subject = "tcp/" + port + " on " + a4 + " and " + a6;
              findings.add(new Finding(id(), config.severity(), host.name(), subject,
                  "tcp/" + port + " is " + s4.word() + " over IPv4 (" + a4 + ") but " + s6.word() + " over IPv6 (" + a6
                      + "): the two rulesets disagree; clients that prefer IPv6 see something else than IPv4 clients.",
                  ev.get(0), ev));
            }
          }
        }
      }
    }
    if (!findings.isEmpty()) {
      return new CheckResult(id(), title(), CheckResult.Status.FAIL, findings.size() + " port(s) differ", findings);
    }
    if (unknown) {
      return new CheckResult(id(), title(), CheckResult.Status.INCONCLUSIVE, "UNKNOWN in the way (see INCONCLUSIVE)", List.of());
    }
    return new CheckResult(id(), title(), CheckResult.Status.PASS, "tcp/" + s.ports() + " answer alike on IPv4 and IPv6", List.of());
  }
}
