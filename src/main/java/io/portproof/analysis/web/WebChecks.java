package io.portproof.analysis.web;

import io.portproof.analysis.web.WebFinding.Outcome;
import io.portproof.model.web.CertificateFacts;
import io.portproof.model.web.EndpointPrediction;
import io.portproof.model.Family;
import io.portproof.model.web.ListenerRef;
import io.portproof.model.web.ResponsePrediction;
import io.portproof.model.web.ServerModel;
import java.net.InetAddress;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import com.google.common.net.InetAddresses;

/**
 * The web checks as pure functions over predictions: each returns one finding per endpoint or
 * response it judged. The policy layer names, configures and gates on them.
 */
public final class WebChecks {
  public static final long HSTS_MIN_MAX_AGE = 31_536_000L;
  /** Mozilla Server Side TLS "intermediate" suites (OpenSSL names), TLS 1.3 suites included. */
  public static final Set<String> MOZILLA_INTERMEDIATE = Set.of(
      "TLS_AES_128_GCM_SHA256", "TLS_AES_256_GCM_SHA384", "TLS_CHACHA20_POLY1305_SHA256",
      "ECDHE-ECDSA-AES128-GCM-SHA256", "ECDHE-RSA-AES128-GCM-SHA256",
      "ECDHE-ECDSA-AES256-GCM-SHA384", "ECDHE-RSA-AES256-GCM-SHA384",
      "ECDHE-ECDSA-CHACHA20-POLY1305", "ECDHE-RSA-CHACHA20-POLY1305",
      "DHE-RSA-AES128-GCM-SHA256", "DHE-RSA-AES256-GCM-SHA384", "DHE-RSA-CHACHA20-POLY1305");
  private static final Pattern MAX_AGE = Pattern.compile("(?i)max-age\\s*=\\s*\"?(\\d+)");

  private WebChecks() {}

  /**
   * HTTP-REDIRECTS-TO-HTTPS: every probe path on plain TCP port 80 redirects, in one hop, to
   * https on the same host with path and query intact; 301/308 pass, 302/307 are weaker.
   */
  public static List<WebFinding> redirectsToHttps(List<EndpointPrediction> endpoints, String hostname) {
    List<WebFinding> out = new ArrayList<>();
    for (EndpointPrediction e : endpoints) {
      if (!e.listening() || e.tls() || e.port() != 80 || !e.transport().equals("tcp")) {
        continue;
      }
      for (ResponsePrediction r : e.responses()) {
        String where = label(e) + " " + r.path();
        String id = "HTTP-REDIRECTS-TO-HTTPS";
        if (r.status() == ResponsePrediction.UNKNOWN || r.status() == ResponsePrediction.UPSTREAM) {
          out.add(new WebFinding(id, Outcome.UNKNOWN, where, "the answer is decided by "
              + (r.status() == ResponsePrediction.UPSTREAM ? "the application" : "an unmodelled construct"),
              r.decidedBy()));
        } else if (!r.redirect()) {
          out.add(new WebFinding(id, Outcome.FAIL, where, r.status() == ResponsePrediction.CLOSED
              ? "the connection is closed without an answer" : "answers " + r.status() + " instead of redirecting",
              r.decidedBy()));
        } else {
          String expected = "https://" + hostname.toLowerCase(Locale.ROOT) + r.path();
          String location = r.location().replaceFirst("(?i)^(https://[^/:]+):443(?=/|$)", "$1");
          boolean https = location.regionMatches(true, 0, "https://", 0, 8);
          Outcome o;
          String msg;
          if (!https) {
            o = Outcome.FAIL;
            msg = "first hop " + r.status() + " goes to " + r.location() + ", not to https";
          } else if (!location.toLowerCase(Locale.ROOT).startsWith("https://" + hostname.toLowerCase(Locale.ROOT) + "/")
              && !location.equalsIgnoreCase("https://" + hostname)) {
            o = Outcome.FAIL;
            msg = "redirects to another host first: " + r.location();
          } else if (!location.equals(expected)) {
            o = Outcome.FAIL;
            msg = "path or query not preserved: " + r.location() + " (expected " + expected + ")";
          } else if (r.status() == 301 || r.status() == 308) {
            o = Outcome.PASS;
            msg = r.status() + " to " + r.location();
          } else {
            o = Outcome.WARN;
            msg = r.status() + " is a temporary redirect (use 301 or 308) to " + r.location();
          }
          out.add(new WebFinding(id, o, where, msg, r.decidedBy()));
        }
      }
    }
    return out;
  }

