package io.qraft.log;

import static org.assertj.core.api.Assertions.assertThat;

import io.qraft.api.Policy;
import io.qraft.api.PolicyDefinition;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class PolicyMatcherTest {

  static Policy policy(String name, String pattern, int priority, Map<String, ?> definition) {
    return new Policy(name, pattern, Policy.APPLY_TO_QUEUES, priority, PolicyDefinition.parse(definition));
  }

  private static final Policy ALL_LOW = policy("all-low", ".*", 0, Map.of("ack-mode", "local"));
  private static final Policy IMPORTANT = policy("important", "^important\\.", 10, Map.of("ha-mode", "all"));
  private static final Policy IMPORTANT_TOO = policy("also-important", "^important\\.", 10, Map.of("ha-mode", "all"));

  @Test
  void noMatchingPolicyMeansNone() {
    assertThat(PolicyMatcher.applying("orders", List.of(IMPORTANT))).isEmpty();
    assertThat(PolicyMatcher.applying("orders", List.of())).isEmpty();
  }

  @Test
  void theHighestPriorityWins() {
    assertThat(PolicyMatcher.applying("important.orders", List.of(ALL_LOW, IMPORTANT))).contains(IMPORTANT);
    assertThat(PolicyMatcher.applying("other", List.of(ALL_LOW, IMPORTANT))).contains(ALL_LOW);
  }

  @Test
  void ofEqualPrioritiesTheSmallestNameWinsWhateverTheOrder() {
    assertThat(PolicyMatcher.applying("important.x", List.of(IMPORTANT, IMPORTANT_TOO))).contains(IMPORTANT_TOO);
    assertThat(PolicyMatcher.applying("important.x", List.of(IMPORTANT_TOO, IMPORTANT))).contains(IMPORTANT_TOO);
  }

  @Test
  void aNegativePriorityLosesToZero() {
    Policy negative = policy("a-negative", ".*", -1, Map.of("ack-mode", "quorum"));
    assertThat(PolicyMatcher.applying("q", List.of(negative, ALL_LOW))).contains(ALL_LOW);
  }
}
