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
 * @param tables the kernel table behind each {@link Chain#table()}, for exports that say so (iptables-save,
 *     nft); empty for the formats whose tables are no kernel object (cloud filters, ufw, firewalld zones)
 */
public record Ruleset(Family family, List<BaseChain> baseChains, Map<String, Chain> chains, SourceRef source,
    List<TableOrigin> tables) {
  public Ruleset {
    Objects.requireNonNull(family);
    baseChains = List.copyOf(baseChains);
    chains = ImmutableMap.copyOf(chains);
    Objects.requireNonNull(source);
    tables = List.copyOf(tables);
  }

  /** A ruleset whose tables are no kernel object another export could show too. */
  public Ruleset(Family family, List<BaseChain> baseChains, Map<String, Chain> chains, SourceRef source) {
    this(family, baseChains, chains, source, List.of());
  }

  public int ruleCount() {
    return chains.values().stream().mapToInt(c -> c.rules().size()).sum();
  }
}
