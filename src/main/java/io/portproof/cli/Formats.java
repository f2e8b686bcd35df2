package io.portproof.cli;

import io.portproof.model.Family;
import io.portproof.parse.InputFormat;
import io.portproof.parse.apache.ApacheParser;
import io.portproof.parse.haproxy.HaproxyParser;
import io.portproof.parse.iptables.IptablesFormat;
import io.portproof.parse.nginx.NginxParser;
import io.portproof.parse.ss.SsParser;
import java.util.List;
import java.util.Optional;

/** The registry of input formats: adding a format is one line here. Order decides sniffing precedence. */
final class Formats {
  static final InputFormat IPSET = new IpsetFormat();

  static final List<InputFormat> ALL = List.of(
      io.portproof.parse.ufw.UfwFormat.userRules(),
      new IptablesFormat("iptables", null),
      new IptablesFormat("ip6tables", Family.IPV6),
      io.portproof.parse.nft.NftFormat.TEXT, io.portproof.parse.nft.NftFormat.JSON,
      new io.portproof.parse.aws.AwsSecurityGroupFormat(),
      new io.portproof.parse.aws.AwsNetworkAclFormat(),
      io.portproof.parse.firewalld.FirewalldFormat.zoneFile(),
      io.portproof.parse.firewalld.FirewalldFormat.listAllZones(),
      io.portproof.parse.ufw.UfwFormat.statusOutput(),
      new io.portproof.parse.azure.AzureNsgFormat(),
      new io.portproof.parse.gcp.GcpFirewallFormat(),
      IPSET,
      // Server configurations: nginx first, since the others' sniffers key on lines nginx files may hold.
      new NginxParser(),
      new ApacheParser(),
      new HaproxyParser(),
      new SsParser());

  private Formats() {}

  static Optional<InputFormat> named(String name) {
    return ALL.stream().filter(f -> f.name().equals(name)).findFirst();
  }

  static Optional<InputFormat> sniff(String head, String fileName) {
    return ALL.stream().filter(f -> f.sniff(head, fileName)).findFirst();
  }

  static List<String> names() {
    return ALL.stream().map(InputFormat::name).toList();
  }


  /** ipset save output: auxiliary to firewall formats, read first. */
  private static final class IpsetFormat implements InputFormat {
    @Override
    public String name() {
      return "ipset";
    }

    @Override
    public String summary() {
      return "'ipset save' output, for rules that match on sets";
    }

    @Override
    public boolean sniff(String head, String fileName) {
      return io.portproof.parse.ipset.IpsetParser.sniff(head);
    }
  }
}
