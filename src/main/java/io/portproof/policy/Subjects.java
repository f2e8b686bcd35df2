package io.portproof.policy;

import io.portproof.analysis.Exposure;
import io.portproof.analysis.Protocols;
import io.portproof.model.Ip;
import io.portproof.model.IpSet;
import io.portproof.model.PortSet;
import io.portproof.model.SourceRef;
import io.portproof.model.fw.Verdict;
import io.portproof.report.SourceSets;
import java.util.ArrayList;
import java.util.List;

/** How checks name endpoints and describe exposure pieces, so every check says them the same way. */
final class Subjects {
  private Subjects() {}

  static String endpoint(int proto, PortSet ports, Ip address) {
    return Protocols.name(proto) + "/" + ports + " on " + address;
  }

  static String sources(IpSet set, Ip address) {
    return SourceSets.describe(set, address.family());
  }

  static String verdict(Exposure.Piece p) {
    String v = p.verdict() == Verdict.REJECT ? "REJECT " + p.rejectWith() : p.verdict().name();
    return v + " at " + p.decidedBy().location();
  }

  /** The deciding lines of the pieces, in order, without repeats. */
  static List<SourceRef> evidence(List<Exposure.Piece> pieces) {
    List<SourceRef> out = new ArrayList<>();
    for (Exposure.Piece p : pieces) {
      if (p.decidedBy() != null && !out.contains(p.decidedBy())) {
        out.add(p.decidedBy());
      }
      if (p.rewrittenTo() != null && !out.contains(p.rewrittenTo().source())) {
        out.add(p.rewrittenTo().source());
      }
    }
    return out;
  }
}
