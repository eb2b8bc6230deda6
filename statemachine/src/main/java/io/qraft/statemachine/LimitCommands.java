package io.qraft.statemachine;

import io.qraft.api.log.v1.QueueRecord;
import io.qraft.api.log.v1.ShardResult;
import io.qraft.storage.QueueStore;
import io.qraft.storage.StoreBatch;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * The commands of the queues' limits: {@code SetLimits} (a queue's limits as its policy says),
 * a {@code Tick}'s record of queues in use, and {@code DeadLetterDone} (dead-lettered messages
 * the leader moved or dropped leave the queue). What the limits do to messages entry by entry is
 * {@link QueueRules}. Part of {@link QueueMachine}, whose apply loop owns it.
 *
 * <p>Not thread-safe: owned by the apply loop.
 */
final class LimitCommands {
  private final QueueStore store;
  private final Map<String, QueueState> queues;
  private final PendingEvents events;

  LimitCommands(QueueStore store, Map<String, QueueState> queues, PendingEvents events) {
    this.store = store;
    this.queues = queues;
    this.events = events;
  }

  /** A Tick's queues with consumers only the leader knows of are used now (see expires). */
  Outcome used(StoreBatch batch, List<String> usedQueues, long now) {
    List<Runnable> memory = new ArrayList<>();
    for (String queue : new java.util.TreeSet<>(usedQueues)) {
      QueueState state = queues.get(queue);
      if (state == null || now <= 0) {
        continue;
      }
      QueueRecord updated = state.record.toBuilder().setLastUsedMs(now).build();
      batch.putQueue(queue, updated.toByteArray());
      memory.add(() -> state.record = updated);
    }
    return new Outcome(ShardResult.getDefaultInstance(), () -> memory.forEach(Runnable::run));
  }

  /** Sets a queue's limits; lower length limits apply after this entry (drop-head). */
  Outcome setLimits(StoreBatch batch, io.qraft.api.log.v1.SetLimits c) {
    QueueState state = queues.get(c.getQueue());
    if (state == null) {
      return Outcome.of(QueueMachine.notFound(c.getQueue()));
    }
    QueueRecord updated = state.record.toBuilder().setLimits(c.getLimits())
        .setOperations(state.record.getOperations() + 1).build();
    batch.putQueue(c.getQueue(), updated.toByteArray());
    return new Outcome(ShardResult.newBuilder().setCount(1).build(), () -> {
      state.record = updated;
      events.markDirty(c.getQueue());
    });
  }

  /**
   * The leader moved (or dropped) dead-lettered messages: they leave the queue. An offset that
   * is no longer dead-lettered was done before: a new leader moved it again, and the dead-letter
   * queue may hold it twice (counted).
   */
  Outcome deadLetterDone(StoreBatch batch, io.qraft.api.log.v1.DeadLetterDone c) {
    QueueState state = queues.get(c.getQueue());
    if (state == null) {
      return Outcome.of(QueueMachine.notFound(c.getQueue()));
    }
    java.util.TreeSet<Long> offsets = new java.util.TreeSet<>(c.getOffsetsList());
    io.qraft.api.log.v1.QueueCounters.Builder counters = state.record.getCounters().toBuilder();
    QueueRecord.Builder record = state.record.toBuilder().setOperations(state.record.getOperations() + 1);
    List<Long> done = new ArrayList<>();
    for (long offset : offsets) {
      String reason = state.dead.get(offset);
      if (reason == null) {
        if (QueueMachine.settledAlready(state, offset)) {
          counters.setDeadLetterResends(counters.getDeadLetterResends() + 1);
        }
        continue;
      }
      long size = QueueMachine.parseMessage(store.message(c.getQueue(), offset)).getMessage().getBody().size();
      batch.deleteMessage(c.getQueue(), offset);
      batch.deleteUnacked(c.getQueue(), offset);
      record.setMessages(record.getMessages() - 1).setBytes(record.getBytes() - size);
      if (c.getDropped()) {
        counters.putDropped(reason, counters.getDroppedOrDefault(reason, 0) + 1);
      } else {
        counters.putDeadLettered(reason, counters.getDeadLetteredOrDefault(reason, 0) + 1);
      }
      done.add(offset);
    }
    QueueRecord updated = record.setCounters(counters).build();
    batch.putQueue(c.getQueue(), updated.toByteArray());
    return new Outcome(ShardResult.newBuilder().setCount(done.size()).build(), () -> {
      state.record = updated;
      done.forEach(state.dead::remove);
      events.deadDone();
    });
  }
}
