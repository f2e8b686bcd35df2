package io.portproof.parse.aws;

import io.portproof.diag.Diagnostics;
import io.portproof.model.fw.IpsetDefinition;
import io.portproof.model.fw.Ruleset;
import io.portproof.parse.FirewallFormat;
import io.portproof.parse.InputText;
import io.portproof.parse.JsonInput;
import java.util.List;
import java.util.Map;

/** {@code aws ec2 describe-network-acls} output: the network ACL of the host's subnet. */
public final class AwsNetworkAclFormat implements FirewallFormat {
  @Override
  public String name() {
    return "aws-nacl";
  }

  @Override
  public String summary() {
    return "'aws ec2 describe-network-acls' JSON (the subnet's stateless ACL, inbound and outbound)";
  }

  @Override
  public boolean sniff(String head, String fileName) {
    return JsonInput.sniff(head, "\"NetworkAcls\"") || JsonInput.sniff(head, "\"RuleNumber\"");
  }

  @Override
  public List<Ruleset> parse(InputText in, Map<String, IpsetDefinition> ipsets, Diagnostics diags) {
    JsonInput doc = JsonInput.read(in, diags);
    return doc == null ? List.of() : new NetworkAclConverter(doc, diags).convert();
  }
}
