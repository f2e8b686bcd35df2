package io.portproof.analysis.web;

import io.portproof.diag.Diagnostics;
import io.portproof.model.SourceRef;
import io.portproof.model.web.TlsSettings;
import java.util.ArrayList;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Decides which protocol versions and suites a TLS listener really offers under OpenSSL 3.0 as
 * Debian 12 ships it: configured versions, minus what the
 * security level forbids (level 1 by default: no TLS 1.0/1.1, no anonymous or MD5 suites), minus
 * versions left without a usable suite for the certificate's key type.
 */
final class TlsEvaluator {
  /** Lowest to highest; the order OpenSSL's version range is computed in. */
  static final List<String> VERSIONS = List.of("SSLv3", "TLSv1", "TLSv1.1", "TLSv1.2", "TLSv1.3");

  private static final Set<String> TLS13_SUITES = Set.of("TLS_AES_128_GCM_SHA256",
      "TLS_AES_256_GCM_SHA384", "TLS_CHACHA20_POLY1305_SHA256", "TLS_AES_128_CCM_SHA256",
      "TLS_AES_128_CCM_8_SHA256");
  /** Minimum symmetric bits per security level 1..5 (SSL_CTX_set_security_level(3)). */
  private static final int[] MIN_BITS = {80, 112, 128, 192, 256};
  private static final int DEBIAN_DEFAULT_SECLEVEL = 1;

  private final Map<String, OpenSslCipherString.Result> cache = new ConcurrentHashMap<>();
  /** One evaluation (and one set of diagnostics) per TLS configuration, however many sockets. */
  private final Map<TlsSettings, Offer> offers = new IdentityHashMap<>();

  /**
   * What the listener offers.
   *
   * @param protocols accepted versions, lowest first
   * @param ciphers TLS 1.3 suites first, then the rest in server preference order
   */
  record Offer(List<String> protocols, List<String> ciphers) {}

  Offer evaluate(TlsSettings tls, Diagnostics diagnostics) {
    Offer known = offers.get(tls);
    if (known == null) {
      known = compute(tls, diagnostics);
      offers.put(tls, known);
    }
    return known;
  }

  private Offer compute(TlsSettings tls, Diagnostics diagnostics) {
    OpenSslCipherString.Result result =
        cache.computeIfAbsent(tls.cipherString(), OpenSslCipherString::evaluate);
    SourceRef ciphersBy = tls.ciphersBy();
    if (result.error() != null) {
      diagnostics.invalid(ciphersBy, "OpenSSL rejects this cipher string (" + result.error()
          + "); the server will not start");
      return new Offer(List.of(), List.of());
    }
    int level = result.securityLevel() >= 0 ? result.securityLevel() : DEBIAN_DEFAULT_SECLEVEL;
    String key = tls.certificate() == null ? "RSA" : tls.certificate().keyAlgorithm();
    if (tls.certificate() != null && key.equals("RSA") && level >= 1) {
      int need = level >= 2 ? (level >= 3 ? 3072 : 2048) : 1024;
      if (tls.certificate().keyBits() < need) {
        diagnostics.invalid(tls.certificateBy(), "RSA key of " + tls.certificate().keyBits()
            + " bits is below security level " + level + " (" + need + " bits): OpenSSL refuses it");
      }
    }
    List<String> suites = new ArrayList<>();
    boolean legacySuite = false;
    for (CipherSuite s : result.suites()) {
      if (usable(s, key, tls.dhParams(), level)) {
        suites.add(s.name());
        legacySuite |= !s.minTls().equals("TLSv1.2");
      }
    }
    List<String> tls13 = new ArrayList<>();
    for (String s : tls.tls13Suites().split(":")) {
      if (TLS13_SUITES.contains(s.strip())) {
        tls13.add(s.strip());
      }
    }
    // The server picks per version (ssl_choose_server_version), so gaps in the list do not matter.
    List<String> accepted = new ArrayList<>();
    for (String v : VERSIONS) {
      if (!tls.protocols().contains(v)) {
        continue;
      }
      String why = refusal(v, level, suites.isEmpty(), legacySuite, tls13.isEmpty(), key);
      if (why == null) {
        accepted.add(v);
      } else {
        diagnostics.risky(tls.protocolsBy(), v + " is configured but not offered: " + why);
      }
    }
    String rangeMax = rangeMax(tls.protocols());
    if (!accepted.isEmpty() && rangeMax != null && !hasSuiteFor(rangeMax, result.suites(), tls13)) {
      diagnostics.risky(tls.protocolsBy(), "OpenSSL takes " + rangeMax + " as the highest version"
          + " (the versions listed are not contiguous) and no enabled suite supports it: every"
          + " handshake fails");
      return new Offer(List.of(), List.of());
    }
    List<String> ciphers = new ArrayList<>();
    if (accepted.contains("TLSv1.3")) {
      ciphers.addAll(tls13);
    }
    if (accepted.stream().anyMatch(v -> !v.equals("TLSv1.3"))) {
      boolean only12OrBelow = !accepted.contains("TLSv1.2");
      for (CipherSuite s : result.suites()) {
        if (suites.contains(s.name()) && (!only12OrBelow || !s.minTls().equals("TLSv1.2"))) {
          ciphers.add(s.name());
        }
      }
    }
    return new Offer(accepted, ciphers);
  }

