package io.portproof.analysis.web;

import io.portproof.diag.Diagnostics;
import io.portproof.model.SourceRef;
import io.portproof.model.web.EndpointPrediction;
import io.portproof.model.Family;
import io.portproof.model.web.ListenerRef;
import io.portproof.model.web.ResponsePrediction;
import io.portproof.model.web.ServerModel;
import io.portproof.model.web.VirtualHost;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Pattern;
import java.util.regex.PatternSyntaxException;

/**
 * Predicts, from a server model alone, what a client asking for one host name sees on every
 * socket: whether anything listens, TLS versions and suites, the certificate, and the answers to
 * the probe paths.
 *
 * <p>Which virtual host answers follows nginx (and, for the cases modelled, Apache and HAProxy):
 * the hosts bound to the exact address:port are the candidates; the default is the one marked
 * default, else the first; the host name picks exact names, then the longest leading wildcard,
 * then the longest trailing wildcard, then the first matching regex. The TLS versions and suites
 * come from the default host (OpenSSL negotiates them before SNI switches the certificate); the
 * certificate comes from the named host.
 */
public final class WebPredictor {
  /** Request targets predicted on every HTTP(S) endpoint. */
  public static final List<String> PROBE_PATHS =
      List.of("/", "/portproof/deep/path?x=1&y=2", "/.well-known/acme-challenge/x");

  private final TlsEvaluator tlsEvaluator = new TlsEvaluator();

  /** See {@link #predict(ServerModel, String, Diagnostics)}; findings about TLS are dropped. */
  public static List<EndpointPrediction> predict(ServerModel model, String hostname) {
    return new WebPredictor().predict(model, hostname, new Diagnostics());
  }

  /**
   * One prediction per socket in the model, plus a "nothing listens" prediction for TCP 80 and
   * 443 of each IP family that has no socket there.
   *
   * @param diagnostics receives what the TLS evaluation finds (protocols configured but refused,
   *     cipher strings OpenSSL rejects)
   */
  public List<EndpointPrediction> predict(ServerModel model, String hostname, Diagnostics diagnostics) {
    Map<String, List<Bound>> sockets = new LinkedHashMap<>();
    for (VirtualHost h : model.hosts()) {
      for (ListenerRef l : h.listeners()) {
        sockets.computeIfAbsent(l.socketKey(), k -> new ArrayList<>()).add(new Bound(h, l));
      }
    }
    for (VirtualHost h : model.hosts()) {
      for (ListenerRef l : h.listeners()) {
        if (l.dualStack() && l.wildcard()) {
          ListenerRef v4 = new ListenerRef(Family.IPV4, "0.0.0.0", l.port(), l.transport(), l.tls(),
              l.defaultServer(), l.http2(), l.proxyProtocol(), true, l.source());
          List<Bound> bound = sockets.computeIfAbsent(v4.socketKey(), k -> new ArrayList<>());
          if (bound.stream().allMatch(b -> b.listener().dualStack())) {
            bound.add(new Bound(h, v4));
          }
        }
      }
    }
    List<EndpointPrediction> out = new ArrayList<>();
    for (List<Bound> candidates : sockets.values()) {
      out.add(endpoint(candidates, hostname, diagnostics));
    }
    for (ListenerRef bound : model.boundSockets()) {
      List<ListenerRef> views = new ArrayList<>(List.of(bound));
      if (bound.dualStack() && bound.wildcard()) {
        views.add(new ListenerRef(Family.IPV4, "0.0.0.0", bound.port(), bound.transport(), false,
            false, false, false, true, bound.source()));
      }
      for (ListenerRef l : views) {
        if (!sockets.containsKey(l.socketKey())) {
          sockets.put(l.socketKey(), List.of());
          out.add(new EndpointPrediction(l.family(), l.address(), l.port(), l.transport(), false, l,
              List.of(), null, List.of(), null, null, null, List.of()));
        }
      }
    }
    for (Family f : List.of(Family.IPV4, Family.IPV6)) {
      for (int port : new int[] {80, 443}) {
        boolean any = out.stream().anyMatch(e -> e.family() == f && e.port() == port
            && e.transport().equals("tcp"));
        if (!any) {
          out.add(new EndpointPrediction(f, f == Family.IPV4 ? "0.0.0.0" : "::", port, "tcp",
              false, null, List.of(), null, List.of(), null, null, null, List.of()));
        }
      }
    }
    return out;
  }

