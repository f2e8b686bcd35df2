package io.portproof.analysis;

import io.portproof.model.Packet;
import io.portproof.model.SourceRef;
import io.portproof.model.fw.Verdict;
import java.util.List;

/**
 * The answer for one packet.
 *
 * @param packet what was asked
 * @param verdict what the client's connection attempt meets, the reply path included
 * @param rejectWith for REJECT, the --reject-with kind; else null
 * @param decidedBy the rule or policy that decided; for UNKNOWN the first undecidable construct
 * @param rewrittenTo where NAT sent the connection, or null
 * @param trace the way through tables and chains, in order
 * @param reasons for UNKNOWN, every construct that made it unknown
 * @param note a remark on the verdict (forwarded, reply dropped), or null
 */
public record Explanation(Packet packet, Verdict verdict, String rejectWith, SourceRef decidedBy, Rewrite rewrittenTo,
    List<TraceStep> trace, List<Reason> reasons, String note) {
  public Explanation {
    trace = List.copyOf(trace);
    reasons = List.copyOf(reasons);
  }

  /**
   * What a TCP client sees, assuming a socket listens on the (rewritten) port: open, refused, unreachable or
   * filtered; null when UNKNOWN.
   */
  public String clientSees() {
    return switch (verdict) {
      case ACCEPT -> "open";
      case REJECT -> RejectTypes.clientSees(rejectWith);
      case DROP -> "filtered";
      case UNKNOWN -> null;
    };
  }
}
