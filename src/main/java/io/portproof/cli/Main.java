package io.portproof.cli;

import io.portproof.parse.InputException;
import java.io.PrintStream;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/** Entry point. {@link #run} is the in-process contract tests use; {@link #main} only exits. */
@Command(name = "portproof", mixinStandardHelpOptions = true, versionProvider = Main.Version.class,
    subcommands = {CheckCommand.class, RulesCommand.class, ExplainCommand.class, ExposureCommand.class, ProbeCommand.class, BenchCommand.class,
        CommandLine.HelpCommand.class},
    description = {
        "Proves a host's port policy: reads firewall exports (and, later, server configs), predicts what the",
        "outside world sees on every port, and checks it against a policy.",
        "",
        "Start with:  portproof check samples/web-good",
        "Ask why:     portproof explain --firewall rules.v4 --src 203.0.113.9 --dst 198.51.100.10 --dport 443",
        "See it all:  portproof exposure --firewall rules.v4 --dst 198.51.100.10"},
    footerHeading = "%nExit codes:%n",
    footer = {"  0  pass", "  1  a policy violation at or above --fail-on", "  2  bad usage or unreadable input",
        "  3  internal error (a bug: please report it with the input)"})
public final class Main implements Runnable {
  static final int OK = 0;
  static final int VIOLATION = 1;
  static final int USAGE = 2;
  static final int INTERNAL = 3;

  Main() {}

  public static void main(String[] args) {
    System.exit(run(System.out, System.err, args));
  }

  @Override
  public void run() {
    throw new CommandLine.ParameterException(new CommandLine(this), "name a command: check, rules, explain, exposure, probe, bench (see --help)");
  }

  /**
   * Runs one portproof command.
   *
   * @return the exit code: 0 pass, 1 policy violation, 2 bad usage or unreadable input, 3 internal error
   */
  public static int run(PrintStream out, PrintStream err, String... args) {
    Io io = new Io(out, err);
    CommandLine cl = new CommandLine(new Main(), new Factory(io));
    cl.setOut(new PrintWriter(new java.io.OutputStreamWriter(out, StandardCharsets.UTF_8), true));
    cl.setErr(new PrintWriter(new java.io.OutputStreamWriter(err, StandardCharsets.UTF_8), true));
    cl.setCaseInsensitiveEnumValuesAllowed(true);
    cl.setExecutionExceptionHandler((ex, line, parsed) -> {
      if (ex instanceof InputException) {
        err.println("portproof: " + ex.getMessage());
        return USAGE;
      }
      if (ex instanceof CommandLine.ParameterException pe) {
        err.println("portproof: " + pe.getMessage());
        return USAGE;
      }
      err.println("portproof: internal error: " + ex);
      if (System.getenv("PORTPROOF_DEBUG") != null) {
        ex.printStackTrace(err);
      } else {
        err.println("(set PORTPROOF_DEBUG=1 for the stack trace; please report it with the input that caused it)");
      }
      return INTERNAL;
    });
    int code = cl.execute(args);
    out.flush();
    err.flush();
    return code;
  }

  /** Where commands write: injected so tests run commands in-process. */
  record Io(PrintStream out, PrintStream err) {}

  private static final class Factory implements CommandLine.IFactory {
    private final Io io;

    Factory(Io io) {
      this.io = io;
    }

    @Override
    public <K> K create(Class<K> cls) throws Exception {
      K k = CommandLine.defaultFactory().create(cls);
      if (k instanceof IoAware a) {
        a.io(io);
      }
      return k;
    }
  }

  /** Commands that write output get the streams of the current run. */
  interface IoAware {
    void io(Io io);
  }

  static final class Version implements CommandLine.IVersionProvider {
    @Override
    public String[] getVersion() {
      String v = Main.class.getPackage().getImplementationVersion();
      return new String[] {"portproof " + (v == null ? "(development build)" : v)};
    }
  }
}
