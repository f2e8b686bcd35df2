package io.portproof.parse.ufw;

import io.portproof.diag.Diagnostics;
import io.portproof.model.fw.IpsetDefinition;
import io.portproof.model.fw.Ruleset;
import io.portproof.parse.FirewallFormat;
import io.portproof.parse.InputText;
import java.util.List;
import java.util.Map;

/**
 * ufw's rules, from {@code ufw status verbose} output ({@code ufw-status}, both families) or from {@code
 * /etc/ufw/user.rules} / {@code user6.rules} ({@code ufw-rules}, one family each), put in ufw's standard chains.
 *
 * @param name the registry name
 * @param status whether this reads status output rather than a rules file
 */
public record UfwFormat(String name, boolean status) implements FirewallFormat {
  public static UfwFormat statusOutput() {
    return new UfwFormat("ufw-status", true);
  }

  public static UfwFormat userRules() {
    return new UfwFormat("ufw-rules", false);
  }

  @Override
  public String summary() {
    return status ? "'ufw status verbose' output (rules of both families, the default for incoming traffic)"
        : "ufw's /etc/ufw/user.rules or user6.rules (the user rules of one family)";
  }

  @Override
  public boolean sniff(String head, String fileName) {
    return status ? UfwReader.sniffStatus(head) : UfwReader.sniffRules(head);
  }

  @Override
  public List<Ruleset> parse(InputText in, Map<String, IpsetDefinition> ipsets, Diagnostics diags) {
    UfwReader.Parsed p = status ? UfwReader.status(in, diags) : UfwReader.userRules(in, diags);
    return new UfwConverter(in.name(), diags).convert(p);
  }
}
