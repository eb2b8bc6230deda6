package io.qraft.statemachine;

import io.qraft.api.log.v1.AdoptQueue;
import io.qraft.api.log.v1.CarriedSequence;
import io.qraft.api.log.v1.QueueRecord;
import io.qraft.api.log.v1.SealQueue;
import io.qraft.api.log.v1.SealState;
import io.qraft.api.log.v1.ShardResult;
import io.qraft.api.log.v1.StoredMessage;
import io.qraft.api.log.v1.SyncDone;
import io.qraft.api.log.v1.SyncIn;
import io.qraft.api.log.v1.SyncOut;
import io.qraft.api.log.v1.SyncedMessage;
import io.qraft.storage.QueueStore;
import io.qraft.storage.StoreBatch;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * Moving a queue between shards, the shard side: the old shard seals it (no
 * more publishes) and the new one adopts it from the seal's next offset. The
 * messages below stay in the old shard, or are copied over by a sync
 * (SyncOut, SyncIn, SyncDone) while marked outstanding for the copy, so that
 * no consumer takes them meanwhile. Part of {@link QueueMachine}'s apply: the
 * same queues, store and rules of determinism.
 */
final class QueueMoves {
  /**
   * Marks of messages being copied to another shard hold this + the target
   * group as consumer id; a consumer cannot take such an id.
   */
  static final String SYNC_PREFIX = "sync:";

  private final QueueStore store;
  private final ShardEvents events;
  private final Map<String, QueueState> queues;
  private final Producers producers;

  QueueMoves(QueueStore store, ShardEvents events, Map<String, QueueState> queues, Producers producers) {
    this.store = store;
    this.events = events;
    this.queues = queues;
    this.producers = producers;
  }

  Outcome seal(StoreBatch batch, SealQueue c) {
    QueueState state = queues.get(c.getQueue());
    if (state == null) {
      return Outcome.of(QueueMachine.notFound(c.getQueue()));
    }
    QueueRecord record = state.record;
    if (!record.getSealed()) {
      record = record.toBuilder().setSealed(true).setOperations(record.getOperations() + 1).build();
      batch.putQueue(c.getQueue(), record.toByteArray());
    }
    // Applied again, it only reports: the mover may have lost the first answer.
    SealState sealed = SealState.newBuilder()
        .setNextOffset(record.getNextOffset())
        .setMessages(record.getMessages())
        .addAllSequences(producers.carried(c.getQueue()))
        .build();
    QueueRecord updated = record;
    return new Outcome(ShardResult.newBuilder().setSealed(sealed).build(), () -> state.record = updated);
  }

  Outcome adopt(StoreBatch batch, long index, AdoptQueue c, long leaderTimeMs) {
    if (c.getNextOffset() < 0) {
      // Unsigned in the command; the store's offsets are not.
      return Outcome.of(QueueMachine.error(Status.INVALID_ARGUMENT, "next offset " + Long.toUnsignedString(c.getNextOffset())
          + " of queue '" + c.getQueue() + "' is out of range"));
    }
    QueueState existing = queues.get(c.getQueue());
    if (existing != null) {
      QueueRecord r = existing.record;
      if (r.getSealed()) {
        return Outcome.of(QueueMachine.error(Status.FAILED_PRECONDITION, "queue '" + c.getQueue()
            + "' is sealed in this shard: it is moving away from here, it cannot be adopted here"));
      }
      if (!r.getArgumentsMap().equals(c.getArgumentsMap())) {
        return Outcome.of(QueueMachine.error(Status.FAILED_PRECONDITION, "queue '" + c.getQueue()
            + "' exists with arguments " + new TreeMap<>(r.getArgumentsMap())
            + ", not " + new TreeMap<>(c.getArgumentsMap()) + "; it cannot be adopted"));
      }
      if (r.getNextOffset() < c.getNextOffset()) {
        // Its offsets would collide with the old part's: it is another queue of that name.
        return Outcome.of(QueueMachine.error(Status.FAILED_PRECONDITION, "queue '" + c.getQueue()
            + "' exists here with next offset " + r.getNextOffset() + ", below the adopted "
            + c.getNextOffset() + ": it does not continue the sealed queue"));
      }
      // Adopted already (this entry applied again, or a retried move): it continues from there.
      return Outcome.of(ShardResult.newBuilder().setCreated(false).build());
    }
    QueueRecord record = QueueRecord.newBuilder()
        .setName(c.getQueue()).putAllArguments(c.getArgumentsMap()).setLimits(c.getLimits())
        .setIncarnation(index)
        .setNextOffset(c.getNextOffset())
        .setSyncFloor(c.getNextOffset())
        .setOperations(1)
        .build();
    batch.putQueue(c.getQueue(), record.toByteArray());
    // As if this entry had stored them: a retry is recognised here, until the window passes from now.
    Producers.Entry sequences = producers.begin(index, leaderTimeMs);
    for (CarriedSequence carried : c.getSequencesList()) {
      sequences.remember(batch, c.getQueue(), carried.getProducerId(), carried.getSequence(),
          carried.getOffsetsList());
    }
    sequences.finish(batch);
    QueueState state = new QueueState(record);
    return new Outcome(ShardResult.newBuilder().setCreated(true).build(), () -> {
      sequences.committed();
      queues.put(c.getQueue(), state);
    });
  }

