package io.portproof.parse.iptables;

import io.portproof.diag.Diagnostics;
import io.portproof.model.Family;
import io.portproof.model.fw.IpsetDefinition;
import io.portproof.model.fw.Ruleset;
import io.portproof.parse.FirewallFormat;
import io.portproof.parse.InputText;
import java.util.List;
import java.util.Map;

/** {@code iptables-save} / {@code ip6tables-save} output; {@code family} null means "detect". */
public record IptablesFormat(String name, Family family) implements FirewallFormat {
  @Override
  public String summary() {
    return family == null
        ? "iptables-save or ip6tables-save output (family detected from the content)"
        : "ip6tables-save output";
  }

  @Override
  public boolean sniff(String head, String fileName) {
    return family == null && IptablesParser.sniff(head);
  }

  @Override
  public List<Ruleset> parse(InputText in, Map<String, IpsetDefinition> ipsets, Diagnostics diags) {
    return List.of(IptablesParser.parse(in, family, ipsets, diags));
  }
}
