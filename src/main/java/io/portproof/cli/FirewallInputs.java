package io.portproof.cli;

import io.portproof.diag.Diagnostic;
import io.portproof.model.Ip;
import io.portproof.model.IpRange;
import io.portproof.model.IpSet;
import io.portproof.parse.InputException;
import java.io.PrintStream;
import java.util.ArrayList;
import java.util.List;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** The options every firewall question shares: which exports, and which addresses are the host's own. */
final class FirewallInputs {
  @Option(names = {"-f", "--firewall"}, required = true, arity = "1..*", paramLabel = "[TYPE:]FILE",
      description = {"Firewall exports of the host and the layers in front of it: iptables-save, ip6tables-save,",
          "'ipset save', nft list ruleset (text or -j), firewalld zones or firewall-cmd --list-all-zones, ufw",
          "status or user.rules, AWS security groups and network ACLs, Azure NSGs, GCP firewall rules.",
          "Repeat or list several: every one of them filters the same packets, and all must allow.",
          "The type is sniffed from the content; force it as TYPE:FILE (see 'portproof rules' for the list)."})
  List<String> files = new ArrayList<>();

  @Option(names = "--address", arity = "1..*", paramLabel = "ADDR",
      description = {"The host's own addresses (for -m addrtype LOCAL and to tell a local DNAT target",
          "from a forwarded one). Destinations you ask about count as the host's own anyway."})
  List<String> addresses = new ArrayList<>();

  @Mixin HostOptions host;

  Inputs.Loaded load(PrintStream err) throws InputException {
    List<Inputs.Spec> specs = new ArrayList<>();
    for (String f : files) {
      specs.add(Inputs.Spec.parse(f, null));
    }
    Inputs.Loaded loaded = Inputs.load(specs);
    report(loaded.diagnostics(), err);
    if (loaded.invalid()) {
      throw new InputException("the inputs above are invalid: the kernel would not load them as written, so no prediction is made");
    }
    return loaded;
  }

  IpSet hostAddresses() throws InputException {
    List<IpRange> rs = new ArrayList<>();
    for (String a : addresses) {
      rs.add(IpRange.of(parseAddress(a, "--address")));
    }
    return IpSet.of(rs);
  }

  static Ip parseAddress(String text, String what) throws InputException {
    String t = text.startsWith("[") && text.endsWith("]") ? text.substring(1, text.length() - 1) : text;
    if (!Ip.isLiteral(t)) {
      throw new InputException(what + ": '" + text + "' is not an IPv4 or IPv6 address");
    }
    return Ip.parse(t);
  }

  static void report(List<Diagnostic> diags, PrintStream err) {
    for (Diagnostic d : diags) {
      err.println(d);
    }
  }
}
