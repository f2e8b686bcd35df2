package io.portproof.report;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.portproof.policy.Check;
import io.portproof.policy.Checks;
import io.portproof.testing.Cli;
import io.portproof.testing.Golden;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** {@code portproof rules}: every built-in policy and every check, with documentation, parameters and severity. */
class RulesCommandTest {
  @Test
  void textListsPoliciesAndEveryCheck() {
    Cli run = Cli.run("rules");
    assertThat(run.exit()).as(run.err()).isZero();
    for (Check<?> c : Checks.ALL) {
      assertThat(run.out()).contains("  " + c.id() + "  [" + c.defaultSeverity().label() + "]  " + c.title());
    }
    assertThat(run.out()).contains("web-baseline (version 1): Public web server baseline", "parameters: ports");
    Golden.assertMatches("report/rules.txt", run.out());
  }

  @Test
  void jsonHasTheSameFacts() {
    Cli run = Cli.run("rules", "--format", "json");
    assertThat(run.exit()).isZero();
    JsonNode root = Fixtures.parse(run.out());
    assertThat(root.path("policies").get(0).path("name").asText()).isEqualTo("web-baseline");
    List<String> ids = new ArrayList<>();
    for (JsonNode c : root.path("checks")) {
      ids.add(c.path("id").asText());
      assertThat(c.path("documentation").asText()).isNotBlank();
      assertThat(c.path("defaultSeverity").asText()).isIn("info", "low", "medium", "high", "critical");
    }
    assertThat(ids).containsExactlyElementsOf(Checks.ALL.stream().map(Check::id).toList());
    JsonNode unexpected = root.path("checks").get(ids.indexOf("UNEXPECTED-EXPOSURE"));
    assertThat(unexpected.path("parameters").toString()).isEqualTo("[\"allowed\",\"protocols\"]");
  }

  @Test
  void badFormatIsUsageError() {
    assertThat(Cli.run("rules", "--format", "yaml").exit()).isEqualTo(2);
  }
}
