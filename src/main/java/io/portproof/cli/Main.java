package io.portproof.cli;

import java.io.PrintStream;

/** Entry point. {@link #run} is the in-process contract tests use; {@link #main} only exits. */
public final class Main {
  private Main() {}

  public static void main(String[] args) {
    System.exit(run(System.out, System.err, args));
  }

  /**
   * Runs one portproof command.
   *
   * @return the exit code: 0 pass, 1 policy violation, 2 bad usage or unreadable input, 3 internal
   *     error
   */
  public static int run(PrintStream out, PrintStream err, String... args) {
    out.println("portproof");
    return 0;
  }
}
