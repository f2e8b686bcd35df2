package io.portproof.probe;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Self-signed RSA 2048 and ECDSA P-256 certificates for portproof.test, localhost and 127.0.0.1,
 * plus RFC 7919 ffdhe2048 DH parameters, made once per JVM by the real openssl and deleted at exit.
 */
final class TestCerts {
  static final String HOST = "portproof.test";

  private static TestCerts instance;

  final Path dir;
  final Path rsaCert;
  final Path rsaKey;
  final Path ecCert;
  final Path ecKey;
  final Path dhParams;
  /** The RSA pair as PKCS#12 (password {@link #P12_PASSWORD}) for JDK TLS servers. */
  final Path rsaP12;

  static final String P12_PASSWORD = "portproof";

  private TestCerts(Path dir) {
    this.dir = dir;
    this.rsaCert = dir.resolve("rsa.crt");
    this.rsaKey = dir.resolve("rsa.key");
    this.ecCert = dir.resolve("ec.crt");
    this.ecKey = dir.resolve("ec.key");
    this.dhParams = dir.resolve("dh.pem");
    this.rsaP12 = dir.resolve("rsa.p12");
  }

  static synchronized TestCerts get() {
    if (instance == null) {
      Env.requireTool("openssl");
      try {
        Path dir = Files.createTempDirectory("portproof-certs");
        Runtime.getRuntime().addShutdownHook(new Thread(() -> Nginx.deleteTree(dir)));
        TestCerts c = new TestCerts(dir);
        String san = "subjectAltName=DNS:" + HOST + ",DNS:localhost,IP:127.0.0.1";
        Env.run(60, "openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "30",
            "-subj", "/CN=" + HOST, "-addext", san,
            "-keyout", c.rsaKey.toString(), "-out", c.rsaCert.toString());
        Env.run(60, "openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt",
            "ec_paramgen_curve:prime256v1", "-nodes", "-days", "30", "-subj", "/CN=" + HOST,
            "-addext", san, "-keyout", c.ecKey.toString(), "-out", c.ecCert.toString());
        Env.run(60, "openssl", "genpkey", "-genparam", "-algorithm", "DH", "-pkeyopt",
            "group:ffdhe2048", "-out", c.dhParams.toString());
        Env.run(60, "openssl", "pkcs12", "-export", "-in", c.rsaCert.toString(), "-inkey",
            c.rsaKey.toString(), "-out", c.rsaP12.toString(), "-passout", "pass:" + P12_PASSWORD);
        instance = c;
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new IllegalStateException(e);
      }
    }
    return instance;
  }
}
