package io.portproof.probe;

import com.google.common.base.Suppliers;
import com.google.common.net.InetAddresses;
import com.google.common.net.InternetDomainName;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.PublicKey;
import java.security.cert.CertPathBuilder;
import java.security.cert.CertStore;
import java.security.cert.Certificate;
import java.security.cert.CertificateFactory;
import java.security.cert.CertificateParsingException;
import java.security.cert.CollectionCertStoreParameters;
import java.security.cert.PKIXBuilderParameters;
import java.security.cert.TrustAnchor;
import java.security.cert.X509CertSelector;
import java.security.cert.X509Certificate;
import java.security.interfaces.DSAKey;
import java.security.interfaces.ECKey;
import java.security.interfaces.EdECKey;
import java.security.interfaces.RSAKey;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Date;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.function.Supplier;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.TrustManager;
import javax.net.ssl.TrustManagerFactory;
import javax.net.ssl.X509ExtendedTrustManager;
import javax.net.ssl.X509TrustManager;
import javax.security.auth.x500.X500Principal;

/**
 * Judges a server's certificate chain: PKIX path to a trust anchor, hostname (RFC 6125), expiry,
 * key and signature. Trust anchors load once, on first use.
 */
final class CertificateInspector {
  private static final Path SYSTEM_BUNDLE = Path.of("/etc/ssl/certs/ca-certificates.crt");

  private record Anchors(Set<TrustAnchor> anchors, String error) {}

  private final Supplier<Anchors> anchors;

  CertificateInspector(Path caBundle) {
    this.anchors = Suppliers.memoize(() -> loadAnchors(caBundle));
  }

  /** Parses DER certificates as sent on the wire. */
  static List<X509Certificate> parse(List<byte[]> ders) throws GeneralSecurityException {
    CertificateFactory factory = CertificateFactory.getInstance("X.509");
    List<X509Certificate> out = new ArrayList<>();
    for (byte[] der : ders) {
      out.add((X509Certificate) factory.generateCertificate(new ByteArrayInputStream(der)));
    }
    return out;
  }

  CertificateObservation inspect(List<X509Certificate> chain, String hostname, Instant now) {
    X509Certificate leaf = chain.get(0);
    PublicKey key = leaf.getPublicKey();
    String chainError = validate(chain, now);
    return new CertificateObservation(
        leaf.getSubjectX500Principal().getName(X500Principal.RFC2253),
        sans(leaf),
        leaf.getNotBefore().toInstant(),
        leaf.getNotAfter().toInstant(),
        Duration.between(now, leaf.getNotAfter().toInstant()).toDays(),
        keyType(key),
        keyBits(key),
        leaf.getSigAlgName(),
        chainError == null,
        chainError,
        hostnameMatches(leaf, hostname));
  }

  private String validate(List<X509Certificate> chain, Instant now) {
    Anchors a = anchors.get();
    if (a.error != null) {
      return a.error;
    }
    try {
      X509CertSelector target = new X509CertSelector();
      target.setCertificate(chain.get(0));
      PKIXBuilderParameters params = new PKIXBuilderParameters(a.anchors, target);
      // Revocation needs the network (OCSP, CRLs); the prober talks only to the named targets.
      params.setRevocationEnabled(false);
      params.setDate(Date.from(now));
      params.addCertStore(
          CertStore.getInstance("Collection", new CollectionCertStoreParameters(chain)));
      CertPathBuilder.getInstance("PKIX").build(params);
      return null;
    } catch (GeneralSecurityException e) {
      return rootCause(e);
    }
  }

  private static String rootCause(Throwable e) {
    Throwable t = e;
    while (t.getCause() != null && t.getCause() != t) {
      t = t.getCause();
    }
    return t.getMessage() == null ? t.getClass().getSimpleName() : t.getMessage();
  }

  private static Anchors loadAnchors(Path caBundle) {
    try {
      if (caBundle != null || Files.isReadable(SYSTEM_BUNDLE)) {
        Path bundle = caBundle != null ? caBundle : SYSTEM_BUNDLE;
        Set<TrustAnchor> set = new HashSet<>();
        try (InputStream in = Files.newInputStream(bundle)) {
          for (Certificate c : CertificateFactory.getInstance("X.509").generateCertificates(in)) {
            set.add(new TrustAnchor((X509Certificate) c, null));
          }
        }
        return set.isEmpty()
            ? new Anchors(Set.of(), "no certificates in CA bundle " + bundle)
            : new Anchors(set, null);
      }
      TrustManagerFactory tmf =
          TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
      tmf.init((KeyStore) null);
      Set<TrustAnchor> set = new HashSet<>();
      for (TrustManager tm : tmf.getTrustManagers()) {
        if (tm instanceof X509TrustManager x) {
          for (X509Certificate c : x.getAcceptedIssuers()) {
            set.add(new TrustAnchor(c, null));
          }
        }
      }
      return new Anchors(set, null);
    } catch (IOException | GeneralSecurityException e) {
      return new Anchors(Set.of(), "cannot read trust anchors: " + e.getMessage());
    }
  }

