package io.portproof.probe;

import java.time.Instant;
import java.util.List;
import java.util.Objects;

/**
 * The server's leaf certificate and what validating its chain found.
 *
 * @param subject the subject DN (RFC 2253)
 * @param sans subject alternative names, DNS names and IP addresses as written
 * @param notBefore start of validity
 * @param notAfter end of validity
 * @param daysLeft whole days from the probe until {@code notAfter}; negative once expired
 * @param keyType "RSA", "EC", "Ed25519", ...
 * @param keyBits modulus size for RSA/DSA/DH, field size for EC, 0 when unknown
 * @param signatureAlgorithm the JDK's name, e.g. "SHA256withRSA"
 * @param chainValid whether a PKIX path to a trusted anchor was built and validated
 * @param chainError why not, or null when valid
 * @param hostnameMatches whether the probed hostname matches a SAN (RFC 6125)
 */
public record CertificateObservation(
    String subject,
    List<String> sans,
    Instant notBefore,
    Instant notAfter,
    long daysLeft,
    String keyType,
    int keyBits,
    String signatureAlgorithm,
    boolean chainValid,
    String chainError,
    boolean hostnameMatches) {
  public CertificateObservation {
    Objects.requireNonNull(subject, "subject");
    sans = List.copyOf(sans);
    Objects.requireNonNull(notBefore, "notBefore");
    Objects.requireNonNull(notAfter, "notAfter");
    Objects.requireNonNull(keyType, "keyType");
    Objects.requireNonNull(signatureAlgorithm, "signatureAlgorithm");
    if (chainValid != (chainError == null)) {
      throw new IllegalArgumentException("chainError must be set exactly when the chain is invalid");
    }
  }
}
