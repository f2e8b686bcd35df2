package io.portproof.probe;

import java.util.List;

/** nginx server blocks for the three Mozilla profiles, on given ports, with RSA and ECDSA certs. */
final class TlsProfiles {
  /** Mozilla "old" 5.x ciphers; OpenSSL 3 needs security level 0 for TLS 1.0/1.1 and SHA-1. */
  static final String OLD_CIPHERS =
      "ECDHE-ECDSA-AES128-GCM-SHA256:ECDHE-RSA-AES128-GCM-SHA256:ECDHE-ECDSA-AES256-GCM-SHA384:"
          + "ECDHE-RSA-AES256-GCM-SHA384:ECDHE-ECDSA-CHACHA20-POLY1305:ECDHE-RSA-CHACHA20-POLY1305:"
          + "DHE-RSA-AES128-GCM-SHA256:DHE-RSA-AES256-GCM-SHA384:DHE-RSA-CHACHA20-POLY1305:"
          + "ECDHE-ECDSA-AES128-SHA256:ECDHE-RSA-AES128-SHA256:ECDHE-ECDSA-AES128-SHA:"
          + "ECDHE-RSA-AES128-SHA:ECDHE-ECDSA-AES256-SHA384:ECDHE-RSA-AES256-SHA384:"
          + "ECDHE-ECDSA-AES256-SHA:ECDHE-RSA-AES256-SHA:DHE-RSA-AES128-SHA256:DHE-RSA-AES256-SHA256:"
          + "AES128-GCM-SHA256:AES256-GCM-SHA384:AES128-SHA256:AES256-SHA256:AES128-SHA:AES256-SHA:"
          + "DES-CBC3-SHA:@SECLEVEL=0";

  /** Mozilla "intermediate" 5.7/6.0. */
  static final String INTERMEDIATE_CIPHERS =
      "ECDHE-ECDSA-AES128-GCM-SHA256:ECDHE-RSA-AES128-GCM-SHA256:ECDHE-ECDSA-AES256-GCM-SHA384:"
          + "ECDHE-RSA-AES256-GCM-SHA384:ECDHE-ECDSA-CHACHA20-POLY1305:ECDHE-RSA-CHACHA20-POLY1305:"
          + "DHE-RSA-AES128-GCM-SHA256:DHE-RSA-AES256-GCM-SHA384:DHE-RSA-CHACHA20-POLY1305";

  private TlsProfiles() {}

  static String old(int port, TestCerts c) {
    return server(List.of(port), c, "TLSv1 TLSv1.1 TLSv1.2", OLD_CIPHERS, "on", "");
  }

  static String intermediate(int port, TestCerts c) {
    return server(List.of(port), c, "TLSv1.2 TLSv1.3", INTERMEDIATE_CIPHERS, "off", "");
  }

  static String modern(int port, TestCerts c) {
    return server(List.of(port), c, "TLSv1.3", null, "off", "");
  }

  static String server(
      List<Integer> ports,
      TestCerts c,
      String protocols,
      String ciphers,
      String preferServer,
      String extra) {
    StringBuilder listen = new StringBuilder();
    for (int port : ports) {
      listen.append("  listen 127.0.0.1:").append(port).append(" ssl;\n");
    }
    return "server {\n"
        + listen
        + "  server_name " + TestCerts.HOST + ";\n"
        + "  ssl_certificate " + c.rsaCert + ";\n"
        + "  ssl_certificate_key " + c.rsaKey + ";\n"
        + "  ssl_certificate " + c.ecCert + ";\n"
        + "  ssl_certificate_key " + c.ecKey + ";\n"
        + "  ssl_dhparam " + c.dhParams + ";\n"
        + "  ssl_protocols " + protocols + ";\n"
        + (ciphers == null ? "" : "  ssl_ciphers '" + ciphers + "';\n")
        + "  ssl_prefer_server_ciphers " + preferServer + ";\n"
        // As Mozilla's generator writes it: a shared session cache and no tickets.
        + "  ssl_session_cache shared:MozSSL:10m;\n"
        + "  ssl_session_timeout 1d;\n"
        + "  ssl_session_tickets off;\n"
        + extra
        + "  location / { return 200 \"ok\\n\"; }\n"
        + "}\n";
  }
}
