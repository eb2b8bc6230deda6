package io.qraft.log;

import static org.assertj.core.api.Assertions.assertThat;

import io.qraft.api.log.v1.ClearPolicy;
import io.qraft.api.log.v1.MetaCommand;
import io.qraft.api.log.v1.MetaState;
import io.qraft.api.log.v1.PolicyDef;
import io.qraft.api.log.v1.QueueDef;
import io.qraft.api.log.v1.SetPolicy;
import io.qraft.statemachine.MetaMachine;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The cache of effective policies follows every change of the metadata's policies and of the queue. */
class EffectivePoliciesTest {
  private final MetaMachine meta = new MetaMachine();
  private final EffectivePolicies cache = new EffectivePolicies(meta);
  private static final QueueDef ORDERS = QueueDef.newBuilder().setName("orders").setGroup("g").build();

  private void set(String name, int priority, String ackMode) {
    meta.apply(MetaCommand.newBuilder().setSetPolicy(SetPolicy.newBuilder().setPolicy(PolicyDef.newBuilder()
        .setName(name).setPattern("^orders$").setApplyTo("queues").setPriority(priority)
        .putDefinition("ack-mode", ackMode))).build());
  }

  @Test
  void settingChangingAndClearingAPolicyShowsAtTheNextLookup() {
    assertThat(cache.of(ORDERS).ackMode()).isEqualTo("quorum");

    set("fast", 0, "local");
    assertThat(cache.of(ORDERS).ackMode()).isEqualTo("local");
    assertThat(cache.of(ORDERS).policyName()).isEqualTo("fast");

    set("safe", 5, "quorum");
    assertThat(cache.of(ORDERS).policyName()).isEqualTo("safe");

    meta.apply(MetaCommand.newBuilder().setClearPolicy(ClearPolicy.newBuilder().setName("safe")).build());
    assertThat(cache.of(ORDERS).policyName()).isEqualTo("fast");

    meta.load(MetaState.getDefaultInstance());
    assertThat(cache.of(ORDERS)).isEqualTo(EffectivePolicy.none());
  }

  @Test
  void aQueueRedeclaredWithOtherArgumentsIsLookedUpAgain() {
    set("fast", 0, "local");
    assertThat(cache.of(ORDERS).ackMode()).isEqualTo("local");

    QueueDef pinned = ORDERS.toBuilder().putAllArguments(Map.of("ack-mode", "quorum")).build();

    assertThat(cache.of(pinned).ackMode()).isEqualTo("quorum");
    assertThat(cache.of(ORDERS).ackMode()).isEqualTo("local");
  }

  @Test
  void anUnchangedQueueIsAnsweredFromTheCache() {
    set("fast", 0, "local");
    assertThat(cache.of(ORDERS)).isSameAs(cache.of(ORDERS));
  }

  @Test
  void aStoredPolicyThatNoLongerValidatesAppliesToNothingInsteadOfFailingEveryLookup() {
    PolicyDef lookahead = PolicyDef.newBuilder().setName("old").setPattern("^(?!tmp)").setApplyTo("queues")
        .putDefinition("ack-mode", "local").build();
    meta.load(MetaState.newBuilder().addPolicies(lookahead).build());
    assertThat(cache.of(ORDERS)).isEqualTo(EffectivePolicy.none());
    set("fast", 0, "local");
    assertThat(cache.of(ORDERS).policyName()).isEqualTo("fast");
  }
}
