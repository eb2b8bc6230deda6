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
        .hasMessageContaining("[ack-mode, batch-bytes, batch-linger-ms, batch-size, consumer-timeout, "
            + "dead-letter-queue, delivery-limit, expires, max-length, max-length-bytes, message-ttl, overflow, "
            + "queue-log, single-active-consumer]");
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

  @Test
  void theLimitsAreNormalisedUnderTheirKeys() {
    Map<String, String> limits = new java.util.HashMap<>();
    limits.put("message-ttl", " 60000 ");
    limits.put("expires", "1800000");
    limits.put("max-length", "0");
    limits.put("max-length-bytes", "1000000000000000");
    limits.put("overflow", " reject-publish ");
    limits.put("delivery-limit", "0");
    limits.put("dead-letter-queue", "orders.dead");
    limits.put("consumer-timeout", "4294967295");
    limits.put("single-active-consumer", "true");

    assertThat(QueueArguments.normalise(limits)).containsExactly(
        Map.entry("consumer-timeout", "4294967295"),
        Map.entry("dead-letter-queue", "orders.dead"),
        Map.entry("delivery-limit", "0"),
        Map.entry("expires", "1800000"),
        Map.entry("max-length", "0"),
        Map.entry("max-length-bytes", "1000000000000000"),
        Map.entry("message-ttl", "60000"),
        Map.entry("overflow", "reject-publish"),
        Map.entry("single-active-consumer", "true"));
  }

  @Test
  void timeLimitsTakeOneMillisecondToRabbitMqsCeiling() {
    for (String key : new String[] {"message-ttl", "expires", "consumer-timeout"}) {
      assertThat(QueueArguments.normalise(Map.of(key, "1"))).containsEntry(key, "1");
      assertThat(QueueArguments.normalise(Map.of(key, "4294967295"))).containsEntry(key, "4294967295");
      assertRefused(key, "0", "between 1 and 4294967295");
      assertRefused(key, "4294967296", "between 1 and 4294967295");
      assertRefused(key, "-1", "between 1 and 4294967295");
      assertRefused(key, "1.5", "must be a whole number");
      assertRefused(key, "1m", "must be a whole number");
    }
  }

  @Test
  void lengthLimitsTakeZeroUpToTheirCeilings() {
    assertThat(QueueArguments.normalise(Map.of("max-length", "1000000000000")))
        .containsEntry("max-length", "1000000000000");
    assertRefused("max-length", "1000000000001", "between 0 and 1000000000000");
    assertRefused("max-length", "-1", "between 0 and 1000000000000");
    assertRefused("max-length", "many", "must be a whole number");
    assertThat(QueueArguments.normalise(Map.of("max-length-bytes", "0"))).containsEntry("max-length-bytes", "0");
    assertRefused("max-length-bytes", "1000000000000001", "between 0 and 1000000000000000");
    assertRefused("max-length-bytes", "1e6", "must be a whole number");
  }

  @Test
  void deliveryLimitTakesZeroForNoLimitUpToAMillion() {
    assertThat(QueueArguments.normalise(Map.of("delivery-limit", "1000000"))).containsEntry("delivery-limit", "1000000");
    assertThat(QueueArguments.normalise(Map.of("delivery-limit", "20"))).containsEntry("delivery-limit", "20");
    assertRefused("delivery-limit", "1000001", "between 0 and 1000000");
    assertRefused("delivery-limit", "-1", "between 0 and 1000000");
  }

  @Test
  void overflowAndSingleActiveConsumerTakeTheirWords() {
    assertThat(QueueArguments.normalise(Map.of("overflow", "drop-head"))).containsEntry("overflow", "drop-head");
    assertThat(QueueArguments.normalise(Map.of("single-active-consumer", " false")))
        .containsEntry("single-active-consumer", "false");
    assertRefused("overflow", "reject-publish-dlx", "[drop-head, reject-publish]");
    assertRefused("overflow", "", "[drop-head, reject-publish]");
    assertRefused("single-active-consumer", "yes", "[false, true]");
    assertRefused("single-active-consumer", "True", "[false, true]");
  }

  @Test
  void deadLetterQueueIsAQueueNameKeptAsGiven() {
    assertThat(QueueArguments.normalise(Map.of("dead-letter-queue", " orders dead ")))
        .containsEntry("dead-letter-queue", " orders dead ");
    assertRefused("dead-letter-queue", "", "queue name is empty");
    assertRefused("dead-letter-queue", "q".repeat(256), "the most is 255");
    assertRefused("dead-letter-queue", "bad\uD800", "not valid UTF-8");
  }

  @Test
  void rabbitMqSpellingsOfTheLimitsAreStoredUnderThePolicyKey() {
    Map<String, String> given = new java.util.HashMap<>();
    for (String key : QueueArguments.LIMIT_KEYS) {
      given.put("x-" + key, key.equals("overflow") ? "drop-head"
          : key.equals("single-active-consumer") ? "true"
          : key.equals("dead-letter-queue") ? "dlq" : "100");
    }

    Map<String, String> normalised = QueueArguments.normalise(given);

    assertThat(normalised.keySet()).containsExactlyInAnyOrderElementsOf(QueueArguments.LIMIT_KEYS);
    assertThat(normalised).containsEntry("max-length", "100").containsEntry("dead-letter-queue", "dlq");
    assertThat(QueueArguments.normalise(Map.of("x-message-ttl", "0060000", "ack-mode", "local")))
        .containsExactly(Map.entry("ack-mode", "local"), Map.entry("message-ttl", "60000"));
  }

  @Test
  void aRabbitMqSpellingIsValidatedAndNamedAsGiven() {
    assertRefused("x-max-length", "-1", "between 0 and 1000000000000");
    assertRefused("x-overflow", "reject-publish-dlx", "[drop-head, reject-publish]");
    assertRefused("x-dead-letter-queue", "", "queue name is empty");
  }

  @Test
  void bothSpellingsOfOneKeyAreRefusedEvenWhenTheyAgree() {
    assertThatThrownBy(() -> QueueArguments.normalise(Map.of("max-length", "10", "x-max-length", "10")))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("queue arguments 'max-length' and 'x-max-length' are one key; give one of them");
  }

  @Test
  void onlyTheLimitsHaveRabbitMqSpellings() {
    for (String key : new String[] {"x-ack-mode", "x-queue-log", "x-batch-size", "x-queue-type",
        "x-dead-letter-exchange"}) {
      assertThatThrownBy(() -> QueueArguments.normalise(Map.of(key, "1"))).as(key)
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessageContaining("unknown queue argument '" + key + "'");
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
