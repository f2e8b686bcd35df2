package io.portproof.truth;

import java.util.List;
import java.util.Set;
import java.util.SortedSet;
import java.util.TreeSet;

/**
 * One ruleset pair to load into a fresh server namespace, and what to do with it there.
 *
 * @param name how reports name it: {@code seed=N} for generated rulesets, the sample directory else
 * @param rulesV4 {@code iptables-save} text, or null to leave the IPv4 firewall empty
 * @param rulesV6 {@code ip6tables-save} text, or null to leave the IPv6 firewall empty
 * @param backend which iptables flavour loads the rules
 * @param listenerPorts ports the server listens on (both families)
 * @param probes connection attempts to make from the client namespace
 * @param undecidablePorts ports whose first deciding rule is deliberately one portproof cannot
 *     model (random or stateful matches), where the only right answer is UNKNOWN
 */
record TruthCase(
    String name,
    String rulesV4,
    String rulesV6,
    Backend backend,
    SortedSet<Integer> listenerPorts,
    List<Probe> probes,
    Set<Integer> undecidablePorts) {
  TruthCase {
    listenerPorts = new TreeSet<>(listenerPorts);
    probes = List.copyOf(probes);
    undecidablePorts = Set.copyOf(undecidablePorts);
  }

  /** The two ways Debian's iptables can program the kernel. */
  enum Backend {
    NFT("iptables-nft-restore", "ip6tables-nft-restore"),
    LEGACY("iptables-legacy-restore", "ip6tables-legacy-restore");

    final String restoreV4;
    final String restoreV6;

    Backend(String restoreV4, String restoreV6) {
      this.restoreV4 = restoreV4;
      this.restoreV6 = restoreV6;
    }
  }
}