  Outcome syncOut(StoreBatch batch, SyncOut c) {
    QueueState state = queues.get(c.getQueue());
    if (state == null) {
      return Outcome.of(QueueMachine.notFound(c.getQueue()));
    }
    if (!state.record.getSealed()) {
      return Outcome.of(QueueMachine.error(Status.FAILED_PRECONDITION, "queue '" + c.getQueue()
          + "' is not sealed in this shard: only the old part of a moved queue is copied out"));
    }
    String syncId = syncConsumer(c.getToGroup());
    ShardResult.Builder result = ShardResult.newBuilder();
    TreeMap<Long, QueueState.Mark> marked = marksOf(state, syncId);
    if (!marked.isEmpty()) {
      // An earlier copy stopped halfway: the same messages again, so that it can finish.
      marked.forEach((offset, mark) -> result.addSynced(
          synced(offset, QueueMachine.parseMessage(store.message(c.getQueue(), offset)), mark.deliveryCount(), mark.failed())));
      return Outcome.of(result.build());
    }
    // The new shard takes a chunk only below every offset it copied before; offsets taken
    // top down keep that true only while nothing above comes back to ready. An offset out
    // with a consumer (or another copy) may come back: take nothing below it.
    long above = -1;
    for (Map.Entry<Long, QueueState.Mark> o : state.outstanding.entrySet()) {
      above = Math.max(above, o.getKey());
    }
    long max = Math.max(1, Integer.toUnsignedLong(c.getMaxCount()));
    TreeMap<Long, StoredMessage> taken = new TreeMap<>();
    long bytes = 0;
    Iterator<Long> it = state.ready.descendingIterator();
    while (it.hasNext() && taken.size() < max) {
      long offset = it.next();
      if (offset < above) {
        break;
      }
      StoredMessage stored = QueueMachine.parseMessage(store.message(c.getQueue(), offset));
      bytes += stored.getMessage().getBody().size();
      // The answer must fit a reply; one message always goes, or a large one would never move.
      if (c.getMaxBytes() > 0 && !taken.isEmpty() && Long.compareUnsigned(bytes, c.getMaxBytes()) > 0) {
        break;
      }
      taken.put(offset, stored);
    }
    if (taken.isEmpty()) {
      return Outcome.of(result.build());
    }
    List<Runnable> memory = new ArrayList<>();
    for (Map.Entry<Long, StoredMessage> e : taken.entrySet()) {
      long offset = e.getKey();
      // The prior count, not one more: a copy is no delivery, and SyncIn keeps the count.
      int count = state.priorDeliveries.getOrDefault(offset, 0);
      int failed = state.priorFailures.getOrDefault(offset, 0);
      batch.putUnacked(c.getQueue(), offset, QueueMachine.mark(syncId, count, failed, 0));
      result.addSynced(synced(offset, e.getValue(), count, failed));
      memory.add(() -> {
        state.ready.remove(offset);
        state.priorDeliveries.remove(offset);
        state.priorFailures.remove(offset);
        state.outstanding.put(offset, new QueueState.Mark(syncId, count, failed, 0));
      });
    }
    QueueRecord updated = state.record.toBuilder()
        .setUnacked(state.record.getUnacked() + taken.size())
        .setOperations(state.record.getOperations() + 1)
        .build();
    batch.putQueue(c.getQueue(), updated.toByteArray());
    return new Outcome(result.build(), () -> {
      memory.forEach(Runnable::run);
      state.record = updated;
    });
  }

