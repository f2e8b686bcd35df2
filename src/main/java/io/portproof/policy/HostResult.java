package io.portproof.policy;

import io.portproof.analysis.Endpoint;
import io.portproof.diag.Diagnostic;
import io.portproof.model.Ip;
import java.util.List;

/**
 * Everything {@code check} established about one host.
 *
 * @param host its name
 * @param addresses its addresses
 * @param policy the name of the policy applied to it
 * @param results one per configured check, in policy order
 * @param diagnostics what its inputs said that could not be taken at face value
 * @param endpoints what a client on the internet meets per address and port
 */
public record HostResult(String host, List<Ip> addresses, String policy, List<CheckResult> results, List<Diagnostic> diagnostics,
    List<Endpoint> endpoints) {
  public HostResult {
    addresses = List.copyOf(addresses);
    results = List.copyOf(results);
    diagnostics = List.copyOf(diagnostics);
    endpoints = List.copyOf(endpoints);
  }

  public List<Finding> findings() {
    return results.stream().flatMap(r -> r.findings().stream()).toList();
  }
}
