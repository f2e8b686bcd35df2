package io.portproof.cli;

import io.portproof.analysis.Explanation;
import io.portproof.analysis.FirewallAnalyzer;
import io.portproof.analysis.HostContext;
import io.portproof.analysis.Protocols;
import io.portproof.model.Ip;
import io.portproof.model.IpRange;
import io.portproof.model.IpSet;
import io.portproof.model.Packet;
import io.portproof.parse.InputException;
import io.portproof.parse.InputText;
import io.portproof.report.ExplanationReport;
import io.portproof.report.Json;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

@Command(name = "explain", mixinStandardHelpOptions = true, sortOptions = false,
    description = {"The verdict for one connection attempt, with the full trace: tables, chains, every rule",
        "that matched with its file:line, the deciding rule, and any NAT rewrite. The reply path counts:",
        "a SYN-ACK or RST dropped in OUTPUT makes the client see a timeout.",
        "",
        "Example:",
        "  portproof explain -f samples/web-good/rules.v4 --src 203.0.113.7 --dst 198.51.100.10 --dport 443",
        "  portproof explain -f rules.v4 -f rules.v6 --packets packets.txt --format json"})
final class ExplainCommand extends IoCommand implements Callable<Integer> {
  @Mixin FirewallInputs inputs;

  @ArgGroup(exclusive = true, multiplicity = "1")
  Question question;

  static final class Question {
    @ArgGroup(exclusive = false)
    One one;

    @Option(names = "--packets", paramLabel = "FILE", description = {
        "One packet per line: SRC DST PROTO DPORT [IFACE]; '#' starts a comment.",
        "Writes one JSON object per line (or one answer per packet as text), in order."})
    Path packets;
  }

  static final class One {
    @Option(names = "--src", required = true, paramLabel = "ADDR", description = "The client's address.")
    String src;

    @Option(names = "--dst", required = true, paramLabel = "ADDR", description = "The host address it connects to.")
    String dst;

    @Option(names = "--dport", required = true, paramLabel = "PORT", description = "Destination port (for ICMP: the ICMP type).")
    int dport;

    @Option(names = "--proto", defaultValue = "tcp", paramLabel = "PROTO", description = "tcp, udp, icmp, icmpv6, sctp or a number (default: ${DEFAULT-VALUE}).")
    String proto;

    @Option(names = "--sport", paramLabel = "PORT", description = "The client's source port (default: any unprivileged port; UNKNOWN if that matters).")
    Integer sport;

    @Option(names = "--in-iface", paramLabel = "NAME", description = "The interface the packet arrives on (default: any external interface; UNKNOWN if that matters).")
    String inIface;
  }

  @Option(names = "--format", defaultValue = "text", paramLabel = "FORMAT", description = "text or json (default: ${DEFAULT-VALUE}).")
  OutputFormat format;

  @Override
  public Integer call() throws Exception {
    Inputs.Loaded loaded = inputs.load(io.err());
    IpSet host = inputs.hostAddresses();
    HostContext base = inputs.host.context(loaded.rulesets(), host);
    List<Packet> packets = question.packets != null ? readPackets(question.packets) : List.of(single(question.one));
    Map<Ip, FirewallAnalyzer> analyzers = new HashMap<>();
    for (Packet p : packets) {
      // The destination asked about is the host's own; analyzers are shared per destination.
      FirewallAnalyzer a = analyzers.computeIfAbsent(p.dst(),
          d -> new FirewallAnalyzer(new HostContext(base.rulesets(), host.union(IpSet.of(IpRange.of(d))), base.forwarding(), base.routes(), base.cloud())));
      if (!a.covers(p.family())) {
        io.err().println("portproof: warning: no " + p.family().label() + " ruleset among the inputs; " + p.src() + " -> " + p.dst() + " meets an empty ruleset (accept)");
      }
      Explanation e = a.explain(p);
      if (format == OutputFormat.json) {
        io.out().println((question.packets != null ? Json.COMPACT : Json.MAPPER).writeValueAsString(ExplanationReport.json(e)));
      } else {
        ExplanationReport.text(e, io.out());
        if (packets.size() > 1) {
          io.out().println();
        }
      }
    }
    return Main.OK;
  }

  private static Packet single(One o) throws InputException {
    return packet(o.src, o.dst, o.proto, Integer.toString(o.dport), o.sport, o.inIface, "");
  }

  private static Packet packet(String src, String dst, String proto, String dport, Integer sport, String iface, String where)
      throws InputException {
    Ip s = FirewallInputs.parseAddress(src, where + "source");
    Ip d = FirewallInputs.parseAddress(dst, where + "destination");
    if (s.family() != d.family()) {
      throw new InputException(where + "source " + src + " and destination " + dst + " are of different families");
    }
    int p = Protocols.number(proto);
    if (p < 0) {
      throw new InputException(where + "unknown protocol '" + proto + "'");
    }
    int port;
    try {
      port = Integer.parseInt(dport);
    } catch (NumberFormatException e) {
      throw new InputException(where + "port '" + dport + "' is not a number");
    }
    if (port < 0 || port > 65535 || (sport != null && (sport < 0 || sport > 65535))) {
      throw new InputException(where + "port out of range 0-65535");
    }
    return new Packet(s, d, p, port, sport, iface);
  }

  private static List<Packet> readPackets(Path file) throws InputException {
    InputText t = InputText.read(file, file.toString());
    List<Packet> out = new ArrayList<>();
    List<String> lines = t.lines();
    for (int i = 0; i < lines.size(); i++) {
      String line = lines.get(i);
      int hash = line.indexOf('#');
      String body = (hash >= 0 ? line.substring(0, hash) : line).strip();
      if (body.isEmpty()) {
        continue;
      }
      String[] f = body.split("\\s+");
      String where = file + ":" + (i + 1) + ": ";
      if (f.length < 4 || f.length > 5) {
        throw new InputException(where + "expected SRC DST PROTO DPORT [IFACE], got '" + body + "'");
      }
      out.add(packet(f[0], f[1], f[2], f[3], null, f.length == 5 ? f[4] : null, where));
    }
    return out;
  }
}
