package io.portproof.policy;

import io.portproof.model.IpSet;
import io.portproof.model.SourceRef;
import java.util.Map;
import java.util.Objects;

/**
 * A named set of configured checks, as a {@code rules/*.yaml} file states it.
 *
 * @param name e.g. web-baseline
 * @param version the policy's own version
 * @param title one line
 * @param description what it is for
 * @param internet the client addresses that count as "the internet"
 * @param checks configured checks by id, in the file's order
 * @param source the file
 */
public record Policy(String name, int version, String title, String description, IpSet internet,
    Map<String, CheckConfig> checks, SourceRef source) {
  public Policy {
    Objects.requireNonNull(name);
    Objects.requireNonNull(internet);
    checks = java.util.Collections.unmodifiableMap(new java.util.LinkedHashMap<>(checks));
    Objects.requireNonNull(source);
  }

  /**
   * One check as the policy configures it.
   *
   * @param check the check
   * @param severity the severity of its findings
   * @param settings the check's own validated parameters
   * @param source the line configuring it
   */
  public record CheckConfig(Check<?> check, Severity severity, Object settings, SourceRef source) {}
}
