package io.portproof.cli;

import io.portproof.analysis.HostFacts;
import io.portproof.analysis.web.WebPredictor;
import io.portproof.reconcile.Reconciler;
import io.portproof.reconcile.Drift;
import io.portproof.probe.Observation;
import io.portproof.probe.Prober;
import io.portproof.probe.Target;
import io.portproof.model.fw.Verdict;
import io.portproof.analysis.Protocols;
import io.portproof.analysis.Exposure;
import io.portproof.model.Ip;
import io.portproof.model.SourceRef;
import io.portproof.parse.InputException;
import io.portproof.policy.CheckResult;
import io.portproof.policy.Finding;
import io.portproof.policy.HostResult;
import io.portproof.policy.Inventory;
import io.portproof.policy.Policy;
import io.portproof.policy.PolicyLoader;
import io.portproof.policy.RunResult;
import io.portproof.policy.Severity;
import io.portproof.report.Reporter;
import io.portproof.report.Reporters;
import java.io.FileOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

@Command(name = "check", mixinStandardHelpOptions = true, sortOptions = false,
    description = {"The main job: predicts what the internet sees on every port of each host and checks it",
        "against the policy (default: the built-in web-baseline). Exit code 1 when a finding reaches --fail-on.",
        "",
        "PATH is a directory with a portproof.yaml, or that file. Without PATH, describe one host with flags.",
        "",
        "Examples:",
        "  portproof check samples/web-good",
        "  portproof check --firewall rules.v4 --firewall rules.v6 --address 198.51.100.10 --address 2001:db8::10",
        "  portproof check fleet/portproof.yaml --host web1 --format json --output web1.json"})
final class CheckCommand extends IoCommand implements Callable<Integer> {
  @Parameters(index = "0", arity = "0..1", paramLabel = "PATH", description = "A directory with portproof.yaml, or the file itself.")
  Path path;

  @Option(names = {"-f", "--firewall"}, arity = "1..*", paramLabel = "[TYPE:]FILE", description = "Firewall exports of one host (instead of PATH).")
  List<String> firewall = new ArrayList<>();

  @Option(names = "--server", arity = "1..*", paramLabel = "[TYPE:]FILE",
      description = "Server configurations (nginx, apache, haproxy; 'ss -tlnp' output as evidence), type sniffed or given as nginx:FILE.")
  List<String> servers = new ArrayList<>();

  @Option(names = "--hostname", paramLabel = "DNS-NAME", description = "The name clients ask for (Host header, SNI); picks the virtual host.")
  String hostname;

  @Option(names = "--address", arity = "1..*", paramLabel = "ADDR", description = "The host's public addresses (with --firewall).")
  List<String> addresses = new ArrayList<>();

  @Option(names = "--name", paramLabel = "NAME", defaultValue = "host", description = "The host's name in reports (with --firewall; default: ${DEFAULT-VALUE}).")
  String name;

  @Option(names = "--interface", paramLabel = "NAME", description = "The interface internet clients arrive on (default: any external one).")
  String iface;

  @Option(names = "--forwarding", description = "The host routes packets not addressed to it (ip_forward on); default off, the kernel's default.")
  boolean forwarding;

  @Option(names = "--host", paramLabel = "NAME", description = "Check only these hosts of the inventory (repeatable).")
  List<String> onlyHosts = new ArrayList<>();

  @Option(names = "--shard", paramLabel = "K/N", description = "Check only shard K of N (1-based): hosts are dealt out in a stable order, so a CI matrix splits a fleet.")
  String shard;

  @Option(names = "--policy", paramLabel = "NAME|FILE", description = "A built-in policy (see 'portproof rules') or a YAML file; overrides the inventory's.")
  String policy;

  @Option(names = "--format", paramLabel = "FORMAT", description = "Output format, repeatable: text, json (default: text).")
  List<String> formats = new ArrayList<>();

  @Option(names = {"-o", "--output"}, paramLabel = "FILE", description = "Where the matching --format goes (by position); '-' or none: standard output.")
  List<String> outputs = new ArrayList<>();

  @Option(names = "--probe", description = {"Also probe the live host (web ports and every port predicted open) and",
      "report each prediction CONFIRMED or as DRIFT with its likely cause; drift is a finding."})
  boolean probe;

