package io.portproof.report;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.google.common.hash.Hashing;
import io.portproof.diag.Diagnostic;
import io.portproof.model.SourceRef;
import io.portproof.policy.Check;
import io.portproof.policy.CheckResult;
import io.portproof.policy.Checks;
import io.portproof.policy.Finding;
import io.portproof.policy.HostResult;
import io.portproof.policy.Policy;
import io.portproof.policy.RunResult;
import io.portproof.policy.Severity;
import io.portproof.policy.waiver.Gate;
import io.portproof.policy.waiver.Waiver;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Collectors;

/**
 * SARIF 2.1.0 as GitHub code scanning reads it: one rule per check (help from its documentation,
 * {@code security-severity} from the policy's severity), one result per finding at the deciding file:line
 * (relative to {@code SRCROOT}), partial fingerprints that survive line moves, waived findings as accepted
 * external suppressions, and input diagnostics and gate problems as tool execution notifications.
 */
public final class SarifReporter implements Reporter {
  static final String SCHEMA = "https://docs.oasis-open.org/sarif/sarif/v2.1.0/errata01/os/schemas/sarif-schema-2.1.0.json";
  /** The key of {@code partialFingerprints}; versioned so a change of what it hashes is a new key. */
  static final String FINGERPRINT = "portproofFinding/v1";

  @Override
  public String name() {
    return "sarif";
  }

