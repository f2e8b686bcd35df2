package io.portproof.report;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.portproof.analysis.Exposure;
import io.portproof.analysis.Protocols;
import io.portproof.analysis.Reason;
import io.portproof.model.IpRange;
import java.io.PrintStream;
import java.util.List;

/** Writes {@code exposure} answers: per port range, the source sets by verdict. */
public final class ExposureReport {
  private ExposureReport() {}

  public static ObjectNode json(Exposure e) {
    ObjectNode n = Json.object();
    n.put("destination", e.destination().toString());
    n.put("family", e.destination().family().label());
    n.put("protocol", Protocols.name(e.proto()));
    ArrayNode blocks = n.putArray("blocks");
    for (Exposure.Block b : e.blocks()) {
      ObjectNode bn = blocks.addObject();
      bn.put("ports", b.ports().toString());
      ArrayNode pieces = bn.putArray("pieces");
      for (Exposure.Piece p : b.pieces()) {
        ObjectNode pn = pieces.addObject();
        pn.put("verdict", p.verdict().name());
        pn.put("rejectWith", p.rejectWith());
        ArrayNode cidrs = pn.putArray("sources");
        p.sources().toCidrs().forEach(cidrs::add);
        ArrayNode ranges = pn.putArray("ranges");
        for (IpRange r : p.sources().ranges()) {
          ranges.add(r.first() + "-" + r.last());
        }
        pn.set("decidedBy", Json.source(p.decidedBy()));
        if (p.rewrittenTo() != null) {
          ObjectNode r = pn.putObject("rewrittenTo");
          r.put("address", p.rewrittenTo().address() == null ? null : p.rewrittenTo().address().toString());
          r.put("port", p.rewrittenTo().port());
          r.set("by", Json.source(p.rewrittenTo().source()));
        }
        if (p.note() != null) {
          pn.put("note", p.note());
        }
        if (!p.reasons().isEmpty()) {
          ArrayNode rs = pn.putArray("unknownBecause");
          for (Reason r : p.reasons()) {
            ObjectNode rn = rs.addObject();
            rn.put("construct", r.text());
            rn.set("at", Json.source(r.source()));
          }
        }
      }
    }
    return n;
  }

  public static void text(Exposure e, PrintStream out) {
    out.printf("%s to %s (%s)%n", Protocols.name(e.proto()), e.destination(), e.destination().family().label());
    for (Exposure.Block b : e.blocks()) {
      out.printf("  ports %s%n", b.ports());
      List<Exposure.Piece> pieces = b.pieces();
      for (Exposure.Piece p : pieces) {
        String verdict = p.verdict().name() + (p.rejectWith() != null ? " (" + p.rejectWith() + ")" : "");
        out.printf("    %-8s from %s%n", verdict, SourceSets.describe(p.sources(), e.destination().family()));
        if (p.decidedBy() != null) {
          out.printf("             by %s  %s%n", p.decidedBy().location(), p.decidedBy().text());
        }
        if (p.rewrittenTo() != null) {
          out.printf("             rewritten to %s%s by %s%n", p.rewrittenTo().address() == null ? "an address of the incoming interface" : p.rewrittenTo().address(),
              p.rewrittenTo().port() >= 0 ? ":" + p.rewrittenTo().port() : "", p.rewrittenTo().source().location());
        }
        if (p.note() != null) {
          out.printf("             note: %s%n", p.note());
        }
        for (Reason r : p.reasons()) {
          out.printf("             unknown: %s  %s%n", r.source().location(), r.text());
        }
      }
    }
  }
}
