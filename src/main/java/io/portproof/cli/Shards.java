package io.portproof.cli;

import io.portproof.parse.InputException;
import io.portproof.policy.Inventory;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/** Splits hosts over CI jobs: sorted by name and dealt round-robin, so the split is stable as files change. */
final class Shards {
  private Shards() {}

  static List<Inventory.Host> select(List<Inventory.Host> hosts, String spec) throws InputException {
    String[] kn = spec.split("/");
    int k;
    int n;
    try {
      k = Integer.parseInt(kn[0]);
      n = Integer.parseInt(kn[1]);
    } catch (RuntimeException e) {
      throw new InputException("--shard: expected K/N such as 2/4, got '" + spec + "'");
    }
    if (n < 1 || k < 1 || k > n) {
      throw new InputException("--shard: K must be between 1 and N, got " + spec);
    }
    List<Inventory.Host> sorted = new ArrayList<>(hosts);
    sorted.sort(Comparator.comparing(Inventory.Host::name));
    List<Inventory.Host> out = new ArrayList<>();
    for (int i = 0; i < sorted.size(); i++) {
      if (i % n == k - 1) {
        out.add(sorted.get(i));
      }
    }
    return out;
  }
}
