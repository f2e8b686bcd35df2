package io.portproof.cli;

import io.portproof.analysis.Exposure;
import io.portproof.analysis.HostContext;
import io.portproof.analysis.HostFacts;
import io.portproof.model.IpSet;
import io.portproof.analysis.Protocols;
import io.portproof.analysis.web.WebPredictor;
import io.portproof.diag.Diagnostic;
import io.portproof.model.Ip;
import io.portproof.model.SourceRef;
import io.portproof.model.fw.Verdict;
import io.portproof.parse.InputException;
import io.portproof.policy.Check;
import io.portproof.policy.CheckResult;
import io.portproof.policy.Checks;
import io.portproof.policy.HostResult;
import io.portproof.policy.Inventory;
import io.portproof.policy.Policy;
import io.portproof.policy.PolicyLoader;
import io.portproof.policy.RunResult;
import io.portproof.policy.Severity;
import io.portproof.policy.waiver.Baseline;
import io.portproof.policy.waiver.Gate;
import io.portproof.policy.waiver.Waiver;
import io.portproof.policy.waiver.Waivers;
import io.portproof.probe.Observation;
import io.portproof.probe.Prober;
import io.portproof.probe.Target;
import io.portproof.reconcile.Drift;
import io.portproof.reconcile.Reconciler;
import io.portproof.report.Report;
import io.portproof.report.Reporter;
import io.portproof.report.Reporters;
import java.io.FileOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
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
        "  portproof check fleet/portproof.yaml --host web1 --format json --output web1.json",
        "  portproof check fleet --format sarif -o portproof.sarif --format junit -o portproof.xml --waivers waivers.yaml",
        "  portproof check fleet --baseline last-release.json --format markdown -o comment.md"})
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

  @Mixin HostOptions hostOptions;

  @Option(names = "--host", paramLabel = "NAME", description = "Check only these hosts of the inventory (repeatable).")
  List<String> onlyHosts = new ArrayList<>();

  @Option(names = "--shard", paramLabel = "K/N", description = "Check only shard K of N (1-based): hosts are dealt out in a stable order, so a CI matrix splits a fleet.")
  String shard;

  @Option(names = "--policy", paramLabel = "NAME|FILE", description = "A built-in policy (see 'portproof rules') or a YAML file; overrides the inventory's.")
  String policy;

  @Option(names = "--format", paramLabel = "FORMAT", description = "Output format, repeatable: text, json, sarif, junit, markdown, html (default: text).")
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

  @Option(names = "--allow-inconclusive", description = "Let undecided verdicts (the INCONCLUSIVE check, checks left INCONCLUSIVE) pass; by default they fail the run.")
  boolean allowInconclusive;

  @Option(names = "--waivers", paramLabel = "FILE", description = "Accepted findings (YAML list of id, host, subject glob, expires, reason, ticket): shown as waived, not failing. An expired waiver fails the run.")
  Path waivers;

  @Option(names = "--baseline", paramLabel = "FILE", description = "A JSON report of an earlier run: fail only on findings not in it (same check, host and subject).")
  Path baseline;

  /** What evaluating one host gives: its result, and the exposures its checks computed (for reports that draw them). */
  private record Evaluated(HostResult result, List<Exposure> exposures) {}

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
    List<String> checkIds = new ArrayList<>(Checks.ALL.stream().map(Check::id).toList());
    checkIds.add(Reconciler.CHECK_ID);
    List<Waiver> waiverList = waivers == null ? List.of() : Waivers.load(waivers, waivers.toString(), checkIds);
    Baseline base = baseline == null ? null : Baseline.load(baseline, baseline.toString());
    boolean keepExposures = reporters.stream().anyMatch(Reporter::wantsExposures);
    Map<String, List<Exposure>> exposures = new HashMap<>();
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
      Evaluated ev = evaluate(h, pol);
      results.add(ev.result());
      if (keepExposures) {
        exposures.put(h.name(), ev.exposures());
      }
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
    Gate.Result gate = Gate.decide(run, new Gate.Options(threshold, allowInconclusive, waiverList, base, LocalDate.now(ZoneOffset.UTC)));
    Report report = new Report(run, gate, exposures);
    boolean colour = System.console() != null && System.getenv("NO_COLOR") == null;
    for (int i = 0; i < reporters.size(); i++) {
      String target = i < outputs.size() ? outputs.get(i) : "-";
      if (target.equals("-")) {
        reporters.get(i).write(report, io.out(), colour && reporters.get(i).name().equals("text"));
      } else {
        try (PrintStream ps = new PrintStream(new FileOutputStream(target), false, StandardCharsets.UTF_8)) {
          reporters.get(i).write(report, ps, false);
        } catch (IOException e) {
          throw new InputException(target + ": cannot write: " + e.getMessage());
        }
      }
    }
    for (Waiver w : gate.expired()) {
      io.err().printf("portproof: %s: the waiver for %s expired on %s, so its findings count again and the run fails; "
          + "fix them, or renew the waiver with a new date and reason%n", w.source().location(), w.describe(), w.expires());
    }
    for (Waiver w : gate.unused()) {
      io.err().printf("portproof: note: %s: the waiver for %s matched no finding; delete it if the finding is gone%n",
          w.source().location(), w.describe());
    }
    return gate.failed() ? Main.VIOLATION : Main.OK;
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
        .paths(WebPredictor.PROBE_PATHS).errorPath(WebPredictor.PROBE_PATHS.get(1)).build());
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
      hosts = List.of(new Inventory.Host(name, hostname != null ? hostname : name, addrs, iface, false, List.of(), HostContext.Cloud.NONE,
          firewall, servers, null, null,
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
    List<HostContext.Route> extra = hostOptions.routes();
    HostContext.Cloud cloud = hostOptions.cloud();
    boolean declaresCloud = !cloud.attributes().isEmpty() || !cloud.addressNames().isEmpty();
    if (iface != null || hostOptions.forwarding || !extra.isEmpty() || declaresCloud || hostname != null) {
      hosts = hosts.stream().map(h -> new Inventory.Host(h.name(), hostname != null ? hostname : h.hostname(), h.addresses(),
          iface != null ? iface : h.inIface(), h.forwarding() || hostOptions.forwarding, concat(h.routes(), extra),
          declaresCloud ? cloud : h.cloud(), h.firewall(), h.servers(), h.policy(), h.base(), h.source())).toList();
    }
    return hosts;
  }

  private static <T> List<T> concat(List<T> a, List<T> b) {
    List<T> out = new ArrayList<>(a);
    out.addAll(b);
    return out;
  }

  private Evaluated evaluate(Inventory.Host h, Policy pol) throws InputException {
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
    HostFacts facts = new HostFacts(h.name(), h.hostname(), h.addresses(), h.inIface(),
        new HostContext(List.of(), IpSet.EMPTY, h.forwarding(), h.routes(), h.cloud()), loaded.rulesets(), loaded.servers());
    List<CheckResult> results = new ArrayList<>();
    for (Policy.CheckConfig c : pol.checks().values()) {
      results.add(c.check().runConfigured(facts, pol, c));
    }
    if (probe) {
      results.add(probeHost(h, facts, results));
    }
    List<Diagnostic> diags = new ArrayList<>(loaded.diagnostics());
    diags.addAll(facts.webDiagnostics());
    return new Evaluated(new HostResult(h.name(), h.addresses(), pol.name(), results, diags, facts.endpoints(pol.internet())),
        facts.computed());
  }
}
