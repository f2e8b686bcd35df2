package io.portproof.report;

import com.google.common.html.HtmlEscapers;
import io.portproof.diag.Diagnostic;
import io.portproof.model.SourceRef;
import io.portproof.policy.CheckResult;
import io.portproof.policy.Finding;
import io.portproof.policy.HostResult;
import io.portproof.policy.RunResult;
import io.portproof.policy.waiver.Gate;
import io.portproof.policy.waiver.Waiver;
import java.io.PrintStream;
import java.util.List;
import java.util.Locale;

/**
 * A pull-request comment: the verdict and a summary table up front, each host's findings in a collapsible
 * section, and — since code hosts cap a comment (GitHub at 65,536 characters) — details cut at a budget with a
 * note saying how much was left out and where to find it.
 */
public final class MarkdownReporter implements Reporter {
  /** Below GitHub's 65,536-character comment limit, with room for what a CI step wraps around it. */
  static final int BUDGET = 60_000;
  /** Findings listed per host; the rest are counted, so one noisy host cannot push the others out. */
  static final int FINDINGS_PER_HOST = 30;

  @Override
  public String name() {
    return "markdown";
  }

  @Override
  public void write(Report report, PrintStream out, boolean colour) {
    RunResult run = report.run();
    Gate.Result gate = report.gate();
    StringBuilder head = new StringBuilder();
    head.append("## portproof: ").append(gate.failed() ? "❌ fails" : "✅ passes").append(" policy `")
        .append(code(run.policy().name())).append("`\n\n");
    head.append(cell(run.policy().title())).append(" — ").append(run.hosts().size()).append(" host(s), ")
        .append(run.findings().size()).append(" finding(s), ").append(gate.blocking()).append(" failing the run");
    if (report.gated()) {
      head.append(", ").append(gate.waived()).append(" waived");
      if (gate.options().baseline() != null) {
        head.append(", ").append(gate.findings().values().stream().filter(t -> t.baseline() == Gate.BaselineState.NEW).count())
            .append(" new since `").append(code(gate.options().baseline().file())).append('`');
      }
    }
    head.append(".\n\n");
    for (Waiver w : gate.expired()) {
      head.append("> ⚠️ **Expired waiver** `").append(code(w.source().location())).append("`: ").append(cell(w.describe()))
          .append(" expired on ").append(w.expires()).append("; its findings count again.\n\n");
    }
    head.append("| host | verdict | passed | failed | inconclusive | skipped | findings | input diagnostics |\n");
    head.append("|---|---|---:|---:|---:|---:|---:|---:|\n");
    for (HostResult h : run.hosts()) {
      boolean hostFails = h.findings().stream().anyMatch(f -> gate.triage(f).blocking())
          || h.results().stream().map(r -> gate.triage(h, r)).anyMatch(t -> t != null && t.blocking());
      head.append("| ").append(cell(h.host())).append(" | ").append(hostFails ? "❌ fail" : "✅ pass")
          .append(" | ").append(count(h, CheckResult.Status.PASS)).append(" | ").append(count(h, CheckResult.Status.FAIL))
          .append(" | ").append(count(h, CheckResult.Status.INCONCLUSIVE)).append(" | ").append(count(h, CheckResult.Status.SKIPPED))
          .append(" | ").append(h.findings().size()).append(" | ").append(h.diagnostics().size()).append(" |\n");
    }
    head.append('\n');

    StringBuilder body = new StringBuilder(head);
    String footer = "<sub>" + cell(run.tool()) + " · " + run.time() + "</sub>\n";
    int hostsLeft = 0;
    for (int i = 0; i < run.hosts().size(); i++) {
      String section = section(run.hosts().get(i), gate);
      if (body.length() + section.length() + footer.length() + 400 > BUDGET) {
        hostsLeft = run.hosts().size() - i;
        break;
      }
      body.append(section);
    }
    if (hostsLeft > 0) {
      body.append("> Details of ").append(hostsLeft).append(" more host(s) are left out to fit a comment; "
          + "the full report is in the json, sarif or html output of the same run.\n\n");
    }
    body.append(footer);
    out.print(body);
  }

