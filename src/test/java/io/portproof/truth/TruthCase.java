package io.portproof.truth;

import java.util.List;
import java.util.Set;
import java.util.SortedSet;
import java.util.TreeSet;

/**
 * One ruleset pair to load into a fresh server namespace, and what to do with it there.
 *
 * @param name how reports name it: {@code seed=N} for generated rulesets, the sample directory else
 * @param rulesV4 {@code iptables-save} text, or null to leave the IPv4 firewall empty; for {@link
 *     Backend#NFTABLES}, the {@code nft -f} ruleset of both families
 * @param rulesV6 {@code ip6tables-save} text, or null to leave the IPv6 firewall empty (null for nftables)
 * @param backend what loads the rules
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

  /** An nftables ruleset for {@code nft -f}, covering both families. */
  static TruthCase nft(String name, String rules, SortedSet<Integer> listenerPorts, List<Probe> probes, Set<Integer> undecidablePorts) {
    return new TruthCase(name, rules, null, Backend.NFTABLES, listenerPorts, probes, undecidablePorts);
  }

  /** The ruleset text a probe's packets meet. */
  String rulesFor(Probe probe) {
    return backend == Backend.NFTABLES || !probe.v6() ? rulesV4 : rulesV6;
  }

  /** The same case with the rules {@code probe}'s packets meet replaced, and only that probe. */
  TruthCase reducedTo(Probe probe, String rules) {
    boolean v6 = backend != Backend.NFTABLES && probe.v6();
    return new TruthCase(name + "-shrink", v6 ? null : rules, v6 ? rules : null, backend, listenerPorts, List.of(probe), undecidablePorts);
  }

  /** A file the server namespace loads, its name and the command that loads it. */
  record Load(String fileName, String text, String tool, boolean stdin) {}

  /** What to load: each family's export through its restore tool, or the one nft ruleset. */
  List<Load> loads() {
    if (backend == Backend.NFTABLES) {
      return List.of(new Load("ruleset.nft", rulesV4, "nft", false));
    }
    List<Load> out = new java.util.ArrayList<>(2);
    if (rulesV4 != null) {
      out.add(new Load("rules.v4", rulesV4, backend.restoreV4, true));
    }
    if (rulesV6 != null) {
      out.add(new Load("rules.v6", rulesV6, backend.restoreV6, true));
    }
    return out;
  }

  /** How a ruleset gets into the kernel: Debian's two iptables flavours, or nftables itself. */
  enum Backend {
    NFT("iptables-nft-restore", "ip6tables-nft-restore"),
    LEGACY("iptables-legacy-restore", "ip6tables-legacy-restore"),
    NFTABLES("nft", "nft");

    final String restoreV4;
    final String restoreV6;

    Backend(String restoreV4, String restoreV6) {
      this.restoreV4 = restoreV4;
      this.restoreV6 = restoreV6;
    }

    /** Whether this is an iptables flavour (its rules are one export per family). */
    boolean iptables() {
      return this != NFTABLES;
    }
  }
}
