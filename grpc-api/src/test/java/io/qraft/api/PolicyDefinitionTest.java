package io.qraft.api;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.math.BigDecimal;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Policy definitions as JSON hands them over: what is accepted, normalised, and refused with what reason. */
class PolicyDefinitionTest {

  private static Map<String, Object> def(Object... keysAndValues) {
    Map<String, Object> m = new LinkedHashMap<>();
    for (int i = 0; i < keysAndValues.length; i += 2) {
      m.put((String) keysAndValues[i], keysAndValues[i + 1]);
    }
    return m;
  }

  private static void assertRefused(Map<String, Object> given, String... reasons) {
    assertThatThrownBy(() -> PolicyDefinition.parse(given)).as("%s", given)
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContainingAll(reasons);
  }

  @Test
  void everyKeyIsNormalisedToTextSortedByKey() {
    PolicyDefinition d = PolicyDefinition.parse(def("ha-mode", "exactly", "ha-params", new BigDecimal("2"),
        "ha-sync-mode", "automatic", "ha-sync-batch-size", "500", "ha-promote-on-shutdown", "always",
        "ack-mode", " local ", "batch-size", 10L, "batch-bytes", "4096", "batch-linger-ms", 5,
        "queue-leader-locator", "balanced", "queue-log", "dedicated"));

    assertThat(d.values()).containsExactly(
        Map.entry("ack-mode", "local"), Map.entry("batch-bytes", "4096"), Map.entry("batch-linger-ms", "5"),
        Map.entry("batch-size", "10"), Map.entry("ha-mode", "exactly"), Map.entry("ha-params", "2"),
        Map.entry("ha-promote-on-shutdown", "always"), Map.entry("ha-sync-batch-size", "500"),
        Map.entry("ha-sync-mode", "automatic"), Map.entry("queue-leader-locator", "balanced"),
        Map.entry("queue-log", "dedicated"));
    assertThat(d.typed()).containsEntry("ha-params", 2L).containsEntry("batch-size", 10L)
        .containsEntry("ack-mode", "local");
  }

  @Test
  void wholeNumbersAreAcceptedAsJsonNumbersOrStringsAndNothingElse() {
    assertThat(PolicyDefinition.parse(def("batch-size", "7")).values()).containsEntry("batch-size", "7");
    assertThat(PolicyDefinition.parse(def("batch-size", new BigDecimal("7.0"))).values()).containsEntry("batch-size", "7");
    assertRefused(def("batch-size", new BigDecimal("7.5")), "'batch-size'", "whole number", "7.5");
    assertRefused(def("batch-size", "7.5"), "'batch-size'", "whole number");
    assertRefused(def("batch-size", "seven"), "'batch-size'", "whole number", "\"seven\"");
    assertRefused(def("batch-size", true), "'batch-size'", "whole number");
    assertRefused(def("batch-size", List.of("7")), "'batch-size'", "whole number");
    assertRefused(def("batch-size", 0), "'batch-size'", "between 1 and 100000");
    assertRefused(def("batch-linger-ms", 1001), "'batch-linger-ms'", "between 0 and 1000");
    assertRefused(def("ha-sync-batch-size", 0), "'ha-sync-batch-size'", "between 1 and");
  }

  @Test
  void aKeyWithChoicesTakesOneOfThemAsAString() {
    assertRefused(def("ack-mode", "fast"), "'ack-mode'", "[local, quorum]", "\"fast\"");
    assertRefused(def("ha-sync-mode", 1), "'ha-sync-mode'", "[automatic, manual]");
    assertRefused(def("ha-promote-on-shutdown", "sometimes"), "[always, when-synced]");
    assertRefused(def("queue-leader-locator", "random"), "[balanced, client-local]");
    assertRefused(def("queue-log", null), "'queue-log'", "null");
    assertRefused(def("ha-mode", "some"), "'ha-mode'", "[all, exactly, nodes]");
  }

  @Test
  void theLimitsAreKeysWithTheRangesOfTheDeclareArguments() {
    PolicyDefinition d = PolicyDefinition.parse(def("message-ttl", 60_000, "expires", "1800000",
        "max-length", new BigDecimal("0"), "max-length-bytes", 1_000_000_000_000_000L, "overflow", "reject-publish",
        "delivery-limit", "20", "dead-letter-queue", "orders.dead", "consumer-timeout", 4_294_967_295L,
        "single-active-consumer", true));

    assertThat(d.values()).containsExactly(
        Map.entry("consumer-timeout", "4294967295"), Map.entry("dead-letter-queue", "orders.dead"),
        Map.entry("delivery-limit", "20"), Map.entry("expires", "1800000"), Map.entry("max-length", "0"),
        Map.entry("max-length-bytes", "1000000000000000"), Map.entry("message-ttl", "60000"),
        Map.entry("overflow", "reject-publish"), Map.entry("single-active-consumer", "true"));
    assertThat(d.typed()).containsEntry("message-ttl", 60_000L).containsEntry("max-length", 0L)
        .containsEntry("dead-letter-queue", "orders.dead").containsEntry("single-active-consumer", true)
        .containsEntry("overflow", "reject-publish");
    assertThat(PolicyDefinition.fromValues(d.values())).isEqualTo(d);
  }

