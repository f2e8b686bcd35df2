package io.portproof.parse.aws;

import io.portproof.diag.Diagnostics;
import io.portproof.model.fw.IpsetDefinition;
import io.portproof.model.fw.Ruleset;
import io.portproof.parse.FirewallFormat;
import io.portproof.parse.InputText;
import io.portproof.parse.JsonInput;
import java.util.List;
import java.util.Map;

/** {@code aws ec2 describe-security-groups} output: the groups attached to one instance. */
public final class AwsSecurityGroupFormat implements FirewallFormat {
  @Override
  public String name() {
    return "aws-sg";
  }

  @Override
  public String summary() {
    return "'aws ec2 describe-security-groups' JSON (the groups of one instance: their allows are a union)";
  }

  @Override
  public boolean sniff(String head, String fileName) {
    return JsonInput.sniff(head, "\"SecurityGroups\"") || JsonInput.sniff(head, "\"IpPermissions\"");
  }

  @Override
  public List<Ruleset> parse(InputText in, Map<String, IpsetDefinition> ipsets, Diagnostics diags) {
    JsonInput doc = JsonInput.read(in, diags);
    return doc == null ? List.of() : new SecurityGroupConverter(doc, diags).convert();
  }

  /** The groups of one instance allow as a union whether one file lists them or several do. */
  @Override
  public List<Ruleset> combine(List<Ruleset> fromEachInput) {
    return SecurityGroupConverter.union(fromEachInput);
  }
}