  Outcome syncIn(StoreBatch batch, SyncIn c) {
    QueueState state = queues.get(c.getQueue());
    if (state == null) {
      return Outcome.of(QueueMachine.notFound(c.getQueue()));
    }
    QueueRecord record = state.record;
    TreeSet<Long> offsets = new TreeSet<>();
    for (SyncedMessage m : c.getMessagesList()) {
      // Unsigned in the command: above 2^63 it reads negative here, and is no offset either.
      if (m.getOffset() < 0 || m.getOffset() >= record.getNextOffset()) {
        return Outcome.of(QueueMachine.error(Status.INVALID_ARGUMENT, "offset " + Long.toUnsignedString(m.getOffset())
            + " of queue '" + c.getQueue() + "' is not below its next offset " + record.getNextOffset()
            + ": it is no message of an old part; nothing was stored"));
      }
      if (!offsets.add(m.getOffset())) {
        return Outcome.of(QueueMachine.error(Status.INVALID_ARGUMENT, "offset " + m.getOffset() + " of queue '"
            + c.getQueue() + "' comes twice in one copy; nothing was stored"));
      }
    }
    // Copies go top down: at or above the floor was stored before, and may be consumed since.
    // Below it nothing was (SyncOut takes nothing that could come back above a copy).
    TreeSet<Long> below = new TreeSet<>(offsets.headSet(record.getSyncFloor()));
    if (below.isEmpty()) {
      return Outcome.of(ShardResult.newBuilder().setCount(0).build());
    }
    long bytes = 0;
    Map<Long, Integer> prior = new TreeMap<>();
    Map<Long, Integer> failures = new TreeMap<>();
    Map<Long, Long> deadlines = new TreeMap<>();
    for (SyncedMessage m : c.getMessagesList()) {
      if (!below.contains(m.getOffset())) {
        continue;
      }
      StoredMessage copied = m.getStored();
      // Stored as a requeued message is: the message as enqueued, its count in an unowned mark.
      batch.putMessage(c.getQueue(), m.getOffset(), StoredMessage.newBuilder()
          .setMessage(copied.getMessage()).setEnqueuedAtMs(copied.getEnqueuedAtMs()).build().toByteArray());
      if (copied.getDeliveryCount() > 0 || copied.getFailedDeliveries() > 0) {
        batch.putUnacked(c.getQueue(), m.getOffset(), QueueMachine.mark("", copied.getDeliveryCount(),
            copied.getFailedDeliveries(), 0));
        if (copied.getDeliveryCount() > 0) {
          prior.put(m.getOffset(), copied.getDeliveryCount());
        }
        if (copied.getFailedDeliveries() > 0) {
          failures.put(m.getOffset(), copied.getFailedDeliveries());
        }
      }
      long own = QueueRules.ownDeadline(copied.getMessage(), copied.getEnqueuedAtMs());
      if (own >= 0) {
        deadlines.put(m.getOffset(), own);
      }
      bytes += copied.getMessage().getBody().size();
    }
    QueueRecord updated = record.toBuilder()
        .setMessages(record.getMessages() + below.size())
        .setBytes(record.getBytes() + bytes)
        .setSyncFloor(below.first())
        .setOperations(record.getOperations() + 1)
        .build();
    batch.putQueue(c.getQueue(), updated.toByteArray());
    return new Outcome(ShardResult.newBuilder().setCount(below.size()).build(), () -> {
      state.ready.addAll(below);
      state.priorDeliveries.putAll(prior);
      state.priorFailures.putAll(failures);
      state.ownDeadlines.putAll(deadlines);
      state.record = updated;
      events.messagesReady(c.getQueue());
    });
  }

  Outcome syncDone(StoreBatch batch, SyncDone c) {
    QueueState state = queues.get(c.getQueue());
    if (state == null) {
      return Outcome.of(QueueMachine.notFound(c.getQueue()));
    }
    TreeMap<Long, QueueState.Mark> marked = marksOf(state, syncConsumer(c.getToGroup()));
    if (marked.isEmpty()) {
      // Done before (applied again, or a retry): nothing is left to remove.
      return Outcome.of(ShardResult.newBuilder().setCount(0).build());
    }
    long bytes = 0;
    for (long offset : marked.keySet()) {
      bytes += QueueMachine.parseMessage(store.message(c.getQueue(), offset)).getMessage().getBody().size();
      batch.deleteMessage(c.getQueue(), offset);
      batch.deleteUnacked(c.getQueue(), offset);
    }
    QueueRecord updated = state.record.toBuilder()
        .setMessages(state.record.getMessages() - marked.size())
        .setBytes(state.record.getBytes() - bytes)
        .setUnacked(state.record.getUnacked() - marked.size())
        .setOperations(state.record.getOperations() + 1)
        .build();
    batch.putQueue(c.getQueue(), updated.toByteArray());
    return new Outcome(ShardResult.newBuilder().setCount(marked.size()).build(), () -> {
      marked.keySet().forEach(state.outstanding::remove);
      state.record = updated;
    });
  }

  /** The consumer id of the marks of a copy to toGroup. */
  static String syncConsumer(String toGroup) {
    return SYNC_PREFIX + toGroup;
  }

  /** The queue's outstanding marks of one consumer id, by offset. */
  private static TreeMap<Long, QueueState.Mark> marksOf(QueueState state, String consumerId) {
    TreeMap<Long, QueueState.Mark> out = new TreeMap<>();
    state.outstanding.forEach((offset, mark) -> {
      if (mark.consumerId().equals(consumerId)) {
        out.put(offset, mark);
      }
    });
    return out;
  }

  /** A message as SyncOut answers it: as enqueued, with its prior delivery count and no consumer. */
  private static SyncedMessage synced(long offset, StoredMessage stored, int deliveryCount, int failed) {
    return SyncedMessage.newBuilder().setOffset(offset)
        .setStored(stored.toBuilder().setDeliveryCount(deliveryCount).setFailedDeliveries(failed).clearConsumerId())
        .build();
  }
}
