package io.qraft.log;

import static io.qraft.log.PolicyMatcherTest.policy;
import static org.assertj.core.api.Assertions.assertThat;

import io.qraft.api.Policy;
import io.qraft.api.log.v1.QueueLimits;
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

  @Test
  void aQueueThatNothingLimitsKeepsItsMessagesAndGetsBackWhatAConsumerHoldsForHalfAnHour() {
    QueueLimits limits = EffectivePolicy.none().limits();

    assertThat(limits.getMessageTtlMs()).as("no TTL").isZero();
    assertThat(limits.hasMaxLength()).as("no length limit").isFalse();
    assertThat(limits.hasMaxLengthBytes()).isFalse();
    assertThat(limits.getOverflow()).isEqualTo(QueueLimits.Overflow.DROP_HEAD);
    assertThat(limits.getDeliveryLimit()).as("no delivery limit").isZero();
    assertThat(limits.getDeadLetterQueue()).isEmpty();
    assertThat(limits.getConsumerTimeoutMs()).isEqualTo(1_800_000);
    assertThat(limits.getSingleActiveConsumer()).isFalse();
    assertThat(limits.getExpiresMs()).as("never expires").isZero();
  }

  @Test
  void everyLimitKeyOfThePolicyReachesTheLimits() {
    QueueLimits limits = with(Map.of("message-ttl", 60_000, "expires", 3_600_000, "max-length", 1000,
        "max-length-bytes", 1 << 20, "overflow", "reject-publish", "delivery-limit", 5,
        "dead-letter-queue", "orders.dead", "consumer-timeout", 10_000, "single-active-consumer", true)).limits();

    assertThat(limits).isEqualTo(QueueLimits.newBuilder().setMessageTtlMs(60_000).setExpiresMs(3_600_000)
        .setMaxLength(1000).setMaxLengthBytes(1 << 20).setOverflow(QueueLimits.Overflow.REJECT_PUBLISH)
        .setDeliveryLimit(5).setDeadLetterQueue("orders.dead").setConsumerTimeoutMs(10_000)
        .setSingleActiveConsumer(true).build());
  }

  @Test
  void aLengthLimitOfZeroIsALimit() {
    QueueLimits limits = with(Map.of("max-length", 0, "max-length-bytes", 0)).limits();

    assertThat(limits.hasMaxLength()).isTrue();
    assertThat(limits.getMaxLength()).isZero();
    assertThat(limits.hasMaxLengthBytes()).isTrue();
  }

  @Test
  void aDeclareArgumentLiftsOrTightensThePolicysLimits() {
    Policy strict = policy("strict", ".*", 0, Map.of("delivery-limit", 20, "max-length", 100,
        "single-active-consumer", true, "dead-letter-queue", "dlq"));

    QueueLimits lifted = EffectivePolicy.of("q", Map.of("delivery-limit", "0", "single-active-consumer", "false"),
        List.of(strict)).limits();
    QueueLimits tightened = EffectivePolicy.of("q", Map.of("max-length", "10", "dead-letter-queue", "q.dead"),
        List.of(strict)).limits();

    assertThat(lifted.getDeliveryLimit()).isZero();
    assertThat(lifted.getSingleActiveConsumer()).isFalse();
    assertThat(lifted.getMaxLength()).isEqualTo(100);
    assertThat(tightened.getMaxLength()).isEqualTo(10);
    assertThat(tightened.getDeadLetterQueue()).isEqualTo("q.dead");
    assertThat(tightened.getDeliveryLimit()).isEqualTo(20);
  }

  @Test
  void rabbitMqSpellingsOfDeclareArgumentsCountAsThePolicyKeys() {
    Policy ttl = policy("ttl", ".*", 0, Map.of("message-ttl", 1000));
    Map<String, String> arguments = io.qraft.api.QueueArguments.normalise(Map.of("x-message-ttl", "5000"));

    assertThat(EffectivePolicy.of("q", arguments, List.of(ttl)).limits().getMessageTtlMs()).isEqualTo(5000);
  }

  @Test
  void aQueueThatRefusesPublishesPastItsLengthAcksByQuorumWhateverItAsks() {
    Policy local = policy("local", ".*", 0, Map.of("ack-mode", "local"));

    EffectivePolicy refusing = EffectivePolicy.of("q", Map.of("overflow", "reject-publish", "max-length", "10"),
        List.of(local));
    EffectivePolicy dropping = EffectivePolicy.of("q", Map.of("max-length", "10"), List.of(local));

    assertThat(refusing.localAcks()).as("a local ack would confirm what the shard may refuse").isFalse();
    assertThat(dropping.localAcks()).isTrue();
  }
}
