package io.portproof.report;

import com.google.common.escape.Escaper;
import com.google.common.xml.XmlEscapers;
import io.portproof.diag.Diagnostic;
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

/**
 * JUnit XML for CI test tabs (GitLab, Jenkins, GitHub test reporters): one suite per host, one test case per
 * check (per check and subject when a check has several findings). A finding is a failure with its details in
 * the element body, which GitLab and Jenkins show; a waived finding, a skipped check and an allowed
 * inconclusive one are skipped with the reason. Input diagnostics go to the suite's system-err.
 */
public final class JUnitReporter implements Reporter {
  private static final Escaper TEXT = XmlEscapers.xmlContentEscaper();
  private static final Escaper ATTR = XmlEscapers.xmlAttributeEscaper();

  @Override
  public String name() {
    return "junit";
  }

  /** One test case, decided. */
  private record Case(String name, String outcome, String type, String message, String body) {}

  @Override
  public void write(Report report, PrintStream out, boolean colour) {
    RunResult run = report.run();
    List<List<Case>> suites = new ArrayList<>();
    int tests = 0;
    int failures = 0;
    int skipped = 0;
    for (HostResult h : run.hosts()) {
      List<Case> cases = cases(h, report.gate());
      suites.add(cases);
      tests += cases.size();
      failures += (int) cases.stream().filter(c -> c.outcome().equals("failure")).count();
      skipped += (int) cases.stream().filter(c -> c.outcome().equals("skipped")).count();
    }
    out.println("<?xml version=\"1.0\" encoding=\"UTF-8\"?>");
    out.printf("<testsuites name=\"%s\" tests=\"%d\" failures=\"%d\" errors=\"%d\" skipped=\"%d\" time=\"0\" timestamp=\"%s\">%n",
        ATTR.escape("portproof " + run.policy().name()), tests + report.gate().expired().size(), failures, report.gate().expired().size(),
        skipped, run.time());
    for (int i = 0; i < run.hosts().size(); i++) {
      HostResult h = run.hosts().get(i);
      List<Case> cases = suites.get(i);
      out.printf("  <testsuite name=\"%s\" tests=\"%d\" failures=\"%d\" errors=\"0\" skipped=\"%d\" time=\"0\" timestamp=\"%s\">%n",
          ATTR.escape(h.host()), cases.size(), cases.stream().filter(c -> c.outcome().equals("failure")).count(),
          cases.stream().filter(c -> c.outcome().equals("skipped")).count(), run.time());
      out.println("    <properties>");
      out.printf("      <property name=\"policy\" value=\"%s\"/>%n", ATTR.escape(h.policy()));
      out.printf("      <property name=\"tool\" value=\"%s\"/>%n", ATTR.escape(run.tool()));
      out.println("    </properties>");
      for (Case c : cases) {
        String open = String.format("    <testcase classname=\"%s\" name=\"%s\" time=\"0\"", ATTR.escape("portproof." + h.host()), ATTR.escape(c.name()));
        switch (c.outcome()) {
          case "pass" -> out.println(open + "/>");
          case "skipped" -> out.printf("%s>%n      <skipped message=\"%s\"/>%n    </testcase>%n", open, ATTR.escape(c.message()));
          default -> out.printf("%s>%n      <failure type=\"%s\" message=\"%s\">%s</failure>%n    </testcase>%n", open,
              ATTR.escape(c.type()), ATTR.escape(c.message()), TEXT.escape(c.body()));
        }
      }
      if (!h.diagnostics().isEmpty()) {
        StringBuilder err = new StringBuilder();
        for (Diagnostic d : h.diagnostics()) {
          err.append(d).append('\n');
        }
        out.printf("    <system-err>%s</system-err>%n", TEXT.escape(err.toString()));
      }
      out.println("  </testsuite>");
    }
    if (!report.gate().expired().isEmpty()) {
      // Expired waivers belong to no host; they are errors of the run, in a suite of their own.
      List<Waiver> expired = report.gate().expired();
      out.printf("  <testsuite name=\"waivers\" tests=\"%d\" failures=\"0\" errors=\"%d\" skipped=\"0\" time=\"0\" timestamp=\"%s\">%n",
          expired.size(), expired.size(), run.time());
      for (Waiver w : expired) {
        String text = "the waiver for " + w.describe() + " expired on " + w.expires() + "; its findings count again";
        out.printf("    <testcase classname=\"portproof.waivers\" name=\"%s\" time=\"0\">%n", ATTR.escape(w.source().location()));
        out.printf("      <error type=\"expired-waiver\" message=\"%s\">%s</error>%n    </testcase>%n", ATTR.escape(text),
            TEXT.escape(text + "\n" + w.source().location() + "  reason: " + w.reason()));
      }
      out.println("  </testsuite>");
    }
    out.println("</testsuites>");
  }

  private static List<Case> cases(HostResult h, Gate.Result gate) {
    List<Case> out = new ArrayList<>();
    for (CheckResult r : h.results()) {
      boolean several = r.findings().size() > 1;
      if (r.findings().isEmpty()) {
        out.add(switch (r.status()) {
          case PASS, FAIL -> new Case(r.checkId(), "pass", null, null, null);
          case SKIPPED -> new Case(r.checkId(), "skipped", null, "skipped: " + r.summary(), null);
          case INCONCLUSIVE -> inconclusive(r, gate.triage(h, r));
        });
      }
      for (Finding f : r.findings()) {
        Gate.Triage t = gate.triage(f);
        String name = several ? r.checkId() + " " + f.subject() : r.checkId();
        if (t.waiver() != null) {
          out.add(new Case(name, "skipped", null, Report.describe(t.waiver()), null));
        } else {
          out.add(new Case(name, "failure", f.severity().label(), f.message(), body(f, t)));
        }
      }
    }
    return out;
  }

  private static Case inconclusive(CheckResult r, Gate.Triage t) {
    if (t.waiver() != null) {
      return new Case(r.checkId(), "skipped", null, Report.describe(t.waiver()), null);
    }
    if (!t.blocking()) {
      return new Case(r.checkId(), "skipped", null, "inconclusive, allowed: " + r.summary(), null);
    }
    return new Case(r.checkId(), "failure", "inconclusive", r.title() + " could not be decided: " + r.summary(),
        r.summary() + "\n(run with --allow-inconclusive to let undecided verdicts pass)");
  }

  private static String body(Finding f, Gate.Triage t) {
    StringBuilder sb = new StringBuilder();
    sb.append(f.message()).append('\n');
    sb.append("severity: ").append(f.severity().label()).append('\n');
    sb.append("subject:  ").append(f.subject()).append('\n');
    if (t.baseline() != null) {
      sb.append("baseline: ").append(t.baseline() == Gate.BaselineState.NEW ? "new since the baseline" : "already in the baseline").append('\n');
    }
    if (!t.blocking()) {
      sb.append("gate:     does not fail the run\n");
    }
    sb.append("evidence:\n");
    for (SourceRef e : f.evidence()) {
      sb.append("  ").append(e.location()).append(e.text().isEmpty() ? "" : "  " + e.text()).append('\n');
    }
    return sb.toString();
  }
}
