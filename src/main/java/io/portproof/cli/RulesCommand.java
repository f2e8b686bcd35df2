package io.portproof.cli;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.portproof.parse.InputException;
import io.portproof.policy.Check;
import io.portproof.policy.Checks;
import io.portproof.policy.Policy;
import io.portproof.policy.PolicyLoader;
import io.portproof.report.Controls;
import io.portproof.report.Json;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

@Command(name = "rules", mixinStandardHelpOptions = true, sortOptions = false,
    description = {"Lists the built-in policies and every check: what it establishes, its parameters and default severity.",
        "",
        "Examples:",
        "  portproof rules",
        "  portproof rules --format json"})
final class RulesCommand extends IoCommand implements Callable<Integer> {
  @Option(names = "--format", defaultValue = "text", paramLabel = "FORMAT", description = "text or json (default: ${DEFAULT-VALUE}).")
  OutputFormat format;

  @Override
  public Integer call() throws InputException {
    List<Policy> policies = new ArrayList<>();
    for (String name : PolicyLoader.BUILT_IN) {
      policies.add(PolicyLoader.load(name));
    }
    if (format == OutputFormat.json) {
      json(policies, io.out());
    } else {
      text(policies, io.out());
    }
    return Main.OK;
  }

  private static void text(List<Policy> policies, PrintStream out) {
    out.println("Built-in policies (use with --policy NAME, or 'extends: NAME' in a policy file):");
    for (Policy p : policies) {
      out.printf("%n  %s (version %d): %s%n", p.name(), p.version(), p.title());
      out.println(indent(p.description(), "    "));
      for (Policy.CheckConfig c : p.checks().values()) {
        out.printf("    %-26s %s%n", c.check().id(), c.severity().label());
      }
    }
    out.printf("%nChecks (severity is the default; a policy may change it). A finding at or above --fail-on fails the run;%n"
        + "undecided verdicts (INCONCLUSIVE) fail it whatever their severity unless --allow-inconclusive is given.%n");
    for (Check<?> c : Checks.ALL) {
      out.printf("%n  %s  [%s]  %s%n", c.id(), c.defaultSeverity().label(), c.title());
      out.println(indent(c.documentation(), "    "));
      out.println("    parameters: " + (c.parameters().isEmpty() ? "none" : String.join(", ", c.parameters().stream().sorted().toList()))
          + " (and, for every check: severity, enabled)");
      List<Controls.Control> controls = Controls.of(c.id());
      if (!controls.isEmpty()) {
        out.println("    controls:   " + String.join("; ", controls.stream().map(x -> x.framework() + " " + x.id()).toList()));
      }
    }
    out.printf("%nInput formats (sniffed from the content; force one as TYPE:FILE):%n%n");
    for (io.portproof.parse.InputFormat f : Formats.ALL) {
      out.printf("  %-14s %s%n", f.name(), f.summary());
    }
  }

  private static void json(List<Policy> policies, PrintStream out) {
    ObjectNode root = Json.object();
    ArrayNode ps = root.putArray("policies");
    for (Policy p : policies) {
      ObjectNode n = ps.addObject();
      n.put("name", p.name());
      n.put("version", p.version());
      n.put("title", p.title());
      n.put("description", p.description());
      ArrayNode cs = n.putArray("checks");
      for (Policy.CheckConfig c : p.checks().values()) {
        cs.addObject().put("id", c.check().id()).put("severity", c.severity().label());
      }
    }
    ArrayNode checks = root.putArray("checks");
    for (Check<?> c : Checks.ALL) {
      ObjectNode n = checks.addObject();
      n.put("id", c.id());
      n.put("title", c.title());
      n.put("defaultSeverity", c.defaultSeverity().label());
      n.put("documentation", c.documentation());
      ArrayNode params = n.putArray("parameters");
      c.parameters().stream().sorted().forEach(params::add);
      ArrayNode controls = n.putArray("controls");
      for (Controls.Control x : Controls.of(c.id())) {
        controls.addObject().put("framework", x.framework()).put("id", x.id()).put("title", x.title());
      }
    }
    try {
      out.println(Json.MAPPER.writeValueAsString(root));
    } catch (JsonProcessingException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** Wraps prose at 100 columns under an indent, so long documentation reads in a terminal. */
  private static String indent(String text, String prefix) {
    StringBuilder sb = new StringBuilder();
    StringBuilder line = new StringBuilder(prefix);
    for (String word : text.strip().split("\\s+")) {
      if (line.length() > prefix.length() && line.length() + 1 + word.length() > 100) {
        sb.append(line).append('\n');
        line = new StringBuilder(prefix);
      }
      if (line.length() > prefix.length()) {
        line.append(' ');
      }
      line.append(word);
    }
    return sb.append(line).toString();
  }
}
