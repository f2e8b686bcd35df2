package io.portproof.cli;

import io.portproof.analysis.Exposure;
import io.portproof.analysis.FirewallAnalyzer;
import io.portproof.analysis.Protocols;
import io.portproof.model.Ip;
import io.portproof.model.IpRange;
import io.portproof.model.IpSet;
import io.portproof.model.PortSet;
import io.portproof.parse.InputException;
import io.portproof.report.ExposureReport;
import io.portproof.report.Json;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

@Command(name = "exposure", mixinStandardHelpOptions = true, sortOptions = false,
    description = {"Which clients reach which ports: for one host address, per range of ports, exactly which",
        "source addresses (the whole address family) meet ACCEPT, DROP, REJECT or UNKNOWN, each piece with",
        "the rule that decided it.",
        "",
        "Example:",
        "  portproof exposure -f samples/web-good/rules.v4 --dst 198.51.100.10 --ports 1-1024"})
final class ExposureCommand extends IoCommand implements Callable<Integer> {
  @Mixin FirewallInputs inputs;

  @Option(names = "--dst", required = true, paramLabel = "ADDR", description = "The host address to analyse.")
  String dst;

  @Option(names = "--ports", defaultValue = "1-65535", paramLabel = "RANGES", description = "Ports, e.g. 22,80,443 or 1-1024 (default: ${DEFAULT-VALUE}).")
  String ports;

  @Option(names = "--proto", defaultValue = "tcp", paramLabel = "PROTO", description = "tcp, udp, sctp … (default: ${DEFAULT-VALUE}).")
  String proto;

  @Option(names = "--in-iface", paramLabel = "NAME", description = "The interface clients arrive on (default: any external one).")
  String inIface;

  @Option(names = "--format", defaultValue = "text", paramLabel = "FORMAT", description = "text or json (default: ${DEFAULT-VALUE}).")
  OutputFormat format;

  @Override
  public Integer call() throws Exception {
    Ip d = FirewallInputs.parseAddress(dst, "--dst");
    int p = Protocols.number(proto);
    if (p < 0) {
      throw new InputException("--proto: unknown protocol '" + proto + "'");
    }
    PortSet ps;
    try {
      ps = PortSet.parse(ports);
    } catch (IllegalArgumentException e) {
      throw new InputException("--ports: '" + ports + "' is not a port list like 22,80,443 or 1-1024");
    }
    Inputs.Loaded loaded = inputs.load(io.err());
    IpSet host = inputs.hostAddresses().union(IpSet.of(IpRange.of(d)));
    FirewallAnalyzer a = new FirewallAnalyzer(inputs.host.context(loaded.rulesets(), host));
    Exposure e = a.exposure(d, p, ps, inIface);
    if (format == OutputFormat.json) {
      io.out().println(Json.MAPPER.writeValueAsString(ExposureReport.json(e)));
    } else {
      ExposureReport.text(e, io.out());
    }
    return Main.OK;
  }
}
