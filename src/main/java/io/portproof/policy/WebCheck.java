package io.portproof.policy;

import io.portproof.analysis.HostFacts;
import io.portproof.analysis.web.WebFinding;
import io.portproof.model.SourceRef;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.BiFunction;
import java.util.function.Function;
import io.portproof.parse.InputException;

/**
 * A check on what the server configurations predict (redirects, HSTS, TLS, certificates), as the web checks of
 * {@code analysis.web} evaluate it. A WARN is a finding one severity lower; an UNKNOWN makes the check
 * inconclusive and is listed, so it never passes silently. Skipped when no server configuration is given.
 */
final class WebCheck<S> implements Check<S> {
  private final String id;
  private final String title;
  private final Severity severity;
  private final String documentation;
  private final BiFunction<HostFacts, S, List<WebFinding>> evaluate;
  private final boolean needsRunning;
  private final Set<String> parameters;
  private final Settings<S> settings;

  /** Validates a web check's parameters into its settings. */
  interface Settings<S> {
    S parse(Map<String, Yaml.Doc> params) throws InputException;
  }

  /** A check without parameters. */
  static WebCheck<Void> of(String id, String title, Severity severity, String documentation,
      Function<HostFacts, List<WebFinding>> evaluate) {
    return new WebCheck<>(id, title, severity, documentation, (h, s) -> evaluate.apply(h), false, Set.of(), p -> null);
  }

  /**
   * @param needsRunning whether the check compares with an {@code ss} capture, and is skipped without one
   * @param parameters the parameter names a policy may set
   */
  WebCheck(String id, String title, Severity severity, String documentation, BiFunction<HostFacts, S, List<WebFinding>> evaluate,
      boolean needsRunning, Set<String> parameters, Settings<S> settings) {
    this.needsRunning = needsRunning;
    this.parameters = parameters;
    this.settings = settings;
    this.id = id;
    this.title = title;
    this.severity = severity;
    this.documentation = documentation;
    this.evaluate = evaluate;
  }

  @Override
  public String id() {
    return id;
  }

  @Override
  public String title() {
    return title;
  }

  @Override
  public Severity defaultSeverity() {
    return severity;
  }

  @Override
  public String documentation() {
    return documentation;
  }

  @Override
  public Set<String> parameters() {
    return parameters;
  }

  @Override
  public S configure(Map<String, Yaml.Doc> params) throws InputException {
    return settings.parse(params);
  }

  @Override
  public CheckResult run(HostFacts host, Policy policy, Policy.CheckConfig config, S s) {
    if (host.configs().isEmpty()) {
      return new CheckResult(id, title, CheckResult.Status.SKIPPED, "no server configuration among the inputs", List.of());
    }
    if (needsRunning && host.running().isEmpty()) {
      return new CheckResult(id, title, CheckResult.Status.SKIPPED, "no 'ss -tlnp' capture among the inputs", List.of());
    }
    List<Finding> findings = new ArrayList<>();
    boolean unknown = false;
    int passed = 0;
    for (WebFinding w : evaluate.apply(host, s)) {
      SourceRef at = w.decidedBy() != null ? w.decidedBy() : SourceRef.ofFile("(server configuration)");
      switch (w.outcome()) {
        case PASS -> passed++;
        case WARN -> findings.add(new Finding(id, lower(config.severity()), host.name(), w.endpoint(), w.endpoint() + ": " + w.message(), at, List.of(at)));
        case FAIL -> findings.add(new Finding(id, config.severity(), host.name(), w.endpoint(), w.endpoint() + ": " + w.message(), at, List.of(at)));
        case UNKNOWN -> {
          unknown = true;
          findings.add(new Finding(id, config.severity(), host.name(), w.endpoint(), "UNKNOWN: " + w.endpoint() + ": " + w.message(), at, List.of(at)));
        }
      }
    }
    if (findings.isEmpty()) {
      return new CheckResult(id, title, CheckResult.Status.PASS, passed + " endpoint fact(s) as required", List.of());
    }
    boolean failed = findings.stream().anyMatch(f -> !f.message().startsWith("UNKNOWN: "));
    return new CheckResult(id, title, failed ? CheckResult.Status.FAIL : CheckResult.Status.INCONCLUSIVE,
        findings.size() + " finding(s)" + (unknown ? ", some undecided" : ""), findings);
  }

  private static Severity lower(Severity s) {
    return s == Severity.INFO ? s : Severity.values()[s.ordinal() - 1];
  }
}
