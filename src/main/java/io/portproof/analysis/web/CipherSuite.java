package io.portproof.analysis.web;

import java.util.Objects;
import java.util.Set;

/**
 * One TLS 1.2-and-below cipher suite as OpenSSL 3.0 describes it.
 *
 * @param id the IANA code point
 * @param name OpenSSL's name
 * @param minTls the lowest protocol it works with: {@code SSLv3}, {@code TLSv1} or {@code TLSv1.2}
 * @param kx key exchange: RSA, ECDHE, DHE, PSK, RSAPSK, ECDHEPSK, DHEPSK, SRP
 * @param au authentication: RSA, ECDSA, DSS, NULL, PSK, SRP
 * @param enc bulk cipher: AES128GCM, CHACHA20POLY1305, CAMELLIA256, eNULL, …
 * @param mac MAC: SHA1, SHA256, SHA384, MD5, AEAD
 * @param bits symmetric strength in bits (0 for eNULL)
 * @param flags OpenSSL strength classes: HIGH, FIPS, NOT_DEFAULT
 */
public record CipherSuite(
    int id, String name, String minTls, String kx, String au, String enc, String mac, int bits,
    Set<String> flags) {
  public CipherSuite {
    Objects.requireNonNull(name, "name");
    flags = Set.copyOf(flags);
  }

  /** Whether the key exchange is ephemeral (forward secret). */
  public boolean forwardSecret() {
    return kx.equals("ECDHE") || kx.equals("DHE");
  }
}
