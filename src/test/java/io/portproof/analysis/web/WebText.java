package io.portproof.analysis.web;

import io.portproof.diag.Diagnostic;
import io.portproof.model.SourceRef;
import io.portproof.model.web.EndpointPrediction;
import io.portproof.model.web.HeaderRule;
import io.portproof.model.web.ListenerRef;
import io.portproof.model.web.Location;
import io.portproof.model.web.ResponsePrediction;
import io.portproof.model.web.Rule;
import io.portproof.model.web.ServerModel;
import io.portproof.model.web.VirtualHost;
import java.nio.file.Path;
import java.util.List;

/** A stable text rendering of models and predictions for golden files; paths made relative. */
public final class WebText {
  private final Path base;

  public WebText(Path base) {
    this.base = base.toAbsolutePath().normalize();
  }

  public String render(ServerModel model, List<Diagnostic> diagnostics, List<EndpointPrediction> predictions) {
    StringBuilder sb = new StringBuilder();
    sb.append("format ").append(model.format()).append('\n');
    for (VirtualHost h : model.hosts()) {
      sb.append("host ").append(ref(h.source())).append(" names=").append(h.names()).append('\n');
      for (ListenerRef l : h.listeners()) {
        sb.append("  listen ").append(l.display()).append(l.tls() ? " tls" : "")
            .append(l.defaultServer() ? " default" : "").append(l.http2() ? " h2" : "")
            .append(l.proxyProtocol() ? " proxy_protocol" : "").append(l.dualStack() ? " dual" : "")
            .append("  <").append(ref(l.source())).append(">\n");
      }
      if (h.tls() != null) {
        sb.append("  tls protocols=").append(h.tls().protocols()).append(" <").append(ref(h.tls().protocolsBy()))
            .append("> ciphers=").append(h.tls().cipherString()).append(" dh=").append(h.tls().dhParams());
        if (h.tls().certificate() != null) {
          sb.append(" cert=").append(h.tls().certificate().subject()).append(' ')
              .append(h.tls().certificate().subjectAltNames()).append(' ')
              .append(h.tls().certificate().keyAlgorithm()).append(h.tls().certificate().keyBits());
        }
        sb.append('\n');
      }
      headers(sb, "  ", h.headers());
      rules(sb, "  ", h.rules());
      for (Location l : h.locations()) {
        location(sb, "  ", l);
      }
      sb.append("  content ").append(h.content().kind()).append(" <").append(ref(h.content().source())).append(">\n");
    }
    for (ListenerRef l : model.boundSockets()) {
      sb.append("bound ").append(l.display()).append("  <").append(ref(l.source())).append(">\n");
    }
    for (Diagnostic d : diagnostics) {
      sb.append("diag ").append(d.kind()).append(' ').append(ref(d.source())).append(": ")
          .append(d.message().replace(base.toString() + "/", "").replace(base.toString(), ".")).append('\n');
    }
    for (EndpointPrediction e : predictions) {
      sb.append("endpoint ").append(e.family()).append(' ').append(e.address()).append(' ')
          .append(e.port()).append('/').append(e.transport()).append(e.tls() ? " tls" : "")
          .append(e.listening() ? " <" + ref(e.listener().source()) + ">" : " (nothing listens)").append('\n');
      if (!e.protocols().isEmpty()) {
        sb.append("  protocols ").append(e.protocols()).append(" <").append(ref(e.protocolsBy())).append(">\n");
        sb.append("  ciphers ").append(e.ciphers().size()).append(' ').append(e.ciphers()).append('\n');
      }
      for (ResponsePrediction r : e.responses()) {
        sb.append("  ").append(r.path()).append(" -> ").append(r.status())
            .append(r.location() != null ? " " + r.location() : "")
            .append(" <").append(ref(r.decidedBy())).append(">")
            .append(r.hsts() != null ? " hsts=\"" + r.hsts() + "\" <" + ref(r.hstsBy()) + ">" : "")
            .append('\n');
      }
    }
    return sb.toString();
  }

  private void location(StringBuilder sb, String indent, Location l) {
    sb.append(indent).append("location ").append(l.match()).append(' ').append(l.pattern())
        .append(" <").append(ref(l.source())).append("> content ").append(l.content().kind()).append('\n');
    headers(sb, indent + "  ", l.headers());
    rules(sb, indent + "  ", l.rules());
    for (Location n : l.nested()) {
      location(sb, indent + "  ", n);
    }
  }

  private void headers(StringBuilder sb, String indent, List<HeaderRule> headers) {
    for (HeaderRule h : headers) {
      sb.append(indent).append("header ").append(h.name()).append(": ").append(h.value())
          .append(" [").append(h.scope()).append("] <").append(ref(h.source())).append(">\n");
    }
  }

  private void rules(StringBuilder sb, String indent, List<Rule> rules) {
    for (Rule r : rules) {
      sb.append(indent).append(r.getClass().getSimpleName().toLowerCase()).append(' ');
      if (r instanceof Rule.Return x) {
        sb.append(x.status()).append(x.location() != null ? " " + x.location() : "");
      } else if (r instanceof Rule.Rewrite x) {
        sb.append(x.regex()).append(' ').append(x.replacement()).append(' ').append(x.flag())
            .append(x.redirectStatus() > 0 ? " " + x.redirectStatus() : "").append(x.appendArgs() ? "" : " noargs");
      } else if (r instanceof Rule.If x) {
        x.conditions().forEach(c -> sb.append(c.variable()).append(' ').append(c.op()).append(' ').append(c.operand()).append(' '));
      } else if (r instanceof Rule.Assign x) {
        sb.append(x.variable()).append(' ').append(x.value());
      }
      sb.append(" <").append(ref(r.source())).append(">\n");
      if (r instanceof Rule.If x) {
        rules(sb, indent + "  ", x.rules());
      }
    }
  }

  private String ref(SourceRef s) {
    if (s == null) {
      return "-";
    }
    String file = s.file();
    Path p = Path.of(file).toAbsolutePath().normalize();
    if (p.startsWith(base)) {
      file = base.relativize(p).toString();
    }
    return s.line() > 0 ? file + ":" + s.line() : file;
  }
}