  @picocli.CommandLine.Mixin ProbeCommand.ProbeSettings probeSettings;

  @Option(names = "--fail-on", defaultValue = "low", paramLabel = "SEVERITY",
      description = "Exit 1 when a finding is at least this severe: info, low, medium, high, critical (default: ${DEFAULT-VALUE}).")
  String failOn;

  @Override
  public Integer call() throws Exception {
    Severity threshold;
    try {
      threshold = Severity.parse(failOn);
    } catch (IllegalArgumentException e) {
      throw new InputException("--fail-on: '" + failOn + "' is not one of info, low, medium, high, critical");
    }
    List<Reporter> reporters = new ArrayList<>();
    for (String f : formats.isEmpty() ? List.of("text") : formats) {
      reporters.add(Reporters.named(f).orElseThrow(() -> new InputException(
          "--format: unknown format '" + f + "' (known: " + String.join(", ", Reporters.names()) + ")")));
    }
    if (outputs.size() > reporters.size()) {
      throw new InputException("--output given " + outputs.size() + " times but --format only " + reporters.size() + " times; pair each output with a format");
    }
    List<Inventory.Host> hosts = selectHosts();
    Map<String, Policy> policies = new HashMap<>();
    Policy defaultPolicy = PolicyLoader.load(policy != null ? policy : "web-baseline");
    List<HostResult> results = new ArrayList<>();
    boolean progress = hosts.size() > 1 && System.console() != null;
    int done = 0;
    for (Inventory.Host h : hosts) {
      String polName = policy != null ? policy : h.policy() != null ? h.policy() : "web-baseline";
      Policy pol = policy != null || h.policy() == null ? defaultPolicy
          : policies.computeIfAbsent(polName, n -> null);
      if (pol == null) {
        String p = h.base().resolve(polName).toFile().exists() ? h.base().resolve(polName).toString() : polName;
        pol = PolicyLoader.load(p);
        policies.put(polName, pol);
      }
      results.add(evaluate(h, pol));
      done++;
      if (progress) {
        io.err().printf("\rchecked %d/%d hosts", done, hosts.size());
      }
    }
    if (progress) {
      io.err().println();
    }
    // The run is named after the policy its hosts share; a mixed fleet is named after the default.
    Policy shared = results.stream().map(HostResult::policy).distinct().count() == 1 && !results.isEmpty()
        ? (results.get(0).policy().equals(defaultPolicy.name()) ? defaultPolicy : policies.values().stream()
            .filter(p -> p != null && p.name().equals(results.get(0).policy())).findFirst().orElse(defaultPolicy))
        : defaultPolicy;
    RunResult run = new RunResult(new Main.Version().getVersion()[0], shared, Instant.now(), results);
    boolean colour = System.console() != null && System.getenv("NO_COLOR") == null;
    for (int i = 0; i < reporters.size(); i++) {
      String target = i < outputs.size() ? outputs.get(i) : "-";
      if (target.equals("-")) {
        reporters.get(i).write(run, io.out(), colour && reporters.get(i).name().equals("text"));
      } else {
        try (PrintStream ps = new PrintStream(new FileOutputStream(target), false, StandardCharsets.UTF_8)) {
          reporters.get(i).write(run, ps, false);
        } catch (IOException e) {
          throw new InputException(target + ": cannot write: " + e.getMessage());
        }
      }
    }
    boolean fail = run.findings().stream().map(Finding::severity).anyMatch(s -> s.compareTo(threshold) >= 0);
    return fail ? Main.VIOLATION : Main.OK;
  }

