package io.portproof.testing;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Golden-file comparison. A missing golden file is written from the actual output and the test fails, asking
 * for it to be reviewed and added; set {@code -Dgolden.update=true} to rewrite goldens after a deliberate change.
 */
public final class Golden {
  private static final Path ROOT = Path.of("src/test/resources/golden");

  private Golden() {}

  public static void assertMatches(String name, String actual) {
    Path file = ROOT.resolve(name);
    try {
      if (!Files.exists(file) || Boolean.getBoolean("golden.update")) {
        Files.createDirectories(file.getParent());
        Files.writeString(file, actual, StandardCharsets.UTF_8);
        if (!Boolean.getBoolean("golden.update")) {
          fail("golden file " + file + " was missing and has been written: review it and don't forget to git add it");
        }
        return;
      }
      assertThat(actual).as("output compared with golden file %s (rerun with -Dgolden.update=true after a deliberate change)", file)
          .isEqualTo(Files.readString(file, StandardCharsets.UTF_8));
    } catch (IOException e) {
      throw new AssertionError("cannot read or write golden file " + file, e);
    }
  }
}
