package io.qraft.log;

import static io.qraft.log.InProcessCluster.EVENTUALLY;
import static io.qraft.log.PolicyMatcherTest.policy;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import com.google.protobuf.ByteString;
import io.qraft.api.Policy;
import io.qraft.api.QueueArguments;
import io.qraft.api.log.v1.PublishResult;
import io.qraft.api.log.v1.QueueDef;
import io.qraft.api.log.v1.QueuePublish;
import io.qraft.api.v1.Message;
import io.qraft.statemachine.Status;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.apache.ratis.protocol.RaftGroupId;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** Policies on three replicated logs in one JVM: set on the metadata leader, applied to live queues everywhere. */
@Timeout(value = 4, unit = TimeUnit.MINUTES)
class PolicyClusterTest extends OnThreeReplicas {

  private static QueuePublish publish(String queue) {
    return QueuePublish.newBuilder().setQueue(queue)
        .addMessages(Message.newBuilder().setBody(ByteString.copyFromUtf8("m"))).build();
  }

  private static PublishResult publishOn(ReplicatedLog node, String queue) throws Exception {
    return node.publish(node.metadata().queue(queue), publish(queue)).get(60, TimeUnit.SECONDS);
  }

  private void awaitAckModeEverywhere(String queue, String ackMode) {
    await().atMost(EVENTUALLY).untilAsserted(() -> {
      for (ReplicatedLog node : cluster.nodes()) {
        QueueDef def = node.metadata().queue(queue);
        assertThat(def).as("%s on %s", queue, node.settings().nodeId()).isNotNull();
        assertThat(node.effectivePolicy(def).ackMode()).as("%s on %s", queue, node.settings().nodeId())
            .isEqualTo(ackMode);
      }
    });
  }

  @Test
  void aLocalAckPolicyAppliesToALiveQueueAtOnceAndClearingItRevertsIt() throws Exception {
    cluster.declare("important.orders", Map.of());
    cluster.declare("important.pinned", Map.of(QueueArguments.ACK_MODE, QueueArguments.ACK_QUORUM));
    RaftGroupId group = InProcessCluster.groupOf(cluster.metadataLeader(), "important.orders");
    ReplicatedLog shardLeader = cluster.leaderOf(group);
    ReplicatedLog shardFollower = cluster.follower(group);
    awaitAckModeEverywhere("important.orders", "quorum");
    assertThat(publishOn(shardFollower, "important.orders").getOffsetsList())
        .as("a quorum publish on a follower is forwarded to the leader").hasSize(1);

    boolean created = cluster.metadataLeader().policies()
        .set(policy("fast", "^important\\.", 0, Map.of("ack-mode", "local")));

    assertThat(created).isTrue();
    awaitAckModeEverywhere("important.orders", "local");
    awaitAckModeEverywhere("important.pinned", "quorum");
    assertThat(shardFollower.effectivePolicy(shardFollower.metadata().queue("important.orders")).policyName())
        .isEqualTo("fast");
    // A local publish must reach the leader: the follower now refuses it, where it forwarded before.
    assertThatThrownBy(() -> publishOn(shardFollower, "important.orders"))
        .isInstanceOf(ExecutionException.class).hasCauseInstanceOf(LeaderElsewhereException.class);
    assertThat(publishOn(shardFollower, "important.pinned").getErrorCode())
        .as("a declare argument wins over the policy").isEqualTo(Status.OK);
    assertThat(publishOn(shardLeader, "important.orders").getErrorCode()).isEqualTo(Status.OK);

    cluster.metadataLeader().policies().clear("fast");

    awaitAckModeEverywhere("important.orders", "quorum");
    assertThat(publishOn(shardFollower, "important.orders").getOffsetsList()).hasSize(1);
    assertThat(cluster.metadataLeader().policies().list()).isEmpty();
  }

  @Test
  void aQueueDeclaredOnANodeOutsideItsReplicaSetIsCreatedAtTheFirstAttempt() throws Exception {
    ReplicatedLog leader = cluster.metadataLeader();
    List<String> others = cluster.nodes().stream().map(n -> n.settings().nodeId())
        .filter(id -> !id.equals(leader.settings().nodeId())).sorted().toList();
    leader.policies().set(policy("away-one", "^away1\\.", 0, Map.of("ha-mode", "nodes", "ha-params", List.of(others.get(0)))));
    leader.policies().set(policy("away-two", "^away2\\.", 0, Map.of("ha-mode", "nodes", "ha-params", others)));

    // Once, not through the cluster's retrying declare: the new shard's replicas start its group
    // only when they apply AddShard, and the declaring node must wait for that, not fail.
    for (String queue : List.of("away1.q", "away2.q")) {
      Map<String, String> arguments = QueueArguments.normalise(Map.of());
      QueueCatalog.Declared declared = leader.catalog().declare(queue, arguments, leader.settings().nodeId());

      assertThat(declared.created()).as(queue).isTrue();
      QueueDef def = declared.queue();
      assertThat(leader.metadata().shard(def.getGroup()).getReplicasList()).as(queue)
          .doesNotContain(leader.settings().nodeId());
      RaftGroupId group = GroupIds.parse(def.getGroup());
      ReplicatedLog shardLeader = cluster.leaderOf(group);
      await().atMost(EVENTUALLY).until(() -> shardLeader.metadata().queue(queue) != null);
      assertThat(publishOn(shardLeader, queue).getErrorCode()).as(queue).isEqualTo(Status.OK);
    }
  }

  @Test
  void aPolicyIsRefusedWhereItCannotBeStored() {
    ReplicatedLog leader = cluster.metadataLeader();
    Policy strangers = policy("strangers", ".*", 0, Map.of("ha-mode", "nodes", "ha-params", List.of("x1", "x2")));

    assertThatThrownBy(() -> leader.policies().set(strangers))
        .isInstanceOf(RequestException.class).hasMessageContaining("names no node of this cluster")
        .satisfies(e -> assertThat(((RequestException) e).code()).isEqualTo(Status.INVALID_ARGUMENT));
    assertThatThrownBy(() -> leader.policies().clear("no-such-policy"))
        .isInstanceOf(RequestException.class)
        .satisfies(e -> assertThat(((RequestException) e).code()).isEqualTo(Status.NOT_FOUND));
    ReplicatedLog follower = cluster.follower(GroupIds.METADATA);
    assertThatThrownBy(() -> follower.policies().set(policy("p", ".*", 0, Map.of("ack-mode", "local"))))
        .isInstanceOf(LeaderElsewhereException.class);

    assertThat(leader.metadata().policies()).isEmpty();
  }
}
