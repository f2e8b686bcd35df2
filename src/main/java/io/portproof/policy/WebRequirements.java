package io.portproof.policy;

import io.portproof.analysis.HostFacts;
import io.portproof.analysis.web.WebChecks;
import io.portproof.analysis.web.WebFinding;
import io.portproof.model.web.EndpointPrediction;
import io.portproof.model.web.ResponsePrediction;
import io.portproof.parse.InputException;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The parameters policies set on the web checks (a stricter HSTS for preload lists, a TLS profile), evaluated on
 * top of the checks' own rules.
 */
final class WebRequirements {
  private static final Pattern MAX_AGE = Pattern.compile("max-age\\s*=\\s*\"?(\\d+)", Pattern.CASE_INSENSITIVE);
  private static final Set<String> VERSIONS = Set.of("SSLv3", "TLSv1", "TLSv1.1", "TLSv1.2", "TLSv1.3");

  private WebRequirements() {}

  /** HSTS: the minimum max-age, and whether includeSubDomains and preload are required. */
  record Hsts(long minMaxAge, boolean includeSubDomains, boolean preload) {
    static Hsts parse(Map<String, Yaml.Doc> p) throws InputException {
      long min = p.containsKey("min-max-age") ? p.get("min-max-age").integer(0, Integer.MAX_VALUE) : WebChecks.HSTS_MIN_MAX_AGE;
      return new Hsts(min,
          p.containsKey("require-include-subdomains") && p.get("require-include-subdomains").bool(),
          p.containsKey("require-preload") && p.get("require-preload").bool());
    }
  }

  static List<WebFinding> hsts(HostFacts h, Hsts req) {
    List<WebFinding> out = new ArrayList<>(WebChecks.hsts(h.webPredictions()));
    for (EndpointPrediction e : h.webPredictions()) {
      if (!e.listening() || !e.tls()) {
        continue;
      }
      for (ResponsePrediction r : e.responses()) {
        if (r.hsts() == null) {
          continue;
        }
        String lower = r.hsts().toLowerCase(Locale.ROOT);
        Matcher m = MAX_AGE.matcher(r.hsts());
        long maxAge = m.find() ? Long.parseLong(m.group(1)) : -1;
        List<String> missing = new ArrayList<>();
        if (maxAge < req.minMaxAge() && req.minMaxAge() > WebChecks.HSTS_MIN_MAX_AGE) {
          missing.add("max-age " + maxAge + " below the policy's " + req.minMaxAge());
        }
        if (req.includeSubDomains() && !lower.contains("includesubdomains")) {
          missing.add("no includeSubDomains");
        }
        if (req.preload() && !lower.contains("preload")) {
          missing.add("no preload");
        }
        if (!missing.isEmpty()) {
          out.add(new WebFinding("HSTS", WebFinding.Outcome.FAIL, e.family() + " " + e.address() + ":" + e.port() + " " + r.path(),
              "Strict-Transport-Security \"" + r.hsts() + "\": " + String.join(", ", missing), r.hstsBy()));
        }
      }
    }
    return out;
  }

  /** TLS versions a policy allows, beyond the check's own rule (no SSLv3/TLS 1.0/1.1, TLS 1.3 offered). */
  record Protocols(Set<String> allowed) {
    static Protocols parse(Map<String, Yaml.Doc> p) throws InputException {
      if (!p.containsKey("allowed")) {
        return new Protocols(VERSIONS);
      }
      Set<String> allowed = new java.util.TreeSet<>();
      for (Yaml.Doc d : p.get("allowed").list()) {
        if (!VERSIONS.contains(d.string())) {
          throw d.error("'" + d.string() + "' is not one of " + new java.util.TreeSet<>(VERSIONS));
        }
        allowed.add(d.string());
      }
      return new Protocols(allowed);
    }
  }

  static List<WebFinding> protocols(HostFacts h, Protocols req) {
    List<WebFinding> out = new ArrayList<>(WebChecks.tlsProtocols(h.webPredictions()));
    for (EndpointPrediction e : h.webPredictions()) {
      if (!e.listening() || !e.tls()) {
        continue;
      }
      List<String> extra = e.protocols().stream().filter(v -> !req.allowed().contains(v)).toList();
      if (!extra.isEmpty()) {
        out.add(new WebFinding("TLS-PROTOCOLS", WebFinding.Outcome.FAIL, e.family() + " " + e.address() + ":" + e.port(),
            "offers " + String.join(", ", extra) + ", which the policy does not allow (allowed: " + String.join(", ", req.allowed()) + ")",
            e.protocolsBy()));
      }
    }
    return out;
  }

  /** The cipher profile: Mozilla's intermediate, or modern (TLS 1.3 suites only). */
  record Ciphers(String profile) {
    static Ciphers parse(Map<String, Yaml.Doc> p) throws InputException {
      String profile = p.containsKey("profile") ? p.get("profile").string() : "intermediate";
      if (!profile.equals("intermediate") && !profile.equals("modern")) {
        throw p.get("profile").error("profile must be intermediate or modern, not '" + profile + "'");
      }
      return new Ciphers(profile);
    }
  }

  static List<WebFinding> ciphers(HostFacts h, Ciphers req) {
    List<WebFinding> out = new ArrayList<>(WebChecks.tlsCiphers(h.webPredictions()));
    if (!req.profile().equals("modern")) {
      return out;
    }
    for (EndpointPrediction e : h.webPredictions()) {
      if (!e.listening() || !e.tls()) {
        continue;
      }
      List<String> old = e.ciphers().stream().filter(c -> !c.startsWith("TLS_")).toList();
      if (!old.isEmpty()) {
        out.add(new WebFinding("TLS-CIPHERS", WebFinding.Outcome.FAIL, e.family() + " " + e.address() + ":" + e.port(),
            old.size() + " suites below TLS 1.3, which Mozilla's modern profile excludes: " + String.join(", ", old.subList(0, Math.min(6, old.size())))
                + (old.size() > 6 ? ", …" : ""), e.ciphersBy()));
      }
    }
    return out;
  }
}