  /**
   * The top of the version range OpenSSL's ssl_get_min_max_version computes from the protocol
   * options: a gap in the list disables everything above it when lower versions are enabled, so
   * the lowest contiguous block wins. The server refuses every handshake unless some enabled suite
   * supports that version (tls_setup_handshake), even though it then negotiates per version.
   */
  private static String rangeMax(List<String> configured) {
    String selected = null;
    boolean hole = true;
    for (int i = VERSIONS.size() - 1; i >= 0; i--) {
      String v = VERSIONS.get(i);
      // Debian builds OpenSSL without SSLv3: a version that does not exist is a gap too
      boolean enabled = configured.contains(v) && !v.equals("SSLv3");
      if (!enabled) {
        hole = true;
      } else if (hole) {
        selected = v;
        hole = false;
      }
    }
    return selected;
  }

  private static boolean hasSuiteFor(String version, List<CipherSuite> list, List<String> tls13) {
    return switch (version) {
      case "TLSv1.3" -> !tls13.isEmpty();
      case "TLSv1.2" -> !list.isEmpty();
      default -> list.stream().anyMatch(s -> !s.minTls().equals("TLSv1.2"));
    };
  }

  private static String refusal(
      String version, int level, boolean noSuite, boolean legacySuite, boolean no13, String key) {
    return switch (version) {
      case "SSLv3" -> "Debian's OpenSSL 3 is built without SSLv3";
      case "TLSv1", "TLSv1.1" -> level >= 1
          ? "OpenSSL 3 security level " + level + " forbids it (add @SECLEVEL=0 to the ciphers)"
          : !legacySuite ? "no enabled cipher suite works before TLS 1.2" : null;
      case "TLSv1.2" -> noSuite ? "no enabled cipher suite is usable with this certificate" : null;
      case "TLSv1.3" -> no13 ? "no TLS 1.3 suite is enabled"
          : key.equals("DSA") ? "TLS 1.3 cannot use a DSA certificate" : null;
      default -> "unknown protocol";
    };
  }

  private static boolean usable(CipherSuite s, String key, boolean dhParams, int level) {
    boolean auth = switch (s.au()) {
      case "RSA" -> key.equals("RSA");
      case "ECDSA" -> key.equals("EC");
      case "DSS" -> key.equals("DSA");
      case "NULL" -> true;
      default -> false; // PSK and SRP need callbacks web servers do not install
    };
    boolean kx = switch (s.kx()) {
      case "ECDHE" -> true;
      case "DHE" -> dhParams;
      case "RSA" -> key.equals("RSA");
      default -> false;
    };
    if (!auth || !kx) {
      return false;
    }
    if (level <= 0) {
      return true;
    }
    int minBits = MIN_BITS[Math.min(level, 5) - 1];
    return s.bits() >= minBits
        && !s.au().equals("NULL")
        && !s.mac().equals("MD5")
        && !(minBits > 160 && s.mac().equals("SHA1"))
        && !(level >= 3 && !s.forwardSecret());
  }
}
