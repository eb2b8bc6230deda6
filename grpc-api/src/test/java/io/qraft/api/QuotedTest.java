package io.qraft.api;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class QuotedTest {
  @Test
  void shortTextIsQuotedWhole() {
    assertThat(Quoted.of("colour")).isEqualTo("'colour'");
    assertThat(Quoted.json("fast")).isEqualTo("\"fast\"");
  }

  @Test
  void longTextIsCutAndSaysHowLongItWas() {
    assertThat(Quoted.of("x".repeat(100_000))).isEqualTo("'" + "x".repeat(64) + "…' (100000 characters)");
  }

  @Test
  void aCutNeverSplitsASurrogatePair() {
    String text = "x".repeat(63) + "😀" + "y".repeat(10);
    assertThat(Quoted.of(text)).startsWith("'" + "x".repeat(63) + "…'");
  }
}
