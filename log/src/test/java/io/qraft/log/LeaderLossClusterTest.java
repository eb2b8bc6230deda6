package io.qraft.log;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.google.protobuf.ByteString;
import io.qraft.api.log.v1.QueuePublish;
import io.qraft.api.v1.Message;
import io.qraft.statemachine.Status;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.apache.ratis.protocol.RaftGroupId;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * A shard's leader node goes away (its Raft port closes): one follower, the one the watch
 * picks on both, stands for election at once and wins, and the queue takes publishes again
 * with nothing lost.
 */
@Timeout(value = 3, unit = TimeUnit.MINUTES)
class LeaderLossClusterTest extends ClusterPerTest {

  private static QueuePublish publish(String body) {
    return QueuePublish.newBuilder().setQueue("q")
        .addMessages(Message.newBuilder().setBody(ByteString.copyFromUtf8(body))).build();
  }

  @Test
  void theChosenFollowerStandsAtOnceWhenTheLeadersPortRefuses() throws Exception {
    cluster = InProcessCluster.ofThree(root);
    cluster.declare("q", Map.of());
    RaftGroupId group = InProcessCluster.groupOf(cluster.metadataLeader(), "q");
    ReplicatedLog leader = cluster.leaderOf(group);
    await().atMost(InProcessCluster.EVENTUALLY).until(() -> cluster.nodes().stream()
        .allMatch(l -> l.metadata().queue("q") != null));
    assertThat(leader.publish(leader.metadata().queue("q"), publish("before")).get(60, TimeUnit.SECONDS)
        .getErrorCode()).isEqualTo(Status.OK);
    String gone = leader.settings().nodeId();
    long term = leader.division(group).orElseThrow().getInfo().getCurrentTerm();

    long led = 0;
    for (RaftGroupId g : leader.server().getGroupIds()) {
      led += leader.division(g).map(d -> d.getInfo().isLeader()).orElse(false) ? 1 : 0;
    }

    cluster.stop(gone);

    ReplicatedLog next = cluster.leaderOf(group);
    // At least the shard's; the metadata group's too when the node led it (same voters, same choice).
    assertThat(next.leaderLossElections()).as("elections stood for because the leader's port refused")
        .isBetween(1L, led);
    assertThat(next.division(group).orElseThrow().getInfo().getCurrentTerm()).isGreaterThan(term);
    for (ReplicatedLog other : cluster.nodes()) {
      if (other != next) {
        assertThat(other.leaderLossElections()).as("only the chosen follower stands").isZero();
      }
    }
    assertThat(next.publish(next.metadata().queue("q"), publish("after")).get(60, TimeUnit.SECONDS).getErrorCode())
        .isEqualTo(Status.OK);
    await().atMost(InProcessCluster.EVENTUALLY).untilAsserted(() ->
        assertThat(next.localShards().get(group).queueRecord("q").getMessages()).isEqualTo(2));
  }
}
