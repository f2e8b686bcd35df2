package io.portproof.probe;

import static org.assertj.core.api.Assertions.fail;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Assumptions;

/** What the machine offers. A missing tool skips a test, except under CI=true where it fails. */
final class Env {
  private Env() {}

  static boolean ci() {
    return "true".equalsIgnoreCase(System.getenv("CI"));
  }

  /** Skips (or, under CI=true, fails) unless {@code condition} holds. */
  static void require(boolean condition, String why) {
    if (condition) {
      return;
    }
    if (ci()) {
      fail("CI=true and the environment lacks: " + why);
    }
    Assumptions.assumeTrue(false, "skipped: " + why);
  }

  static void requireTool(String tool) {
    require(which(tool) != null, tool + " is not installed (apt-get install " + tool + ")");
  }

  static Path which(String tool) {
    for (String dir : List.of("/usr/sbin", "/usr/bin", "/sbin", "/bin", "/usr/local/bin")) {
      Path p = Path.of(dir, tool);
      if (Files.isExecutable(p)) {
        return p;
      }
    }
    return null;
  }

  static boolean root() {
    return "root".equals(System.getProperty("user.name"));
  }

  /** Runs a command to completion within {@code seconds}; returns its stdout. Fails on non-zero. */
  static String run(int seconds, String... command) throws IOException, InterruptedException {
    Path out = Files.createTempFile("portproof-cmd", ".out");
    try {
      Process p =
          new ProcessBuilder(command)
              .redirectErrorStream(true)
              .redirectOutput(out.toFile())
              .start();
      try {
        if (!p.waitFor(seconds, TimeUnit.SECONDS)) {
          throw new IOException(String.join(" ", command) + " took longer than " + seconds + " s");
        }
      } finally {
        p.destroyForcibly();
      }
      String text = Files.readString(out);
      if (p.exitValue() != 0) {
        throw new IOException(String.join(" ", command) + " exited " + p.exitValue() + ": " + text);
      }
      return text;
    } finally {
      Files.deleteIfExists(out);
    }
  }
}