  @Test
  void aBadLimitIsRefusedNamingTheKeyAndWhatItTakes() {
    for (String key : List.of("message-ttl", "expires", "consumer-timeout")) {
      assertRefused(def(key, 0), "'" + key + "'", "between 1 and 4294967295", "not 0");
      assertRefused(def(key, "4294967296"), "'" + key + "'", "between 1 and 4294967295");
      assertRefused(def(key, new BigDecimal("1.5")), "'" + key + "'", "whole number", "1.5");
    }
    assertRefused(def("max-length", -1), "'max-length'", "between 0 and 1000000000000");
    assertRefused(def("max-length-bytes", "lots"), "'max-length-bytes'", "whole number", "\"lots\"");
    assertRefused(def("delivery-limit", 1_000_001), "'delivery-limit'", "between 0 and 1000000");
    assertRefused(def("overflow", "reject-publish-dlx"), "'overflow'", "[drop-head, reject-publish]");
    assertRefused(def("single-active-consumer", "yes"), "'single-active-consumer'", "[false, true]");
    assertRefused(def("single-active-consumer", 1), "'single-active-consumer'", "[false, true]");
    assertRefused(def("dead-letter-queue", 7), "'dead-letter-queue'", "queue name as a string", "7");
    assertRefused(def("dead-letter-queue", List.of("a")), "'dead-letter-queue'", "queue name as a string");
    assertRefused(def("dead-letter-queue", ""), "'dead-letter-queue'", "queue name is empty");
    assertRefused(def("dead-letter-queue", "q".repeat(256)), "'dead-letter-queue'", "the most is 255");
  }

  @Test
  void singleActiveConsumerTakesAJsonBooleanOrItsWord() {
    assertThat(PolicyDefinition.parse(def("single-active-consumer", false)).values())
        .containsEntry("single-active-consumer", "false");
    assertThat(PolicyDefinition.parse(def("single-active-consumer", " true ")).typed())
        .containsEntry("single-active-consumer", true);
  }

  @Test
  void theRabbitMqSpellingIsADeclareArgumentNotAPolicyKey() {
    assertRefused(def("x-message-ttl", 1000), "unknown policy key 'x-message-ttl'");
  }

  @Test
  void anUnknownKeyIsRefusedNamingTheKnownKeys() {
    assertRefused(def("ha_mode", "all"), "unknown policy key 'ha_mode'", "known keys: [ack-mode, batch-bytes,",
        "ha-mode", "queue-log, single-active-consumer]");
  }

  @Test
  void anEmptyDefinitionIsRefused() {
    assertRefused(def(), "empty");
  }

  @Test
  void exactlyNeedsAPositiveCount() {
    assertRefused(def("ha-mode", "exactly"), "ha-mode exactly needs ha-params", "positive count");
    assertRefused(def("ha-mode", "exactly", "ha-params", 0), "'ha-params'", "between 1 and");
    assertRefused(def("ha-mode", "exactly", "ha-params", -2), "'ha-params'", "between 1 and");
    assertRefused(def("ha-mode", "exactly", "ha-params", List.of("n1")), "positive count", "a list [n1]");
    assertThat(PolicyDefinition.parse(def("ha-mode", "exactly", "ha-params", "3")).values())
        .containsEntry("ha-params", "3");
  }

  @Test
  void nodesNeedsAListOfNodeIdsKeptInOrderWithoutRepeats() {
    PolicyDefinition d = PolicyDefinition.parse(def("ha-mode", "nodes", "ha-params", List.of("n2", "n1", "n2")));
    assertThat(d.values()).containsEntry("ha-params", "n2,n1");
    assertThat(d.haNodes()).containsExactly("n2", "n1");
    assertThat(d.typed()).containsEntry("ha-params", List.of("n2", "n1"));

    assertRefused(def("ha-mode", "nodes"), "ha-mode nodes needs ha-params", "list of node ids");
    assertRefused(def("ha-mode", "nodes", "ha-params", List.of()), "non-empty list");
    assertRefused(def("ha-mode", "nodes", "ha-params", "n1"), "non-empty list", "\"n1\"");
    assertRefused(def("ha-mode", "nodes", "ha-params", List.of("n1", new BigDecimal(2))), "node ids", "2");
    assertRefused(def("ha-mode", "nodes", "ha-params", List.of("a,b")), "node ids");
  }

  @Test
  void haParamsAndHaModeGoTogether() {
    assertRefused(def("ha-params", 2), "ha-params needs ha-mode");
    assertRefused(def("ha-mode", "all", "ha-params", 2), "ha-mode all", "takes no ha-params");
    assertThat(PolicyDefinition.parse(def("ha-mode", "all")).values()).containsExactly(Map.entry("ha-mode", "all"));
  }

  @Test
  void aNodeListNamingNoMemberIsRefusedAndOneNamingSomeIsKept() {
    PolicyDefinition strangers = PolicyDefinition.parse(def("ha-mode", "nodes", "ha-params", List.of("x1", "x2")));
    assertThatThrownBy(() -> strangers.requireKnownNodes(List.of("n1", "n2", "n3")))
        .hasMessageContainingAll("[x1, x2]", "names no node of this cluster", "[n1, n2, n3]");

    PolicyDefinition some = PolicyDefinition.parse(def("ha-mode", "nodes", "ha-params", List.of("x1", "n2")));
    some.requireKnownNodes(List.of("n1", "n2", "n3"));
    PolicyDefinition.parse(def("ha-mode", "exactly", "ha-params", 2)).requireKnownNodes(List.of("n1"));
  }

  @Test
  void theStoredFormReadsBackToTheSameDefinition() {
    for (Map<String, Object> given : List.of(
        def("ha-mode", "nodes", "ha-params", List.of("n3", "n1"), "ack-mode", "local"),
        def("ha-mode", "exactly", "ha-params", 2, "batch-linger-ms", "0"),
        def("queue-log", "dedicated"))) {
      PolicyDefinition d = PolicyDefinition.parse(given);
      assertThat(PolicyDefinition.fromValues(d.values())).isEqualTo(d);
    }
    assertThatThrownBy(() -> PolicyDefinition.fromValues(Map.of("ha-mode", "exactly", "ha-params", "none")))
        .hasMessageContaining("'ha-params'");
  }
}
