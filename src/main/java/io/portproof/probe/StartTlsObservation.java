package io.portproof.probe;

/**
 * STARTTLS (SMTP, IMAP), STLS (POP3) or AUTH TLS (FTP) on a cleartext port.
 *
 * @param offered the server advertised or accepted the upgrade
 * @param tls what the TLS behind the upgrade accepts, or null when not offered
 * @param error why the dialogue failed, or null
 */
public record StartTlsObservation(boolean offered, TlsObservation tls, String error) {
  public StartTlsObservation {
    if (tls != null && !offered) {
      throw new IllegalArgumentException("TLS observed behind a STARTTLS that was not offered");
    }
  }
}
