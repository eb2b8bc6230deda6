package io.qraft.api;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.qraft.api.log.v1.PolicyDef;
import java.util.Map;
import org.junit.jupiter.api.Test;

class PolicyTest {
  private static final PolicyDefinition LOCAL = PolicyDefinition.parse(Map.of("ack-mode", "local"));

  @Test
  void thePatternIsFoundAnywhereInTheNameUnlessAnchored() {
    Policy anywhere = new Policy("p", "important", "queues", 0, LOCAL);
    Policy anchored = new Policy("p", "^important\\.", "queues", 0, LOCAL);

    assertThat(anywhere.matches("very-important-q")).isTrue();
    assertThat(anchored.matches("important.orders")).isTrue();
    assertThat(anchored.matches("very.important.orders")).isFalse();
    assertThat(anchored.matches("importantXorders")).isFalse();
  }

  @Test
  void anInvalidRegexIsRefusedWithWhereItBreaks() {
    assertThatThrownBy(() -> new Policy("p", "orders(", "queues", 0, LOCAL))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContainingAll("pattern 'orders('", "is not a regular expression this cluster matches",
            "missing closing )");
  }

  @Test
  void aPolicyNeedsANameAndAppliesToQueuesOnly() {
    assertThatThrownBy(() -> new Policy(" ", ".*", "queues", 0, LOCAL)).hasMessageContaining("needs a name");
    assertThatThrownBy(() -> new Policy("p", ".*", "exchanges", 0, LOCAL))
        .hasMessageContainingAll("queues only", "'exchanges'");
  }

  @Test
  void theStoredFormRoundTrips() {
    Policy p = new Policy("ha-two", "^important\\.", "queues", 10,
        PolicyDefinition.parse(Map.of("ha-mode", "exactly", "ha-params", 2)));
    PolicyDef def = p.toDef();

    assertThat(def.getDefinitionMap()).containsEntry("ha-mode", "exactly").containsEntry("ha-params", "2");
    assertThat(Policy.fromDef(def).toDef()).isEqualTo(def);
    assertThatThrownBy(() -> Policy.fromDef(def.toBuilder().putDefinition("colour", "blue").build()))
        .hasMessageContaining("unknown policy key 'colour'");
  }
}
