package io.portproof.analysis.web;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.fail;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/** Golden-file comparison: a missing golden is written and the test fails asking to add it. */
public final class Golden {
  private Golden() {}

  /** Compares with {@code src/test/resources/<relative>}. */
  public static void check(String relative, String actual) throws IOException {
    Path golden = Path.of("src/test/resources").resolve(relative);
    if (!Files.exists(golden)) {
      Files.createDirectories(golden.getParent());
      Files.writeString(golden, actual, StandardCharsets.UTF_8);
      fail("wrote missing golden file " + golden + "; review it and don't forget to git add it");
    }
    assertThat(actual).isEqualTo(Files.readString(golden, StandardCharsets.UTF_8));
  }
}
