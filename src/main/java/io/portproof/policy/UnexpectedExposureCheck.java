package io.portproof.policy;

import io.portproof.analysis.Exposure;
import io.portproof.analysis.HostFacts;
import io.portproof.analysis.Protocols;
import io.portproof.analysis.Rewrite;
import io.portproof.model.Family;
import io.portproof.model.Ip;
import io.portproof.model.IpSet;
import io.portproof.model.PortSet;
import io.portproof.model.SourceRef;
import io.portproof.model.fw.Verdict;
import io.portproof.parse.InputException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Every port the policy does not list is closed to the internet. Ports a policy allows only from some sources
 * ({@code 22: [198.51.100.0/24]}) are findings when they are open to more.
 */
final class UnexpectedExposureCheck implements Check<UnexpectedExposureCheck.Settings> {
  /**
   * @param protocols the protocols to examine
   * @param allowed per protocol, per port set, the sources that may reach it (null = anyone)
   */
  record Settings(List<Integer> protocols, Map<Integer, List<Allowance>> allowed) {}

  record Allowance(PortSet ports, IpSet sources) {}

  @Override
  public String id() {
    return "UNEXPECTED-EXPOSURE";
  }

  @Override
  public String title() {
    return "Nothing else is open to the internet";
  }

  @Override
  public Severity defaultSeverity() {
    return Severity.HIGH;
  }

  @Override
  public String documentation() {
    return "Every port of the listed protocols that the policy does not allow must be closed to the internet; the finding "
        + "lists the open port ranges, the sources they are open to, and the accepting rule. Parameters: protocols "
        + "(default [tcp, udp]); allowed: per protocol either a list of ports open to anyone ([80, 443]) or a mapping "
        + "from port (or range) to 'any' or a list of CIDRs that may reach it ({22: [198.51.100.0/24]}).";
  }

  @Override
  public Set<String> parameters() {
    return Set.of("protocols", "allowed");
  }

  @Override
  public Settings configure(Map<String, Yaml.Doc> params) throws InputException {
    List<Integer> protos = new ArrayList<>();
    if (params.containsKey("protocols")) {
      for (Yaml.Doc d : params.get("protocols").list()) {
        protos.add(Params.protocol(d));
      }
    } else {
      protos.add(Protocols.TCP);
      protos.add(Protocols.UDP);
    }
    Map<Integer, List<Allowance>> allowed = new LinkedHashMap<>();
    if (params.containsKey("allowed")) {
      for (Map.Entry<String, Yaml.Doc> e : params.get("allowed").map(null).entrySet()) {
        int proto = io.portproof.analysis.Protocols.number(e.getKey());
        if (proto < 0) {
          throw e.getValue().error("unknown protocol '" + e.getKey() + "' under allowed");
        }
        List<Allowance> list = new ArrayList<>();
        Yaml.Doc v = e.getValue();
        if (v.isMap()) {
          for (Map.Entry<String, Yaml.Doc> pe : v.map(null).entrySet()) {
            PortSet ports;
            try {
              ports = PortSet.parse(pe.getKey());
            } catch (IllegalArgumentException ex) {
              throw pe.getValue().error("'" + pe.getKey() + "' is not a port or port range");
            }
            Yaml.Doc who = pe.getValue();
            IpSet sources = who.isScalar() && who.string().equals("any") ? null : Params.cidrs(who);
            list.add(new Allowance(ports, sources));
          }
        } else {
          list.add(new Allowance(Params.ports(v), null));
        }
        allowed.put(proto, list);
      }
    }
    return new Settings(protos, allowed);
  }

  /** An exposure worth reporting: sources that reach ports through one rule, and the NAT rewrite on the way. */
  private record Open(int proto, Ip address, SourceRef by, Rewrite via, IpSet sources) {}

