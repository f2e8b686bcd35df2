package io.portproof.analysis.web;

import static org.junit.jupiter.api.Assertions.fail;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.file.Files;
import java.nio.file.Path;

/** Finding the real binaries tests run against: skip without them, fail under CI=true. */
public final class Tools {
  private Tools() {}

  /** The absolute path of a binary, or a skipped (locally) / failed (CI) test. */
  public static String require(String name) {
    for (String dir : new String[] {"/usr/sbin", "/usr/bin", "/sbin", "/bin", "/usr/local/bin"}) {
      Path p = Path.of(dir, name);
      if (Files.isExecutable(p)) {
        return p.toString();
      }
    }
    String why = name + " is not installed; this test needs the real binary";
    if ("true".equals(System.getenv("CI"))) {
      fail(why + " (CI=true turns this skip into a failure)");
    }
    assumeTrue(false, why);
    return null;
  }
}
