package io.portproof.report;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.portproof.analysis.Endpoint;
import io.portproof.diag.Diagnostic;
import io.portproof.model.web.CertificateFacts;
import io.portproof.model.web.EndpointPrediction;
import io.portproof.model.web.ResponsePrediction;
import io.portproof.model.Ip;
import io.portproof.model.SourceRef;
import io.portproof.policy.CheckResult;
import io.portproof.policy.Finding;
import io.portproof.policy.HostResult;
import io.portproof.policy.RunResult;
import io.portproof.policy.waiver.Gate;
import io.portproof.policy.waiver.Waiver;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.util.Locale;

/**
 * Machine-readable results, described by the JSON Schema {@code schemas/portproof-report-1.json} in the jar. The
 * schema is versioned by {@code schemaVersion}; fields are only ever added within a version. The gate's fields
 * ({@code gate}, and per finding {@code waiver}, {@code baselineState}, {@code blocking}) appear when waivers or a
 * baseline were given.
 */
public final class JsonReporter implements Reporter {
  public static final int SCHEMA_VERSION = 1;

  @Override
  public String name() {
    return "json";
  }

  @Override
  public void write(Report report, PrintStream out, boolean colour) {
    RunResult run = report.run();
    Gate.Result gate = report.gate();
    ObjectNode root = Json.object();
    root.put("schemaVersion", SCHEMA_VERSION);
    root.put("tool", run.tool());
    root.put("time", run.time().toString());
    ObjectNode pol = root.putObject("policy");
    pol.put("name", run.policy().name());
    pol.put("version", run.policy().version());
    pol.put("title", run.policy().title());
    ArrayNode hosts = root.putArray("hosts");
    for (HostResult h : run.hosts()) {
      ObjectNode hn = hosts.addObject();
      hn.put("name", h.host());
      hn.put("policy", h.policy());
      ArrayNode addrs = hn.putArray("addresses");
      h.addresses().stream().map(Ip::toString).forEach(addrs::add);
      ArrayNode checks = hn.putArray("checks");
      for (CheckResult r : h.results()) {
        ObjectNode cn = checks.addObject();
        cn.put("id", r.checkId());
        cn.put("title", r.title());
        cn.put("status", r.status().name());
        cn.put("summary", r.summary());
        Gate.Triage undecided = gate.triage(h, r);
        if (undecided != null && report.gated()) {
          triage(cn, undecided);
        }
        ArrayNode fs = cn.putArray("findings");
        for (Finding f : r.findings()) {
          ObjectNode fn = finding(f);
          if (report.gated()) {
            triage(fn, gate.triage(f));
          }
          fs.add(fn);
        }
      }
      ArrayNode endpoints = hn.putArray("endpoints");
      for (Endpoint e : h.endpoints()) {
        endpoints.add(endpoint(e));
      }
      ArrayNode diags = hn.putArray("diagnostics");
      for (Diagnostic d : h.diagnostics()) {
        ObjectNode dn = diags.addObject();
        dn.put("kind", d.kind().name());
        dn.put("message", d.message());
        dn.set("at", Json.source(d.source()));
      }
    }
    ObjectNode summary = root.putObject("summary");
    summary.put("hosts", run.hosts().size());
    summary.put("findings", run.findings().size());
    if (report.gated()) {
      ObjectNode g = root.putObject("gate");
      g.put("failed", gate.failed());
      g.put("failOn", gate.options().failOn().label());
      g.put("allowInconclusive", gate.options().allowInconclusive());
      g.put("blocking", gate.blocking());
      g.put("waived", gate.waived());
      if (gate.options().baseline() != null) {
        g.put("baseline", gate.options().baseline().file());
      }
      ArrayNode expired = g.putArray("expiredWaivers");
      gate.expired().forEach(w -> expired.add(waiver(w)));
    }
    try {
      out.println(Json.MAPPER.writeValueAsString(root));
    } catch (JsonProcessingException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** Adds the gate's decision: only written when waivers or a baseline were given. */
  private static void triage(ObjectNode n, Gate.Triage t) {
    if (t.waiver() != null) {
      n.set("waiver", waiver(t.waiver()));
    }
    if (t.baseline() != null) {
      n.put("baselineState", t.baseline().name().toLowerCase(Locale.ROOT));
    }
    n.put("blocking", t.blocking());
  }

  private static ObjectNode waiver(Waiver w) {
    ObjectNode n = Json.object();
    n.put("id", w.checkId());
    n.put("host", w.host());
    n.put("subject", w.subject());
    n.put("expires", w.expires().toString());
    n.put("reason", w.reason());
    n.put("ticket", w.ticket());
    n.set("at", Json.source(w.source()));
    return n;
  }

  /** One endpoint: the firewall's answer joined with the server's, every fact with the line behind it. */
  static ObjectNode endpoint(Endpoint e) {
    ObjectNode n = Json.object();
    n.put("family", e.address().family().label());
    n.put("address", e.address().toString());
    n.put("port", e.port());
    n.put("transport", e.transport());
    n.put("prediction", e.prediction());
    n.put("why", e.why());
    ObjectNode fw = n.putObject("firewall");
    fw.put("verdict", e.firewall());
    fw.set("decidedBy", Json.source(e.firewallBy()));
    EndpointPrediction w = e.web();
    if (w == null || !w.listening()) {
      n.putNull("listener");
      n.put("tls", false);
      n.putArray("protocols");
      n.putArray("ciphers");
      n.putNull("certificate");
      n.putArray("responses");
      return n;
    }
    ObjectNode l = n.putObject("listener");
    l.put("address", w.listener().address());
    l.put("port", w.listener().port());
    l.put("tls", w.listener().tls());
    l.put("http2", w.listener().http2());
    l.set("source", Json.source(w.listener().source()));
    n.put("tls", w.tls());
    ArrayNode protocols = n.putArray("protocols");
    w.protocols().forEach(protocols::add);
    n.set("protocolsBy", Json.source(w.protocolsBy()));
    ArrayNode ciphers = n.putArray("ciphers");
    w.ciphers().forEach(ciphers::add);
    n.set("ciphersBy", Json.source(w.ciphersBy()));
    CertificateFacts c = w.certificate();
    if (c == null) {
      n.putNull("certificate");
    } else {
      ObjectNode cn = n.putObject("certificate");
      cn.put("file", c.file());
      cn.put("subject", c.subject());
      ArrayNode sans = cn.putArray("sans");
      c.subjectAltNames().forEach(sans::add);
      cn.put("notBefore", String.valueOf(c.notBefore()));
      cn.put("notAfter", String.valueOf(c.notAfter()));
      cn.put("keyAlgorithm", c.keyAlgorithm());
      cn.put("keyBits", c.keyBits());
      cn.put("selfSigned", c.selfSigned());
      cn.set("source", Json.source(c.source()));
    }
    n.set("server", Json.source(w.server()));
    ArrayNode responses = n.putArray("responses");
    for (ResponsePrediction r : w.responses()) {
      ObjectNode rn = responses.addObject();
      rn.put("path", r.path());
      rn.put("status", r.status());
      rn.put("location", r.location());
      rn.put("hsts", r.hsts());
      rn.set("decidedBy", Json.source(r.decidedBy()));
      rn.set("hstsBy", Json.source(r.hstsBy()));
    }
    return n;
  }

  static ObjectNode finding(Finding f) {
    ObjectNode n = Json.object();
    n.put("check", f.checkId());
    n.put("severity", f.severity().name().toLowerCase(Locale.ROOT));
    n.put("host", f.host());
    n.put("subject", f.subject());
    n.put("message", f.message());
    n.set("location", Json.source(f.location()));
    ArrayNode ev = n.putArray("evidence");
    for (SourceRef s : f.evidence()) {
      ev.add(Json.source(s));
    }
    return n;
  }
}
