package io.portproof.policy;

import io.portproof.analysis.HostContext;
import io.portproof.model.Ip;
import io.portproof.model.IpSet;
import io.portproof.model.SourceRef;
import io.portproof.parse.InputException;
import io.portproof.parse.InputText;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * A {@code portproof.yaml}: one host ({@code host:} at the top), or many ({@code hosts:}), optionally sharing
 * inputs through {@code groups:}. Input paths are relative to the file's directory.
 */
public final class Inventory {
  private static final Set<String> HOST_KEYS = Set.of("host", "hostname", "addresses", "interface", "forwarding", "routes", "tags", "service-accounts", "service-tags", "firewall", "servers", "policy", "group", "groups");
  private static final Set<String> TOP_KEYS = Set.of("host", "hostname", "addresses", "interface", "forwarding", "routes", "tags", "service-accounts", "service-tags", "firewall", "servers", "policy", "hosts", "groups");
  private static final Set<String> GROUP_KEYS = Set.of("addresses", "interface", "forwarding", "routes", "tags", "service-accounts", "service-tags", "firewall", "servers", "policy");

  /**
   * One host to check.
   *
   * @param name its name
   * @param hostname the DNS name clients use (Host header, SNI); defaults to the name
   * @param addresses its public addresses
   * @param inIface the interface clients arrive on, or null
   * @param forwarding whether the host routes (ip_forward on)
   * @param routes where it routes forwarded packets (decides rules on the outgoing interface)
   * @param cloud what cloud filters name about it: network tags, service accounts, service tags' addresses
   * @param firewall firewall inputs as {@code [TYPE:]PATH}, resolved against {@code base}
   * @param servers server config inputs, the same way
   * @param policy the policy name or path, or null for the default
   * @param base the directory inputs are relative to
   * @param source where it is declared
   */
  public record Host(String name, String hostname, List<Ip> addresses, String inIface, boolean forwarding, List<HostContext.Route> routes,
      HostContext.Cloud cloud, List<String> firewall, List<String> servers, String policy, Path base, SourceRef source) {
    public Host {
      addresses = List.copyOf(addresses);
      routes = List.copyOf(routes);
      firewall = List.copyOf(firewall);
      servers = List.copyOf(servers);
    }
  }

  private Inventory() {}

  /** Reads {@code path}: a portproof.yaml, or a directory holding one. */
  public static List<Host> load(Path path) throws InputException {
    Path file = Files.isDirectory(path) ? path.resolve("portproof.yaml") : path;
    if (!Files.exists(file)) {
      throw new InputException(path + ": no portproof.yaml here; write one (see README) or give the inputs as flags (--firewall, --address)");
    }
    InputText text = InputText.read(file, file.toString());
    Yaml.Doc root = Yaml.load(text);
    Map<String, Yaml.Doc> top = root.map(TOP_KEYS);
    Path base = file.toAbsolutePath().getParent();
    Map<String, Map<String, Yaml.Doc>> groups = new LinkedHashMap<>();
    if (top.containsKey("groups")) {
      for (Map.Entry<String, Yaml.Doc> g : top.get("groups").map(null).entrySet()) {
        groups.put(g.getKey(), g.getValue().map(GROUP_KEYS));
      }
    }
    List<Host> hosts = new ArrayList<>();
    if (top.containsKey("hosts")) {
      if (top.containsKey("host")) {
        throw top.get("host").error("use either 'host:' (one host) or 'hosts:' (a list), not both");
      }
      for (Yaml.Doc h : top.get("hosts").list()) {
        hosts.add(host(h.map(HOST_KEYS), h, top, groups, base, text.name()));
      }
    } else {
      if (!top.containsKey("host")) {
        throw root.error("name the host with 'host: NAME' (or list several under 'hosts:')");
      }
      hosts.add(host(top, root, Map.of(), groups, base, text.name()));
    }
    Set<String> names = new HashSet<>();
    for (Host h : hosts) {
      if (!names.add(h.name())) {
        throw new InputException(h.source().location() + ": host '" + h.name() + "' is declared twice");
      }
    }
    return hosts;
  }

