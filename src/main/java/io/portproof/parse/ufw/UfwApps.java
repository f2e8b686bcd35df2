package io.portproof.parse.ufw;

import java.util.Map;
import java.util.Optional;

/**
 * The application profiles Debian and Ubuntu packages install in {@code /etc/ufw/applications.d}, in ufw's own
 * {@code ports=} syntax ({@code 80,443/tcp}, alternatives joined by {@code |}). A rule naming a profile portproof
 * does not bundle is undecidable: its ports are in a file the exports do not include.
 */
final class UfwApps {
  private static final Map<String, String> PORTS = Map.ofEntries(
      Map.entry("OpenSSH", "22/tcp"),
      Map.entry("Nginx Full", "80,443/tcp"), Map.entry("Nginx HTTP", "80/tcp"), Map.entry("Nginx HTTPS", "443/tcp"),
      Map.entry("Apache", "80/tcp"), Map.entry("Apache Full", "80,443/tcp"), Map.entry("Apache Secure", "443/tcp"),
      Map.entry("Postfix", "25/tcp"), Map.entry("Postfix SMTPS", "465/tcp"), Map.entry("Postfix Submission", "587/tcp"),
      Map.entry("Dovecot IMAP", "143/tcp"), Map.entry("Dovecot Secure IMAP", "993/tcp"),
      Map.entry("Dovecot POP3", "110/tcp"), Map.entry("Dovecot Secure POP3", "995/tcp"),
      Map.entry("Bind9", "53"), Map.entry("CUPS", "631"), Map.entry("Samba", "137,138/udp|139,445/tcp"));

  private UfwApps() {}

  static Optional<String> ports(String app) {
    return Optional.ofNullable(PORTS.get(app));
  }
}
