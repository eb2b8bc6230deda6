package io.qraft.statemachine;

import com.google.protobuf.ByteString;
import io.qraft.api.log.v1.AdoptQueue;
import io.qraft.api.log.v1.Attach;
import io.qraft.api.log.v1.CarriedSequence;
import io.qraft.api.log.v1.CreateQueue;
import io.qraft.api.log.v1.DeleteQueue;
import io.qraft.api.log.v1.Deliver;
import io.qraft.api.log.v1.Detach;
import io.qraft.api.log.v1.Enqueue;
import io.qraft.api.log.v1.Purge;
import io.qraft.api.log.v1.QueuePublish;
import io.qraft.api.log.v1.ReturnDeliveries;
import io.qraft.api.log.v1.SealQueue;
import io.qraft.api.log.v1.Settle;
import io.qraft.api.log.v1.ShardCommand;
import io.qraft.api.log.v1.StoredMessage;
import io.qraft.api.log.v1.SyncDone;
import io.qraft.api.log.v1.SyncIn;
import io.qraft.api.log.v1.SyncOut;
import io.qraft.api.log.v1.SyncedMessage;
import io.qraft.api.v1.DeliveryTag;
import io.qraft.api.v1.Message;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;

/** Builders of shard commands for tests: one line per command. */
final class Cmd {
  /** The leader time stamped on commands built here; tests of time pass their own. */
  static final long LEADER_TIME_MS = 1_700_000_000_000L;

  private Cmd() {}

  static ShardCommand create(String queue) {
    return create(queue, Map.of());
  }

  static ShardCommand create(String queue, Map<String, String> arguments) {
    return ShardCommand.newBuilder().setLeaderTimeMs(LEADER_TIME_MS)
        .setCreateQueue(CreateQueue.newBuilder().setQueue(queue).putAllArguments(arguments)).build();
  }

  static ShardCommand delete(String queue) {
    return ShardCommand.newBuilder().setLeaderTimeMs(LEADER_TIME_MS)
        .setDeleteQueue(DeleteQueue.newBuilder().setQueue(queue)).build();
  }

  /** One publish of the bodies (UTF-8) to one queue. */
  static ShardCommand publish(String queue, String... bodies) {
    return enqueue(publishOf(queue, bodies));
  }

  static ShardCommand enqueue(QueuePublish... publishes) {
    return enqueueAt(LEADER_TIME_MS, publishes);
  }

  static ShardCommand enqueueAt(long leaderTimeMs, QueuePublish... publishes) {
    Enqueue.Builder e = Enqueue.newBuilder();
    for (QueuePublish p : publishes) {
      e.addPublishes(p);
    }
    return ShardCommand.newBuilder().setLeaderTimeMs(leaderTimeMs).setEnqueue(e).build();
  }

  static QueuePublish publishOf(String queue, String... bodies) {
    QueuePublish.Builder p = QueuePublish.newBuilder().setQueue(queue);
    for (String body : bodies) {
      p.addMessages(message(body));
    }
    return p.build();
  }

  static Message message(String body) {
    return Message.newBuilder().setBody(ByteString.copyFrom(body, StandardCharsets.UTF_8)).build();
  }

  static ShardCommand deliver(String queue, String consumer, int maxCount) {
    return deliver(queue, consumer, maxCount, false);
  }

  /** A deliver that settles at once (auto-ack). */
  static ShardCommand deliverSettled(String queue, String consumer, int maxCount) {
    return deliver(queue, consumer, maxCount, true);
  }

  static ShardCommand deliver(String queue, String consumer, int maxCount, boolean settle) {
    return ShardCommand.newBuilder().setLeaderTimeMs(LEADER_TIME_MS)
        .setDeliver(Deliver.newBuilder().setQueue(queue).setConsumerId(consumer)
            .setMaxCount(maxCount).setSettle(settle))
        .build();
  }

  static ShardCommand ack(String queue, DeliveryTag... tags) {
    return settle(queue, Settle.Outcome.ACK, tags);
  }

  static ShardCommand requeue(String queue, DeliveryTag... tags) {
    return settle(queue, Settle.Outcome.REQUEUE, tags);
  }

  static ShardCommand drop(String queue, DeliveryTag... tags) {
    return settle(queue, Settle.Outcome.DROP, tags);
  }

  static ShardCommand settle(String queue, Settle.Outcome outcome, DeliveryTag... tags) {
    Settle.Builder s = Settle.newBuilder().setQueue(queue).setOutcome(outcome);
    for (DeliveryTag t : tags) {
      s.addTags(t);
    }
    return ShardCommand.newBuilder().setLeaderTimeMs(LEADER_TIME_MS).setSettle(s).build();
  }

  static DeliveryTag tag(long offset, int deliveryCount) {
    return DeliveryTag.newBuilder().setOffset(offset).setDeliveryCount(deliveryCount).build();
  }

  static ShardCommand purge(String queue) {
    return ShardCommand.newBuilder().setLeaderTimeMs(LEADER_TIME_MS)
        .setPurge(Purge.newBuilder().setQueue(queue)).build();
  }

  static ShardCommand returnOf(String consumer) {
    return ShardCommand.newBuilder().setLeaderTimeMs(LEADER_TIME_MS)
        .setReturnDeliveries(ReturnDeliveries.newBuilder().setConsumerId(consumer)).build();
  }

  static ShardCommand returnAll() {
    return ShardCommand.newBuilder().setLeaderTimeMs(LEADER_TIME_MS)
        .setReturnDeliveries(ReturnDeliveries.newBuilder().setAll(true)).build();
  }

