package io.qraft.log;

import static io.qraft.log.PolicyMatcherTest.policy;
import static org.assertj.core.api.Assertions.assertThat;

import io.qraft.api.Policy;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class EffectivePolicyTest {
  private static final List<String> THREE = List.of("n1", "n2", "n3");
  private static final List<String> FIVE = List.of("n1", "n2", "n3", "n4", "n5");

  private static EffectivePolicy with(Map<String, ?> definition) {
    return EffectivePolicy.of(Map.of(), Optional.of(policy("p", ".*", 0, definition)));
  }

  @Test
  void withoutArgumentsOrPolicyEveryDefaultApplies() {
    EffectivePolicy none = EffectivePolicy.of("q", Map.of(), List.of());

    assertThat(none).isEqualTo(EffectivePolicy.none());
    assertThat(none.policyName()).isEmpty();
    assertThat(none.haMode()).isEmpty();
    assertThat(none.replicaCount(FIVE)).isEqualTo(3);
    assertThat(none.replicaCount(List.of("n1"))).isEqualTo(1);
    assertThat(none.ackMode()).isEqualTo("quorum");
    assertThat(none.localAcks()).isFalse();
    assertThat(none.leaderLocator()).isEqualTo("balanced");
    assertThat(none.dedicated()).isFalse();
    assertThat(none.syncMode()).isEqualTo("manual");
    assertThat(none.syncBatchSize()).isEqualTo(4096);
    assertThat(none.promoteOnShutdown()).isEqualTo("when-synced");
    assertThat(none.nodes()).isEmpty();
  }

  @Test
  void aDeclareArgumentWinsOverThePolicyForTheSameKey() {
    Policy local = policy("local", ".*", 0, Map.of("ack-mode", "local", "batch-size", 5));

    EffectivePolicy pinned = EffectivePolicy.of("q", Map.of("ack-mode", "quorum"), List.of(local));
    EffectivePolicy open = EffectivePolicy.of("q", Map.of(), List.of(local));

    assertThat(pinned.policyName()).isEqualTo("local");
    assertThat(pinned.ackMode()).isEqualTo("quorum");
    assertThat(pinned.settings()).containsExactly(Map.entry("ack-mode", "quorum"), Map.entry("batch-size", "5"));
    assertThat(open.ackMode()).isEqualTo("local");
    assertThat(open.localAcks()).isTrue();
  }

  @Test
  void replicaCountFollowsHaMode() {
    assertThat(with(Map.of("ha-mode", "all")).replicaCount(FIVE)).isEqualTo(5);
    assertThat(with(Map.of("ha-mode", "exactly", "ha-params", 2)).replicaCount(FIVE)).isEqualTo(2);
    assertThat(with(Map.of("ha-mode", "exactly", "ha-params", 7)).replicaCount(THREE)).isEqualTo(3);
    EffectivePolicy named = with(Map.of("ha-mode", "nodes", "ha-params", List.of("n3", "gone", "n1")));
    assertThat(named.nodes()).containsExactly("n3", "gone", "n1");
    assertThat(named.replicaCount(THREE)).as("only named nodes that are members count").isEqualTo(2);
    assertThat(named.haMode()).contains("nodes");
  }

  @Test
  void theOtherKeysAreReadFromThePolicy() {
    EffectivePolicy p = with(Map.of("queue-leader-locator", "client-local", "queue-log", "dedicated",
        "ha-sync-mode", "automatic", "ha-sync-batch-size", 100, "ha-promote-on-shutdown", "always"));

    assertThat(p.leaderLocator()).isEqualTo("client-local");
    assertThat(p.clientLocal()).isTrue();
    assertThat(p.dedicated()).isTrue();
    assertThat(p.syncMode()).isEqualTo("automatic");
    assertThat(p.syncBatchSize()).isEqualTo(100);
    assertThat(p.promoteOnShutdown()).isEqualTo("always");
  }

  @Test
  void batchLimitsComeFromArgumentsThenPolicyThenTheNode() {
    BatchLimits node = new BatchLimits(1000, 1 << 20, 0);
    Policy batching = policy("b", ".*", 0, Map.of("batch-size", 10, "batch-linger-ms", 5, "batch-bytes", 1 << 30 >> 4));

    BatchLimits fromPolicy = EffectivePolicy.of("q", Map.of(), List.of(batching)).batchLimits(node);
    BatchLimits fromArgument = EffectivePolicy.of("q", Map.of("batch-size", "3"), List.of(batching)).batchLimits(node);

    assertThat(fromPolicy).isEqualTo(new BatchLimits(10, 1 << 20, 5));
    assertThat(fromArgument.maxMessages()).isEqualTo(3);
    assertThat(EffectivePolicy.none().batchLimits(node)).isEqualTo(node);
  }

  @Test
  void replicaSettingsChangeWithTheReplicaKeysOnly() {
    EffectivePolicy two = with(Map.of("ha-mode", "exactly", "ha-params", 2));
    EffectivePolicy twoLocal = with(Map.of("ha-mode", "exactly", "ha-params", 2, "ack-mode", "local"));
    EffectivePolicy three = with(Map.of("ha-mode", "exactly", "ha-params", 3));
    EffectivePolicy twoDedicated = with(Map.of("ha-mode", "exactly", "ha-params", 2, "queue-log", "dedicated"));

    assertThat(twoLocal.replicaSettings()).isEqualTo(two.replicaSettings());
    assertThat(three.replicaSettings()).isNotEqualTo(two.replicaSettings());
    assertThat(twoDedicated.replicaSettings()).isNotEqualTo(two.replicaSettings());
    assertThat(EffectivePolicy.none().replicaSettings()).isNotEqualTo(two.replicaSettings());
  }
}
