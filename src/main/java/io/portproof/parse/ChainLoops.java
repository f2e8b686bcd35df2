package io.portproof.parse;

import io.portproof.model.fw.Action;
import io.portproof.model.fw.Chain;
import io.portproof.model.fw.Rule;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.BiConsumer;

/**
 * Cycles of jumps and gotos between chains, which the kernel refuses (ELOOP) whether iptables-restore or nft -f
 * loads the table.
 */
public final class ChainLoops {
  private ChainLoops() {}

  /**
   * Calls {@code found} once per jump that closes a cycle, with the cycle's chain names in order (the first
   * repeated at the end).
   *
   * @param chains every chain of a ruleset by {@link Chain#key()}
   */
  public static void find(Map<String, Chain> chains, BiConsumer<Rule, List<String>> found) {
    Map<String, Boolean> done = new HashMap<>();
    for (String k : chains.keySet()) {
      visit(k, chains, done, new ArrayList<>(), found);
    }
  }

  /** {@code done} holds false for chains on the current path, true for chains fully explored. */
  private static void visit(String key, Map<String, Chain> chains, Map<String, Boolean> done, List<String> path,
      BiConsumer<Rule, List<String>> found) {
    if (done.containsKey(key)) {
      return;
    }
    done.put(key, false);
    path.add(key);
    for (Rule r : chains.get(key).rules()) {
      String target = r.action() instanceof Action.Jump j ? j.chain() : r.action() instanceof Action.Goto g ? g.chain() : null;
      if (target == null || !chains.containsKey(target)) {
        continue;
      }
      Boolean state = done.get(target);
      if (state == null) {
        visit(target, chains, done, path, found);
      } else if (!state) {
        List<String> loop = new ArrayList<>();
        for (String k : path.subList(path.indexOf(target), path.size())) {
          loop.add(chains.get(k).name());
        }
        loop.add(chains.get(target).name());
        found.accept(r, loop);
      }
    }
    path.remove(path.size() - 1);
    done.put(key, true);
  }
}
