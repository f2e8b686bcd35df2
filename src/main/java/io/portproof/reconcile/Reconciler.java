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
import io.portproof.model.web.EndpointPrediction;
import io.portproof.model.web.ResponsePrediction;
import io.portproof.probe.HttpHop;
import io.portproof.probe.HttpObservation;
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
    EndpointPrediction web = facts.configs().isEmpty() ? null : facts.webPredictionFor(Ip.of(target), o.target().port());
    String allowed = web == null ? "open or refused" : web.listening() ? "open" : "refused";
    String state = switch (e.verdict()) {
      case ACCEPT -> allowed;
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
      EndpointPrediction web = facts.configs().isEmpty() ? null : facts.webPredictionFor(Ip.of(o.target().address()), o.target().port());
      if (web != null && web.listening() && o.tcp().state() == TcpState.OPEN) {
        compareWeb(endpoint, web, o, out);
      }
    }
    return out;
  }

  /** Per probe path: the first answer's status, Location and HSTS; then the TLS versions accepted. */
  private static void compareWeb(String endpoint, EndpointPrediction web, Observation o, List<Drift> out) {
    String notThisConfig = "the running server does not use the configuration given (or another virtual host answers)";
    for (HttpObservation h : o.http()) {
      ResponsePrediction r = web.responses().stream().filter(x -> x.path().equals(h.path())).findFirst().orElse(null);
      if (r == null || r.status() < 100 || h.chain().isEmpty()) {
        continue;
      }
      HttpHop first = h.chain().get(0);
      String predicted = r.status() + (r.location() == null ? "" : " " + r.location());
      String observed = first.status() + (first.location() == null ? "" : " " + first.location());
      boolean same = r.status() == first.status() && (r.location() == null || r.location().equals(first.location()));
      out.add(new Drift(endpoint, "http " + h.path(), predicted, observed, same, same ? null : notThisConfig,
          r.decidedBy(), o.transcript()));
      if (web.tls()) {
        boolean hstsPredicted = r.hsts() != null;
        boolean hstsSeen = first.hsts() != null;
        out.add(new Drift(endpoint, "hsts " + h.path(), hstsPredicted ? r.hsts() : "no HSTS",
            hstsSeen ? first.hsts().raw() : "no HSTS", hstsPredicted == hstsSeen, hstsPredicted == hstsSeen ? null : notThisConfig,
            r.hstsBy() != null ? r.hstsBy() : r.decidedBy(), o.transcript()));
      }
    }
    if (web.tls() && o.tls() != null && !web.protocols().isEmpty()) {
      java.util.Set<String> predicted = new java.util.TreeSet<>(web.protocols());
      java.util.Set<String> seen = new java.util.TreeSet<>(o.tls().protocols());
      boolean same = predicted.equals(seen);
      out.add(new Drift(endpoint, "tls-protocols", String.join(" ", predicted), String.join(" ", seen), same,
          same ? null : "the running server's TLS settings differ from the configuration given (or its OpenSSL policy does)",
          web.protocolsBy() != null ? web.protocolsBy() : web.listener().source(), o.transcript()));
    }
  }

  private static String cause(Prediction p, TcpState seen, SourceRef by) {
    String predicted = p.state();
    if (predicted.startsWith("unknown")) {
      return "the prediction was UNKNOWN (" + (p.explanation() == null ? "no route from here" : String.join("; ",
          p.explanation().reasons().stream().map(Object::toString).toList())) + "), so nothing could be confirmed";
    }
    if (predicted.equals("open") && seen == TcpState.REFUSED) {
      return "the configuration binds this port (" + by.location() + " allows it), but nothing listens: the server is not "
          + "running, or runs another configuration";
    }
    if ((predicted.equals("open or refused") || predicted.equals("open") || predicted.equals("refused")) && seen == TcpState.FILTERED) {
      return "predicted allowed (" + by.location() + "), observed filtered: something upstream drops it (a security group or "
          + "network firewall not among the inputs), or the running ruleset is not the export given";
    }
    if ((predicted.equals("open or refused") || predicted.equals("open") || predicted.equals("refused")) && seen == TcpState.UNREACHABLE) {
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
