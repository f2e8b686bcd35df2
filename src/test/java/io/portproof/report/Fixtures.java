package io.portproof.report;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.networknt.schema.JsonSchema;
import com.networknt.schema.JsonSchemaFactory;
import com.networknt.schema.SchemaValidatorsConfig;
import com.networknt.schema.SpecVersion;
import com.networknt.schema.ValidationMessage;
import io.portproof.policy.RunResult;
import io.portproof.policy.Severity;
import io.portproof.policy.waiver.Gate;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDate;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * What the report tests share: fixture directories under {@code target/} (below the working directory, so the
 * paths reports print are relative and golden files stable), output normalisation, and schema validation.
 */
final class Fixtures {
  static final ObjectMapper JSON = new ObjectMapper();
  private static final JsonSchema SARIF = schema("/schemas/sarif-schema-2.1.0.json", SpecVersion.VersionFlag.V4);
  private static final JsonSchema REPORT = schema("/schemas/portproof-report-1.json", SpecVersion.VersionFlag.V202012);

  private Fixtures() {}

  /** A fresh directory {@code target/report-fixtures/NAME}. */
  static Path dir(String name) {
    Path d = Path.of("target", "report-fixtures", name);
    try {
      if (Files.exists(d)) {
        try (var files = Files.walk(d)) {
          for (Path p : files.sorted(Comparator.reverseOrder()).toList()) {
            Files.delete(p);
          }
        }
      }
      Files.createDirectories(d);
      return d;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  static Path write(Path file, String text) {
    try {
      Files.createDirectories(file.getParent());
      Files.writeString(file, text, StandardCharsets.UTF_8);
      return file;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  static String read(Path file) {
    try {
      return Files.readString(file, StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** Copies a sample's files into a fixture directory, to vary them. */
  static Path copySample(String sample, String name) {
    Path d = dir(name);
    try (var files = Files.list(Path.of("samples", sample))) {
      for (Path p : files.toList()) {
        Files.copy(p, d.resolve(p.getFileName()));
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return d;
  }

  /** Renders a run the CLI did not make (a fleet, a probe's drift) with no waivers or baseline. */
  static String render(Reporter reporter, RunResult run) {
    Gate.Result gate = Gate.decide(run, new Gate.Options(Severity.LOW, false, List.of(), null, LocalDate.of(2026, 1, 1)));
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    try (PrintStream out = new PrintStream(bytes, true, StandardCharsets.UTF_8)) {
      reporter.write(new Report(run, gate, Map.of()), out, false);
    }
    return bytes.toString(StandardCharsets.UTF_8);
  }

  /** Run time and tool version vary; everything else in a report must not. */
  static String normalise(String report) {
    return report.replaceAll("\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\d(\\.\\d+)?Z", "(time)")
        .replaceAll("portproof (\\(development build\\)|\\d+\\.\\d+\\.\\d+[-.\\w]*)", "portproof (version)");
  }

  static JsonNode parse(String json) {
    try {
      return JSON.readTree(json);
    } catch (IOException e) {
      throw new AssertionError("not JSON: " + e.getMessage() + "\n" + json, e);
    }
  }

  static void assertValidSarif(String sarif) {
    assertValid(SARIF, sarif, "the official SARIF 2.1.0 schema");
  }

  static void assertValidReport(String json) {
    assertValid(REPORT, json, "schemas/portproof-report-1.json");
  }

  private static void assertValid(JsonSchema schema, String json, String what) {
    Set<ValidationMessage> errors = schema.validate(parse(json));
    assertThat(errors.stream().map(ValidationMessage::getMessage).toList()).as("violations of %s", what).isEmpty();
  }

  private static JsonSchema schema(String resource, SpecVersion.VersionFlag version) {
    try (InputStream in = Fixtures.class.getResourceAsStream(resource)) {
      if (in == null) {
        throw new IllegalStateException("missing schema resource " + resource);
      }
      SchemaValidatorsConfig config = SchemaValidatorsConfig.builder().formatAssertionsEnabled(true).build();
      return JsonSchemaFactory.getInstance(version).getSchema(in, config);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
