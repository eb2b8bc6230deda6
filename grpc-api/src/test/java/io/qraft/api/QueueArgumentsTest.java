package io.qraft.api;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(30)
class QueueArgumentsTest {
  @Test
  void noArgumentsNormaliseToNoArgumentsSoThatPoliciesCanSetEveryKey() {
    Map<String, String> normalised = QueueArguments.normalise(Map.of());
    assertThat(normalised).isEmpty();
    assertThat(QueueArguments.dedicated(normalised)).isFalse();
  }

  @Test
  void spellingADefaultOutKeepsItAsAnArgumentThatPinsIt() {
    assertThat(QueueArguments.normalise(Map.of("ack-mode", " quorum ", "queue-log", "shared")))
        .containsExactly(Map.entry("ack-mode", "quorum"), Map.entry("queue-log", "shared"));
  }

  @Test
  void givenValuesReplaceTheDefaultsAndAreTrimmed() {
    Map<String, String> normalised = QueueArguments.normalise(Map.of("ack-mode", " local ", "queue-log", "dedicated",
        "batch-size", " 42 ", "batch-linger-ms", "007"));
    assertThat(normalised).containsExactly(
        Map.entry("ack-mode", "local"),
        Map.entry("batch-linger-ms", "7"),
        Map.entry("batch-size", "42"),
        Map.entry("queue-log", "dedicated"));
    assertThat(QueueArguments.dedicated(normalised)).isTrue();
  }

  @Test
  void anUnknownKeyIsNamedWithTheListOfKnownKeys() {
    assertThatThrownBy(() -> QueueArguments.normalise(Map.of("ack_mode", "local")))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("'ack_mode'")
        .hasMessageContaining("[ack-mode, batch-bytes, batch-linger-ms, batch-size, queue-log]");
  }

  @Test
  void aBadEnumValueIsNamedWithTheAllowedValues() {
    assertThatThrownBy(() -> QueueArguments.normalise(Map.of("ack-mode", "fast")))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("'ack-mode'").hasMessageContaining("'fast'").hasMessageContaining("[local, quorum]");
    assertThatThrownBy(() -> QueueArguments.normalise(Map.of("queue-log", "Shared")))
        .hasMessageContaining("'queue-log'").hasMessageContaining("[dedicated, shared]");
    assertThatThrownBy(() -> QueueArguments.normalise(Map.of("queue-log", "")))
        .hasMessageContaining("'queue-log'");
  }

  @Test
  void batchSizeAcceptsOneToOneHundredThousand() {
    assertThat(QueueArguments.normalise(Map.of("batch-size", "1"))).containsEntry("batch-size", "1");
    assertThat(QueueArguments.normalise(Map.of("batch-size", "100000"))).containsEntry("batch-size", "100000");
    assertRefused("batch-size", "0", "between 1 and 100000");
    assertRefused("batch-size", "100001", "between 1 and 100000");
    assertRefused("batch-size", "-5", "between 1 and 100000");
  }

  @Test
  void batchBytesAcceptsOneByteToSixtyFourMebibytes() {
    assertThat(QueueArguments.normalise(Map.of("batch-bytes", "67108864"))).containsEntry("batch-bytes", "67108864");
    assertThat(QueueArguments.normalise(Map.of("batch-bytes", "1"))).containsEntry("batch-bytes", "1");
    assertRefused("batch-bytes", "0", "between 1 and 67108864");
    assertRefused("batch-bytes", "67108865", "between 1 and 67108864");
  }

  @Test
  void batchLingerAcceptsZeroToOneSecond() {
    assertThat(QueueArguments.normalise(Map.of("batch-linger-ms", "0"))).containsEntry("batch-linger-ms", "0");
    assertThat(QueueArguments.normalise(Map.of("batch-linger-ms", "1000"))).containsEntry("batch-linger-ms", "1000");
    assertRefused("batch-linger-ms", "-1", "between 0 and 1000");
    assertRefused("batch-linger-ms", "1001", "between 0 and 1000");
  }

  @Test
  void numericArgumentsThatAreNotWholeNumbersAreRefusedNamingTheKey() {
    for (String key : new String[] {"batch-size", "batch-bytes", "batch-linger-ms"}) {
      for (String bad : new String[] {"ten", "1.5", "", "1e3", "99999999999999999999"}) {
        assertRefused(key, bad, "must be a whole number");
      }
    }
  }

  private static void assertRefused(String key, String value, String reason) {
    assertThatThrownBy(() -> QueueArguments.normalise(Map.of(key, value)))
        .as("%s=%s", key, value)
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("'" + key + "'")
        .hasMessageContaining(reason);
  }
}