  /** A new leader's return that leaves the deliveries of attached consumers with them. */
  static ShardCommand returnAllKeepAttached() {
    return ShardCommand.newBuilder().setLeaderTimeMs(LEADER_TIME_MS)
        .setReturnDeliveries(ReturnDeliveries.newBuilder().setAll(true).setKeepAttached(true)).build();
  }

  static ShardCommand attach(String queue, String consumer, int prefetch) {
    return ShardCommand.newBuilder().setLeaderTimeMs(LEADER_TIME_MS)
        .setAttach(Attach.newBuilder().setQueue(queue).setConsumerId(consumer).setPrefetch(prefetch)).build();
  }

  static ShardCommand detach(String queue, String consumer) {
    return ShardCommand.newBuilder().setLeaderTimeMs(LEADER_TIME_MS)
        .setDetach(Detach.newBuilder().setQueue(queue).setConsumerId(consumer)).build();
  }

  static ShardCommand seal(String queue) {
    return ShardCommand.newBuilder().setLeaderTimeMs(LEADER_TIME_MS)
        .setSealQueue(SealQueue.newBuilder().setQueue(queue)).build();
  }

  static ShardCommand adopt(String queue, long nextOffset, CarriedSequence... sequences) {
    return adopt(queue, Map.of(), nextOffset, List.of(sequences));
  }

  static ShardCommand adopt(String queue, Map<String, String> arguments, long nextOffset,
      List<CarriedSequence> sequences) {
    return ShardCommand.newBuilder().setLeaderTimeMs(LEADER_TIME_MS)
        .setAdoptQueue(AdoptQueue.newBuilder().setQueue(queue).putAllArguments(arguments)
            .setNextOffset(nextOffset).addAllSequences(sequences))
        .build();
  }

  static CarriedSequence carried(String producer, long sequence, Long... offsets) {
    return CarriedSequence.newBuilder().setProducerId(producer).setSequence(sequence)
        .addAllOffsets(List.of(offsets)).build();
  }

  static ShardCommand syncOut(String queue, String toGroup, int maxCount) {
    return ShardCommand.newBuilder().setLeaderTimeMs(LEADER_TIME_MS)
        .setSyncOut(SyncOut.newBuilder().setQueue(queue).setToGroup(toGroup).setMaxCount(maxCount)).build();
  }

  static ShardCommand syncIn(String queue, List<SyncedMessage> messages) {
    return ShardCommand.newBuilder().setLeaderTimeMs(LEADER_TIME_MS)
        .setSyncIn(SyncIn.newBuilder().setQueue(queue).addAllMessages(messages)).build();
  }

  /** A copied message with this body, enqueue time and prior delivery count. */
  static SyncedMessage synced(long offset, String body, long enqueuedAtMs, int deliveryCount) {
    return SyncedMessage.newBuilder().setOffset(offset).setStored(StoredMessage.newBuilder()
        .setMessage(message(body)).setEnqueuedAtMs(enqueuedAtMs).setDeliveryCount(deliveryCount)).build();
  }

  static ShardCommand syncDone(String queue, String toGroup) {
    return ShardCommand.newBuilder().setLeaderTimeMs(LEADER_TIME_MS)
        .setSyncDone(SyncDone.newBuilder().setQueue(queue).setToGroup(toGroup)).build();
  }

  /** A command as text for an assertion's description, cut to 300 characters. */
  static String describe(com.google.protobuf.MessageOrBuilder command) {
    String text = com.google.protobuf.TextFormat.shortDebugString(command);
    return text.length() > 300 ? text.substring(0, 300) + "..." : text;
  }

  /** A command with no kind: refused, but its index is applied. */
  static ShardCommand at(long leaderTimeMs, ShardCommand command) {
    return command.toBuilder().setLeaderTimeMs(leaderTimeMs).build();
  }

  static ShardCommand setLimits(String queue, io.qraft.api.log.v1.QueueLimits limits) {
    return ShardCommand.newBuilder().setLeaderTimeMs(LEADER_TIME_MS)
        .setSetLimits(io.qraft.api.log.v1.SetLimits.newBuilder().setQueue(queue).setLimits(limits)).build();
  }

  static ShardCommand tick(long leaderTimeMs) {
    return ShardCommand.newBuilder().setLeaderTimeMs(leaderTimeMs)
        .setTick(io.qraft.api.log.v1.Tick.getDefaultInstance()).build();
  }

  static ShardCommand deadLetterDone(String queue, boolean dropped, Long... offsets) {
    return ShardCommand.newBuilder().setLeaderTimeMs(LEADER_TIME_MS)
        .setDeadLetterDone(io.qraft.api.log.v1.DeadLetterDone.newBuilder().setQueue(queue)
            .addAllOffsets(List.of(offsets)).setDropped(dropped)).build();
  }

  static ShardCommand requeueAfter(String queue, long delayMs, DeliveryTag... tags) {
    ShardCommand c = settle(queue, Settle.Outcome.REQUEUE, tags);
    return c.toBuilder().setSettle(c.getSettle().toBuilder().setRequeueAfterMs(delayMs)).build();
  }

  static ShardCommand detachAfterLeaderChange(String queue, String consumer) {
    ShardCommand c = detach(queue, consumer);
    return c.toBuilder().setDetach(c.getDetach().toBuilder().setAfterLeaderChange(true)).build();
  }

  static ShardCommand attach(String queue, String consumer, int prefetch, long timeoutMs) {
    ShardCommand c = attach(queue, consumer, prefetch);
    return c.toBuilder().setAttach(c.getAttach().toBuilder().setConsumerTimeoutMs(timeoutMs)).build();
  }

  static ShardCommand empty() {
    return ShardCommand.newBuilder().setLeaderTimeMs(LEADER_TIME_MS).build();
  }
}