  private static Host host(Map<String, Yaml.Doc> h, Yaml.Doc at, Map<String, Yaml.Doc> defaults,
      Map<String, Map<String, Yaml.Doc>> groups, Path base, String file) throws InputException {
    if (!h.containsKey("host")) {
      throw at.error("each host needs 'host: NAME'");
    }
    Map<String, Yaml.Doc> merged = new LinkedHashMap<>();
    for (String k : List.of("policy", "interface", "forwarding", "routes", "tags", "service-accounts", "service-tags")) {
      if (defaults.containsKey(k)) {
        merged.put(k, defaults.get(k));
      }
    }
    List<String> memberOf = new ArrayList<>();
    for (String key : List.of("group", "groups")) {
      if (h.containsKey(key)) {
        for (Yaml.Doc g : h.get(key).list()) {
          if (!groups.containsKey(g.string())) {
            throw g.error("no group named '" + g.string() + "' under groups:");
          }
          memberOf.add(g.string());
        }
      }
    }
    List<String> firewall = new ArrayList<>();
    List<String> servers = new ArrayList<>();
    List<Ip> addresses = new ArrayList<>();
    for (String g : memberOf) {
      Map<String, Yaml.Doc> gd = groups.get(g);
      firewall.addAll(strings(gd.get("firewall")));
      servers.addAll(strings(gd.get("servers")));
      addresses.addAll(addresses(gd.get("addresses")));
      for (String k : List.of("policy", "interface", "forwarding", "routes", "tags", "service-accounts", "service-tags")) {
        if (gd.containsKey(k)) {
          merged.put(k, gd.get(k));
        }
      }
    }
    merged.putAll(h);
    firewall.addAll(strings(h.get("firewall")));
    servers.addAll(strings(h.get("servers")));
    addresses.addAll(addresses(h.get("addresses")));
    String iface = merged.containsKey("interface") ? merged.get("interface").string() : null;
    String policy = merged.containsKey("policy") ? merged.get("policy").string() : null;
    boolean forwarding = merged.containsKey("forwarding") && merged.get("forwarding").bool();
    Yaml.Doc name = h.get("host");
    String hostname = h.containsKey("hostname") ? h.get("hostname").string() : name.string();
    List<HostContext.Route> routes = merged.containsKey("routes") ? routes(merged.get("routes"), file) : List.of();
    return new Host(name.string(), hostname, addresses, iface, forwarding, routes, cloud(merged), firewall, servers, policy, base,
        new SourceRef(file, name.line(), "host: " + name.string()));
  }

  private static List<String> strings(Yaml.Doc d) throws InputException {
    List<String> out = new ArrayList<>();
    if (d != null) {
      for (Yaml.Doc x : d.list()) {
        out.add(x.string());
      }
    }
    return out;
  }

  /** {@code routes:} maps an interface to the prefixes routed out of it ({@code default} for the default route). */
  private static List<HostContext.Route> routes(Yaml.Doc d, String file) throws InputException {
    List<HostContext.Route> out = new ArrayList<>();
    Map<String, Yaml.Doc> keys = d.keys();
    for (Map.Entry<String, Yaml.Doc> e : d.map(keys.keySet()).entrySet()) {
      for (Yaml.Doc x : e.getValue().list()) {
        try {
          out.addAll(HostContext.Route.parse(x.string(), e.getKey(), new SourceRef(file, x.line(), e.getKey() + ": " + x.string())));
        } catch (IllegalArgumentException ex) {
          throw x.error("routes: " + ex.getMessage());
        }
      }
    }
    return out;
  }

  /**
   * {@code tags:} and {@code service-accounts:} (GCP: which target rules apply to the instance) and {@code
   * service-tags:} (Azure: a name such as VirtualNetwork to its address prefixes).
   */
  private static HostContext.Cloud cloud(Map<String, Yaml.Doc> merged) throws InputException {
    Map<String, Set<String>> attributes = new HashMap<>();
    if (merged.containsKey("tags")) {
      attributes.put("network tag", new HashSet<>(strings(merged.get("tags"))));
    }
    if (merged.containsKey("service-accounts")) {
      attributes.put("service account", new HashSet<>(strings(merged.get("service-accounts"))));
    }
    Map<String, IpSet> names = new LinkedHashMap<>();
    if (merged.containsKey("service-tags")) {
      Yaml.Doc d = merged.get("service-tags");
      for (Map.Entry<String, Yaml.Doc> e : d.map(d.keys().keySet()).entrySet()) {
        IpSet set = IpSet.EMPTY;
        for (Yaml.Doc x : e.getValue().list()) {
          try {
            for (HostContext.Route r : HostContext.Route.parse(x.string(), e.getKey(), SourceRef.ofFile("(service-tags)"))) {
              set = set.union(IpSet.of(r.prefix()));
            }
          } catch (IllegalArgumentException ex) {
            throw x.error("service-tags: " + e.getKey() + ": " + ex.getMessage().replace(" or 'default'", ""));
          }
        }
        names.put(e.getKey(), set);
      }
    }
    return new HostContext.Cloud(attributes, names);
  }

  private static List<Ip> addresses(Yaml.Doc d) throws InputException {
    List<Ip> out = new ArrayList<>();
    if (d != null) {
      for (Yaml.Doc x : d.list()) {
        String s = x.string().strip();
        if (!Ip.isLiteral(s)) {
          throw x.error("'" + s + "' is not an IPv4 or IPv6 address");
        }
        out.add(Ip.parse(s));
      }
    }
    return out;
  }
}
