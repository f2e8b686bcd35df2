package io.portproof.report;

import static org.assertj.core.api.Assertions.assertThat;

import io.portproof.model.Ip;
import io.portproof.model.SourceRef;
import io.portproof.policy.CheckResult;
import io.portproof.policy.Finding;
import io.portproof.policy.HostResult;
import io.portproof.policy.PolicyLoader;
import io.portproof.policy.RunResult;
import io.portproof.policy.Severity;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** A fleet's worth of findings still fits one pull-request comment, and says what it left out. */
class MarkdownBudgetTest {
  private static String render(int hosts, int findingsPerHost) throws Exception {
    List<HostResult> results = new ArrayList<>();
    for (int h = 0; h < hosts; h++) {
      String host = "web" + h;
      List<Finding> findings = new ArrayList<>();
      for (int i = 0; i < findingsPerHost; i++) {
        SourceRef at = new SourceRef("fleet/" + host + "/rules.v4", 100 + i, "-A INPUT -p tcp -m tcp --dport " + (1000 + i) + " -j ACCEPT");
        String subject = "tcp/" + (1000 + i) + " on 192.0.2." + (h % 250);
        findings.add(new Finding("UNEXPECTED-EXPOSURE", Severity.HIGH, host, subject,
            subject + " is open to 0.0.0.0/0 (accepted at " + at.location() + "), which the policy does not allow.", at, List.of(at)));
      }
      results.add(new HostResult(host, List.of(Ip.parse("192.0.2." + (h % 250))), "web-baseline",
          List.of(new CheckResult("UNEXPECTED-EXPOSURE", "Nothing else is open to the internet", CheckResult.Status.FAIL,
              findings.size() + " unexpected exposure(s)", findings)), List.of(), List.of()));
    }
    RunResult run = new RunResult("portproof 1.0.0", PolicyLoader.load("web-baseline"), Instant.EPOCH, results);
    return Fixtures.render(new MarkdownReporter(), run);
  }

  @Test
  void aLargeFleetIsCutPolitelyBelowGitHubsCommentLimit() throws Exception {
    String md = render(300, 80);
    assertThat(md.length()).isLessThanOrEqualTo(MarkdownReporter.BUDGET);
    assertThat(md).startsWith("## portproof: ❌ fails policy `web-baseline`");
    assertThat(md).as("every host is in the summary table").contains("| web0 |", "| web299 |");
    assertThat(md).contains("- … and 50 more finding(s) in the full report");
    assertThat(md).containsPattern("> Details of \\d+ more host\\(s\\) are left out to fit a comment");
    assertThat(md).endsWith("<sub>portproof 1.0.0 · 1970-01-01T00:00:00Z</sub>\n");
  }

  @Test
  void aSmallRunIsNotCut() throws Exception {
    String md = render(2, 3);
    assertThat(md).doesNotContain("left out", "more finding(s)");
    assertThat(md).contains("<details><summary><b>web1</b> — 3 finding(s)</summary>");
  }
}
