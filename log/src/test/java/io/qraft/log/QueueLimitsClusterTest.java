package io.qraft.log;

import static io.qraft.log.InProcessCluster.EVENTUALLY;
import static io.qraft.log.PolicyMatcherTest.policy;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.google.protobuf.ByteString;
import io.qraft.api.log.v1.PublishResult;
import io.qraft.api.log.v1.QueueDef;
import io.qraft.api.log.v1.QueueLimits;
import io.qraft.api.log.v1.QueuePublish;
import io.qraft.api.log.v1.QueueRecord;
import io.qraft.api.log.v1.Settle;
import io.qraft.api.log.v1.ShardCommand;
import io.qraft.api.log.v1.ShardResult;
import io.qraft.api.v1.Delivery;
import io.qraft.api.v1.Message;
import io.qraft.statemachine.ShardStateMachine;
import io.qraft.statemachine.Status;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.apache.ratis.protocol.RaftGroupId;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The queue limits as the node runs them, on three replicated logs in one JVM: the keeper's
 * SetLimits (a policy applies live), its ticks (an idle queue expires its messages, an unused
 * queue is deleted), the dead-letter mover (across shards, with its headers) and a consumer
 * timeout that ends the stream.
 */
@Timeout(value = 4, unit = TimeUnit.MINUTES)
class QueueLimitsClusterTest extends OnThreeReplicas {

  private RaftGroupId declare(String queue, Map<String, String> arguments) {
    cluster.declare(queue, arguments);
    return await().atMost(EVENTUALLY).until(() -> {
      QueueDef def = cluster.metadataLeader().metadata().queue(queue);
      return def == null ? null : GroupIds.parse(def.getGroup());
    }, java.util.Objects::nonNull);
  }

  private PublishResult publish(RaftGroupId group, String queue, Message... messages) throws Exception {
    QueuePublish.Builder p = QueuePublish.newBuilder().setQueue(queue);
    for (Message m : messages) {
      p.addMessages(m);
    }
    return cluster.leaderOf(group).publish(group, p.build(), EffectivePolicy.none()).get(60, TimeUnit.SECONDS);
  }

  private static Message body(String text) {
    return Message.newBuilder().setBody(ByteString.copyFromUtf8(text)).build();
  }

  private QueueRecord record(RaftGroupId group, String queue) {
    ShardStateMachine sm = cluster.leaderOf(group).localShards().get(group);
    return sm == null ? null : sm.queueRecord(queue);
  }

  private List<Delivery> get(RaftGroupId group, String queue, boolean ack) throws Exception {
    ShardResult r = cluster.leaderOf(group).consumers().get(queue, group, 10, ack).get(60, TimeUnit.SECONDS);
    assertThat(r.getErrorCode()).as(r.getErrorMessage()).isEqualTo(Status.OK);
    return r.getDeliveriesList();
  }

  private ShardResult nack(RaftGroupId group, String queue, Delivery d) throws Exception {
    Settle settle = Settle.newBuilder().setQueue(queue).setOutcome(Settle.Outcome.REQUEUE)
        .addTags(d.getTag().toBuilder().clearPart()).build();
    return cluster.leaderOf(group).submitShard(group, ShardCommand.newBuilder().setSettle(settle).build())
        .get(60, TimeUnit.SECONDS);
  }

  @Test
  void aPoisonMessageLandsInTheDeadLetterQueueOnceWithItsHeaders() throws Exception {
    RaftGroupId dlq = declare("limits.dead", Map.of());
    RaftGroupId group = declare("limits.poison", Map.of("delivery-limit", "2", "dead-letter-queue", "limits.dead"));
    assertThat(publish(group, "limits.poison", body("poison")).getErrorCode()).isEqualTo(Status.OK);

    for (int i = 0; i < 2; i++) {
      List<Delivery> got = await().atMost(EVENTUALLY).until(() -> get(group, "limits.poison", false), l -> !l.isEmpty());
      assertThat(nack(group, "limits.poison", got.get(0)).getErrorCode()).isEqualTo(Status.OK);
    }

    await("moved").atMost(EVENTUALLY).until(() -> record(dlq, "limits.dead") != null
        && record(dlq, "limits.dead").getMessages() == 1 && record(group, "limits.poison").getMessages() == 0);
    List<Delivery> dead = get(dlq, "limits.dead", true);
    assertThat(dead).hasSize(1);
    Map<String, String> headers = dead.get(0).getMessage().getHeadersMap();
    assertThat(dead.get(0).getMessage().getBody().toStringUtf8()).isEqualTo("poison");
    assertThat(headers).containsEntry("x-death-reason", "delivery_limit").containsEntry("x-death-queue", "limits.poison")
        .containsEntry("x-death-count", "1").containsEntry("x-death-queues", "limits.poison").containsKey("x-death-time");
    assertThat(record(group, "limits.poison").getCounters().getDeadLetteredMap()).containsEntry("delivery_limit", 1L);
  }

