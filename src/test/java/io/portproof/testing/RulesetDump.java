package io.portproof.testing;

import io.portproof.diag.Diagnostic;
import io.portproof.model.fw.BaseChain;
import io.portproof.model.fw.Chain;
import io.portproof.model.fw.Rule;
import io.portproof.model.fw.Ruleset;
import java.util.List;

/** A stable text form of a parsed ruleset and its diagnostics, for golden files. */
public final class RulesetDump {
  private RulesetDump() {}

  public static String dump(List<Ruleset> rulesets, List<Diagnostic> diags) {
    StringBuilder sb = new StringBuilder();
    for (Ruleset rs : rulesets) {
      sb.append("ruleset ").append(rs.family().label()).append(" from ").append(rs.source().file()).append('\n');
      for (BaseChain b : rs.baseChains()) {
        sb.append("  hook ").append(b.hook()).append(" priority ").append(b.priority()).append(b.nat() ? " nat" : "")
            .append(" -> ").append(b.chain().key()).append('\n');
      }
      for (Chain c : rs.chains().values()) {
        sb.append("  chain ").append(c.key()).append(c.policy() == null ? "" : " policy " + c.policy())
            .append("  @").append(c.source().line()).append('\n');
        for (Rule r : c.rules()) {
          sb.append("    @").append(r.source().line()).append(' ').append(r.matches()).append(" => ").append(r.action()).append('\n');
        }
      }
    }
    for (Diagnostic d : diags) {
      sb.append(d).append('\n');
    }
    return sb.toString();
  }
}
