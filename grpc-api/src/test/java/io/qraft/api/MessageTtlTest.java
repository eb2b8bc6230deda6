package io.qraft.api;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(30)
class MessageTtlTest {

  @Test
  void wholeNumbersFromZeroTo2To32Minus1AreMilliseconds() {
    assertThat(MessageTtl.millis("0")).isZero();
    assertThat(MessageTtl.millis("60000")).isEqualTo(60_000);
    assertThat(MessageTtl.millis("007")).isEqualTo(7);
    assertThat(MessageTtl.millis("4294967295")).isEqualTo(4_294_967_295L);
  }

  @Test
  void anythingElseIsNotATtl() {
    for (String bad : new String[] {"", "4294967296", "99999999999999999999999999", "-1", "+5", " 5", "5 ",
        "1.5", "1e3", "60s", "0x10", "\u0665"}) {
      assertThat(MessageTtl.millis(bad)).as("'%s'", bad).isEqualTo(-1);
    }
  }

  @Test
  void aBadHeaderIsRefusedNamingTheMessageAndTheHeader() {
    assertThat(MessageTtl.problem(3, Map.of("ttl-ms", "soon")))
        .startsWith("message 3 has header 'ttl-ms' 'soon'")
        .contains("0 to 4294967295");
    assertThat(MessageTtl.problem(0, Map.of("ttl-ms", "9".repeat(10_000))))
        .hasSizeLessThan(300);
  }

  @Test
  void noHeaderOrAGoodOneIsNoProblem() {
    assertThat(MessageTtl.problem(0, Map.of())).isNull();
    assertThat(MessageTtl.problem(0, Map.of("TTL-MS", "soon", "other", "x"))).isNull();
    assertThat(MessageTtl.problem(1, Map.of("ttl-ms", "1000"))).isNull();
  }
}
