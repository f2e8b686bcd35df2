package io.portproof.report;

import java.io.PrintStream;

/**
 * One output format of {@code check}. Call order: {@link #wantsExposures()} before the hosts are evaluated (so
 * the CLI keeps the exposures only when needed), then {@link #write} once per run, after every host is
 * evaluated and the gate has decided, with the stream to write to (a file or standard output); a reporter writes
 * the whole document and flushes nothing else. Processing problems (input diagnostics, expired waivers) are part
 * of the run and every reporter shows them, so "could not parse" is never mistaken for "no problems". Waived
 * findings are shown as waived, never hidden.
 */
public interface Reporter {
  /** The name given to {@code --format}. */
  String name();

  /** Whether {@link Report#exposures()} should be filled for this format (it costs memory on large fleets). */
  default boolean wantsExposures() {
    return false;
  }

  /**
   * Writes the report.
   *
   * @param colour whether ANSI colour is wanted (a terminal, NO_COLOR unset); formats without colour ignore it
   */
  void write(Report report, PrintStream out, boolean colour);
}