  @Test
  void aPolicyChangeReachesTheQueuesLimitsLive() throws Exception {
    RaftGroupId group = declare("limits.live", Map.of());
    assertThat(record(group, "limits.live").getLimits().hasMaxLength()).isFalse();

    cluster.metadataLeader().policies().set(policy("short", "^limits\\.live$", 0, Map.of("max-length", 2)));

    await().atMost(EVENTUALLY).until(() -> record(group, "limits.live").getLimits().getMaxLength() == 2
        && record(group, "limits.live").getLimits().hasMaxLength());
    publish(group, "limits.live", body("a"), body("b"), body("c"));
    assertThat(record(group, "limits.live").getMessages()).isEqualTo(2);
    cluster.metadataLeader().policies().clear("short");
    await().atMost(EVENTUALLY).until(() -> !record(group, "limits.live").getLimits().hasMaxLength());
  }

  @Test
  void anIdleQueueExpiresItsMessagesOnTheLeadersTicks() throws Exception {
    RaftGroupId group = declare("limits.ttl", Map.of("message-ttl", "300"));
    publish(group, "limits.ttl", body("a"), body("b"));

    await().atMost(EVENTUALLY).until(() -> record(group, "limits.ttl").getMessages() == 0);
    assertThat(record(group, "limits.ttl").getCounters().getDroppedMap()).containsEntry("expired", 2L);
  }

  @Test
  void aConsumerThatHoldsADeliveryPastItsTimeoutIsToldAndLosesIt() throws Exception {
    RaftGroupId group = declare("limits.slow", Map.of("consumer-timeout", "500"));
    publish(group, "limits.slow", body("a"));
    CollectingSink slow = new CollectingSink();
    await().atMost(EVENTUALLY).ignoreExceptionsInstanceOf(LogUnavailableException.class)
        .ignoreExceptionsInstanceOf(LeaderElsewhereException.class)
        .until(() -> cluster.leaderOf(group).consumers().subscribe("limits.slow", group, 5, false, "slow-1", slow) != null);
    await().atMost(EVENTUALLY).until(() -> slow.deliveries.size() == 1);

    await("the stream ends").atMost(EVENTUALLY).until(() -> slow.closed.get() != null);
    assertThat(slow.closed.get()).isInstanceOf(RequestException.class);
    assertThat(((RequestException) slow.closed.get()).code()).isEqualTo(Status.DEADLINE_EXCEEDED);
    assertThat(slow.closed.get().getMessage()).contains("consumer-timeout");
    await().atMost(EVENTUALLY).until(() -> record(group, "limits.slow").getUnacked() == 0);
    assertThat(record(group, "limits.slow").getCounters().getTimedOutDeliveries()).isEqualTo(1);
    List<Delivery> again = get(group, "limits.slow", true);
    assertThat(again).hasSize(1);
    assertThat(again.get(0).getRedelivered()).isTrue();
  }

  @Test
  void aQueueUnusedPastItsExpiresIsDeleted() {
    declare("limits.expiring", Map.of("expires", "1500"));

    await().atMost(EVENTUALLY).until(() -> cluster.metadataLeader().metadata().queue("limits.expiring") == null);
  }

  @Test
  void limitsOfANewQueueHoldFromTheFirstPublish() throws Exception {
    RaftGroupId group = declare("limits.full", Map.of("max-length", "1", "overflow", "reject-publish"));
    assertThat(record(group, "limits.full").getLimits().getOverflow()).isEqualTo(QueueLimits.Overflow.REJECT_PUBLISH);

    assertThat(publish(group, "limits.full", body("a")).getErrorCode()).isEqualTo(Status.OK);
    PublishResult refused = publish(group, "limits.full", body("b"));

    assertThat(refused.getErrorCode()).isEqualTo(Status.OUT_OF_RANGE);
    assertThat(record(group, "limits.full").getCounters().getRejectedPublishes()).isEqualTo(1);
  }

  @Test
  void aSingleActiveConsumerReceivesAloneAndTheNextTakesOverWithWhatItHeld() throws Exception {
    RaftGroupId group = declare("limits.single", Map.of("single-active-consumer", "true"));
    CollectingSink first = new CollectingSink();
    CollectingSink second = new CollectingSink();
    ConsumerHub.Subscription active = subscribe(group, "limits.single", "first", first);
    subscribe(group, "limits.single", "second", second);
    await().atMost(EVENTUALLY).until(() -> record(group, "limits.single").getConsumersCount() == 2);

    publish(group, "limits.single", body("a"), body("b"), body("c"));

    await().atMost(EVENTUALLY).until(() -> first.deliveries.size() == 3);
    assertThat(second.deliveries).isEmpty();
    active.cancel();
    await("the next consumer takes over").atMost(EVENTUALLY).until(() -> second.deliveries.size() == 3);
    assertThat(second.deliveries).extracting(d -> d.getMessage().getBody().toStringUtf8()).containsExactly("a", "b", "c");
    assertThat(second.deliveries).allMatch(Delivery::getRedelivered);
  }

  private ConsumerHub.Subscription subscribe(RaftGroupId group, String queue, String id, CollectingSink sink) {
    return await().atMost(EVENTUALLY).ignoreExceptionsInstanceOf(LogUnavailableException.class)
        .ignoreExceptionsInstanceOf(LeaderElsewhereException.class)
        .until(() -> cluster.leaderOf(group).consumers().subscribe(queue, group, 5, false, id, sink),
            java.util.Objects::nonNull);
  }
}
