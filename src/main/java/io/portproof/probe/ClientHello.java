package io.portproof.probe;

import com.google.common.io.ByteArrayDataOutput;
import com.google.common.io.ByteStreams;
import com.google.common.net.InetAddresses;
import com.google.common.primitives.Bytes;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;

/**
 * Builds ClientHello records byte by byte (RFC 5246 7.4.1.2, RFC 8446 4.1.2), so that the JDK's own
 * disabled-algorithm settings can never hide what the server would accept from an old client.
 */
final class ClientHello {
  /** Offered in supported_groups: modern groups first, then FFDHE, then legacy curves. */
  static final int[] GROUPS = {
    0x001d, 0x0017, 0x0018, 0x0019, 0x001e, 0x001a, 0x001b, 0x001c, 0x0016, 0x0100, 0x0101, 0x0102,
    0x0103, 0x0104, 0x0001, 0x0002, 0x0003, 0x0004, 0x0005, 0x0006, 0x0007, 0x0008, 0x0009, 0x000a,
    0x000b, 0x000c, 0x000d, 0x000e, 0x000f, 0x0010, 0x0011, 0x0012, 0x0013, 0x0014, 0x0015
  };

  /** ECDSA, RSA-PSS, EdDSA, PKCS#1 and DSA with every hash, so no certificate type is ruled out. */
  private static final int[] SIGNATURE_ALGORITHMS = {
    0x0403, 0x0503, 0x0603, 0x0807, 0x0808, 0x0804, 0x0805, 0x0806, 0x0809, 0x080a, 0x080b, 0x0401,
    0x0501, 0x0601, 0x0303, 0x0301, 0x0302, 0x0203, 0x0201, 0x0202, 0x0402, 0x0502, 0x0602
  };

  private ClientHello() {}

  /**
   * One ClientHello record asking for exactly {@code version}.
   *
   * @param host SNI name; an IP literal sends no SNI (RFC 6066 3 forbids literals there)
   */
  static byte[] build(TlsVersion version, List<Integer> suites, String host) {
    ThreadLocalRandom random = ThreadLocalRandom.current();
    boolean tls13 = version == TlsVersion.TLS1_3;

    ByteArrayDataOutput ext = ByteStreams.newDataOutput();
    if (host != null && !InetAddresses.isUriInetAddress(host) && !InetAddresses.isInetAddress(host)) {
      byte[] name = host.getBytes(StandardCharsets.US_ASCII);
      extension(ext, 0x0000, u16(Bytes.concat(new byte[] {0}, u16(name))));
    }
    ByteArrayDataOutput groups = ByteStreams.newDataOutput();
    for (int g : GROUPS) {
      groups.writeShort(g);
    }
    extension(ext, 0x000a, u16(groups.toByteArray()));
    extension(ext, 0x000b, new byte[] {1, 0});
    ByteArrayDataOutput sigs = ByteStreams.newDataOutput();
    for (int s : SIGNATURE_ALGORITHMS) {
      sigs.writeShort(s);
    }
    extension(ext, 0x000d, u16(sigs.toByteArray()));
    extension(ext, 0x0017, new byte[0]);
    extension(ext, 0xff01, new byte[] {0});
    if (tls13) {
      extension(ext, 0x002b, new byte[] {2, 0x03, 0x04});
      extension(ext, 0x002d, new byte[] {1, 1});
      // An empty client_shares vector (RFC 8446 4.2.8) makes the server answer with a
      // HelloRetryRequest naming its version, suite and preferred group: everything we need, at
      // no signing or key-exchange cost to the server.
      extension(ext, 0x0033, new byte[] {0, 0});
    }

    ByteArrayDataOutput body = ByteStreams.newDataOutput();
    // TLS 1.3 hides in a TLS 1.2 hello and asks for itself in supported_versions (RFC 8446 4.1.2).
    body.writeShort(tls13 ? TlsVersion.TLS1_2.code : version.code);
    byte[] clientRandom = new byte[32];
    random.nextBytes(clientRandom);
    body.write(clientRandom);
    body.writeByte(0);
    ByteArrayDataOutput ids = ByteStreams.newDataOutput();
    for (int s : suites) {
      ids.writeShort(s);
    }
    body.write(u16(ids.toByteArray()));
    body.write(new byte[] {1, 0});
    body.write(u16(ext.toByteArray()));

    byte[] b = body.toByteArray();
    ByteArrayDataOutput record = ByteStreams.newDataOutput();
    record.writeByte(22);
    // Record version 3.1 for every TLS hello; some stacks drop a first record that says 3.3.
    record.writeShort(version == TlsVersion.SSL3 ? TlsVersion.SSL3.code : TlsVersion.TLS1.code);
    record.writeShort(b.length + 4);
    record.writeByte(1);
    record.writeByte(b.length >>> 16);
    record.writeShort(b.length & 0xffff);
    record.write(b);
    return record.toByteArray();
  }

  private static void extension(ByteArrayDataOutput out, int type, byte[] data) {
    out.writeShort(type);
    out.write(u16(data));
  }

  private static byte[] u16(byte[] data) {
    byte[] out = new byte[data.length + 2];
    out[0] = (byte) (data.length >>> 8);
    out[1] = (byte) data.length;
    System.arraycopy(data, 0, out, 2, data.length);
    return out;
  }
}