  @Override
  public void write(Report report, PrintStream out, boolean colour) {
    RunResult run = report.run();
    Gate.Result gate = report.gate();
    ObjectNode root = Json.object();
    root.put("$schema", SCHEMA);
    root.put("version", "2.1.0");
    ObjectNode r = root.putArray("runs").addObject();
    ObjectNode driver = r.putObject("tool").putObject("driver");
    driver.put("name", "portproof");
    version(run.tool()).ifPresent(v -> driver.put("semanticVersion", v));
    driver.put("fullName", run.tool());
    Map<String, Integer> ruleIndex = new LinkedHashMap<>();
    ArrayNode rules = driver.putArray("rules");
    for (Check<?> c : Checks.ALL) {
      ruleIndex.put(c.id(), ruleIndex.size());
      rules.add(rule(c, severity(run.policy(), c)));
    }
    // Results from outside the policy (the probe's drift) get a rule from what the run says about them.
    for (HostResult h : run.hosts()) {
      for (CheckResult c : h.results()) {
        if (!ruleIndex.containsKey(c.checkId())) {
          ruleIndex.put(c.checkId(), ruleIndex.size());
          rules.add(extraRule(c));
        }
      }
    }
    ObjectNode base = r.putObject("originalUriBaseIds").putObject("SRCROOT");
    base.putObject("description").put("text", "The directory portproof ran in; input paths are relative to it.");
    ObjectNode inv = r.putArray("invocations").addObject();
    inv.put("executionSuccessful", true);
    inv.put("startTimeUtc", run.time().toString());
    ArrayNode notes = inv.putArray("toolExecutionNotifications");
    for (HostResult h : run.hosts()) {
      for (Diagnostic d : h.diagnostics()) {
        String kind = d.kind().name().toLowerCase(Locale.ROOT);
        note(notes, d.kind() == Diagnostic.Kind.INVALID ? "error" : "warning", h.host() + ": " + kind + ": " + d.message(),
            d.source(), "input/" + kind);
      }
    }
    for (Waiver w : gate.expired()) {
      note(notes, "error", "the waiver for " + w.describe() + " expired on " + w.expires() + "; its findings count again",
          w.source(), "gate/expired-waiver");
    }
    for (Waiver w : gate.unused()) {
      note(notes, "note", "the waiver for " + w.describe() + " matched no finding", w.source(), "gate/unused-waiver");
    }
    ArrayNode results = r.putArray("results");
    for (HostResult h : run.hosts()) {
      for (CheckResult c : h.results()) {
        Gate.Triage undecided = gate.triage(h, c);
        if (undecided != null) {
          results.add(undecided(h, c, undecided, ruleIndex, run.policy()));
        }
        for (Finding f : c.findings()) {
          results.add(result(f, gate.triage(f), ruleIndex, run.policy()));
        }
      }
    }
    try {
      out.println(Json.MAPPER.writeValueAsString(root));
    } catch (JsonProcessingException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** A tool execution notification: processing problems are part of the report, not a separate log. */
  private static void note(ArrayNode notes, String level, String text, SourceRef at, String id) {
    ObjectNode n = notes.addObject();
    n.put("level", level);
    n.putObject("message").put("text", text);
    location(at).ifPresent(l -> n.putArray("locations").add(l));
    n.putObject("descriptor").put("id", id);
  }

  private static ObjectNode rule(Check<?> c, Severity sev) {
    ObjectNode n = Json.object();
    n.put("id", c.id());
    n.put("name", ruleName(c.id()));
    n.putObject("shortDescription").put("text", c.title());
    n.putObject("fullDescription").put("text", c.documentation());
    String controls = Controls.of(c.id()).stream().map(x -> x.framework() + " " + x.id()).collect(Collectors.joining(", "));
    ObjectNode help = n.putObject("help");
    help.put("text", c.documentation() + (controls.isEmpty() ? "" : " Controls: " + controls + "."));
    help.put("markdown", "**" + c.title() + "**\n\n" + c.documentation() + (controls.isEmpty() ? "" : "\n\nControls: " + controls + "."));
    n.putObject("defaultConfiguration").put("level", level(sev));
    ObjectNode props = n.putObject("properties");
    props.put("security-severity", securitySeverity(sev));
    props.putArray("tags").add("security").add("network");
    props.put("precision", "high");
    return n;
  }

  private static ObjectNode extraRule(CheckResult c) {
    Severity sev = c.findings().stream().map(Finding::severity).max(Comparator.naturalOrder()).orElse(Severity.MEDIUM);
    ObjectNode n = Json.object();
    n.put("id", c.checkId());
    n.put("name", ruleName(c.checkId()));
    n.putObject("shortDescription").put("text", c.title());
    n.putObject("help").put("text", c.title() + ".");
    n.putObject("defaultConfiguration").put("level", level(sev));
    ObjectNode props = n.putObject("properties");
    props.put("security-severity", securitySeverity(sev));
    props.putArray("tags").add("security").add("network");
    return n;
  }

  private static ObjectNode result(Finding f, Gate.Triage t, Map<String, Integer> ruleIndex, Policy policy) {
    ObjectNode n = Json.object();
    n.put("ruleId", f.checkId());
    n.put("ruleIndex", ruleIndex.get(f.checkId()));
    n.put("level", level(f.severity()));
    n.putObject("message").put("text", f.message());
    n.putArray("locations").add(location(f.location()).orElseGet(() -> anchor(policy, f.checkId())));
    ArrayNode related = Json.MAPPER.createArrayNode();
    int id = 0;
    for (SourceRef e : f.evidence()) {
      if (e.equals(f.location())) {
        continue;
      }
      final int rid = id++;
      location(e).ifPresent(l -> related.add(l.put("id", rid)));
    }
    if (!related.isEmpty()) {
      n.set("relatedLocations", related);
    }
    n.putObject("partialFingerprints").put(FINGERPRINT, fingerprint(f.checkId(), f.host(), f.subject()));
    triage(n, t);
    ObjectNode props = n.putObject("properties");
    props.put("host", f.host());
    props.put("subject", f.subject());
    props.put("severity", f.severity().label());
    return n;
  }

  /** A check left INCONCLUSIVE without findings is still a result: an UNKNOWN never passes silently. */
  private static ObjectNode undecided(HostResult h, CheckResult c, Gate.Triage t, Map<String, Integer> ruleIndex, Policy policy) {
    ObjectNode n = Json.object();
    n.put("ruleId", c.checkId());
    n.put("ruleIndex", ruleIndex.get(c.checkId()));
    n.put("kind", "open");
    n.put("level", "warning");
    n.putObject("message").put("text", h.host() + ": " + c.title() + " could not be decided: " + c.summary() + ".");
    n.putArray("locations").add(anchor(policy, c.checkId()));
    n.putObject("partialFingerprints").put(FINGERPRINT, fingerprint(c.checkId(), h.host(), ""));
    triage(n, t);
    n.putObject("properties").put("host", h.host());
    return n;
  }

  /**
   * Where a result without an input line is anchored: the policy line that configures the check, else the policy
   * file. GitHub code scanning rejects a whole upload when any result lacks a physical location.
   */
  private static ObjectNode anchor(Policy policy, String checkId) {
    Policy.CheckConfig cfg = policy.checks().get(checkId);
    return location(cfg != null ? cfg.source() : policy.source()).orElseThrow();
  }

  private static void triage(ObjectNode n, Gate.Triage t) {
    if (t.waiver() != null) {
      ObjectNode s = n.putArray("suppressions").addObject();
      s.put("kind", "external");
      s.put("status", "accepted");
      s.put("justification", Report.describe(t.waiver()));
      location(t.waiver().source()).ifPresent(l -> s.set("location", l));
    }
    if (t.baseline() != null) {
      n.put("baselineState", t.baseline() == Gate.BaselineState.NEW ? "new" : "unchanged");
    }
  }

  /**
   * A physical location: relative paths against SRCROOT, absolute ones as file URIs; nothing for the synthetic
   * names ("(command line)", "(analysis)") that are no file.
   */
  private static Optional<ObjectNode> location(SourceRef ref) {
    if (ref == null || ref.file().startsWith("(")) {
      return Optional.empty();
    }
    ObjectNode loc = Json.object();
    ObjectNode phys = loc.putObject("physicalLocation");
    ObjectNode art = phys.putObject("artifactLocation");
    Path p = Path.of(ref.file());
    if (p.isAbsolute()) {
      art.put("uri", p.toUri().toString());
    } else {
      art.put("uri", relativeUri(ref.file()));
      art.put("uriBaseId", "SRCROOT");
    }
    if (ref.line() > 0) {
      ObjectNode region = phys.putObject("region");
      region.put("startLine", ref.line());
      if (!ref.text().isEmpty()) {
        region.putObject("snippet").put("text", ref.text());
      }
    }
    return Optional.of(loc);
  }

  private static String relativeUri(String path) {
    try {
      return new URI(null, null, path.replace('\\', '/'), null).toASCIIString();
    } catch (URISyntaxException e) {
      throw new IllegalArgumentException("not a path: " + path, e);
    }
  }

  /** Stable across runs and line moves: what the finding is about, not where or how it is worded. */
  static String fingerprint(String checkId, String host, String subject) {
    return Hashing.sha256().hashString(checkId + "\u0000" + host + "\u0000" + subject, StandardCharsets.UTF_8).toString();
  }

  static String level(Severity s) {
    return switch (s) {
      case CRITICAL, HIGH -> "error";
      case MEDIUM -> "warning";
      case LOW, INFO -> "note";
    };
  }

  /** GitHub's bands: critical above 9.0, high 7.0-8.9, medium 4.0-6.9, low 0.1-3.9. */
  static String securitySeverity(Severity s) {
    return switch (s) {
      case CRITICAL -> "9.5";
      case HIGH -> "8.0";
      case MEDIUM -> "5.5";
      case LOW -> "3.0";
      case INFO -> "0.5";
    };
  }

  private static Severity severity(Policy policy, Check<?> c) {
    Policy.CheckConfig cfg = policy.checks().get(c.id());
    return cfg != null ? cfg.severity() : c.defaultSeverity();
  }

  /** HTTPS-OPEN becomes HttpsOpen: SARIF names are identifier-like. */
  private static String ruleName(String id) {
    StringBuilder sb = new StringBuilder();
    for (String part : id.split("-")) {
      if (!part.isEmpty()) {
        sb.append(part.charAt(0)).append(part.substring(1).toLowerCase(Locale.ROOT));
      }
    }
    return sb.toString();
  }

  /** "portproof 0.1.0" gives 0.1.0; a development build has none. */
  private static Optional<String> version(String tool) {
    String v = tool.substring(tool.indexOf(' ') + 1);
    return v.matches("\\d+\\.\\d+\\.\\d+.*") ? Optional.of(v) : Optional.empty();
  }
}
