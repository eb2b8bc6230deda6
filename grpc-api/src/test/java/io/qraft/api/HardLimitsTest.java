package io.qraft.api;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;

class HardLimitsTest {
  @Test
  void utf8BytesCountsWhatJavaWritesWithoutEncoding() {
    for (String s : List.of("", "plain", "é/ü", "日本語", "emoji 😀 pair", "lone \uD800 high", "lone \uDC00 low",
        "end \uD83D", "\u007F\u0080\u07FF\u0800\uFFFF")) {
      assertThat(HardLimits.utf8Bytes(s)).as(s).isEqualTo(s.getBytes(StandardCharsets.UTF_8).length);
    }
  }

  @Test
  void loneSurrogatesAreFoundAndPairsAreNot() {
    assertThat(HardLimits.hasLoneSurrogate("a😀b")).isFalse();
    assertThat(HardLimits.hasLoneSurrogate("a\uD83Db")).isTrue();
    assertThat(HardLimits.hasLoneSurrogate("\uDE00")).isTrue();
    assertThat(HardLimits.hasLoneSurrogate("end\uD83D")).isTrue();
  }
}