  private static List<String> sans(X509Certificate leaf) {
    List<String> out = new ArrayList<>();
    try {
      if (leaf.getSubjectAlternativeNames() != null) {
        for (List<?> san : leaf.getSubjectAlternativeNames()) {
          int type = (Integer) san.get(0);
          if (type == 2 || type == 7) {
            out.add(String.valueOf(san.get(1)));
          }
        }
      }
    } catch (CertificateParsingException e) {
      // A malformed SAN extension leaves no names to match; hostnameMatches then reports false.
    }
    return out;
  }

  private static String keyType(PublicKey key) {
    if (key instanceof EdECKey ed) {
      return ed.getParams().getName();
    }
    return key.getAlgorithm();
  }

  private static int keyBits(PublicKey key) {
    if (key instanceof RSAKey rsa) {
      return rsa.getModulus().bitLength();
    }
    if (key instanceof ECKey ec) {
      return ec.getParams().getCurve().getField().getFieldSize();
    }
    if (key instanceof DSAKey dsa && dsa.getParams() != null) {
      return dsa.getParams().getP().bitLength();
    }
    if (key instanceof EdECKey ed) {
      return ed.getParams().getName().equals("Ed448") ? 448 : 255;
    }
    return 0;
  }

  /**
   * RFC 6125 matching against the SANs only: the subject CN fallback is gone from every browser.
   * A wildcard stands for exactly one whole leftmost label and never for a public suffix. Written
   * here because the JDK's checker is internal (sun.security.util.HostnameChecker).
   */
  static boolean hostnameMatches(X509Certificate leaf, String hostname) {
    String host = normalize(hostname);
    boolean ip = InetAddresses.isInetAddress(host);
    for (String san : sans(leaf)) {
      if (ip) {
        if (InetAddresses.isInetAddress(san)
            && InetAddresses.forString(san).equals(InetAddresses.forString(host))) {
          return true;
        }
      } else if (!InetAddresses.isInetAddress(san) && dnsMatches(normalize(san), host)) {
        return true;
      }
    }
    return false;
  }

  private static boolean dnsMatches(String pattern, String host) {
    if (!pattern.startsWith("*.")) {
      return pattern.equals(host);
    }
    String parent = pattern.substring(2);
    int dot = host.indexOf('.');
    if (dot <= 0 || !host.substring(dot + 1).equals(parent)) {
      return false;
    }
    try {
      return !InternetDomainName.from(parent).isPublicSuffix();
    } catch (IllegalArgumentException e) {
      return false;
    }
  }

  private static String normalize(String name) {
    String n = name.toLowerCase(Locale.ROOT);
    if (n.startsWith("[") && n.endsWith("]")) {
      n = n.substring(1, n.length() - 1);
    }
    return n.endsWith(".") ? n.substring(0, n.length() - 1) : n;
  }

  /**
   * An SSLContext that accepts any certificate. Used ONLY to retrieve a chain (TLS 1.3 encrypts
   * it) or to read HTTPS headers; the chain is then judged by {@link #inspect}. Extends
   * X509ExtendedTrustManager because the JDK wraps a plain X509TrustManager in one that enforces
   * its own algorithm constraints, which would hide weak certificates instead of reporting them.
   */
  static SSLContext retrievalOnlyContext() {
    try {
      SSLContext context = SSLContext.getInstance("TLS");
      context.init(null, new TrustManager[] {new AcceptAnyCertificate()}, null);
      return context;
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("the JDK always provides a TLS SSLContext", e);
    }
  }

  private static final class AcceptAnyCertificate extends X509ExtendedTrustManager {
    @Override
    public void checkClientTrusted(X509Certificate[] chain, String authType) {}

    @Override
    public void checkServerTrusted(X509Certificate[] chain, String authType) {}

    @Override
    public void checkClientTrusted(X509Certificate[] chain, String authType, Socket socket) {}

    @Override
    public void checkServerTrusted(X509Certificate[] chain, String authType, Socket socket) {}

    @Override
    public void checkClientTrusted(X509Certificate[] chain, String authType, SSLEngine engine) {}

    @Override
    public void checkServerTrusted(X509Certificate[] chain, String authType, SSLEngine engine) {}

    @Override
    public X509Certificate[] getAcceptedIssuers() {
      return new X509Certificate[0];
    }
  }
}
