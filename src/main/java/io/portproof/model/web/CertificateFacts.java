package io.portproof.model.web;

import io.portproof.model.SourceRef;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.PublicKey;
import java.security.cert.CertificateException;
import java.security.cert.CertificateFactory;
import java.security.cert.CertificateParsingException;
import java.security.cert.X509Certificate;
import java.security.interfaces.ECPublicKey;
import java.security.interfaces.RSAPublicKey;
import java.security.interfaces.DSAPublicKey;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Objects;

/**
 * What a server certificate says about itself: the leaf of a PEM file as a TLS client would see it.
 *
 * @param file the PEM file the server is configured with
 * @param subject the subject distinguished name (RFC 2253)
 * @param subjectAltNames DNS and IP subject alternative names, in certificate order
 * @param notBefore start of validity
 * @param notAfter end of validity
 * @param keyAlgorithm {@code RSA}, {@code EC}, {@code DSA}, or the JDK's name for others
 * @param keyBits RSA modulus or DSA prime size, or the EC field size
 * @param selfSigned whether issuer equals subject
 * @param source the configuration line naming the file
 */
public record CertificateFacts(
    String file,
    String subject,
    List<String> subjectAltNames,
    Instant notBefore,
    Instant notAfter,
    String keyAlgorithm,
    int keyBits,
    boolean selfSigned,
    SourceRef source) {
  /** Longest PEM we read: real chains are a few KiB, this bounds a wrong path to a huge file. */
  private static final long MAX_PEM_BYTES = 1 << 20;

  private static final String BEGIN = "-----BEGIN CERTIFICATE-----";
  private static final String END = "-----END CERTIFICATE-----";

  public CertificateFacts {
    Objects.requireNonNull(file, "file");
    Objects.requireNonNull(subject, "subject");
    subjectAltNames = List.copyOf(subjectAltNames);
    Objects.requireNonNull(notBefore, "notBefore");
    Objects.requireNonNull(notAfter, "notAfter");
    Objects.requireNonNull(keyAlgorithm, "keyAlgorithm");
    Objects.requireNonNull(source, "source");
  }

  /** The same certificate named by another configuration line. */
  public CertificateFacts at(SourceRef by) {
    return new CertificateFacts(file, subject, subjectAltNames, notBefore, notAfter, keyAlgorithm,
        keyBits, selfSigned, by);
  }

  /**
   * Reads the first certificate of a PEM file (the leaf, by the convention every server follows);
   * private keys and further chain certificates in the same file are skipped.
   * A DER or otherwise non-ASCII file is reported as unreadable.
   *
   * @throws IOException when the file cannot be read or holds no certificate
   */
  /** The path as a user in the working directory would type it: relative when below it. */
  private static String display(Path pem) {
    Path cwd = Path.of("").toAbsolutePath();
    Path abs = pem.toAbsolutePath().normalize();
    return abs.startsWith(cwd) ? cwd.relativize(abs).toString() : abs.toString();
  }

  public static CertificateFacts read(Path pem, SourceRef source) throws IOException {
    if (Files.size(pem) > MAX_PEM_BYTES) {
      throw new IOException(pem + " is larger than " + MAX_PEM_BYTES + " bytes; not a certificate");
    }
    String text = Files.readString(pem, StandardCharsets.US_ASCII);
    int begin = text.indexOf(BEGIN);
    int end = text.indexOf(END, Math.max(begin, 0));
    if (begin < 0 || end < 0) {
      throw new IOException(pem + " holds no PEM certificate");
    }
    X509Certificate cert;
    // only the first certificate block: keys and chain certificates may share the file (HAProxy)
    byte[] block = text.substring(begin, end + END.length()).getBytes(StandardCharsets.US_ASCII);
    try (InputStream in = new ByteArrayInputStream(block)) {
      cert = (X509Certificate) CertificateFactory.getInstance("X.509").generateCertificate(in);
    } catch (CertificateException e) {
      throw new IOException(pem + " holds no readable certificate: " + e.getMessage(), e);
    }
    PublicKey key = cert.getPublicKey();
    int bits =
        key instanceof RSAPublicKey rsa
            ? rsa.getModulus().bitLength()
            : key instanceof ECPublicKey ec
                ? ec.getParams().getCurve().getField().getFieldSize()
                : key instanceof DSAPublicKey dsa ? dsa.getParams().getP().bitLength() : 0;
    return new CertificateFacts(
        display(pem),
        cert.getSubjectX500Principal().getName(),
        altNames(cert),
        cert.getNotBefore().toInstant(),
        cert.getNotAfter().toInstant(),
        key.getAlgorithm(),
        bits,
        cert.getIssuerX500Principal().equals(cert.getSubjectX500Principal()),
        source);
  }

  private static List<String> altNames(X509Certificate cert) throws IOException {
    List<String> names = new ArrayList<>();
    try {
      Collection<List<?>> sans = cert.getSubjectAlternativeNames();
      if (sans != null) {
        for (List<?> san : sans) {
          int type = (Integer) san.get(0);
          // 2 = dNSName, 7 = iPAddress (RFC 5280 GeneralName tags)
          if (type == 2 || type == 7) {
            names.add(String.valueOf(san.get(1)));
          }
        }
      }
    } catch (CertificateParsingException e) {
      throw new IOException("unreadable subjectAltName: " + e.getMessage(), e);
    }
    return names;
  }
}
