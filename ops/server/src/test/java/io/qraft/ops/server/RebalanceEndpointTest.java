package io.qraft.ops.server;

import static io.qraft.ops.server.OneNodeServer.whenReady;
import static org.assertj.core.api.Assertions.assertThat;

import com.google.protobuf.ByteString;
import io.qraft.api.v1.DeclareQueueRequest;
import io.qraft.api.v1.DeleteQueueRequest;
import io.qraft.api.v1.GetRequest;
import io.qraft.api.v1.ListQueuesRequest;
import io.qraft.api.v1.Message;
import io.qraft.api.v1.PublishRequest;
import io.qraft.api.v1.QueueInfo;
import io.qraft.api.v1.QueueMove;
import io.qraft.api.v1.RebalanceRequest;
import io.qraft.api.v1.RebalanceResponse;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * rebalance on a one-node cluster (one replica set, three shards by default): a shard left
 * short by deletes gets a queue from a full one, the queue keeps its messages and stays where
 * it was moved, and a balanced cluster needs no move.
 */
@Timeout(value = 3, unit = TimeUnit.MINUTES)
class RebalanceEndpointTest {
  @TempDir
  Path dir;

  @Test
  void aShortShardGetsAQueueThatKeepsItsMessagesAndStays() throws Exception {
    try (OneNodeServer server = OneNodeServer.start(dir)) {
      for (int i = 0; i < 9; i++) {
        String q = "rb." + i;
        whenReady(() -> server.queues().declareQueue(DeclareQueueRequest.newBuilder().setQueue(q).build()));
        for (int n = 0; n < 2; n++) {
          server.queues().publish(PublishRequest.newBuilder().setQueue(q)
              .addMessages(Message.newBuilder().setBody(ByteString.copyFromUtf8(q + "/" + n))).build());
        }
      }
      Map<String, List<String>> byGroup = byGroup(queues(server));
      assertThat(byGroup.values()).as("placement fills three shards evenly: %s", byGroup)
          .hasSize(3).allSatisfy(qs -> assertThat(qs).hasSize(3));
      String shortShard = byGroup.keySet().iterator().next();
      for (String q : byGroup.get(shortShard).subList(0, 2)) {
        server.queues().deleteQueue(DeleteQueueRequest.newBuilder().setQueue(q).build());
      }

      RebalanceResponse r = server.admin().rebalance(RebalanceRequest.getDefaultInstance());

      assertThat(r.getMovesList()).as("one node leads everything already").isEmpty();
      assertThat(r.getQueueMovesList()).as("3/3/1 needs one move: %s", r).hasSize(1);
      QueueMove move = r.getQueueMoves(0);
      assertThat(move.getError()).isEmpty();
      assertThat(move.getMoved()).isTrue();
      assertThat(move.getToGroup()).isEqualTo(shortShard);
      assertThat(byGroup.get(move.getFromGroup())).contains(move.getQueue());
      Map<String, List<String>> after = byGroup(queues(server));
      assertThat(after.values()).as("%s", after).extracting(List::size).containsExactlyInAnyOrder(3, 2, 2);
      assertThat(after.get(shortShard)).contains(move.getQueue());

      // Its two messages stay in the old shard (an old part) and are delivered from there.
      QueueInfo moved = queue(server, move.getQueue());
      assertThat(moved.getMessages()).isEqualTo(2);
      assertThat(server.queues().get(GetRequest.newBuilder().setQueue(move.getQueue()).setCount(10).setAck(true)
          .build()).getDeliveriesList()).extracting(d -> d.getMessage().getBody().toStringUtf8())
          .containsExactly(move.getQueue() + "/0", move.getQueue() + "/1");

      // The mover finds the moved queue on its replica set and leaves it there.
      Thread.sleep(3_000);
      assertThat(queue(server, move.getQueue()).getGroup()).isEqualTo(shortShard);
      assertThat(server.admin().rebalance(RebalanceRequest.getDefaultInstance()).getQueueMovesList())
          .as("a balanced cluster needs no move").isEmpty();
    }
  }

  private static List<QueueInfo> queues(OneNodeServer server) {
    return server.admin().listQueues(ListQueuesRequest.getDefaultInstance()).getQueuesList();
  }

  private static QueueInfo queue(OneNodeServer server, String name) {
    return queues(server).stream().filter(q -> q.getName().equals(name)).findFirst().orElseThrow();
  }

  private static Map<String, List<String>> byGroup(List<QueueInfo> queues) {
    return queues.stream().collect(Collectors.groupingBy(QueueInfo::getGroup, TreeMap::new,
        Collectors.mapping(QueueInfo::getName, Collectors.toList())));
  }
}
