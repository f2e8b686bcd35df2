package io.portproof.probe;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.HashSet;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

class CipherSuitesTest {
  private final CipherSuites suites = CipherSuites.standard();

  @Test
  void idsAndIanaNamesAreUniqueAndSignallingValuesAreNotSuites() {
    Set<Integer> ids = new HashSet<>();
    Set<String> names = new HashSet<>();
    for (CipherSuites.CipherSuite s : suites.all()) {
      assertThat(ids.add(s.id())).as("duplicate id %04X", s.id()).isTrue();
      assertThat(names.add(s.ianaName())).as("duplicate name %s", s.ianaName()).isTrue();
    }
    assertThat(suites.byId(0x00FF)).isEmpty();
    assertThat(suites.byId(0x5600)).isEmpty();
    assertThat(suites.byId(0x0000)).isEmpty();
    assertThat(suites.all()).filteredOn(CipherSuites.CipherSuite::tls13).hasSize(5);
  }

  @Test
  void ianaNameFallsBackToHex() {
    assertThat(suites.ianaName(0xC02F)).isEqualTo("TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256");
    assertThat(suites.ianaName(0xFAFA)).isEqualTo("0xFAFA");
  }

  /** Every suite the local OpenSSL knows has the same id and both names in the table. */
  @Test
  void agreesWithTheLocalOpenSsl() throws Exception {
    Env.requireTool("openssl");
    String listing =
        Env.run(30, "openssl", "ciphers", "-V", "-stdname", "ALL:COMPLEMENTOFALL:@SECLEVEL=0");
    Matcher m =
        Pattern.compile("0x([0-9A-F]{2}),0x([0-9A-F]{2}) - (\\S+)\\s+- (\\S+)").matcher(listing);
    int checked = 0;
    while (m.find()) {
      int id = Integer.parseInt(m.group(1) + m.group(2), 16);
      CipherSuites.CipherSuite s = suites.byId(id).orElseThrow(() -> new AssertionError(m.group()));
      assertThat(s.ianaName()).isEqualTo(m.group(3));
      assertThat(s.openSslName()).isEqualTo(m.group(4));
      assertThat(suites.byOpenSslName(m.group(4))).contains(s);
      checked++;
    }
    assertThat(checked).isGreaterThan(100);
  }
}
