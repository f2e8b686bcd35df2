package io.portproof.parse.azure;

import io.portproof.diag.Diagnostics;
import io.portproof.model.fw.IpsetDefinition;
import io.portproof.model.fw.Ruleset;
import io.portproof.parse.FirewallFormat;
import io.portproof.parse.InputText;
import io.portproof.parse.JsonInput;
import java.util.List;
import java.util.Map;

/**
 * {@code az network nsg show} output: one network security group. Give the subnet's and the NIC's NSG as two
 * inputs; Azure applies both to inbound traffic, and so does portproof.
 */
public final class AzureNsgFormat implements FirewallFormat {
  @Override
  public String name() {
    return "azure-nsg";
  }

  @Override
  public String summary() {
    return "'az network nsg show' JSON (one network security group: subnet's and NIC's as two inputs)";
  }

  @Override
  public boolean sniff(String head, String fileName) {
    return JsonInput.sniff(head, "\"securityRules\"") || JsonInput.sniff(head, "\"defaultSecurityRules\"");
  }

  @Override
  public List<Ruleset> parse(InputText in, Map<String, IpsetDefinition> ipsets, Diagnostics diags) {
    JsonInput doc = JsonInput.read(in, diags);
    return doc == null ? List.of() : new NsgConverter(doc, diags).convert();
  }
}
