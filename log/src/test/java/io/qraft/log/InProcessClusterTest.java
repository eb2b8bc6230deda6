package io.qraft.log;

import static io.qraft.log.InProcessCluster.EVENTUALLY;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import com.google.protobuf.ByteString;
import io.qraft.api.QueueArguments;
import io.qraft.api.log.v1.PublishResult;
import io.qraft.api.log.v1.QueueDef;
import io.qraft.api.log.v1.QueuePublish;
import io.qraft.api.log.v1.QueueRecord;
import io.qraft.api.log.v1.Settle;
import io.qraft.api.log.v1.ShardCommand;
import io.qraft.api.log.v1.ShardDef;
import io.qraft.api.log.v1.ShardResult;
import io.qraft.api.v1.Delivery;
import io.qraft.api.v1.Message;
import io.qraft.statemachine.ShardStateMachine;
import io.qraft.statemachine.Status;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.stream.Collectors;
import java.util.stream.StreamSupport;
import org.apache.ratis.protocol.RaftGroupId;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.Timeout;

/**
 * Three replicated logs in one JVM over real sockets. The tests share the
 * cluster and run in order: the first one needs a cluster without shards.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
@Timeout(value = 4, unit = TimeUnit.MINUTES)
class InProcessClusterTest extends OnThreeReplicas {
  private static final Map<String, String> DEFAULTS = QueueArguments.normalise(Map.of());
  private static final EffectivePolicy QUORUM = EffectivePolicy.none();


  // ---- helpers ----

  private static QueuePublish publish(String queue, String... bodies) {
    QueuePublish.Builder p = QueuePublish.newBuilder().setQueue(queue);
    for (String b : bodies) {
      p.addMessages(Message.newBuilder().setBody(ByteString.copyFromUtf8(b)));
    }
    return p.build();
  }

  private static PublishResult publishOn(ReplicatedLog node, RaftGroupId group, QueuePublish p) throws Exception {
    PublishResult r = node.publish(group, p, QUORUM).get(60, TimeUnit.SECONDS);
    assertThat(r.getErrorCode()).as(r.getErrorMessage()).isEqualTo(Status.OK);
    return r;
  }

  private static Set<RaftGroupId> hosted(ReplicatedLog node) {
    return StreamSupport.stream(node.server().getGroupIds().spliterator(), false).collect(Collectors.toSet());
  }

  private QueueRecord recordOn(ReplicatedLog node, RaftGroupId group, String queue) {
    ShardStateMachine sm = node.localShards().get(group);
    return sm == null ? null : sm.queueRecord(queue);
  }

    /** A subscription and the node (the group's leader) it is attached to. */
  private record Attached(ConsumerHub.Subscription subscription, ReplicatedLog node) {}

  /** Subscribes on the group's leader once it is ready to take consumers. */
  private Attached subscribe(String queue, RaftGroupId group, int prefetch, ConsumerHub.Sink sink) {
    return await().atMost(EVENTUALLY).ignoreExceptionsInstanceOf(LogUnavailableException.class)
        .ignoreExceptionsInstanceOf(LeaderElsewhereException.class)
        .until(() -> {
          ReplicatedLog leader = cluster.leaderOf(group);
          return new Attached(leader.consumers().subscribe(queue, group, prefetch, false, sink), leader);
        }, java.util.Objects::nonNull);
  }

  private static ShardResult ack(ReplicatedLog node, RaftGroupId group, String queue, List<Delivery> deliveries)
      throws Exception {
    Settle.Builder settle = Settle.newBuilder().setQueue(queue).setOutcome(Settle.Outcome.ACK);
    deliveries.forEach(d -> settle.addTags(d.getTag()));
    ShardResult r = node.submitShard(group, ShardCommand.newBuilder().setSettle(settle).build()).get(60, TimeUnit.SECONDS);
    assertThat(r.getErrorCode()).as(r.getErrorMessage()).isEqualTo(Status.OK);
    return r;
  }

  // ---- tests ----

  @Test
  @Order(1)
  void declaringThreeQueuesCreatesThreeShardsLedBySpreadNodesAndTwentyMoreCreateNone() {
    ReplicatedLog leader = cluster.metadataLeader();
    assertThat(leader.metadata().shards()).isEmpty();

    for (int i = 0; i < 3; i++) {
      QueueCatalog.Declared d = cluster.declare("spread-" + i, Map.of());
      assertThat(d.created()).isTrue();
      assertThat(d.queue().getArgumentsMap()).isEqualTo(DEFAULTS);
    }
    List<ShardDef> shards = cluster.metadataLeader().metadata().shards();
    assertThat(shards).hasSize(3);
    assertThat(shards).extracting(ShardDef::getPreferredLeader).containsExactlyInAnyOrder("n1", "n2", "n3");
    assertThat(shards).allSatisfy(s -> assertThat(s.getReplicasList()).containsExactly("n1", "n2", "n3"));
    assertThat(shards).noneMatch(ShardDef::getDedicated);
    assertThat(cluster.metadataLeader().metadata().queueCounts().values()).containsOnly(1);

    for (int i = 3; i < 23; i++) {
      assertThat(cluster.declare("spread-" + i, Map.of()).created()).isTrue();
    }
    ReplicatedLog now = cluster.metadataLeader();
    assertThat(now.metadata().shards()).as("20 more queues share the three shards").isEqualTo(shards);
    assertThat(now.metadata().queueCounts().values()).as("23 queues over 3 shards, balanced")
        .containsExactlyInAnyOrder(8, 8, 7);
  }

  @Test
  @Order(2)
  void everyNodeEndsUpHostingEveryShardAndAgreeingOnTheMetadata() {
    Set<RaftGroupId> shards = cluster.metadataLeader().metadata().shards().stream()
        .map(s -> GroupIds.parse(s.getGroup())).collect(Collectors.toSet());
    assertThat(shards).isNotEmpty();
    await().atMost(EVENTUALLY).untilAsserted(() -> {
      for (ReplicatedLog node : cluster.nodes()) {
        assertThat(hosted(node)).as(node.settings().nodeId()).containsAll(shards).contains(GroupIds.METADATA);
        assertThat(node.localShards().keySet()).as(node.settings().nodeId()).containsAll(shards);
      }
    });
    await().atMost(EVENTUALLY).untilAsserted(() -> {
      List<long[]> sums = cluster.nodes().stream().map(ReplicatedLog::metadataChecksum).toList();
      assertThat(sums).allSatisfy(s -> assertThat(s).isEqualTo(sums.get(0)));
    });
    for (ReplicatedLog node : cluster.nodes()) {
      assertThat(node.metadata().queues()).hasSize(cluster.metadataLeader().metadata().queues().size());
    }
  }

  @Test
  @Order(3)
  void aPublishOnANodeThatDoesNotLeadTheShardIsForwardedToTheLeader() throws Exception {
    RaftGroupId group = declareOnShard("forwarded");
    ReplicatedLog follower = cluster.follower(group);
    await().atMost(EVENTUALLY).until(() -> follower.localShards().containsKey(group));

    PublishResult first = publishOn(follower, group, publish("forwarded", "a", "b", "c"));
    assertThat(first.getOffsetsList()).containsExactly(0L, 1L, 2L);
    PublishResult second = publishOn(follower, group, publish("forwarded", "d"));
    assertThat(second.getOffsetsList()).containsExactly(3L);

    PublishResult unknown = follower.publish(group, publish("no-such-queue", "x"), QUORUM).get(60, TimeUnit.SECONDS);
    assertThat(unknown.getErrorCode()).as("a publish to an unknown queue fails alone").isEqualTo(Status.NOT_FOUND);

    await().atMost(EVENTUALLY).untilAsserted(() -> {
      for (ReplicatedLog node : cluster.nodes()) {
        QueueRecord r = recordOn(node, group, "forwarded");
        assertThat(r).isNotNull();
        assertThat(r.getMessages()).as(node.settings().nodeId()).isEqualTo(4);
        assertThat(r.getNextOffset()).isEqualTo(4);
      }
    });
    assertThat(follower.batchCounts(group)[1]).as("publishes sent by the follower").isEqualTo(3);
  }

  @Test
  @Order(4)
  void aConsumerOnTheShardLeaderGetsPrefetchDeliveriesAndMoreAfterAckingThenGetWithAckRemoves() throws Exception {
    RaftGroupId group = declareOnShard("consumed");
    ReplicatedLog publisher = cluster.leaderOf(group);
    for (int i = 0; i < 10; i++) {
      publishOn(publisher, group, publish("consumed", "m" + i));
    }

    CollectingSink sink = new CollectingSink();
    Attached attached = subscribe("consumed", group, 3, sink);
    ConsumerHub.Subscription sub = attached.subscription();
    ReplicatedLog leader = attached.node();
    await().atMost(EVENTUALLY).until(() -> sink.deliveries.size() >= 3);
    assertThat(sink.deliveries).as("no more than the prefetch before any ack").hasSize(3);
    assertThat(sink.deliveries).extracting(d -> d.getTag().getOffset()).containsExactly(0L, 1L, 2L);
    assertThat(sink.deliveries).extracting(d -> d.getMessage().getBody().toStringUtf8()).containsExactly("m0", "m1", "m2");
    assertThat(sink.deliveries).noneMatch(Delivery::getRedelivered);
    assertThat(recordOn(leader, group, "consumed").getUnacked()).as("the leader applied the Deliver before handing out")
        .isEqualTo(3);

    assertThat(ack(leader, group, "consumed", List.copyOf(sink.deliveries)).getCount()).isEqualTo(3);
    await("acks give credit back").atMost(EVENTUALLY).until(() -> sink.deliveries.size() >= 6);
    assertThat(sink.deliveries).extracting(d -> d.getTag().getOffset()).containsExactly(0L, 1L, 2L, 3L, 4L, 5L);
    assertThat(sink.closed.get()).isNull();
    assertThat(leader.consumers().consumerCount("consumed")).isEqualTo(1);

    sub.cancel();
    await("a cancelled consumer's deliveries return to the queue").atMost(EVENTUALLY).untilAsserted(() -> {
      QueueRecord r = recordOn(leader, group, "consumed");
      assertThat(r.getUnacked()).isZero();
      assertThat(r.getMessages()).isEqualTo(7);
    });
    assertThat(leader.consumers().consumerCount("consumed")).isZero();

    ShardResult got = leader.consumers().get("consumed", group, 2, true).get(60, TimeUnit.SECONDS);
    assertThat(got.getErrorCode()).as(got.getErrorMessage()).isEqualTo(Status.OK);
    assertThat(got.getDeliveriesList()).extracting(d -> d.getTag().getOffset()).containsExactly(3L, 4L);
    assertThat(got.getDeliveriesList()).allMatch(Delivery::getRedelivered);
    assertThat(got.getDeliveriesList()).allMatch(d -> d.getTag().getDeliveryCount() == 2);
    await().atMost(EVENTUALLY).untilAsserted(() -> {
      for (ReplicatedLog node : cluster.nodes()) {
        QueueRecord r = recordOn(node, group, "consumed");
        assertThat(r.getMessages()).as("get with ack removes, on " + node.settings().nodeId()).isEqualTo(5);
        assertThat(r.getUnacked()).isZero();
      }
    });
  }

  @Test
  @Order(5)
  void declaringAnExistingQueueWithOtherArgumentsFailsWithFailedPrecondition() {
    assertThat(cluster.declare("picky", Map.of()).created()).isTrue();
    assertThat(cluster.declare("picky", Map.of()).created()).as("the same declaration again").isFalse();

    // Spelling a default out pins it against policies: another declaration than leaving it out.
    for (String mode : List.of(QueueArguments.ACK_LOCAL, QueueArguments.ACK_QUORUM)) {
      Map<String, String> other = QueueArguments.normalise(Map.of(QueueArguments.ACK_MODE, mode));
      assertThatThrownBy(() -> cluster.metadataLeader().catalog().declare("picky", other, "n1"))
          .isInstanceOf(RequestException.class)
          .hasMessageContaining("picky")
          .satisfies(e -> assertThat(((RequestException) e).code()).isEqualTo(Status.FAILED_PRECONDITION));
    }
    assertThat(cluster.metadataLeader().metadata().queue("picky").getArgumentsMap()).isEqualTo(DEFAULTS);
  }

  @Test
  @Order(6)
  void declareAndDeleteOnANodeThatDoesNotLeadTheMetadataNameTheLeader() {
    cluster.declare("stays", Map.of());
    ReplicatedLog leader = cluster.metadataLeader();
    String leaderId = leader.settings().nodeId();
    ReplicatedLog follower = cluster.follower(GroupIds.METADATA);
    await().atMost(EVENTUALLY).until(() -> leaderId.equals(follower.leaderOf(GroupIds.METADATA)));

    assertThatThrownBy(() -> follower.catalog().declare("elsewhere", DEFAULTS, follower.settings().nodeId()))
        .isInstanceOfSatisfying(LeaderElsewhereException.class,
            e -> assertThat(e.leaderNodeId()).isEqualTo(leaderId));
    assertThatThrownBy(() -> follower.catalog().delete("stays"))
        .isInstanceOfSatisfying(LeaderElsewhereException.class,
            e -> assertThat(e.leaderNodeId()).isEqualTo(leaderId));
    assertThat(cluster.metadataLeader().metadata().queue("elsewhere")).isNull();
    assertThat(cluster.metadataLeader().metadata().queue("stays")).isNotNull();
  }

  @Test
  @Order(7)
  void theReplicasOfAShardHaveTheSameStateChecksumAtTheSameIndex() throws Exception {
    RaftGroupId group = declareOnShard("summed");
    List<String> sameShard = cluster.metadataLeader().metadata().queues().stream()
        .filter(q -> q.getGroup().equals(GroupIds.text(group))).map(QueueDef::getName).toList();
    ReplicatedLog leader = cluster.leaderOf(group);
    ReplicatedLog follower = cluster.follower(group);

    // Enough entries to pass the snapshot threshold (200) on every replica.
    for (int i = 0; i < 220; i++) {
      publishOn(i % 2 == 0 ? leader : follower, group, publish("summed", "s" + i, "t" + i));
    }
    List<CompletableFuture<PublishResult>> concurrent = new ArrayList<>();
    for (int i = 0; i < 100; i++) {
      String queue = sameShard.get(i % sameShard.size());
      concurrent.add(cluster.nodes().get(i % 3).publish(group, publish(queue, "c" + i), QUORUM));
    }
    for (CompletableFuture<PublishResult> f : concurrent) {
      assertThat(f.get(60, TimeUnit.SECONDS).getErrorCode()).isEqualTo(Status.OK);
    }

    CollectingSink sink = new CollectingSink();
    ConsumerHub.Subscription sub = subscribe("summed", group, 10, sink).subscription();
    await().atMost(EVENTUALLY).until(() -> sink.deliveries.size() >= 10);
    ack(cluster.leaderOf(group), group, "summed", List.copyOf(sink.deliveries.subList(0, 6)));
    await().atMost(EVENTUALLY).until(() -> sink.deliveries.size() >= 16);
    sub.cancel();
    ShardResult fetched = leader.consumers().get("summed", group, 5, true).get(60, TimeUnit.SECONDS);
    assertThat(fetched.getDeliveriesCount()).isEqualTo(5);
    ShardResult leased = cluster.leaderOf(group).consumers().get("summed", group, 3, false).get(60, TimeUnit.SECONDS);
    assertThat(leased.getDeliveriesCount()).isEqualTo(3);

    AtomicReference<List<long[]>> agreed = new AtomicReference<>();
    await("the replicas reach the same index").atMost(EVENTUALLY).untilAsserted(() -> {
      List<long[]> sums = new ArrayList<>();
      for (ReplicatedLog node : cluster.nodes()) {
        ShardStateMachine sm = node.localShards().get(group);
        assertThat(sm).as(node.settings().nodeId()).isNotNull();
        sums.add(sm.checksum());
      }
      assertThat(sums).extracting(s -> s[1]).as("applied indexes").containsOnly(sums.get(0)[1]);
      agreed.set(sums);
    });
    List<long[]> sums = agreed.get();
    assertThat(sums.get(0)[1]).as("past the snapshot threshold").isGreaterThan(200);
    assertThat(sums).extracting(s -> s[0]).as("state CRCs at index " + sums.get(0)[1]).containsOnly(sums.get(0)[0]);
    for (ReplicatedLog node : cluster.nodes()) {
      assertThat(node.localShards().get(group).snapshotIndex()).as("snapshots were taken on " + node.settings().nodeId())
          .isPositive();
    }
  }

  @Test
  @Order(8)
  void deletingTheLastQueueOfAShardRemovesTheShardAndEveryNodeLeavesItsGroup() throws Exception {
    ReplicatedLog leader = cluster.metadataLeader();
    ShardDef shard = leader.metadata().shards().get(0);
    RaftGroupId group = GroupIds.parse(shard.getGroup());
    List<String> queues = leader.metadata().queues().stream()
        .filter(q -> q.getGroup().equals(shard.getGroup())).map(QueueDef::getName).toList();
    assertThat(queues).hasSizeGreaterThan(1);

    for (String q : queues.subList(0, queues.size() - 1)) {
      cluster.delete(q);
      assertThat(cluster.metadataLeader().metadata().shard(shard.getGroup()))
          .as("the shard stays while it carries a queue").isNotNull();
    }
    cluster.delete(queues.get(queues.size() - 1));

    ReplicatedLog now = cluster.metadataLeader();
    assertThat(now.metadata().shard(shard.getGroup())).isNull();
    assertThat(now.metadata().wasRemoved(shard.getGroup())).isTrue();
    assertThat(now.metadata().queues()).noneMatch(q -> q.getGroup().equals(shard.getGroup()));
    await().atMost(EVENTUALLY).untilAsserted(() -> {
      for (ReplicatedLog node : cluster.nodes()) {
        assertThat(hosted(node)).as(node.settings().nodeId()).doesNotContain(group).contains(GroupIds.METADATA);
        assertThat(node.localShards()).as(node.settings().nodeId()).doesNotContainKey(group);
        assertThat(node.metadata().wasRemoved(shard.getGroup())).isTrue();
      }
    });
    assertThatThrownBy(() -> cluster.metadataLeader().catalog().delete(queues.get(0)))
        .isInstanceOfSatisfying(RequestException.class, e -> assertThat(e.code()).isEqualTo(Status.NOT_FOUND));

    // The next declare finds the replica set one shard short and opens a new shard.
    cluster.declare("after-removal", Map.of());
    ReplicatedLog again = cluster.metadataLeader();
    assertThat(again.metadata().shards()).hasSize(3);
    assertThat(again.metadata().queue("after-removal").getGroup()).isNotEqualTo(shard.getGroup());
  }

  /** Declares the queue (default arguments) and answers the shard that carries it. */
  private RaftGroupId declareOnShard(String queue) throws Exception {
    cluster.declare(queue, Map.of());
    return InProcessCluster.groupOf(cluster.metadataLeader(), queue);
  }
}
