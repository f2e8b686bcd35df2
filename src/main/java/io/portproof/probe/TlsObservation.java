package io.portproof.probe;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * What a TLS endpoint accepts, found with hand-built ClientHellos so that no local policy hides an
 * old version.
 *
 * @param protocols accepted versions, newest first, named as nginx {@code ssl_protocols} and the JDK
 *     name them: "TLSv1.3", "TLSv1.2", "TLSv1.1", "TLSv1", "SSLv3"
 * @param ciphers per accepted protocol, the IANA names of the accepted suites in the order the
 *     server chose them (its preference order when it enforces one)
 * @param group the key-exchange group of the newest protocol's handshakes ("x25519", "secp256r1",
 *     "ffdhe2048", "DH-2048" for custom DHE), or null when none was seen
 * @param certificate the leaf certificate and its validation, or null when none could be fetched
 * @param errors what went wrong along the way, in words
 */
public record TlsObservation(
    List<String> protocols,
    Map<String, List<String>> ciphers,
    String group,
    CertificateObservation certificate,
    List<String> errors) {
  public TlsObservation {
    protocols = List.copyOf(protocols);
    // Copied through a LinkedHashMap because Map.copyOf forgets the newest-first order.
    Map<String, List<String>> copy = new LinkedHashMap<>();
    Objects.requireNonNull(ciphers, "ciphers").forEach((k, v) -> copy.put(k, List.copyOf(v)));
    ciphers = Collections.unmodifiableMap(copy);
    errors = List.copyOf(errors);
  }
}
