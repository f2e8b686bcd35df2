package io.portproof.parse.nft.truth;

import io.portproof.truth.Probe;

import java.util.List;
import java.util.Set;
import java.util.SortedSet;
import java.util.TreeSet;

/**
 * One nftables ruleset to load into a fresh server namespace with {@code nft -f}, and what to do there.
 *
 * @param name how reports name it: {@code seed=N} for generated rulesets, the sample directory else
 * @param rules the {@code nft -f} text
 * @param listenerPorts ports the server listens on (both families)
 * @param probes connection attempts to make from the client namespace
 * @param undecidablePorts ports whose first deciding rule is deliberately one portproof cannot model
 *     (rate limits), where the only right answer is UNKNOWN
 */
record TruthCase(String name, String rules, SortedSet<Integer> listenerPorts, List<Probe> probes, Set<Integer> undecidablePorts) {
  TruthCase {
    listenerPorts = new TreeSet<>(listenerPorts);
    probes = List.copyOf(probes);
    undecidablePorts = Set.copyOf(undecidablePorts);
  }
}