  private static String section(HostResult h, Gate.Result gate) {
    if (h.findings().isEmpty() && h.diagnostics().isEmpty()
        && h.results().stream().noneMatch(r -> r.status() == CheckResult.Status.INCONCLUSIVE)) {
      return "";
    }
    StringBuilder sb = new StringBuilder();
    sb.append("<details><summary><b>").append(html(h.host())).append("</b> — ").append(h.findings().size())
        .append(" finding(s)</summary>\n\n");
    sb.append("| check | status | summary |\n|---|---|---|\n");
    for (CheckResult r : h.results()) {
      sb.append("| `").append(code(r.checkId())).append("` | ").append(r.status()).append(" | ").append(cell(r.summary())).append(" |\n");
    }
    sb.append('\n');
    List<Finding> findings = h.findings();
    for (Finding f : findings.subList(0, Math.min(findings.size(), FINDINGS_PER_HOST))) {
      Gate.Triage t = gate.triage(f);
      sb.append("- **").append(cell(f.checkId())).append("** `").append(f.severity().label()).append('`');
      if (t.waiver() != null) {
        sb.append(" *waived*");
      }
      if (t.baseline() == Gate.BaselineState.NEW) {
        sb.append(" 🆕");
      }
      sb.append(' ').append(cell(f.message())).append('\n');
      for (SourceRef e : f.evidence()) {
        sb.append("  - `").append(code(e.location())).append('`');
        if (!e.text().isEmpty()) {
          sb.append(" `").append(code(e.text())).append('`');
        }
        sb.append('\n');
      }
      if (t.waiver() != null) {
        sb.append("  - ").append(cell(Report.describe(t.waiver()))).append('\n');
      }
    }
    if (findings.size() > FINDINGS_PER_HOST) {
      sb.append("- … and ").append(findings.size() - FINDINGS_PER_HOST).append(" more finding(s) in the full report\n");
    }
    List<Diagnostic> diags = h.diagnostics();
    if (!diags.isEmpty()) {
      sb.append("\nInput diagnostics:\n\n");
      for (Diagnostic d : diags.subList(0, Math.min(diags.size(), FINDINGS_PER_HOST))) {
        sb.append("- `").append(code(d.source().location())).append("` ").append(d.kind().name().toLowerCase(Locale.ROOT))
            .append(": ").append(cell(d.message())).append('\n');
      }
      if (diags.size() > FINDINGS_PER_HOST) {
        sb.append("- … and ").append(diags.size() - FINDINGS_PER_HOST).append(" more in the full report\n");
      }
    }
    sb.append("\n</details>\n\n");
    return sb.toString();
  }

  private static long count(HostResult h, CheckResult.Status s) {
    return h.results().stream().filter(r -> r.status() == s).count();
  }

  /**
   * Text in a table cell or list item: one line, no table breaks, no HTML or Markdown the input could inject
   * (a rule comment is attacker-adjacent text).
   */
  static String cell(String s) {
    StringBuilder sb = new StringBuilder();
    for (char c : s.replaceAll("\\s+", " ").toCharArray()) {
      switch (c) {
        case '<' -> sb.append("&lt;");
        case '>' -> sb.append("&gt;");
        case '&' -> sb.append("&amp;");
        case '|' -> sb.append("\\|");
        case '\\', '`', '*', '_', '[', ']', '#', '~', '!' -> sb.append('\\').append(c);
        default -> sb.append(c);
      }
    }
    return sb.toString();
  }

  /** Text inside a code span: backticks cannot be escaped there, so they become a look-alike; pipes still break tables. */
  static String code(String s) {
    return s.replaceAll("\\s+", " ").replace('`', 'ˋ').replace("|", "\\|");
  }

  private static String html(String s) {
    return HtmlEscapers.htmlEscaper().escape(s);
  }
}
