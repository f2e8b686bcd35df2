package io.portproof.cli;

import io.portproof.analysis.HostContext;
import io.portproof.model.IpSet;
import io.portproof.model.SourceRef;
import io.portproof.model.fw.Ruleset;
import io.portproof.parse.InputException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import picocli.CommandLine.Option;

/**
 * What the exports do not say about the host but its verdicts depend on: whether it forwards and by which
 * routes, and what cloud filters name about it (network tags, service accounts, service tags). Shared by every
 * command that asks about a host from the command line.
 */
final class HostOptions {
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

  /** What the options declare about the host, for the analysis (its rulesets and addresses come separately). */
  HostContext context(List<Ruleset> rulesets, IpSet addresses) throws InputException {
    return new HostContext(rulesets, addresses, forwarding, routes(), cloud());
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

}
