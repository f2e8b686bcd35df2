package io.portproof.model.fw;

import com.google.common.collect.ImmutableMap;
import io.portproof.model.Family;
import io.portproof.model.SourceRef;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * One packet filter of one family as an export describes it: base chains on hooks plus every chain they can
 * reach. Several rulesets may hook the same packets (iptables-legacy beside nftables); all of them must accept.
 *
 * @param family the address family the ruleset filters
 * @param baseChains chains called by hooks
 * @param chains every chain by {@link Chain#key()}
 * @param source the export it came from
 */
public record Ruleset(Family family, List<BaseChain> baseChains, Map<String, Chain> chains, SourceRef source) {
  public Ruleset {
    Objects.requireNonNull(family);
    baseChains = List.copyOf(baseChains);
    chains = ImmutableMap.copyOf(chains);
    Objects.requireNonNull(source);
  }

  public int ruleCount() {
    return chains.values().stream().mapToInt(c -> c.rules().size()).sum();
  }
}
