package io.portproof.analysis;

import io.portproof.model.Family;
import io.portproof.model.Ip;
import io.portproof.model.IpRange;
import io.portproof.model.IpSet;
import io.portproof.model.PortSet;
import io.portproof.model.fw.Ruleset;
import io.portproof.analysis.web.WebPredictor;
import io.portproof.model.web.EndpointPrediction;
import io.portproof.model.web.ServerModel;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * Everything checks ask about one host, computed once: per host address and protocol, the exposure of every
 * port to every client.
 */
public final class HostFacts {
  private final String name;
  private final List<Ip> addresses;
  private final String inIface;
  private final FirewallAnalyzer analyzer;
  private final List<Ruleset> rulesets;
  private final Map<String, Exposure> cache = new HashMap<>();
  private final List<ServerModel> servers;
  private final String hostname;
  private List<EndpointPrediction> web;
  private final io.portproof.diag.Diagnostics webDiagnostics = new io.portproof.diag.Diagnostics();

  /**
   * @param name the host's name
   * @param addresses its public addresses, the ones checks speak about
   * @param inIface the interface clients arrive on, or null for any external one
   * @param forwarding whether the host routes packets not addressed to it
   * @param rulesets its packet filters
   */
  public HostFacts(String name, List<Ip> addresses, String inIface, boolean forwarding, List<Ruleset> rulesets) {
    this(name, name, addresses, inIface, new HostContext(List.of(), IpSet.EMPTY, forwarding), rulesets, List.of());
  }

  /**
   * @param hostname the DNS name clients ask for (Host header, SNI), which picks the virtual host
   * @param host what is declared about the host besides its addresses and rulesets (forwarding, routes, cloud
   *     facts); its rulesets and addresses are not read
   * @param servers server configurations and {@code ss} captures of the host
   */
  public HostFacts(String name, String hostname, List<Ip> addresses, String inIface, HostContext host,
      List<Ruleset> rulesets, List<ServerModel> servers) {
    this.name = Objects.requireNonNull(name);
    this.hostname = Objects.requireNonNull(hostname);
    this.servers = List.copyOf(servers);
    this.addresses = List.copyOf(addresses);
    this.inIface = inIface;
    this.rulesets = List.copyOf(rulesets);
    IpSet local = IpSet.EMPTY;
    for (Ip a : addresses) {
      local = local.union(IpSet.of(IpRange.of(a)));
      if (a.family() == Family.IPV6) {
        local = local.union(IpSet.of(IpRange.of(solicitedNode(a))));
      }
    }
    this.analyzer = new FirewallAnalyzer(new HostContext(rulesets, local, host.forwarding(), host.routes(), host.cloud()));
  }

  /** ff02::1:ffXX:XXXX, the multicast group a neighbour solicitation for {@code a} is sent to. */
  public static Ip solicitedNode(Ip a) {
    byte[] b = a.toInetAddress().getAddress();
    byte[] m = new byte[16];
    m[0] = (byte) 0xff;
    m[1] = 0x02;
    m[11] = 0x01;
    m[12] = (byte) 0xff;
    m[13] = b[13];
    m[14] = b[14];
    m[15] = b[15];
    try {
      return Ip.of(java.net.InetAddress.getByAddress(m));
    } catch (java.net.UnknownHostException e) {
      throw new AssertionError(e);
    }
  }

  public String name() {
    return name;
  }

  public List<Ip> addresses() {
    return addresses;
  }

  public List<Ip> addresses(Family family) {
    return addresses.stream().filter(a -> a.family() == family).toList();
  }

  public boolean hasRuleset(Family family) {
    return rulesets.stream().anyMatch(r -> r.family() == family);
  }

  public FirewallAnalyzer analyzer() {
    return analyzer;
  }

  /** Every port of {@code proto} on {@code address} (for ICMP: every type), cached. */
  public Exposure exposure(Ip address, int proto) {
    return cache.computeIfAbsent(address + "/" + proto, k -> analyzer.exposure(address, proto,
        proto == Protocols.ICMP || proto == Protocols.ICMPV6 ? PortSet.range(0, 255) : PortSet.range(1, PortSet.MAX), inIface));
  }

  public String hostname() {
    return hostname;
  }

  /** The server configurations (not the {@code ss} captures). */
  public List<ServerModel> configs() {
    return servers.stream().filter(m -> !m.format().equals("ss")).toList();
  }

  /** The {@code ss} captures: evidence of what really listens. */
  public List<ServerModel> running() {
    return servers.stream().filter(m -> m.format().equals("ss")).toList();
  }

