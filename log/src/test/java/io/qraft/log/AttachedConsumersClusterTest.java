package io.qraft.log;

import static io.qraft.log.InProcessCluster.EVENTUALLY;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.google.protobuf.ByteString;
import io.qraft.api.log.v1.PublishResult;
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
 * Consumers attached to their queue in the log, across a leader change on three replicated
 * logs in one JVM: one that subscribes again with its id keeps what it held (sent again under
 * the same tags, marked redelivered) and its acks settle; one that does not come back loses it
 * to the queue once the reattach grace (8 s in these settings) has passed.
 */
@Timeout(value = 4, unit = TimeUnit.MINUTES)
class AttachedConsumersClusterTest extends OnThreeReplicas {

  private RaftGroupId declare(String queue) {
    cluster.declare(queue, Map.of());
    return await().atMost(EVENTUALLY).until(() -> {
      io.qraft.api.log.v1.QueueDef def = cluster.metadataLeader().metadata().queue(queue);
      return def == null ? null : GroupIds.parse(def.getGroup());
    }, java.util.Objects::nonNull);
  }

  private void publish(RaftGroupId group, String queue, int count) throws Exception {
    QueuePublish.Builder p = QueuePublish.newBuilder().setQueue(queue);
    for (int i = 0; i < count; i++) {
      p.addMessages(Message.newBuilder().setBody(ByteString.copyFromUtf8("m" + i)));
    }
    PublishResult r = cluster.leaderOf(group).publish(group, p.build(), EffectivePolicy.none()).get(60, TimeUnit.SECONDS);
    assertThat(r.getErrorCode()).as(r.getErrorMessage()).isEqualTo(Status.OK);
  }

  /** Subscribes with the id on the group's leader once it takes consumers; returns that leader. */
  private ReplicatedLog subscribe(String queue, RaftGroupId group, String id, ConsumerHub.Sink sink) {
    return await().atMost(EVENTUALLY).ignoreExceptionsInstanceOf(LogUnavailableException.class)
        .ignoreExceptionsInstanceOf(LeaderElsewhereException.class)
        .until(() -> {
          ReplicatedLog leader = cluster.leaderOf(group);
          leader.consumers().subscribe(queue, group, 10, false, id, sink);
          return leader;
        }, java.util.Objects::nonNull);
  }

  /** Moves the group's leadership to another node and waits until that node leads. */
  private ReplicatedLog moveLeader(RaftGroupId group) {
    ReplicatedLog old = cluster.leaderOf(group);
    ReplicatedLog next = cluster.nodes().stream().filter(n -> n != old).findFirst().orElseThrow();
    String id = next.settings().nodeId();
    await().atMost(EVENTUALLY).until(() -> old.moveLeader(group, id, 5_000) == null || next.isLeader(group));
    await().atMost(EVENTUALLY).until(() -> next.isLeader(group));
    return next;
  }

  private static QueueRecord record(ReplicatedLog node, RaftGroupId group, String queue) {
    ShardStateMachine sm = node.localShards().get(group);
    return sm == null ? null : sm.queueRecord(queue);
  }

  private static ShardResult settle(ReplicatedLog node, RaftGroupId group, String queue, List<Delivery> deliveries)
      throws Exception {
    Settle.Builder settle = Settle.newBuilder().setQueue(queue).setOutcome(Settle.Outcome.ACK);
    deliveries.forEach(d -> settle.addTags(d.getTag().toBuilder().clearPart()));
    return node.submitShard(group, ShardCommand.newBuilder().setSettle(settle).build()).get(60, TimeUnit.SECONDS);
  }

  @Test
  void aConsumerThatComesBackWithItsIdKeepsWhatItHeldAndItsAcksSettle() throws Exception {
    RaftGroupId group = declare("kept");
    publish(group, "kept", 4);
    CollectingSink first = new CollectingSink();
    subscribe("kept", group, "app-1", first);
    await().atMost(EVENTUALLY).until(() -> first.deliveries.size() >= 4);
    assertThat(first.deliveries).noneMatch(Delivery::getRedelivered);

    ReplicatedLog next = moveLeader(group);
    await("the old leader ends the stream").atMost(EVENTUALLY).until(() -> first.closed.get() != null);
    assertThat(first.closed.get()).isInstanceOf(LeaderElsewhereException.class);

    CollectingSink back = new CollectingSink();
    subscribe("kept", group, "app-1", back);
    await("what it held is sent again").atMost(EVENTUALLY).until(() -> back.deliveries.size() >= 4);
    assertThat(back.deliveries).extracting(d -> d.getTag().getOffset()).containsExactlyInAnyOrder(0L, 1L, 2L, 3L);
    assertThat(back.deliveries).as("same tags, flagged").allMatch(d -> d.getTag().getDeliveryCount() == 1)
        .allMatch(Delivery::getRedelivered);
    assertThat(record(next, group, "kept").getUnacked()).isEqualTo(4);

    // The tags received from the old leader settle at the new one.
    ShardResult acked = settle(cluster.leaderOf(group), group, "kept", first.deliveries);
    assertThat(acked.getErrorCode()).as(acked.getErrorMessage()).isEqualTo(Status.OK);
    assertThat(acked.getCount()).isEqualTo(4);
    await().atMost(EVENTUALLY).untilAsserted(() -> assertThat(record(cluster.leaderOf(group), group, "kept").getMessages()).isZero());
  }

  @Test
  void aConsumerThatDoesNotComeBackLosesWhatItHeldAfterTheGrace() throws Exception {
    RaftGroupId group = declare("left");
    publish(group, "left", 3);
    CollectingSink gone = new CollectingSink();
    subscribe("left", group, "app-gone", gone);
    await().atMost(EVENTUALLY).until(() -> gone.deliveries.size() >= 3);

    ReplicatedLog next = moveLeader(group);
    // Within the grace the messages stay with the absent consumer.
    assertThat(record(next, group, "left").getUnacked()).isEqualTo(3);

    await("returned once the grace has passed").atMost(EVENTUALLY).untilAsserted(() -> {
      QueueRecord r = record(cluster.leaderOf(group), group, "left");
      assertThat(r.getUnacked()).isZero();
      assertThat(r.getConsumersList()).isEmpty();
    });
    CollectingSink other = new CollectingSink();
    subscribe("left", group, "app-other", other);
    await().atMost(EVENTUALLY).until(() -> other.deliveries.size() >= 3);
    assertThat(other.deliveries).allMatch(Delivery::getRedelivered)
        .allMatch(d -> d.getTag().getDeliveryCount() == 2);
    // The absent consumer's tags are stale now that the messages went to another.
    ShardResult stale = settle(cluster.leaderOf(group), group, "left", gone.deliveries);
    assertThat(stale.getErrorCode()).isEqualTo(Status.FAILED_PRECONDITION);
  }
}
