package io.qraft.log;

import static io.qraft.log.PolicyMatcherTest.policy;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.google.protobuf.ByteString;
import io.qraft.api.log.v1.QueueDef;
import io.qraft.api.log.v1.QueuePublish;
import io.qraft.api.log.v1.ShardResult;
import io.qraft.api.v1.Delivery;
import io.qraft.api.v1.Message;
import io.qraft.statemachine.Status;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * ha-promote-on-shutdown on three replicated logs in one JVM. Two queues move from a
 * one-replica shard on n3 to one on n2 with manual sync, so each keeps five messages in an
 * old part on n3; then n3 stops and that part has no majority. {@code always} gives the part
 * up and the queue serves from its head; {@code when-synced} waits and skips nothing. When n3
 * is back the given-up records are deleted there and the waiting queue gets its old messages
 * first. n3 also leads the metadata when it stops, so the new metadata leader gives up a part
 * it never heard from.
 */
@Timeout(value = 5, unit = TimeUnit.MINUTES)
class PromoteOnShutdownClusterTest extends ClusterPerTest {
  private static final Duration PATIENCE = Duration.ofSeconds(90);


  private void setPolicies(String node) {
    ReplicatedLog leader = cluster.metadataLeader();
    leader.policies().set(policy("always", "^always\\.", 0,
        Map.of("ha-mode", "nodes", "ha-params", List.of(node), "ha-promote-on-shutdown", "always")));
    leader.policies().set(policy("wait", "^wait\\.", 0, Map.of("ha-mode", "nodes", "ha-params", List.of(node))));
  }

  private void publish(String queue, String body) throws Exception {
    ReplicatedLog node = cluster.metadataLeader();
    QueuePublish p = QueuePublish.newBuilder().setQueue(queue)
        .addMessages(Message.newBuilder().setBody(ByteString.copyFromUtf8(body))).build();
    assertThat(node.publish(node.metadata().queue(queue), p).get(60, TimeUnit.SECONDS).getErrorCode())
        .isEqualTo(Status.OK);
  }

  private QueueDef def(String queue) {
    return cluster.metadataLeader().metadata().queue(queue);
  }

  private List<String> get(String queue, int count) throws Exception {
    ReplicatedLog node = cluster.metadataLeader();
    ShardResult r = node.consumers().get(queue, GroupIds.parse(QueueParts.deliveryGroup(def(queue))), count, true)
        .get(60, TimeUnit.SECONDS);
    return r.getDeliveriesList().stream().map(Delivery::getMessage).map(m -> m.getBody().toStringUtf8()).toList();
  }

  @Test
  void alwaysGivesUpAnUnavailableOldPartAndWhenSyncedWaitsForIt() throws Exception {
    cluster = InProcessCluster.ofThree(root);
    setPolicies("n3");
    for (String q : List.of("always.q", "wait.q")) {
      cluster.declare(q, Map.of());
      for (int i = 0; i < 5; i++) {
        publish(q, "old-" + i);
      }
    }
    setPolicies("n2");
    await().atMost(PATIENCE).untilAsserted(() -> {
      for (String q : List.of("always.q", "wait.q")) {
        assertThat(def(q).getOldPartsCount()).as(q).isEqualTo(1);
        assertThat(cluster.metadataLeader().metadata().shard(def(q).getGroup()).getReplicasList()).containsExactly("n2");
      }
    });
    String alwaysPart = def("always.q").getOldParts(0);
    for (String q : List.of("always.q", "wait.q")) {
      publish(q, "new-0");
      publish(q, "new-1");
    }

    // n3 leads the metadata as it stops: the leader elected after it never heard from the
    // old parts, and must still count what they held at their seal.
    await().atMost(PATIENCE).ignoreExceptions().until(() -> {
      if (!cluster.node("n3").isLeader(GroupIds.METADATA)) {
        cluster.metadataLeader().moveLeader(GroupIds.METADATA, "n3", 5_000);
      }
      return cluster.node("n3").isLeader(GroupIds.METADATA);
    });
    cluster.stop("n3");

    await().atMost(PATIENCE).untilAsserted(() -> {
      assertThat(def("always.q").getOldPartsList()).isEmpty();
      assertThat(def("always.q").getGivenUpMessages()).isEqualTo(5);
    });
    assertThat(cluster.metadataLeader().metadata().staleGroups("always.q")).containsExactly(alwaysPart);
    assertThat(get("always.q", 10)).containsExactly("new-0", "new-1");
    // Probed as long and as often, the when-synced queue still waits for its old part.
    assertThat(def("wait.q").getOldPartsCount()).isEqualTo(1);
    assertThat(def("wait.q").getGivenUpMessages()).isZero();

    cluster.restart("n3");

    await().atMost(PATIENCE).untilAsserted(() ->
        assertThat(cluster.metadataLeader().metadata().staleParts()).isEmpty());
    assertThat(def("always.q").getGivenUpMessages()).as("exact once the records are deleted").isEqualTo(5);
    assertThat(get("always.q", 10)).as("the given-up messages never come back").isEmpty();
    List<String> waited = await().atMost(PATIENCE).ignoreExceptions().until(() -> get("wait.q", 10), l -> !l.isEmpty());
    assertThat(waited).containsExactly("old-0", "old-1", "old-2", "old-3", "old-4");
  }
}
