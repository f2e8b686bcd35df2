package io.portproof.reconcile;

import io.portproof.analysis.Explanation;
import io.portproof.analysis.HostFacts;
import io.portproof.analysis.Protocols;
import io.portproof.model.Ip;
import io.portproof.model.Packet;
import io.portproof.model.SourceRef;
import io.portproof.policy.CheckResult;
import io.portproof.policy.Finding;
import io.portproof.policy.Severity;
import io.portproof.probe.Observation;
import io.portproof.probe.SourceAddress;
import io.portproof.probe.TcpState;
import java.net.InetAddress;
import java.util.ArrayList;
import java.util.List;

/**
 * Sets every observation beside the prediction for the very packet the prober sent (its own source address,
 * found from the routing table), and explains each difference with its most likely cause.
 */
public final class Reconciler {
  public static final String CHECK_ID = "DRIFT";

  private Reconciler() {}

  /** The TCP state a client sees, predicted for the prober's own connection attempt. */
  record Prediction(String state, Explanation explanation) {}

  static Prediction predict(HostFacts facts, Observation o, String inIface) {
    InetAddress target = o.target().address();
    InetAddress local = SourceAddress.toward(target);
    if (local == null || local.getClass() != target.getClass()) {
      return new Prediction("unknown (no route from here)", null);
    }
    Explanation e = facts.analyzer().explain(new Packet(Ip.of(local), Ip.of(target), Protocols.TCP, o.target().port(), null, inIface));
    String state = switch (e.verdict()) {
      case ACCEPT -> "open or refused";
      case REJECT -> e.clientSees();
      case DROP -> "filtered";
      case UNKNOWN -> "unknown";
    };
    return new Prediction(state, e);
  }

  /** Compares one host's observations with its predictions. */
  public static List<Drift> reconcile(HostFacts facts, List<Observation> observations, String inIface) {
    List<Drift> out = new ArrayList<>();
    for (Observation o : observations) {
      Prediction p = predict(facts, o, inIface);
      String endpoint = "tcp/" + o.target().port() + " on " + o.target().address().getHostAddress();
      String seen = o.tcp().state().name().toLowerCase(java.util.Locale.ROOT);
      String observed = seen + " (" + o.tcp().millis() + " ms" + (o.tcp().reason() == null ? "" : ", " + o.tcp().reason()) + ")";
      SourceRef by = p.explanation() == null ? SourceRef.ofFile("(routing)") : p.explanation().decidedBy();
      boolean confirmed = p.state().equals(seen)
          || (p.state().equals("open or refused") && (o.tcp().state() == TcpState.OPEN || o.tcp().state() == TcpState.REFUSED));
      String cause = confirmed ? null : cause(p, o.tcp().state(), by);
      out.add(new Drift(endpoint, "tcp", p.state() + (p.explanation() == null ? "" : " (" + p.explanation().verdict() + " at " + by.location() + ")"),
          observed, confirmed, cause, by, o.transcript()));
    }
    return out;
  }

  private static String cause(Prediction p, TcpState seen, SourceRef by) {
    String predicted = p.state();
    if (predicted.startsWith("unknown")) {
      return "the prediction was UNKNOWN (" + (p.explanation() == null ? "no route from here" : String.join("; ",
          p.explanation().reasons().stream().map(Object::toString).toList())) + "), so nothing could be confirmed";
    }
    if (predicted.equals("open or refused") && seen == TcpState.FILTERED) {
      return "predicted allowed (" + by.location() + "), observed filtered: something upstream drops it (a security group or "
          + "network firewall not among the inputs), or the running ruleset is not the export given";
    }
    if (predicted.equals("open or refused") && seen == TcpState.UNREACHABLE) {
      return "predicted allowed (" + by.location() + "), observed an ICMP unreachable: a router or firewall in the path rejects it, "
          + "or the running ruleset is not the export given";
    }
    if (seen == TcpState.OPEN || seen == TcpState.REFUSED) {
      return "predicted " + predicted + " by " + by.location() + ", but the host answered: the running ruleset is not the export given "
          + "(reload it, or export the running one with iptables-save)";
    }
    return "predicted " + predicted + " by " + by.location() + ", observed " + seen.name().toLowerCase(java.util.Locale.ROOT)
        + ": the running ruleset differs from the export, or a device in the path answers for the host";
  }

  /** The DRIFT check's result for one host: every difference is a finding. */
  public static CheckResult asCheck(String host, List<Drift> drifts, Severity severity) {
    List<Finding> findings = new ArrayList<>();
    int confirmed = 0;
    for (Drift d : drifts) {
      if (d.confirmed()) {
        confirmed++;
        continue;
      }
      findings.add(new Finding(CHECK_ID, severity, host, d.endpoint() + " " + d.aspect(),
          d.endpoint() + " (" + d.aspect() + "): predicted " + d.predicted() + ", observed " + d.observed() + ". Likely cause: " + d.cause() + ".",
          d.decidedBy(), List.of(d.decidedBy())));
    }
    String summary = confirmed + " of " + drifts.size() + " probed aspect(s) confirmed";
    if (drifts.isEmpty()) {
      return new CheckResult(CHECK_ID, "The live host behaves as predicted", CheckResult.Status.SKIPPED, "nothing was probed", List.of());
    }
    return new CheckResult(CHECK_ID, "The live host behaves as predicted",
        findings.isEmpty() ? CheckResult.Status.PASS : CheckResult.Status.FAIL, summary, findings);
  }
}
