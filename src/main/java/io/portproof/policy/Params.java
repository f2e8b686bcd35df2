package io.portproof.policy;

import io.portproof.model.Ip;
import io.portproof.model.IpRange;
import io.portproof.model.IpSet;
import io.portproof.model.PortSet;
import io.portproof.parse.InputException;
import java.util.ArrayList;
import java.util.List;

/** Parameter values shared by several checks, validated with file:line. */
final class Params {
  private Params() {}

  /** A list of ports and ranges: {@code [80, 443, "8000-8100"]}. */
  static PortSet ports(Yaml.Doc d) throws InputException {
    PortSet s = PortSet.EMPTY;
    for (Yaml.Doc item : d.list()) {
      String v = item.string();
      try {
        s = s.union(PortSet.parse(v));
      } catch (IllegalArgumentException e) {
        throw item.error("'" + v + "' is not a port or port range (0-65535)");
      }
    }
    return s;
  }

  /** A list of CIDRs of either family: {@code [198.51.100.0/24, "2001:db8::/32"]}. */
  static IpSet cidrs(Yaml.Doc d) throws InputException {
    List<IpRange> rs = new ArrayList<>();
    for (Yaml.Doc item : d.list()) {
      rs.add(cidr(item));
    }
    return IpSet.of(rs);
  }

  static IpRange cidr(Yaml.Doc item) throws InputException {
    String v = item.string().strip();
    int slash = v.indexOf('/');
    String addr = slash < 0 ? v : v.substring(0, slash);
    if (!Ip.isLiteral(addr)) {
      throw item.error("'" + v + "' is not an address or CIDR");
    }
    Ip ip = Ip.parse(addr);
    int prefix;
    try {
      prefix = slash < 0 ? ip.family().bits() : Integer.parseInt(v.substring(slash + 1));
    } catch (NumberFormatException e) {
      throw item.error("'" + v + "' has a bad prefix length");
    }
    if (prefix < 0 || prefix > ip.family().bits()) {
      throw item.error("'" + v + "' has a prefix length out of range");
    }
    return IpRange.prefix(ip, prefix);
  }

  static int protocol(Yaml.Doc d) throws InputException {
    int p = io.portproof.analysis.Protocols.number(d.string());
    if (p < 0) {
      throw d.error("unknown protocol '" + d.string() + "'");
    }
    return p;
  }
}
