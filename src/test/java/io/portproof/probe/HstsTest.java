package io.portproof.probe;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class HstsTest {
  @Test
  void directivesAreCaseInsensitiveAndOrderFree() {
    assertThat(Hsts.parse("Preload; MAX-AGE=31536000 ; includeSubDomains"))
        .isEqualTo(new Hsts(31536000, true, true, "Preload; MAX-AGE=31536000 ; includeSubDomains"));
  }

  @Test
  void quotedMaxAgeIsAllowed() {
    assertThat(Hsts.parse("max-age=\"600\"").maxAge()).isEqualTo(600);
  }

  @Test
  void missingOrMalformedMaxAgeIsMinusOne() {
    assertThat(Hsts.parse("includeSubDomains").maxAge()).isEqualTo(-1);
    assertThat(Hsts.parse("max-age=soon").maxAge()).isEqualTo(-1);
    assertThat(Hsts.parse("max-age=").maxAge()).isEqualTo(-1);
  }

  @Test
  void zeroMeansForgetAndHugeStaysHuge() {
    assertThat(Hsts.parse("max-age=0").maxAge()).isZero();
    assertThat(Hsts.parse("max-age=99999999999999999999999").maxAge()).isEqualTo(Long.MAX_VALUE);
  }

  @Test
  void unknownDirectivesAreIgnored() {
    Hsts h = Hsts.parse("max-age=10; report-uri=\"https://x\"");
    assertThat(h.maxAge()).isEqualTo(10);
    assertThat(h.includeSubDomains()).isFalse();
    assertThat(h.preload()).isFalse();
  }
}
