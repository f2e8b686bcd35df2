package io.portproof.probe;

import com.google.common.io.BaseEncoding;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

/**
 * What a server answered to one ClientHello: a ServerHello (and, up to TLS 1.2, the plaintext
 * Certificate and ServerKeyExchange after it), an alert, or something that is not TLS.
 *
 * @param hello the ServerHello or HelloRetryRequest, or null
 * @param alert the alert description received instead, or -1
 * @param certificates DER certificates from a TLS 1.2-or-older Certificate message, leaf first
 * @param keyExchange the ServerKeyExchange body, or null
 * @param failure why the answer is unusable (closed, garbage), or null
 */
record ServerFlight(
    ServerFlight.Hello hello,
    int alert,
    List<byte[]> certificates,
    byte[] keyExchange,
    String failure) {

  /**
   * A ServerHello.
   *
   * @param version the negotiated version: supported_versions when present, else legacy_version
   * @param cipher the chosen suite id
   * @param group the key_share group (TLS 1.3 ServerHello or HelloRetryRequest), or -1
   * @param retryRequest the server asked for another key share (still a choice of version and suite)
   */
  record Hello(int version, int cipher, int group, boolean retryRequest) {}

  /** SHA-256("HelloRetryRequest"), the random that marks an HRR (RFC 8446 4.1.3). */
  private static final byte[] HRR_RANDOM =
      BaseEncoding.base16()
          .decode("CF21AD74E59A6111BE1D8C021E65B891C2A211167ABB8C5E079E09E2C8A8339C");

  private static final int MAX_RECORD = 16384 + 2048;

  private static final Map<Integer, String> ALERTS =
      Map.ofEntries(
          Map.entry(0, "close_notify"),
          Map.entry(10, "unexpected_message"),
          Map.entry(20, "bad_record_mac"),
          Map.entry(40, "handshake_failure"),
          Map.entry(42, "bad_certificate"),
          Map.entry(47, "illegal_parameter"),
          Map.entry(50, "decode_error"),
          Map.entry(51, "decrypt_error"),
          Map.entry(70, "protocol_version"),
          Map.entry(71, "insufficient_security"),
          Map.entry(80, "internal_error"),
          Map.entry(86, "inappropriate_fallback"),
          Map.entry(109, "missing_extension"),
          Map.entry(110, "unsupported_extension"),
          Map.entry(112, "unrecognized_name"),
          Map.entry(120, "no_application_protocol"));

  ServerFlight {
    certificates = List.copyOf(certificates);
  }

  static String alertName(int description) {
    return ALERTS.getOrDefault(description, "alert " + description);
  }

  /** Short words for a transcript line. */
  String summary(CipherSuites suites) {
    if (hello != null) {
      return (hello.retryRequest ? "HelloRetryRequest " : "ServerHello ")
          + versionLabel(hello.version)
          + " "
          + suites.ianaName(hello.cipher)
          + (hello.group >= 0 ? " " + groupName(hello.group) : "");
    }
    if (alert >= 0) {
      return "alert " + alertName(alert);
    }
    return failure;
  }

  static String versionLabel(int code) {
    for (TlsVersion v : TlsVersion.values()) {
      if (v.code == code) {
        return v.label;
      }
    }
    return String.format("version 0x%04X", code);
  }

  /** IANA TLS Supported Groups names. */
  static String groupName(int group) {
    return switch (group) {
      case 0x0017 -> "secp256r1";
      case 0x0018 -> "secp384r1";
      case 0x0019 -> "secp521r1";
      case 0x001d -> "x25519";
      case 0x001e -> "x448";
      case 0x001a -> "brainpoolP256r1";
      case 0x001b -> "brainpoolP384r1";
      case 0x001c -> "brainpoolP512r1";
      case 0x0016 -> "secp256k1";
      case 0x0100 -> "ffdhe2048";
      case 0x0101 -> "ffdhe3072";
      case 0x0102 -> "ffdhe4096";
      case 0x0103 -> "ffdhe6144";
      case 0x0104 -> "ffdhe8192";
      default -> String.format("group-0x%04X", group);
    };
  }

  /**
   * Reads records until the answer is complete: an alert, a TLS 1.3 ServerHello (the rest is
   * encrypted), or, with {@code fullFlight}, ServerHelloDone; without it, the ServerHello. Bounded
   * by the socket's deadline and byte cap.
   */
  static ServerFlight read(InputStream raw, boolean fullFlight) throws IOException {
    DataInputStream in = new DataInputStream(raw);
    ByteArrayOutputStream handshake = new ByteArrayOutputStream();
    Hello hello = null;
    List<byte[]> certs = new ArrayList<>();
    byte[] ske = null;
    byte[] header = new byte[5];
    while (true) {
      try {
        in.readFully(header);
      } catch (EOFException e) {
        return new ServerFlight(
            hello, -1, certs, ske, hello == null ? "connection closed without an answer" : null);
      }
      int type = header[0] & 0xff;
      int major = header[1] & 0xff;
      int length = ((header[3] & 0xff) << 8) | (header[4] & 0xff);
      if (type < 20 || type > 23 || major != 3 || length > MAX_RECORD) {
        return new ServerFlight(
            hello, -1, certs, ske, "not TLS: first bytes " + BaseEncoding.base16().encode(header));
      }
      byte[] payload = new byte[length];
      in.readFully(payload);
      if (type == 21) {
        return new ServerFlight(hello, payload.length >= 2 ? payload[1] & 0xff : 0, certs, ske, null);
      }
      if (type != 22) {
        continue;
      }
      handshake.write(payload);
      ByteBuffer buf = ByteBuffer.wrap(handshake.toByteArray());
      while (buf.remaining() >= 4) {
        int msgType = buf.get(buf.position()) & 0xff;
        int msgLen = buf.getInt(buf.position()) & 0xffffff;
        if (buf.remaining() < 4 + msgLen) {
          break;
        }
        buf.position(buf.position() + 4);
        ByteBuffer body = buf.slice();
        body.limit(msgLen);
        buf.position(buf.position() + msgLen);
        switch (msgType) {
          case 2 -> {
            hello = parseHello(body);
            if (!fullFlight || hello.retryRequest || hello.version == TlsVersion.TLS1_3.code) {
              return new ServerFlight(hello, -1, certs, ske, null);
            }
          }
          case 11 -> certs = parseCertificates(body);
          case 12 -> {
            ske = new byte[body.remaining()];
            body.get(ske);
          }
          case 14 -> {
            return new ServerFlight(hello, -1, certs, ske, null);
          }
          default -> {
            // CertificateRequest, CertificateStatus: not needed to judge the server.
          }
        }
      }
      byte[] rest = new byte[buf.remaining()];
      buf.get(rest);
      handshake.reset();
      handshake.write(rest);
    }
  }

  private static Hello parseHello(ByteBuffer b) {
    int legacyVersion = b.getShort() & 0xffff;
    byte[] random = new byte[32];
    b.get(random);
    int sessionIdLength = b.get() & 0xff;
    b.position(b.position() + sessionIdLength);
    int cipher = b.getShort() & 0xffff;
    b.get();
    int version = legacyVersion;
    int group = -1;
    boolean hrr = Arrays.equals(random, HRR_RANDOM);
    if (b.remaining() >= 2) {
      int end = (b.getShort() & 0xffff) + b.position();
      while (b.position() + 4 <= end) {
        int type = b.getShort() & 0xffff;
        int len = b.getShort() & 0xffff;
        int next = b.position() + len;
        if (type == 0x002b && len >= 2) {
          version = b.getShort() & 0xffff;
        } else if (type == 0x0033 && len >= 2) {
          group = b.getShort() & 0xffff;
        }
        b.position(next);
      }
    }
    return new Hello(version, cipher, group, hrr);
  }

  private static List<byte[]> parseCertificates(ByteBuffer b) {
    List<byte[]> certs = new ArrayList<>();
    int end = u24(b) + b.position();
    while (b.position() + 3 <= end) {
      byte[] der = new byte[u24(b)];
      b.get(der);
      certs.add(der);
    }
    return certs;
  }

  private static int u24(ByteBuffer b) {
    return ((b.get() & 0xff) << 16) | ((b.get() & 0xff) << 8) | (b.get() & 0xff);
  }

  /**
   * The key-exchange group a TLS 1.2-or-older ServerKeyExchange commits to: the named curve for
   * ECDHE (RFC 8422 5.4), or the prime's size for DHE, or null when it says neither.
   */
  static String keyExchangeGroup(byte[] ske, boolean ecdhe) {
    if (ske == null || ske.length < 3) {
      return null;
    }
    if (ecdhe) {
      return ske[0] == 3 ? groupName(((ske[1] & 0xff) << 8) | (ske[2] & 0xff)) : null;
    }
    int pLength = ((ske[0] & 0xff) << 8) | (ske[1] & 0xff);
    int offset = 2;
    // A leading zero byte keeps a big-endian prime positive; it adds no bits.
    while (offset < 2 + pLength && offset < ske.length && ske[offset] == 0) {
      offset++;
    }
    return "DH-" + (pLength - (offset - 2)) * 8;
  }
}