  /** HTTPS-LISTENER: per IP family, a publicly reachable TLS listener on TCP 443 that can handshake. */
  public static List<WebFinding> httpsListener(List<EndpointPrediction> endpoints) {
    List<WebFinding> out = new ArrayList<>();
    for (Family f : List.of(Family.IPV4, Family.IPV6)) {
      EndpointPrediction best = null;
      List<WebFinding> problems = new ArrayList<>();
      for (EndpointPrediction e : endpoints) {
        if (e.family() != f || e.port() != 443 || !e.transport().equals("tcp") || !e.listening()) {
          continue;
        }
        String problem = loopback(e.address()) ? "443 is bound to " + e.address() + " only, unreachable from outside"
            : !e.tls() ? "443 speaks plain HTTP"
            : e.protocols().isEmpty() ? "443 is TLS but no protocol version can be negotiated" : null;
        if (problem == null) {
          best = best == null ? e : best;
        } else {
          problems.add(new WebFinding("HTTPS-LISTENER", Outcome.FAIL, label(e), problem, e.listener().source()));
        }
      }
      if (best != null) {
        out.add(new WebFinding("HTTPS-LISTENER", Outcome.PASS, label(best), "TLS on 443 ("
            + String.join(", ", best.protocols()) + ")", best.listener().source()));
      } else if (!problems.isEmpty()) {
        out.addAll(problems);
      } else {
        out.add(new WebFinding("HTTPS-LISTENER", Outcome.FAIL, f.name() + " 443/tcp",
            "nothing listens on TCP 443", null));
      }
    }
    return out;
  }

  /** HSTS: on every TLS response, errors included, with max-age of at least a year. */
  public static List<WebFinding> hsts(List<EndpointPrediction> endpoints) {
    List<WebFinding> out = new ArrayList<>();
    for (EndpointPrediction e : endpoints) {
      if (!e.listening() || !e.tls() || !e.transport().equals("tcp")) {
        continue;
      }
      for (ResponsePrediction r : e.responses()) {
        String where = label(e) + " " + r.path();
        if (r.status() == ResponsePrediction.CLOSED || r.status() == ResponsePrediction.UNKNOWN) {
          out.add(new WebFinding("HSTS", r.status() == ResponsePrediction.CLOSED ? Outcome.PASS : Outcome.UNKNOWN,
              where, r.status() == ResponsePrediction.CLOSED ? "no response, so no header needed"
                  : "the answer is not predictable", r.decidedBy()));
          continue;
        }
        String status = r.status() == ResponsePrediction.UPSTREAM ? "the application's answer" : "a " + r.status();
        if (r.hsts() == null) {
          out.add(new WebFinding("HSTS", Outcome.FAIL, where, "no Strict-Transport-Security on " + status
              + (r.hstsBy() != null ? " (the header at " + r.hstsBy().location() + " does not reach it)" : ""),
              r.hstsBy() != null ? r.hstsBy() : r.decidedBy()));
          continue;
        }
        Matcher m = MAX_AGE.matcher(r.hsts());
        long maxAge = m.find() ? Long.parseLong(m.group(1)) : -1;
        String lower = r.hsts().toLowerCase(Locale.ROOT);
        String flags = (lower.contains("includesubdomains") ? "includeSubDomains" : "no includeSubDomains")
            + ", " + (lower.contains("preload") ? "preload" : "no preload");
        out.add(new WebFinding("HSTS", maxAge >= HSTS_MIN_MAX_AGE ? Outcome.PASS : Outcome.FAIL, where,
            "max-age=" + maxAge + (maxAge >= HSTS_MIN_MAX_AGE ? "" : " is below " + HSTS_MIN_MAX_AGE)
                + "; " + flags + " on " + status, r.hstsBy()));
      }
    }
    return out;
  }

  /** TLS-PROTOCOLS: no SSLv2/3, TLS 1.0 or 1.1; TLS 1.3 offered. */
  public static List<WebFinding> tlsProtocols(List<EndpointPrediction> endpoints) {
    List<WebFinding> out = new ArrayList<>();
    for (EndpointPrediction e : endpoints) {
      if (!e.listening() || !e.tls() || e.protocols().isEmpty()) {
        continue;
      }
      List<String> old = e.protocols().stream()
          .filter(p -> p.startsWith("SSL") || p.equals("TLSv1") || p.equals("TLSv1.1")).toList();
      Outcome o = !old.isEmpty() ? Outcome.FAIL : e.protocols().contains("TLSv1.3") ? Outcome.PASS : Outcome.WARN;
      String msg = !old.isEmpty() ? "offers " + String.join(", ", old)
          : e.protocols().contains("TLSv1.3") ? "offers " + String.join(", ", e.protocols())
              : "TLS 1.3 is not offered (" + String.join(", ", e.protocols()) + ")";
      out.add(new WebFinding("TLS-PROTOCOLS", o, label(e), msg, e.protocolsBy()));
    }
    return out;
  }

  /** TLS-CIPHERS: only suites of Mozilla's "intermediate" configuration. */
  public static List<WebFinding> tlsCiphers(List<EndpointPrediction> endpoints) {
    List<WebFinding> out = new ArrayList<>();
    for (EndpointPrediction e : endpoints) {
      if (!e.listening() || !e.tls() || e.ciphers().isEmpty()) {
        continue;
      }
      List<String> extra = e.ciphers().stream().filter(c -> !MOZILLA_INTERMEDIATE.contains(c)).toList();
      out.add(new WebFinding("TLS-CIPHERS", extra.isEmpty() ? Outcome.PASS : Outcome.FAIL, label(e),
          extra.isEmpty() ? e.ciphers().size() + " suites, all in Mozilla intermediate"
              : extra.size() + " suites outside Mozilla intermediate: " + String.join(", ", extra),
          e.ciphersBy()));
    }
    return out;
  }

