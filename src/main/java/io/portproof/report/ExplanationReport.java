package io.portproof.report;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.portproof.analysis.Explanation;
import io.portproof.analysis.Protocols;
import io.portproof.analysis.Reason;
import io.portproof.analysis.TraceStep;
import io.portproof.model.Family;
import io.portproof.model.Packet;
import java.io.PrintStream;

/** Writes {@code explain} answers: a readable trace, or one JSON object per packet. */
public final class ExplanationReport {
  private ExplanationReport() {}

  public static ObjectNode json(Explanation e) {
    Packet p = e.packet();
    ObjectNode n = Json.object();
    n.put("src", p.src().toString());
    n.put("dst", p.dst().toString());
    n.put("proto", Protocols.name(p.proto()));
    n.put("dport", p.dport());
    if (p.sport() != null) {
      n.put("sport", p.sport());
    }
    if (p.inIface() != null) {
      n.put("inIface", p.inIface());
    }
    n.put("verdict", e.verdict().name());
    n.put("rejectWith", e.rejectWith());
    n.put("expected", e.clientSees());
    n.set("decidedBy", Json.source(e.decidedBy()));
    if (e.rewrittenTo() != null) {
      ObjectNode r = n.putObject("rewrittenTo");
      r.put("address", e.rewrittenTo().address() == null ? null : e.rewrittenTo().address().toString());
      if (e.rewrittenTo().port() >= 0) {
        r.put("port", e.rewrittenTo().port());
      } else {
        r.putNull("port");
      }
      r.set("by", Json.source(e.rewrittenTo().source()));
    } else {
      n.putNull("rewrittenTo");
    }
    n.put("note", e.note());
    ArrayNode reasons = n.putArray("unknownBecause");
    for (Reason r : e.reasons()) {
      ObjectNode rn = reasons.addObject();
      rn.put("construct", r.text());
      rn.set("at", Json.source(r.source()));
    }
    ArrayNode trace = n.putArray("trace");
    for (TraceStep s : e.trace()) {
      ObjectNode t = trace.addObject();
      t.put("step", s.kind());
      t.put("table", s.table());
      t.put("chain", s.chain());
      t.put("depth", s.depth());
      t.put("detail", s.detail());
      t.set("at", Json.source(s.source()));
    }
    return n;
  }

  public static void text(Explanation e, PrintStream out) {
    Packet p = e.packet();
    String dst = p.family() == Family.IPV6 ? "[" + p.dst() + "]" : p.dst().toString();
    out.printf("%s %s -> %s:%d%s%n", Protocols.name(p.proto()), p.src(), dst, p.dport(),
        p.inIface() != null ? " in on " + p.inIface() : "");
    String sees = e.clientSees();
    out.printf("verdict:     %s%s%s%n", e.verdict(), e.rejectWith() != null ? " (" + e.rejectWith() + ")" : "",
        sees != null ? "  -> a client sees: " + sees : "");
    if (e.decidedBy() != null) {
      out.printf("decided by:  %s  %s%n", e.decidedBy().location(), e.decidedBy().text());
    }
    if (e.rewrittenTo() != null) {
      out.printf("rewritten:   to %s%s by %s%n", e.rewrittenTo().address() == null ? "an address of the incoming interface" : e.rewrittenTo().address(),
          e.rewrittenTo().port() >= 0 ? ":" + e.rewrittenTo().port() : "", e.rewrittenTo().source().location());
    }
    if (e.note() != null) {
      out.printf("note:        %s%n", e.note());
    }
    for (Reason r : e.reasons()) {
      out.printf("unknown:     %s  %s%n", r.source().location(), r.text());
    }
    if (!e.trace().isEmpty()) {
      out.println("trace:");
      for (TraceStep s : e.trace()) {
        String where = s.table().isEmpty() ? "" : s.table() + "/" + s.chain();
        out.printf("  %s%-7s %-24s %-40s %s%n", "  ".repeat(s.depth()), s.kind(), where, s.detail(),
            s.source() == null ? "" : s.source().location());
      }
    }
  }
}
