package io.portproof.report;

import io.portproof.diag.Diagnostic;
import io.portproof.model.Ip;
import io.portproof.model.SourceRef;
import io.portproof.policy.CheckResult;
import io.portproof.policy.Finding;
import io.portproof.policy.HostResult;
import io.portproof.policy.RunResult;
import io.portproof.policy.waiver.Gate;
import io.portproof.policy.waiver.Waiver;
import java.io.PrintStream;
import java.util.ArrayList;
import java.util.List;

/** For people at a terminal: one line per check, findings indented under it with their deciding lines. */
public final class TextReporter implements Reporter {
  @Override
  public String name() {
    return "text";
  }

  @Override
  public void write(Report report, PrintStream out, boolean colour) {
    RunResult run = report.run();
    Gate.Result gate = report.gate();
    Paint p = new Paint(colour);
    out.printf("portproof check: policy %s (%s)%n", run.policy().name(), run.policy().title());
    int pass = 0;
    int fail = 0;
    int other = 0;
    for (HostResult h : run.hosts()) {
      out.println();
      out.println(p.bold(h.host()) + "  " + String.join(", ", h.addresses().stream().map(Ip::toString).toList())
          + (h.policy().equals(run.policy().name()) ? "" : "  (policy " + h.policy() + ")"));
      for (CheckResult r : h.results()) {
        String status = switch (r.status()) {
          case PASS -> p.green("PASS");
          case FAIL -> p.red("FAIL");
          case INCONCLUSIVE -> p.yellow("UNKN");
          case SKIPPED -> p.dim("SKIP");
        };
        switch (r.status()) {
          case PASS -> pass++;
          case FAIL -> fail++;
          default -> other++;
        }
        out.printf("  %s  %-26s %s%n", status, r.checkId(), r.summary());
        Gate.Triage undecided = gate.triage(h, r);
        if (undecided != null && !gating(undecided).isEmpty()) {
          out.printf("        %s%n", p.dim(gating(undecided)));
        }
        for (Finding f : r.findings()) {
          Gate.Triage t = gate.triage(f);
          out.printf("        %s %s%s%n", p.severity(f.severity().label()), t.waiver() != null ? p.dim("[waived] ") : "", f.message());
          String note = gating(t);
          if (!note.isEmpty()) {
            out.printf("          %s%n", p.dim(note));
          }
          for (SourceRef e : f.evidence()) {
            out.printf("          %s%s%n", p.dim(e.location()), e.text().isEmpty() ? "" : "  " + e.text());
          }
        }
      }
      List<Diagnostic> diags = h.diagnostics();
      if (!diags.isEmpty()) {
        out.println("  input diagnostics:");
        for (Diagnostic d : diags) {
          out.println("    " + d);
        }
      }
    }
    if (!gate.expired().isEmpty()) {
      out.println();
      out.println(p.red("expired waivers (each fails the run):"));
      for (Waiver w : gate.expired()) {
        out.printf("  %s: %s expired on %s%s%n", w.source().location(), w.describe(), w.expires(),
            w.ticket() == null ? "" : " (" + w.ticket() + ")");
      }
    }
    out.println();
    out.printf("%d host(s): %d check(s) passed, %d failed, %d inconclusive or skipped; %d finding(s)%n",
        run.hosts().size(), pass, fail, other, run.findings().size());
    if (report.gated()) {
      out.printf("gate: %s; %d blocking, %d waived%s%n", gate.failed() ? p.red("FAIL") : p.green("PASS"), gate.blocking(),
          gate.waived(), gate.options().baseline() == null ? ""
              : ", " + gate.findings().values().stream().filter(t -> t.baseline() == Gate.BaselineState.NEW).count()
                  + " new since " + gate.options().baseline().file());
    }
  }

  /** The gate's remark on a finding, or "" when there is nothing to say beyond the finding itself. */
  private static String gating(Gate.Triage t) {
    List<String> parts = new ArrayList<>();
    if (t.waiver() != null) {
      parts.add(Report.describe(t.waiver()));
    }
    if (t.baseline() != null) {
      parts.add(t.baseline() == Gate.BaselineState.NEW ? "new since the baseline" : "already in the baseline");
    }
    return String.join("; ", parts);
  }

  /** ANSI colour, or nothing. */
  private record Paint(boolean on) {
    String wrap(String code, String s) {
      return on ? "\u001b[" + code + "m" + s + "\u001b[0m" : s;
    }

    String bold(String s) {
      return wrap("1", s);
    }

    String green(String s) {
      return wrap("32", s);
    }

    String red(String s) {
      return wrap("31;1", s);
    }

    String yellow(String s) {
      return wrap("33", s);
    }

    String dim(String s) {
      return wrap("2", s);
    }

    String severity(String s) {
      String t = "[" + s + "]";
      return switch (s) {
        case "critical", "high" -> red(t);
        case "medium" -> yellow(t);
        default -> t;
      };
    }
  }
}
