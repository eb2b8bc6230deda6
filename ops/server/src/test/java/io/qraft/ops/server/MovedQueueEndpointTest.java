package io.qraft.ops.server;

import static io.qraft.ops.server.OneNodeServer.whenReady;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.google.protobuf.ByteString;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.qraft.api.v1.AckRequest;
import io.qraft.api.v1.DeclareQueueRequest;
import io.qraft.api.v1.DeleteQueueRequest;
import io.qraft.api.v1.Delivery;
import io.qraft.api.v1.DeliveryTag;
import io.qraft.api.v1.GetRequest;
import io.qraft.api.v1.ListQueuesRequest;
import io.qraft.api.v1.Message;
import io.qraft.api.v1.PublishRequest;
import io.qraft.api.v1.PurgeQueueRequest;
import io.qraft.api.v1.QueueInfo;
import io.qraft.api.v1.SetPolicyRequest;
import io.qraft.api.v1.SyncQueueRequest;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The client API on a queue that moved and keeps an old part, on a one-node cluster (a
 * policy giving the queues a dedicated log moves them): acks go to the shard that delivered,
 * a tag naming a shard the queue has left is refused and changes nothing, gets take the old
 * part first, and purge and delete reach every part.
 */
@Timeout(value = 3, unit = TimeUnit.MINUTES)
class MovedQueueEndpointTest extends OnOneNode {
  private static final String GONE = "00000000-0000-0000-0000-00000000dead";


  private QueueInfo queue(String name) {
    return server.admin().listQueues(ListQueuesRequest.getDefaultInstance()).getQueuesList().stream()
        .filter(q -> q.getName().equals(name)).findFirst().orElseThrow();
  }

  private void publish(String queue, int from, int to) {
    for (int n = from; n < to; n++) {
      server.queues().publish(PublishRequest.newBuilder().setQueue(queue)
          .addMessages(Message.newBuilder().setBody(ByteString.copyFromUtf8(Integer.toString(n)))).build());
    }
  }

  private static List<Integer> bodies(List<Delivery> deliveries) {
    List<Integer> out = new ArrayList<>();
    deliveries.forEach(d -> out.add(Integer.parseInt(d.getMessage().getBody().toStringUtf8())));
    return out;
  }

  /**
   * Declares the queues and publishes 0..n-1 to each, then moves them all to dedicated logs
   * with a policy for names starting with prefix (one per test, so that no test's policy
   * places another's queues at declare time).
   */
  private void declareAndMove(String prefix, int n, String... queues) throws Exception {
    for (String q : queues) {
      whenReady(() -> server.queues().declareQueue(DeclareQueueRequest.newBuilder().setQueue(q).build()));
      publish(q, 0, n);
    }
    List<String> before = new ArrayList<>();
    for (String q : queues) {
      before.add(queue(q).getGroup());
    }
    server.admin().setPolicy(SetPolicyRequest.newBuilder().setName(prefix).setPattern("^" + prefix + "\\.")
        .setDefinition("{\"queue-log\":\"dedicated\"}").build());
    for (int i = 0; i < queues.length; i++) {
      String q = queues[i];
      String old = before.get(i);
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
      while (queue(q).getGroup().equals(old)) {
        assertThat(System.nanoTime()).as("%s moved off %s", q, old).isLessThan(deadline);
        Thread.sleep(100);
      }
    }
  }