  /** Every socket the configurations bind, with what it answers; empty without configurations. */
  public List<EndpointPrediction> webPredictions() {
    if (web == null) {
      List<EndpointPrediction> out = new ArrayList<>();
      WebPredictor predictor = new WebPredictor();
      for (ServerModel m : configs()) {
        out.addAll(predictor.predict(m, hostname, webDiagnostics));
      }
      web = List.copyOf(out);
    }
    return web;
  }

  /** What the TLS evaluation of the configurations found (protocols refused, bad cipher strings). */
  public List<io.portproof.diag.Diagnostic> webDiagnostics() {
    webPredictions();
    return webDiagnostics.asList();
  }

  /**
   * Per host address, the web ports and every port a configuration binds: the firewall's answer for the
   * internet joined with the listener.
   */
  public List<Endpoint> endpoints(IpSet internet) {
    java.util.TreeSet<Integer> ports = new java.util.TreeSet<>(List.of(80, 443));
    for (EndpointPrediction p : webPredictions()) {
      if (p.transport().equals("tcp") && p.listening()) {
        ports.add(p.port());
      }
    }
    List<Endpoint> out = new ArrayList<>();
    for (Ip a : addresses) {
      Exposure e = exposure(a, Protocols.TCP);
      for (int port : ports) {
        Exposure.Block b = e.blockFor(port);
        IpSet net = internet.only(a.family());
        Exposure.Piece main = null;
        java.util.Set<String> verdicts = new java.util.TreeSet<>();
        for (Exposure.Piece p : b.pieces()) {
          if (!p.sources().intersect(net).isEmpty()) {
            verdicts.add(p.verdict() + (p.rejectWith() == null ? "" : " " + p.rejectWith()));
            if (main == null || p.sources().ranges().size() < main.sources().ranges().size()) {
              main = p;
            }
          }
        }
        String fw = verdicts.size() == 1 && main != null ? main.verdict().name() : "MIXED";
        EndpointPrediction listener = listenerFor(a, port);
        String prediction;
        String why;
        if (verdicts.size() != 1 || main == null) {
          prediction = "unknown";
          why = "part of the internet meets " + String.join(", part ", verdicts);
        } else {
          switch (main.verdict()) {
            case DROP -> {
              prediction = "filtered";
              why = listener != null && listener.listening() ? "bound, but the firewall drops it" : "the firewall drops it";
            }
            case REJECT -> {
              prediction = RejectTypes.clientSees(main.rejectWith());
              why = listener != null && listener.listening() ? "bound, but the firewall rejects it" : "the firewall rejects it";
            }
            case UNKNOWN -> {
              prediction = "unknown";
              why = "the firewall's verdict is UNKNOWN";
            }
            default -> {
              if (configs().isEmpty()) {
                prediction = "open";
                why = "the firewall allows it; no server configuration was given, so a listener is assumed";
              } else if (listener != null && listener.listening()) {
                prediction = "open";
                why = "allowed and bound";
              } else {
                prediction = "refused";
                why = boundOnlyElsewhere(a, port) ? "open in the firewall, but bound only to another address (loopback?)"
                    : "open in the firewall, but nothing listens";
              }
            }
          }
        }
        out.add(new Endpoint(a, port, "tcp", prediction, fw, main == null ? null : main.decidedBy(), listener, why));
      }
    }
    return out;
  }

  /**
   * What the configurations predict for connections to {@code a}:{@code port} (a "nothing listens" prediction
   * when they bind nothing there), or null without configurations.
   */
  public EndpointPrediction webPredictionFor(Ip a, int port) {
    return listenerFor(a, port);
  }

  private EndpointPrediction listenerFor(Ip a, int port) {
    EndpointPrediction wildcard = null;
    EndpointPrediction none = null;
    for (EndpointPrediction p : webPredictions()) {
      if (!p.transport().equals("tcp") || p.port() != port || p.family() != a.family()) {
        continue;
      }
      if (!p.listening()) {
        none = p;
        continue;
      }
      if (Ip.isLiteral(p.address()) && Ip.parse(p.address()).equals(a)) {
        return p;
      }
      if (p.address().equals("0.0.0.0") || p.address().equals("::") || p.address().equals("*")) {
        wildcard = p;
      }
    }
    return wildcard != null ? wildcard : none;
  }

  private boolean boundOnlyElsewhere(Ip a, int port) {
    return webPredictions().stream().anyMatch(p -> p.listening() && p.port() == port && p.family() == a.family());
  }

  /** The exposures computed so far, for checks that review everything others looked at. */
  public List<Exposure> computed() {
    return cache.values().stream()
        .sorted(java.util.Comparator.comparing((Exposure e) -> e.destination()).thenComparingInt(Exposure::proto))
        .toList();
  }
}
