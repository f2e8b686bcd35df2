package io.portproof.policy;

import java.time.Instant;
import java.util.List;

/**
 * One run of {@code check}: what reports render.
 *
 * @param tool tool name and version
 * @param policy the policy applied
 * @param time when the run started
 * @param hosts per host, in inventory order
 */
public record RunResult(String tool, Policy policy, Instant time, List<HostResult> hosts) {
  public RunResult {
    hosts = List.copyOf(hosts);
  }

  public List<Finding> findings() {
    return hosts.stream().flatMap(h -> h.findings().stream()).toList();
  }
}