  private record Bound(VirtualHost host, ListenerRef listener) {}

  private EndpointPrediction endpoint(List<Bound> candidates, String hostname, Diagnostics diagnostics) {
    Bound def = candidates.stream().filter(b -> b.listener().defaultServer()).findFirst()
        .orElse(candidates.get(0));
    Bound named = byName(candidates, hostname);
    Bound chosen = named != null ? named : def;
    ListenerRef l = def.listener();
    boolean tls = candidates.stream().anyMatch(b -> b.listener().tls());
    List<String> protocols = List.of();
    List<String> ciphers = List.of();
    SourceRef protocolsBy = null;
    SourceRef ciphersBy = null;
    if (tls && def.host().tls() != null) {
      TlsEvaluator.Offer offer = tlsEvaluator.evaluate(def.host().tls(), diagnostics);
      protocols = offer.protocols();
      ciphers = offer.ciphers();
      protocolsBy = def.host().tls().protocolsBy();
      ciphersBy = def.host().tls().ciphersBy();
    }
    if (l.transport().equals("udp")) {
      // QUIC: TLS 1.3 only, and HTTP/3 answers are not predicted
      protocols = protocols.contains("TLSv1.3") ? List.of("TLSv1.3") : List.of();
      ciphers = protocols.isEmpty() ? List.of()
          : ciphers.stream().filter(c -> c.startsWith("TLS_")).toList();
      return new EndpointPrediction(l.family(), l.address(), l.port(), "udp", true, l, protocols,
          protocolsBy, ciphers, ciphersBy, certificate(chosen), chosen.host().source(), List.of());
    }
    List<ResponsePrediction> responses = new ArrayList<>();
    for (String path : PROBE_PATHS) {
      if (l.proxyProtocol()) {
        responses.add(new ResponsePrediction(path, ResponsePrediction.CLOSED, null, null,
            l.source(), null));
      } else if (tls && protocols.isEmpty()) {
        responses.add(new ResponsePrediction(path, ResponsePrediction.CLOSED, null, null,
            protocolsBy != null ? protocolsBy : l.source(), null));
      } else {
        responses.add(new RequestEvaluator(chosen.host(), hostname, tls ? "https" : "http",
            l.port(), path).evaluate());
      }
    }
    return new EndpointPrediction(l.family(), l.address(), l.port(), "tcp", tls, l, protocols,
        protocolsBy, ciphers, ciphersBy, tls ? certificate(chosen) : null, chosen.host().source(),
        responses);
  }

  private static io.portproof.model.web.CertificateFacts certificate(Bound b) {
    return b.host().tls() == null ? null : b.host().tls().certificate();
  }

  /** nginx's server_name precedence; null when no name matches. */
  static Bound byName(List<Bound> candidates, String hostname) {
    String host = hostname.toLowerCase(Locale.ROOT);
    Bound leading = null;
    int leadingLen = -1;
    Bound trailing = null;
    int trailingLen = -1;
    for (Bound b : candidates) {
      for (String raw : b.host().names()) {
        String name = raw.toLowerCase(Locale.ROOT);
        if (name.startsWith("~")) {
          continue;
        }
        if (name.equals(host)) {
          return b;
        }
        if (name.startsWith("*.") && host.endsWith(name.substring(1)) && name.length() > leadingLen) {
          leading = b;
          leadingLen = name.length();
        } else if (name.startsWith(".") && (host.endsWith(name) || host.equals(name.substring(1)))
            && name.length() > leadingLen) {
          leading = b;
          leadingLen = name.length();
        } else if (name.endsWith(".*") && host.startsWith(name.substring(0, name.length() - 1))
            && name.length() > trailingLen) {
          trailing = b;
          trailingLen = name.length();
        }
      }
    }
    if (leading != null) {
      return leading;
    }
    if (trailing != null) {
      return trailing;
    }
    for (Bound b : candidates) {
      for (String name : b.host().names()) {
        if (name.startsWith("~")) {
          try {
            if (Pattern.compile(name.substring(1)).matcher(host).find()) {
              return b;
            }
          } catch (PatternSyntaxException e) {
            // the parser reported it; such a name never matches
          }
        }
      }
    }
    return null;
  }
}
