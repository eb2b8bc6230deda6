package io.qraft.bench.jmh;

import com.google.protobuf.ByteString;
import io.qraft.api.log.v1.CreateQueue;
import io.qraft.api.log.v1.Deliver;
import io.qraft.api.log.v1.Enqueue;
import io.qraft.api.log.v1.QueuePublish;
import io.qraft.api.log.v1.Settle;
import io.qraft.api.log.v1.ShardCommand;
import io.qraft.api.v1.DeliveryTag;
import io.qraft.api.v1.Message;
import java.util.List;

/** Log commands as a shard leader writes them, for the micro benchmarks. */
final class Commands {
  private Commands() {}

  static byte[] body(int size) {
    byte[] b = new byte[size];
    for (int i = 0; i < size; i++) {
      b[i] = (byte) ('a' + i % 26);
    }
    return b;
  }

  static ShardCommand create(String queue) {
    return ShardCommand.newBuilder().setLeaderTimeMs(1)
        .setCreateQueue(CreateQueue.newBuilder().setQueue(queue).putArguments("ack-mode", "quorum"))
        .build();
  }

  static ShardCommand enqueue(String queue, String producer, long sequence, int messages, int size) {
    QueuePublish.Builder p = QueuePublish.newBuilder().setQueue(queue)
        .setProducerId(producer).setSequence(sequence);
    Message m = Message.newBuilder().setBody(ByteString.copyFrom(body(size))).build();
    for (int i = 0; i < messages; i++) {
      p.addMessages(m);
    }
    return ShardCommand.newBuilder().setLeaderTimeMs(1_700_000_000_000L + sequence)
        .setEnqueue(Enqueue.newBuilder().addPublishes(p)).build();
  }

  static ShardCommand deliver(String queue, String consumer, int max) {
    return ShardCommand.newBuilder().setLeaderTimeMs(1)
        .setDeliver(Deliver.newBuilder().setQueue(queue).setConsumerId(consumer).setMaxCount(max))
        .build();
  }

  static ShardCommand ack(String queue, List<DeliveryTag> tags) {
    return ShardCommand.newBuilder().setLeaderTimeMs(1)
        .setSettle(Settle.newBuilder().setQueue(queue).addAllTags(tags)
            .setOutcome(Settle.Outcome.ACK))
        .build();
  }
}