  /**
   * CERTIFICATE: valid now with more than 30 days left, SANs cover every name, key at least RSA
   * 2048 or ECDSA P-256.
   *
   * @param names the host names that must be covered (the server_name list and the probed host)
   */
  public static List<WebFinding> certificate(List<EndpointPrediction> endpoints, List<String> names, Instant now) {
    List<WebFinding> out = new ArrayList<>();
    for (EndpointPrediction e : endpoints) {
      if (!e.listening() || !e.tls()) {
        continue;
      }
      CertificateFacts c = e.certificate();
      if (c == null) {
        out.add(new WebFinding("CERTIFICATE", Outcome.UNKNOWN, label(e), "the certificate could not be read",
            e.listener().source()));
        continue;
      }
      List<String> problems = new ArrayList<>();
      Duration left = Duration.between(now, c.notAfter());
      if (now.isBefore(c.notBefore())) {
        problems.add("not valid before " + c.notBefore());
      }
      if (left.isNegative()) {
        problems.add("expired " + c.notAfter());
      } else if (left.toDays() <= 30) {
        problems.add("expires in " + left.toDays() + " days (" + c.notAfter() + ")");
      }
      for (String n : names) {
        if (!n.startsWith("~") && !n.equals("_") && !n.isEmpty() && !covered(n, c.subjectAltNames())) {
          problems.add(n + " is not among the SANs " + c.subjectAltNames());
        }
      }
      boolean strong = (c.keyAlgorithm().equals("RSA") && c.keyBits() >= 2048)
          || (c.keyAlgorithm().equals("EC") && c.keyBits() >= 256);
      if (!strong) {
        problems.add(c.keyAlgorithm() + " " + c.keyBits() + "-bit key is below RSA 2048 / ECDSA P-256");
      }
      out.add(new WebFinding("CERTIFICATE", problems.isEmpty() ? Outcome.PASS : Outcome.FAIL, label(e),
          problems.isEmpty() ? c.subject() + ", " + left.toDays() + " days left, " + c.keyAlgorithm() + " " + c.keyBits()
              : String.join("; ", problems), c.source()));
    }
    return out;
  }

  /**
   * LISTENERS-MATCH: the configuration's sockets against what {@code ss} shows bound; a config
   * socket missing from ss, or a web port bound by something the config does not declare, means
   * the running server is not the one analyzed.
   */
  public static List<WebFinding> listenersMatch(ServerModel config, ServerModel running) {
    List<WebFinding> out = new ArrayList<>();
    java.util.Map<String, ListenerRef> bySocket = new java.util.LinkedHashMap<>();
    config.hosts().stream().flatMap(h -> h.listeners().stream())
        .forEach(l -> bySocket.putIfAbsent(l.socketKey(), l));
    List<ListenerRef> declared = List.copyOf(bySocket.values());
    for (ListenerRef l : declared) {
      boolean bound = running.boundSockets().stream().anyMatch(b -> covers(b, l));
      out.add(new WebFinding("LISTENERS-MATCH", bound ? Outcome.PASS : Outcome.FAIL, l.display(),
          bound ? "bound as configured" : "configured but not bound: the running server uses another configuration",
          l.source()));
    }
    for (ListenerRef b : running.boundSockets()) {
      boolean webPort = b.port() == 80 || b.port() == 443;
      if (webPort && declared.stream().noneMatch(l -> covers(b, l))) {
        out.add(new WebFinding("LISTENERS-MATCH", Outcome.WARN, b.display(),
            "bound but not in the configuration analyzed", b.source()));
      }
    }
    return out;
  }

  private static boolean covers(ListenerRef bound, ListenerRef declared) {
    if (bound.port() != declared.port() || !bound.transport().equals(declared.transport())) {
      return false;
    }
    if (bound.family() == declared.family() && bound.address().equals(declared.address())) {
      return true;
    }
    // a dual-stack [::] socket serves IPv4 as well
    return bound.dualStack() && declared.family() == Family.IPV4 && declared.wildcard();
  }

  private static boolean covered(String name, List<String> sans) {
    String n = name.toLowerCase(Locale.ROOT);
    for (String san : sans) {
      String s = san.toLowerCase(Locale.ROOT);
      if (s.equals(n) || (s.startsWith("*.") && n.endsWith(s.substring(1))
          && n.indexOf('.') == n.length() - s.length() + 1)) {
        return true;
      }
    }
    return false;
  }

  private static boolean loopback(String address) {
    if (!InetAddresses.isInetAddress(address)) {
      return false;
    }
    InetAddress a = InetAddresses.forString(address);
    return a.isLoopbackAddress();
  }

  private static String label(EndpointPrediction e) {
    return e.family() + " " + (e.family() == Family.IPV6 ? "[" + e.address() + "]" : e.address())
        + ":" + e.port() + "/" + e.transport();
  }
}
