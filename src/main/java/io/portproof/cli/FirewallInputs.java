package io.portproof.cli;

import io.portproof.model.SourceRef;
import io.portproof.analysis.HostContext;
import io.portproof.diag.Diagnostic;
import io.portproof.model.Ip;
import io.portproof.model.IpRange;
import io.portproof.model.IpSet;
import io.portproof.parse.InputException;
import java.io.PrintStream;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.Map;
import java.util.LinkedHashMap;
import java.util.HashSet;
import java.util.HashMap;
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

  @Option(names = "--forwarding", description = {"The host routes packets that are not for it (net.ipv4.ip_forward=1,",
      "as on Docker and Kubernetes nodes). Default: off, the kernel's default, so a DNAT to another host is dropped."})
  boolean forwarding;

  @Option(names = "--route", paramLabel = "IFACE=PREFIX", description = {"A route of a forwarding host: packets to PREFIX (or 'default') leave by IFACE,",
      "e.g. --route docker0=172.17.0.0/16, so rules on the outgoing interface (-o docker0) can be decided (repeatable)."})
  List<String> routeArgs = new ArrayList<>();

  @Option(names = "--tag", paramLabel = "TAG", description = "A network tag of the instance, so GCP rules for target tags can be decided (repeatable).")
  List<String> tags = new ArrayList<>();

  @Option(names = "--service-account", paramLabel = "EMAIL", description = "A service account of the instance, for GCP rules for target service accounts (repeatable).")
  List<String> serviceAccounts = new ArrayList<>();

  @Option(names = "--service-tag", paramLabel = "NAME=PREFIX", description = {"The addresses behind an Azure service tag, e.g. VirtualNetwork=10.0.0.0/16",
      "(repeatable; Internet then follows as everything else)."})
  List<String> serviceTags = new ArrayList<>();

  HostContext.Cloud cloud() throws InputException {
    Map<String, Set<String>> attributes = new HashMap<>();
    if (!tags.isEmpty()) {
      attributes.put("network tag", new HashSet<>(tags));
    }
    if (!serviceAccounts.isEmpty()) {
      attributes.put("service account", new HashSet<>(serviceAccounts));
    }
    Map<String, IpSet> names = new LinkedHashMap<>();
    for (HostContext.Route r : parseRoutes(serviceTags, "--service-tag")) {
      names.merge(r.iface(), IpSet.of(r.prefix()), IpSet::union);
    }
    return new HostContext.Cloud(attributes, names);
  }

  List<HostContext.Route> routes() throws InputException {
    return parseRoutes(routeArgs, "--route");
  }

  /** {@code NAME=PREFIX} arguments: interfaces and their routes, or service tags and their prefixes. */
  static List<HostContext.Route> parseRoutes(List<String> args, String option) throws InputException {
    List<HostContext.Route> out = new ArrayList<>();
    for (String a : args) {
      int eq = a.indexOf('=');
      if (eq <= 0) {
        throw new InputException(option + " " + a + ": expected NAME=PREFIX, e.g. " + (option.equals("--route") ? "docker0=172.17.0.0/16" : "VirtualNetwork=10.0.0.0/16"));
      }
      try {
        out.addAll(HostContext.Route.parse(a.substring(eq + 1), a.substring(0, eq), SourceRef.ofFile("(" + option + " " + a + ")")));
      } catch (IllegalArgumentException e) {
        throw new InputException(option + " " + a + ": " + e.getMessage());
      }
    }
    return out;
  }

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
