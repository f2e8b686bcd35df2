package io.portproof.probe;

/**
 * What a port speaks, which decides how it is probed: plain HTTP, implicit TLS (probed like 443), a
 * cleartext protocol with STARTTLS, or TCP state only.
 */
public enum Service {
  HTTP,
  HTTPS,
  SMTP,
  SUBMISSION,
  SMTPS,
  IMAP,
  IMAPS,
  POP3,
  POP3S,
  FTP,
  FTPS,
  /** Generic implicit TLS: the TLS matrix and certificate, no application protocol. */
  TLS,
  /** TCP state only. */
  TCP;

  /** The IANA well-known service for a port, or {@link #TCP} when the port has none we probe. */
  public static Service defaultFor(int port) {
    return switch (port) {
      case 80, 8080 -> HTTP;
      case 443, 8443 -> HTTPS;
      case 25 -> SMTP;
      case 587 -> SUBMISSION;
      case 465 -> SMTPS;
      case 143 -> IMAP;
      case 993 -> IMAPS;
      case 110 -> POP3;
      case 995 -> POP3S;
      case 21 -> FTP;
      case 990 -> FTPS;
      case 636, 853, 5061, 6697 -> TLS;
      default -> TCP;
    };
  }

  /** Whether the port speaks TLS from its first byte. */
  public boolean implicitTls() {
    return switch (this) {
      case HTTPS, SMTPS, IMAPS, POP3S, FTPS, TLS -> true;
      default -> false;
    };
  }

  /** Whether the port speaks a cleartext protocol that can upgrade with STARTTLS (or its kin). */
  public boolean startTls() {
    return switch (this) {
      case SMTP, SUBMISSION, IMAP, POP3, FTP -> true;
      default -> false;
    };
  }
}
