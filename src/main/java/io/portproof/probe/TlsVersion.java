package io.portproof.probe;

/** Protocol versions the prober asks for, newest first, with the names nginx and the JDK use. */
enum TlsVersion {
  TLS1_3(0x0304, "TLSv1.3"),
  TLS1_2(0x0303, "TLSv1.2"),
  TLS1_1(0x0302, "TLSv1.1"),
  TLS1(0x0301, "TLSv1"),
  SSL3(0x0300, "SSLv3");

  final int code;
  final String label;

  TlsVersion(int code, String label) {
    this.code = code;
    this.label = label;
  }
}
