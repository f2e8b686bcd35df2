package io.portproof.parse.ipset;

import io.portproof.diag.Diagnostics;
import io.portproof.model.Family;
import io.portproof.model.Ip;
import io.portproof.model.IpRange;
import io.portproof.model.IpSet;
import io.portproof.model.PortSet;
import io.portproof.model.SourceRef;
import io.portproof.model.fw.IpsetDefinition;
import io.portproof.parse.InputText;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Reads {@code ipset save} output ({@code create NAME TYPE …} and {@code add NAME ENTRY …} lines) so that
 * {@code -m set --match-set} rules can be decided from the set's members.
 */
public final class IpsetParser {
  private IpsetParser() {}

  public static boolean sniff(String head) {
    for (String line : head.lines().limit(50).toList()) {
      String l = line.strip();
      if (l.isEmpty() || l.startsWith("#")) {
        continue;
      }
      return l.startsWith("create ") && l.split("\\s+").length >= 3;
    }
    return false;
  }

  /** The sets defined in {@code in}, by name. */
  public static Map<String, IpsetDefinition> parse(InputText in, Diagnostics diags) {
    Map<String, Builder> sets = new LinkedHashMap<>();
    List<String> lines = in.lines();
    for (int i = 0; i < lines.size(); i++) {
      String line = lines.get(i).strip();
      if (line.isEmpty() || line.startsWith("#")) {
        continue;
      }
      SourceRef at = new SourceRef(in.name(), i + 1, line);
      String[] t = line.split("\\s+");
      if (t[0].equals("create") && t.length >= 3) {
        Family f = Family.IPV4;
        for (int k = 3; k + 1 < t.length; k++) {
          if (t[k].equals("family")) {
            f = t[k + 1].equals("inet6") ? Family.IPV6 : Family.IPV4;
          }
        }
        sets.put(t[1], new Builder(t[1], t[2], f, at));
      } else if (t[0].equals("add") && t.length >= 3) {
        Builder b = sets.get(t[1]);
        if (b == null) {
          diags.invalid(at, "add to set " + t[1] + ", which was not created earlier in the file");
          continue;
        }
        b.add(t, at, diags);
      } else {
        diags.invalid(at, "not an 'ipset save' line (expected create or add)");
      }
    }
    Map<String, IpsetDefinition> out = new LinkedHashMap<>();
    sets.forEach((k, b) -> out.put(k, b.build()));
    return out;
  }

  private static final class Builder {
    final String name;
    final String type;
    final Family family;
    final SourceRef source;
    final List<IpRange> addresses = new ArrayList<>();
    PortSet ports = PortSet.EMPTY;
    final List<String> members = new ArrayList<>();
    boolean exact;

    Builder(String name, String type, Family family, SourceRef source) {
      this.name = name;
      this.type = type;
      this.family = family;
      this.source = source;
      // Only one-dimensional types reduce to an address or port set.
      this.exact = type.equals("hash:ip") || type.equals("hash:net") || type.equals("bitmap:ip")
          || type.equals("bitmap:port") || type.equals("list:set");
    }

    void add(String[] t, SourceRef at, Diagnostics diags) {
      String entry = t[2];
      for (int k = 3; k < t.length; k++) {
        if (t[k].equals("nomatch")) {
          diags.unsupported(at, "nomatch entries are not modelled; rules using set " + name + " are UNKNOWN");
          exact = false;
        }
      }
      if (!exact) {
        return;
      }
      try {
        if (type.equals("bitmap:port")) {
          ports = ports.union(PortSet.parse(entry.replace('-', ':')));
        } else if (type.equals("list:set")) {
          members.add(entry);
        } else if (entry.contains("-")) {
          String[] r = entry.split("-", 2);
          addresses.add(new IpRange(Ip.parse(r[0]), Ip.parse(r[1])));
        } else if (entry.contains("/")) {
          String[] c = entry.split("/", 2);
          addresses.add(IpRange.prefix(Ip.parse(c[0]), Integer.parseInt(c[1])));
        } else {
          addresses.add(IpRange.of(Ip.parse(entry)));
        }
      } catch (IllegalArgumentException e) {
        diags.invalid(at, "bad set entry " + entry + ": " + e.getMessage());
        exact = false;
      }
    }

    IpsetDefinition build() {
      return new IpsetDefinition(name, type, family, IpSet.of(addresses), ports, members, exact, source);
    }
  }
}
