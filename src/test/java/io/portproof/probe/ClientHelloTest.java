package io.portproof.probe;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The hello's layout, read back field by field as RFC 5246 7.4.1.2 and RFC 8446 4.1.2 lay it out. */
class ClientHelloTest {
  private record Parsed(int recordVersion, int clientVersion, List<Integer> suites, Map<Integer, byte[]> extensions) {}

  private static Parsed parse(byte[] record) {
    ByteBuffer b = ByteBuffer.wrap(record);
    assertThat(b.get()).isEqualTo((byte) 22);
    int recordVersion = b.getShort() & 0xffff;
    assertThat(b.getShort() & 0xffff).isEqualTo(record.length - 5);
    assertThat(b.get()).isEqualTo((byte) 1);
    int bodyLength = ((b.get() & 0xff) << 16) | (b.getShort() & 0xffff);
    assertThat(bodyLength).isEqualTo(record.length - 9);
    int clientVersion = b.getShort() & 0xffff;
    b.position(b.position() + 32);
    int sessionIdLength = b.get() & 0xff;
    b.position(b.position() + sessionIdLength);
    int suitesLength = b.getShort() & 0xffff;
    List<Integer> suites = new ArrayList<>();
    for (int i = 0; i < suitesLength / 2; i++) {
      suites.add(b.getShort() & 0xffff);
    }
    assertThat(b.get()).isEqualTo((byte) 1);
    assertThat(b.get()).isEqualTo((byte) 0);
    int end = (b.getShort() & 0xffff) + b.position();
    assertThat(end).isEqualTo(record.length);
    Map<Integer, byte[]> ext = new LinkedHashMap<>();
    while (b.position() < end) {
      int type = b.getShort() & 0xffff;
      byte[] data = new byte[b.getShort() & 0xffff];
      b.get(data);
      ext.put(type, data);
    }
    return new Parsed(recordVersion, clientVersion, suites, ext);
  }

  @Test
  void tls13HidesInA12HelloAndAsksForAGroupChoice() {
    Parsed p = parse(ClientHello.build(TlsVersion.TLS1_3, List.of(0x1301, 0x1302), "example.org"));
    assertThat(p.recordVersion()).isEqualTo(0x0301);
    assertThat(p.clientVersion()).isEqualTo(0x0303);
    assertThat(p.suites()).containsExactly(0x1301, 0x1302);
    assertThat(p.extensions().get(0x002b)).containsExactly(2, 3, 4);
    assertThat(p.extensions().get(0x0033)).containsExactly(0, 0);
    byte[] sni = p.extensions().get(0x0000);
    assertThat(new String(sni, 5, sni.length - 5, StandardCharsets.US_ASCII)).isEqualTo("example.org");
  }

  @Test
  void olderVersionsSayTheirVersionAndOfferNoTls13Extensions() {
    Parsed p = parse(ClientHello.build(TlsVersion.TLS1_1, List.of(0x002f), "example.org"));
    assertThat(p.clientVersion()).isEqualTo(0x0302);
    assertThat(p.extensions()).doesNotContainKeys(0x002b, 0x0033).containsKeys(0x000a, 0x000b, 0x000d);
    assertThat(parse(ClientHello.build(TlsVersion.SSL3, List.of(0x002f), "x.org")).recordVersion())
        .isEqualTo(0x0300);
  }

  @Test
  void ipLiteralsGetNoSni() {
    assertThat(parse(ClientHello.build(TlsVersion.TLS1_2, List.of(0x002f), "127.0.0.1")).extensions())
        .doesNotContainKey(0x0000);
    assertThat(parse(ClientHello.build(TlsVersion.TLS1_2, List.of(0x002f), "::1")).extensions())
        .doesNotContainKey(0x0000);
  }
}