  @Test
  void acksGoWhereTheMessageWasDeliveredAndAStaleShardIsRefused() throws Exception {
    declareAndMove("moved", 5, "moved.acks", "moved.purge", "moved.delete");
    // Old part: 0..4; the new shard takes 5..6.
    publish("moved.acks", 5, 7);
    List<Delivery> held = server.queues().get(GetRequest.newBuilder().setQueue("moved.acks").setCount(2).build())
        .getDeliveriesList();
    assertThat(bodies(held)).containsExactly(0, 1);
    String oldPart = held.get(0).getTag().getPart();
    assertThat(oldPart).isNotEmpty().isNotEqualTo(queue("moved.acks").getGroup());

    DeliveryTag stale = held.get(0).getTag().toBuilder().setPart(GONE).build();
    assertThatThrownBy(() -> server.queues().ack(AckRequest.newBuilder().setQueue("moved.acks")
        .addTags(stale).addTags(held.get(1).getTag()).build()))
        .isInstanceOf(StatusRuntimeException.class)
        .satisfies(e -> {
          Status status = ((StatusRuntimeException) e).getStatus();
          assertThat(status.getCode()).isEqualTo(Status.Code.FAILED_PRECONDITION);
          assertThat(status.getDescription()).contains("no longer holds").contains("nothing was settled");
        });
    assertThat(queue("moved.acks").getMessagesUnacked()).as("the refused ack settled nothing").isEqualTo(2);

    assertThat(server.queues().ack(AckRequest.newBuilder().setQueue("moved.acks")
        .addAllTags(held.stream().map(Delivery::getTag).toList()).build()).getAcked()).isEqualTo(2);
    QueueInfo afterAck = queue("moved.acks");
    assertThat(afterAck.getMessages()).isEqualTo(5);
    assertThat(afterAck.getMessagesUnacked()).isZero();

    // The old part's messages come first; once it is empty the queue is served from its new shard.
    List<Integer> got = new ArrayList<>();
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
    while (got.size() < 5 && System.nanoTime() < deadline) {
      got.addAll(bodies(server.queues().get(GetRequest.newBuilder().setQueue("moved.acks").setCount(10).setAck(true)
          .build()).getDeliveriesList()));
      Thread.sleep(100);
    }
    assertThat(got).containsExactly(2, 3, 4, 5, 6);

    // Purge and delete reach both parts: 5 messages in the old part, 2 in the new shard.
    publish("moved.purge", 5, 7);
    publish("moved.delete", 5, 7);
    assertThat(server.queues().purgeQueue(PurgeQueueRequest.newBuilder().setQueue("moved.purge").build())
        .getMessagesPurged()).isEqualTo(7);
    assertThat(server.queues().deleteQueue(DeleteQueueRequest.newBuilder().setQueue("moved.delete").build())
        .getMessagesDeleted()).isEqualTo(7);
  }

  @Test
  void syncQueueCopiesTheOldPartAndAnUnknownQueueIsNotFound() throws Exception {
    for (boolean cancel : List.of(false, true)) {
      SyncQueueRequest unknown = SyncQueueRequest.newBuilder().setQueue("synced.none").build();
      // Through whenReady: a local read (list_queues) answers before the node leads the
      // metadata group, and sync_queue runs on that leader.
      assertThatThrownBy(() -> whenReady(() -> cancel ? server.admin().cancelSyncQueue(unknown)
          : server.admin().syncQueue(unknown))).satisfies(e -> assertThat(((StatusRuntimeException) e).getStatus().getCode())
          .isEqualTo(Status.Code.NOT_FOUND));
    }
    declareAndMove("synced", 3, "synced.q");
    // Manual sync: the old part stays, and cancelling (nothing runs) says so.
    assertThat(server.admin().cancelSyncQueue(SyncQueueRequest.newBuilder().setQueue("synced.q").build())
        .getSynchronised()).isFalse();
    // sync_queue copies it into the new shard and drops it; the messages keep their order.
    assertThat(server.admin().syncQueue(SyncQueueRequest.newBuilder().setQueue("synced.q").build())
        .getSynchronised()).isTrue();
    assertThat(queue("synced.q").getMessages()).isEqualTo(3);
    List<Delivery> all = server.queues().get(GetRequest.newBuilder().setQueue("synced.q").setCount(10).setAck(true)
        .build()).getDeliveriesList();
    assertThat(bodies(all)).containsExactly(0, 1, 2);
    assertThat(all).allSatisfy(d -> assertThat(d.getTag().getPart()).isEqualTo(queue("synced.q").getGroup()));
  }
}
