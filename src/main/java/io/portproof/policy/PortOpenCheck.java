package io.portproof.policy;

import io.portproof.analysis.Exposure;
import io.portproof.analysis.HostFacts;
import io.portproof.analysis.Protocols;
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

/**
 * A required port is open to the whole internet, on every host address of both families. Partial exposure is a
 * finding that names the missing ranges and the rules responsible; what cannot be decided is left to
 * INCONCLUSIVE and makes this check inconclusive rather than passing.
 */
final class PortOpenCheck implements Check<PortOpenCheck.Settings> {
  private final String id;
  private final String title;
  private final Severity severity;
  private final PortSet defaultPorts;
  private final String why;

  /** @param ports the required ports; the protocol is TCP */
  public record Settings(PortSet ports) {}

  PortOpenCheck(String id, String title, Severity severity, PortSet defaultPorts, String why) {
    this.id = id;
    this.title = title;
    this.severity = severity;
    this.defaultPorts = defaultPorts;
    this.why = why;
  }

  @Override
  public String id() {
    return id;
  }

  @Override
  public String title() {
    return title;
  }

  @Override
  public Severity defaultSeverity() {
    return severity;
  }

  @Override
  public String documentation() {
    return "TCP " + defaultPorts + " must be allowed from every address the policy counts as the internet, IPv4 and IPv6, "
        + "on every address of the host. " + why + " Parameters: ports (default " + defaultPorts + ").";
  }

  @Override
  public Set<String> parameters() {
    return Set.of("ports");
  }

  @Override
  public Settings configure(Map<String, Yaml.Doc> params) throws InputException {
    return new Settings(params.containsKey("ports") ? Params.ports(params.get("ports")) : defaultPorts);
  }

  @Override
  public CheckResult run(HostFacts host, Policy policy, Policy.CheckConfig config, Settings s) {
    List<Finding> findings = new ArrayList<>();
    boolean unknown = false;
    List<String> proven = new ArrayList<>();
    for (Ip address : host.addresses()) {
      IpSet internet = policy.internet().only(address.family());
      Exposure e = host.exposure(address, Protocols.TCP);
      for (int[] r : s.ports().intervals()) {
        for (int port = r[0]; port <= r[1]; port++) {
          Exposure.Block b = e.blockFor(port);
          IpSet missing = internet.minus(b.sources(Verdict.ACCEPT));
          if (missing.isEmpty()) {
            proven.add(address.family().label());
            continue;
          }
          List<Exposure.Piece> blocking = new ArrayList<>();
          List<String> parts = new ArrayList<>();
          for (Exposure.Piece p : b.pieces()) {
            IpSet hit = p.sources().intersect(missing);
            if (hit.isEmpty() || p.verdict() == Verdict.ACCEPT) {
              continue;
            }
            if (p.verdict() == Verdict.UNKNOWN) {
              unknown = true;
              continue;
            }
            blocking.add(p);
            parts.add(Subjects.verdict(p) + " for " + Subjects.sources(hit, address));
          }
          if (blocking.isEmpty()) {
            continue;
          }
          List<SourceRef> evidence = Subjects.evidence(blocking);
          String subject = "tcp/" + port + " on " + address;
          String scope = b.sources(Verdict.ACCEPT).intersect(internet).isEmpty() ? "closed to the whole internet"
              : "open only to part of the internet";
          findings.add(new Finding(id, config.severity(), host.name(), subject,
              subject + " is " + scope + ": " + String.join("; ", parts) + ". " + why,
              evidence.get(0), evidence));
        }
      }
    }
    if (!findings.isEmpty()) {
      return new CheckResult(id, title, CheckResult.Status.FAIL, findings.size() + " endpoint(s) not open to the internet", findings);
    }
    if (unknown) {
      return new CheckResult(id, title, CheckResult.Status.INCONCLUSIVE, "part of the internet meets UNKNOWN (see INCONCLUSIVE)", List.of());
    }
    if (host.addresses().isEmpty()) {
      return new CheckResult(id, title, CheckResult.Status.SKIPPED, "the host declares no addresses", List.of());
    }
    return new CheckResult(id, title, CheckResult.Status.PASS,
        "tcp/" + s.ports() + " open to the whole internet on " + String.join(", ", host.addresses().stream().map(Ip::toString).toList()),
        List.of());
  }
}
