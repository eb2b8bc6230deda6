package io.qraft.log;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import com.google.protobuf.ByteString;
import io.qraft.api.log.v1.QueuePublish;
import io.qraft.api.log.v1.ShardCommand;
import io.qraft.api.v1.Message;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.apache.ratis.protocol.RaftGroupId;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * A group that closes on its own on one node (as Ratis closes a group whose state machine failed)
 * is noticed: the node is told once, with the shard and why, so that its process can exit and be
 * restarted; meanwhile requests to that replica are refused with those words instead of an
 * executor's exception, and the group goes on serving from the other two nodes.
 */
@Timeout(value = 3, unit = TimeUnit.MINUTES)
class ServingWatchClusterTest {
  @TempDir
  Path root;

  @Test
  void aGroupClosedOnItsOwnIsReportedOnceAndRefusedInWords() throws Exception {
    try (InProcessCluster cluster = InProcessCluster.ofThree(root)) {
      cluster.declare("watched", Map.of());
      RaftGroupId group = InProcessCluster.groupOf(cluster.metadataLeader(), "watched");
      ReplicatedLog leader = cluster.leaderOf(group);
      ReplicatedLog follower = cluster.follower(group);
      List<String> told = new CopyOnWriteArrayList<>();
      follower.onStoppedServing(told::add);
      assertThat(follower.whyNotServing()).isNull();

      follower.division(group).orElseThrow().close();

      String shard = "shard " + GroupIds.text(group) + " is not running on " + follower.settings().nodeId();
      await().atMost(Duration.ofSeconds(15)).until(() -> !told.isEmpty());
      assertThat(told.get(0)).startsWith(shard).contains("closed on its own");
      assertThat(follower.whyNotServing()).startsWith(shard);
      assertThatThrownBy(() -> follower.submitShard(group, ShardCommand.getDefaultInstance()).get(10, TimeUnit.SECONDS))
          .hasCauseInstanceOf(LogUnavailableException.class)
          .hasMessageContaining(shard);
      Thread.sleep(3 * ServingWatch.INTERVAL_MS);
      assertThat(told).as("told once").hasSize(1);

      // The other two replicas go on.
      QueuePublish publish = QueuePublish.newBuilder().setQueue("watched")
          .addMessages(Message.newBuilder().setBody(ByteString.copyFromUtf8("still served"))).build();
      assertThat(leader.publish(group, publish, EffectivePolicy.none()).get(30, TimeUnit.SECONDS).getOffsetsCount())
          .isEqualTo(1);
      assertThat(leader.whyNotServing()).isNull();
    }
  }
}