  /**
   * Probes the web ports and every port a check found open to the internet (at most 64), on every address of
   * the host, and reconciles what it sees with the prediction.
   */
  private CheckResult probeHost(Inventory.Host h, HostFacts facts, List<CheckResult> results) throws InputException {
    java.util.TreeSet<Integer> ports = new java.util.TreeSet<>(List.of(80, 443));
    for (Ip a : h.addresses()) {
      for (Exposure.Block b : facts.exposure(a, Protocols.TCP).blocks()) {
        if (!b.sources(Verdict.ACCEPT).isEmpty()) {
          for (int[] iv : b.ports().intervals()) {
            if (ports.size() < 64) {
              ports.add(iv[0]);
            }
          }
        }
      }
    }
    List<Target> targets = new ArrayList<>();
    for (Ip a : h.addresses()) {
      for (int p : ports) {
        targets.add(Target.of(h.hostname(), a.toInetAddress(), p));
      }
    }
    // Probe the very paths the configuration was evaluated for, so each answer has a prediction beside it.
    Prober prober = new Prober(probeSettings.options(java.util.Set.of(h.name(), h.hostname())).toBuilder()
        .paths(WebPredictor.PROBE_PATHS).build());
    List<Observation> obs = prober.probeAll(targets, Progress.on(io.err(), "probing " + h.name()));
    List<Drift> drifts = Reconciler.reconcile(facts, obs, h.inIface());
    return Reconciler.asCheck(h.name(), drifts, Severity.HIGH);
  }

  private List<Inventory.Host> selectHosts() throws InputException {
    List<Inventory.Host> hosts;
    if (path != null) {
      if (!firewall.isEmpty() || !addresses.isEmpty() || !servers.isEmpty()) {
        throw new InputException("give either PATH or --firewall/--address, not both");
      }
      hosts = Inventory.load(path);
    } else {
      if (firewall.isEmpty() && servers.isEmpty()) {
        throw new InputException("nothing to check: give a PATH with a portproof.yaml, or --firewall/--server FILE (see 'portproof check --help')");
      }
      List<Ip> addrs = new ArrayList<>();
      for (String a : addresses) {
        addrs.add(FirewallInputs.parseAddress(a, "--address"));
      }
      if (addrs.isEmpty()) {
        throw new InputException("--address: name at least one address of the host, so portproof knows which destination to analyse");
      }
      hosts = List.of(new Inventory.Host(name, hostname != null ? hostname : name, addrs, iface, forwarding, firewall, servers, null, null,
          SourceRef.ofFile("(command line)")));
    }
    if (!onlyHosts.isEmpty()) {
      List<String> known = hosts.stream().map(Inventory.Host::name).toList();
      for (String n : onlyHosts) {
        if (!known.contains(n)) {
          throw new InputException("--host: no host named '" + n + "' (hosts: " + String.join(", ", known) + ")");
        }
      }
      hosts = hosts.stream().filter(h -> onlyHosts.contains(h.name())).toList();
    }
    if (shard != null) {
      hosts = Shards.select(hosts, shard);
    }
    if (iface != null) {
      hosts = hosts.stream().map(h -> new Inventory.Host(h.name(), hostname != null ? hostname : h.hostname(), h.addresses(), iface, h.forwarding() || forwarding, h.firewall(), h.servers(), h.policy(), h.base(), h.source())).toList();
    }
    return hosts;
  }

  private HostResult evaluate(Inventory.Host h, Policy pol) throws InputException {
    List<Inputs.Spec> specs = new ArrayList<>();
    for (String f : h.firewall()) {
      specs.add(Inputs.Spec.parse(f, h.base()));
    }
    for (String f : h.servers()) {
      specs.add(Inputs.Spec.parse(f, h.base()));
    }
    Inputs.Loaded loaded = Inputs.load(specs);
    if (loaded.invalid()) {
      FirewallInputs.report(loaded.diagnostics(), io.err());
      throw new InputException(h.name() + ": its inputs are invalid (see above): the kernel would not load them as written, so no prediction is made");
    }
    HostFacts facts = new HostFacts(h.name(), h.hostname(), h.addresses(), h.inIface(), h.forwarding(), loaded.rulesets(), loaded.servers());
    List<CheckResult> results = new ArrayList<>();
    for (Policy.CheckConfig c : pol.checks().values()) {
      results.add(c.check().runConfigured(facts, pol, c));
    }
    if (probe) {
      results.add(probeHost(h, facts, results));
    }
    List<io.portproof.diag.Diagnostic> diags = new ArrayList<>(loaded.diagnostics());
    diags.addAll(facts.webDiagnostics());
    return new HostResult(h.name(), h.addresses(), pol.name(), results, diags, facts.endpoints(pol.internet()));
  }
}
