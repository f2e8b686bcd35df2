package io.portproof.report;

import io.portproof.analysis.Exposure;
import io.portproof.policy.RunResult;
import io.portproof.policy.waiver.Gate;
import io.portproof.policy.waiver.Waiver;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * What a reporter renders: the run, the gate's decision on each finding, and — for reporters that draw them —
 * the exposures the checks computed.
 *
 * @param run hosts, check results, findings, diagnostics
 * @param gate which findings are waived, new against the baseline, and blocking
 * @param exposures per host name, the exposures computed for it; empty unless a reporter asked for them
 */
public record Report(RunResult run, Gate.Result gate, Map<String, List<Exposure>> exposures) {
  public Report {
    Objects.requireNonNull(run);
    Objects.requireNonNull(gate);
    exposures = Map.copyOf(exposures);
  }

  /** e.g. {@code waived until 2027-03-31 by waivers.yaml:4 (SEC-123): bastion only} */
  public static String describe(Waiver w) {
    return "waived until " + w.expires() + " by " + w.source().location() + (w.ticket() == null ? "" : " (" + w.ticket() + ")")
        + ": " + w.reason();
  }

  /** Whether waivers or a baseline were given, so reports show the gate's bookkeeping only when it says something. */
  public boolean gated() {
    return !gate.options().waivers().isEmpty() || gate.options().baseline() != null;
  }
}
