package io.portproof.policy.waiver;

import io.portproof.policy.CheckResult;
import io.portproof.policy.Finding;
import io.portproof.policy.HostResult;
import io.portproof.policy.RunResult;
import io.portproof.policy.Severity;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

/**
 * Decides which findings fail the run. A finding counts when it reaches {@code failOn}, or is an undecided
 * verdict (the INCONCLUSIVE check, or a check left INCONCLUSIVE) unless those are allowed — and is neither
 * waived by a live waiver nor already in the baseline. Any expired waiver fails the run on its own, so accepted
 * risks come back for review.
 */
public final class Gate {
  /** The check that lists undecided verdicts; its findings fail whatever {@code --fail-on} says. */
  public static final String INCONCLUSIVE = "INCONCLUSIVE";

  /**
   * @param failOn the least severity that fails
   * @param allowInconclusive whether undecided verdicts may pass
   * @param waivers the waivers given, in file order
   * @param baseline a previous run, or null
   * @param today the date waivers are compared against
   */
  public record Options(Severity failOn, boolean allowInconclusive, List<Waiver> waivers, Baseline baseline, LocalDate today) {
    public Options {
      Objects.requireNonNull(failOn);
      waivers = List.copyOf(waivers);
      Objects.requireNonNull(today);
    }
  }

  /** Whether a finding was seen in the baseline run; absent when no baseline was given. */
  public enum BaselineState {
    NEW,
    UNCHANGED
  }

  /**
   * The decision for one finding (or one INCONCLUSIVE check result without findings).
   *
   * @param waiver the live waiver that accepts it, or null
   * @param baseline NEW or UNCHANGED against the baseline, or null without one
   * @param blocking whether it fails the run
   */
  public record Triage(Waiver waiver, BaselineState baseline, boolean blocking) {}

  /**
   * The gate's decision for a whole run.
   *
   * @param options what it was decided with
   * @param findings per finding
   * @param undecided per host and check id, the checks INCONCLUSIVE without findings
   * @param expired waivers past their date (each fails the run)
   * @param unused live waivers that matched nothing (worth deleting)
   */
  public record Result(Options options, Map<Finding, Triage> findings, Map<FindingKey, Triage> undecided,
      List<Waiver> expired, List<Waiver> unused) {
    public Result {
      findings = Map.copyOf(findings);
      undecided = Map.copyOf(undecided);
      expired = List.copyOf(expired);
      unused = List.copyOf(unused);
    }

    public Triage triage(Finding f) {
      return findings.get(f);
    }

    /** The decision for a check result that is INCONCLUSIVE without findings, or null for any other. */
    public Triage triage(HostResult h, CheckResult r) {
      return undecided.get(new FindingKey(r.checkId(), h.host(), ""));
    }

    public boolean failed() {
      return !expired.isEmpty() || findings.values().stream().anyMatch(Triage::blocking)
          || undecided.values().stream().anyMatch(Triage::blocking);
    }

    public long waived() {
      return findings.values().stream().filter(t -> t.waiver() != null).count();
    }

    public long blocking() {
      return findings.values().stream().filter(Triage::blocking).count()
          + undecided.values().stream().filter(Triage::blocking).count();
    }
  }

  private Gate() {}

  public static Result decide(RunResult run, Options o) {
    List<Waiver> live = new ArrayList<>();
    List<Waiver> expired = new ArrayList<>();
    for (Waiver w : o.waivers()) {
      (w.expiredOn(o.today()) ? expired : live).add(w);
    }
    Set<Waiver> used = new LinkedHashSet<>();
    Map<Finding, Triage> findings = new HashMap<>();
    Map<FindingKey, Triage> undecided = new HashMap<>();
    for (HostResult h : run.hosts()) {
      for (CheckResult r : h.results()) {
        if (r.status() == CheckResult.Status.INCONCLUSIVE && r.findings().isEmpty()) {
          FindingKey k = new FindingKey(r.checkId(), h.host(), "");
          undecided.put(k, triage(k, !o.allowInconclusive(), live, used, o.baseline()));
        }
        for (Finding f : r.findings()) {
          // Undecided verdicts are judged by whether they are allowed, not by severity: an UNKNOWN never passes silently.
          boolean counts = f.checkId().equals(INCONCLUSIVE) ? !o.allowInconclusive() : f.severity().compareTo(o.failOn()) >= 0;
          findings.put(f, triage(FindingKey.of(f), counts, live, used, o.baseline()));
        }
      }
    }
    List<Waiver> unused = live.stream().filter(w -> !used.contains(w)).toList();
    return new Result(o, findings, undecided, expired, unused);
  }

  private static Triage triage(FindingKey k, boolean counts, List<Waiver> live, Set<Waiver> used, Baseline baseline) {
    Waiver w = live.stream().filter(x -> x.matches(k)).findFirst().orElse(null);
    if (w != null) {
      used.add(w);
    }
    BaselineState state = baseline == null ? null : baseline.contains(k) ? BaselineState.UNCHANGED : BaselineState.NEW;
    return new Triage(w, state, counts && w == null && state != BaselineState.UNCHANGED);
  }
}
