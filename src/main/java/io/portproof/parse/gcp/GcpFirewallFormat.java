package io.portproof.parse.gcp;

import io.portproof.diag.Diagnostics;
import io.portproof.model.fw.IpsetDefinition;
import io.portproof.model.fw.Ruleset;
import io.portproof.parse.FirewallFormat;
import io.portproof.parse.InputText;
import io.portproof.parse.JsonInput;
import java.util.List;
import java.util.Map;

/** {@code gcloud compute firewall-rules list --format=json}: the VPC firewall rules of the host's network. */
public final class GcpFirewallFormat implements FirewallFormat {
  @Override
  public String name() {
    return "gcp-firewall";
  }

  @Override
  public String summary() {
    return "'gcloud compute firewall-rules list --format=json' (the VPC network's rules, in one file or several; target tags from the host's tags:)";
  }

  @Override
  public boolean sniff(String head, String fileName) {
    return JsonInput.sniff(head, "\"compute#firewall\"") || (JsonInput.sniff(head, "\"direction\"") && head.contains("\"sourceRanges\""));
  }

  @Override
  public List<Ruleset> parse(InputText in, Map<String, IpsetDefinition> ipsets, Diagnostics diags) {
    JsonInput doc = JsonInput.read(in, diags);
    return doc == null ? List.of() : new GcpConverter(doc, diags).convert();
  }

  /** The rules of one network apply together, by priority, whichever file lists them. */
  @Override
  public List<Ruleset> combine(List<Ruleset> fromEachInput) {
    return GcpConverter.union(fromEachInput);
  }
}
