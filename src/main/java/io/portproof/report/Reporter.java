package io.portproof.report;

import io.portproof.policy.RunResult;
import java.io.PrintStream;

/**
 * One output format of {@code check}. Called once per run, after every host is evaluated, with the stream to
 * write to (a file or standard output); a reporter writes the whole document and flushes nothing else.
 * Processing problems (input diagnostics) are part of the run and every reporter shows them, so "could not
 * parse" is never mistaken for "no problems".
 */
public interface Reporter {
  /** The name given to {@code --format}. */
  String name();

  /**
   * Writes the report.
   *
   * @param colour whether ANSI colour is wanted (a terminal, NO_COLOR unset); formats without colour ignore it
   */
  void write(RunResult run, PrintStream out, boolean colour);
}
