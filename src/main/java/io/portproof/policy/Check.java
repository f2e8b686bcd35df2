package io.portproof.policy;

import io.portproof.analysis.HostFacts;
import io.portproof.parse.InputException;
import java.util.Map;
import java.util.Set;

/**
 * One check: an id, a title, a default severity, documentation, parameters validated when the policy loads,
 * and the evaluation. Adding a check is one class and one line in {@link Checks}.
 *
 * @param <S> the check's validated settings
 */
public interface Check<S> {
  /** e.g. HTTPS-OPEN */
  String id();

  String title();

  Severity defaultSeverity();

  /** What the check establishes, and what its parameters mean (shown by {@code portproof rules}). */
  String documentation();

  /** The parameter names a policy may set (besides severity and enabled). */
  Set<String> parameters();

  /** Validates parameters; errors name file:line. */
  S configure(Map<String, Yaml.Doc> params) throws InputException;

  /** Evaluates the check on one host. */
  CheckResult run(HostFacts host, Policy policy, Policy.CheckConfig config, S settings);

  /** Runs with the settings the policy stored, typed. */
  @SuppressWarnings("unchecked")
  default CheckResult runConfigured(HostFacts host, Policy policy, Policy.CheckConfig config) {
    return run(host, policy, config, (S) config.settings());
  }
}