  @Override
  public CheckResult run(HostFacts host, Policy policy, Policy.CheckConfig config, Settings s) {
    Map<Open, PortSet> open = new LinkedHashMap<>();
    for (Ip address : host.addresses()) {
      IpSet internet = policy.internet().only(address.family());
      for (int proto : s.protocols()) {
        Exposure e = host.exposure(address, proto);
        for (Exposure.Block b : e.blocks()) {
          for (int[] r : b.ports().intervals()) {
            for (PortSet piece : split(PortSet.range(r[0], r[1]), s.allowed().getOrDefault(proto, List.of()))) {
              IpSet mayReach = allowedSources(piece, s.allowed().getOrDefault(proto, List.of()), address);
              for (Exposure.Piece p : b.pieces()) {
                if (p.verdict() != Verdict.ACCEPT) {
                  continue;
                }
                IpSet extra = p.sources().intersect(internet).minus(mayReach);
                if (!extra.isEmpty()) {
                  open.merge(new Open(proto, address, p.decidedBy(), p.rewrittenTo(), extra), piece, PortSet::union);
                }
              }
            }
          }
        }
      }
    }
    List<Finding> findings = new ArrayList<>();
    open.forEach((o, ports) -> {
      String subject = Subjects.endpoint(o.proto(), ports, o.address());
      String sources = Subjects.sources(o.sources(), o.address());
      if (o.via() == null) {
        findings.add(new Finding(id(), config.severity(), host.name(), subject,
            subject + " is open to " + sources + " (accepted at " + o.by().location() + "), which the policy does not allow.",
            o.by(), List.of(o.by())));
      } else {
        findings.add(new Finding(id(), config.severity(), host.name(), subject,
            subject + " is open to " + sources + ": it reaches " + target(o.via(), host) + ", accepted at "
                + o.by().location() + ", which the policy does not allow.",
            o.by(), List.of(o.by(), o.via().source())));
      }
    });
    if (!findings.isEmpty()) {
      return new CheckResult(id(), title(), CheckResult.Status.FAIL, findings.size() + " unexpected exposure(s)", findings);
    }
    return new CheckResult(id(), title(), CheckResult.Status.PASS, "no port beyond the allowed ones is open to the internet", List.of());
  }

  /**
   * Where NAT sent the connection. A DNAT to an address that is not the host's is routed on through
   * FORWARD (a container behind a published port, say), which input-chain firewalls such as ufw never see.
   */
  private static String target(Rewrite via, HostFacts host) {
    String at = via.source().location();
    if (via.address() == null || host.addresses().contains(via.address())) {
      return (via.port() < 0 ? "the host" : "port " + via.port()) + " (rewritten at " + at + ")";
    }
    String address = via.address().family() == Family.IPV6 ? "[" + via.address() + "]" : via.address().toString();
    return (via.port() < 0 ? via.address().toString() : address + ":" + via.port()) + " through FORWARD (DNAT at " + at + ")";
  }

  /** Cuts a port range where allowances start and end, so each piece has one allowed source set. */
  private static List<PortSet> split(PortSet range, List<Allowance> allowances) {
    List<PortSet> pieces = new ArrayList<>(List.of(range));
    for (Allowance a : allowances) {
      List<PortSet> next = new ArrayList<>();
      for (PortSet p : pieces) {
        PortSet in = p.intersect(a.ports());
        PortSet out = p.minus(a.ports());
        if (!in.isEmpty()) {
          next.add(in);
        }
        for (int[] iv : out.intervals()) {
          next.add(PortSet.range(iv[0], iv[1]));
        }
      }
      pieces = next;
    }
    return pieces;
  }

  private static IpSet allowedSources(PortSet piece, List<Allowance> allowances, Ip address) {
    IpSet s = IpSet.EMPTY;
    for (Allowance a : allowances) {
      if (!piece.intersect(a.ports()).isEmpty()) {
        s = s.union(a.sources() == null ? IpSet.all(address.family()) : a.sources());
      }
    }
    return s;
  }
}
