package io.portproof.model.fw;

import io.portproof.model.SourceRef;
import java.util.List;
import java.util.Objects;

/**
 * A chain of rules.
 *
 * @param key unique within its ruleset, {@code table/name}; jumps name it
 * @param table the table the chain belongs to
 * @param name the chain's name as written
 * @param policy the verdict when a base chain falls off its end (ACCEPT or DROP); null for user chains
 * @param rules rules in order
 * @param source where the chain was declared (for a policy decision, its policy line)
 */
public record Chain(String key, String table, String name, Verdict policy, List<Rule> rules, SourceRef source) {
  public Chain {
    Objects.requireNonNull(key);
    Objects.requireNonNull(table);
    Objects.requireNonNull(name);
    rules = List.copyOf(rules);
    Objects.requireNonNull(source);
  }

  public static String key(String table, String name) {
    return table + "/" + name;
  }
}
