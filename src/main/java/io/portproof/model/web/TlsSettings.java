package io.portproof.model.web;

import io.portproof.model.SourceRef;
import java.util.List;
import java.util.Objects;

/**
 * A virtual host's TLS configuration as written (defaults filled in by the parser), before the
 * OpenSSL evaluation that decides what is really offered.
 *
 * @param protocols configured protocol names ({@code TLSv1}, {@code TLSv1.1}, {@code TLSv1.2},
 *     {@code TLSv1.3}, {@code SSLv3}, …)
 * @param protocolsBy the line that set them, or a file-level ref for the server's default
 * @param cipherString OpenSSL cipher string for TLS 1.2 and below
 * @param ciphersBy the line that set it
 * @param tls13Suites colon-separated TLS 1.3 suites
 * @param tls13By the line that set them
 * @param dhParams whether finite-field DHE key exchange is possible (nginx needs {@code
 *     ssl_dhparam}; Apache and HAProxy supply parameters themselves)
 * @param certificate the leaf certificate, or null when it could not be read
 * @param certificateBy the line naming the certificate, or null when none is configured
 */
public record TlsSettings(
    List<String> protocols,
    SourceRef protocolsBy,
    String cipherString,
    SourceRef ciphersBy,
    String tls13Suites,
    SourceRef tls13By,
    boolean dhParams,
    CertificateFacts certificate,
    SourceRef certificateBy) {
  /** OpenSSL 3.0's default TLS 1.3 suites, in its preference order. */
  public static final String DEFAULT_TLS13_SUITES =
      "TLS_AES_256_GCM_SHA384:TLS_CHACHA20_POLY1305_SHA256:TLS_AES_128_GCM_SHA256";

  public TlsSettings {
    protocols = List.copyOf(protocols);
    Objects.requireNonNull(protocolsBy, "protocolsBy");
    Objects.requireNonNull(cipherString, "cipherString");
    Objects.requireNonNull(ciphersBy, "ciphersBy");
    Objects.requireNonNull(tls13Suites, "tls13Suites");
    Objects.requireNonNull(tls13By, "tls13By");
  }
}
