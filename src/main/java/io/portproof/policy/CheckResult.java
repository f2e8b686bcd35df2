package io.portproof.policy;

import java.util.List;

/**
 * The outcome of one check on one host.
 *
 * @param checkId the check
 * @param title its title
 * @param status the verdict of the check
 * @param summary one line saying what was established
 * @param findings what failed; empty on PASS
 */
public record CheckResult(String checkId, String title, Status status, String summary, List<Finding> findings) {
  public CheckResult {
    findings = List.copyOf(findings);
  }

  /**
   * PASS, SKIPPED (nothing to check) and INCONCLUSIVE (UNKNOWN in the way; INCONCLUSIVE's findings say why)
   * carry no findings; FAIL carries at least one.
   */
  public enum Status {
    PASS,
    FAIL,
    INCONCLUSIVE,
    SKIPPED
  }
}
