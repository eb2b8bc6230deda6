package io.qraft.statemachine;

import com.google.protobuf.InvalidProtocolBufferException;
import io.qraft.api.log.v1.AdoptQueue;
import io.qraft.api.log.v1.CarriedSequence;
import io.qraft.api.log.v1.CreateQueue;
import io.qraft.api.log.v1.DeleteQueue;
import io.qraft.api.log.v1.Deliver;
import io.qraft.api.log.v1.Enqueue;
import io.qraft.api.log.v1.PublishResult;
import io.qraft.api.log.v1.Purge;
import io.qraft.api.log.v1.QueuePublish;
import io.qraft.api.log.v1.QueueRecord;
import io.qraft.api.log.v1.ReturnDeliveries;
import io.qraft.api.log.v1.SealQueue;
import io.qraft.api.log.v1.SealState;
import io.qraft.api.log.v1.Settle;
import io.qraft.api.log.v1.ShardCommand;
import io.qraft.api.log.v1.ShardResult;
import io.qraft.api.log.v1.StoredMessage;
import io.qraft.api.log.v1.SyncDone;
import io.qraft.api.log.v1.SyncIn;
import io.qraft.api.log.v1.SyncOut;
import io.qraft.api.log.v1.SyncedMessage;
import io.qraft.api.v1.Delivery;
import io.qraft.api.v1.DeliveryTag;
import io.qraft.api.v1.Message;
import io.qraft.storage.QueueStore;
import io.qraft.storage.StoreBatch;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * The queues of one Raft group and the rules that change them: the
 * deterministic core of a shard. {@link #apply} takes a log index and a
 * command and returns the result; everything it reads comes from the store,
 * the command and the leader-stamped time inside the command, never from a
 * clock or a random source, so every replica reaches the same state.
 *
 * <p>Each applied entry is one store batch carrying its index: after a crash
 * the store is exactly the state of its last applied index. A command that is
 * refused (unknown queue, stale delivery tag, conflicting declare) changes
 * nothing but the applied index.
 *
 * <p>A queue moves between shards without stopping: the old shard seals it
 * (no more publishes) and the new one adopts it from the seal's next offset.
 * The messages below stay in the old shard, or are copied over by a sync
 * (SyncOut, SyncIn, SyncDone) while marked outstanding for the copy, so that
 * no consumer takes them meanwhile.
 *
 * <p>Not thread-safe: one apply loop owns it. Readers use {@link #snapshotOf}.
 */
public final class QueueMachine {
  /**
   * Marks of messages being copied to another shard hold this + the target
   * group as consumer id; a consumer cannot take such an id.
   */
  static final String SYNC_PREFIX = "sync:";
  private final QueueStore store;
  private final ShardEvents events;
  private final Map<String, QueueState> queues = new TreeMap<>();
  private final Producers producers;

  public QueueMachine(QueueStore store, ShardEvents events) {
    this.store = store;
    this.events = events;
    this.producers = new Producers(store);
    reload();
  }

  /** Rebuilds the in-memory index from the store (after open or a snapshot install). */
  public void reload() {
    queues.clear();
    producers.reload();
    store.forEachQueue((name, bytes) -> {
      QueueState state = new QueueState(parseRecord(bytes));
      store.scanMessages(name, 0, (offset, value) -> state.ready.add(offset));
      store.scanUnacked(name, (offset, value) -> {
        StoredMessage mark = parseMessage(value);
        if (mark.getConsumerId().isEmpty()) {
          state.priorDeliveries.put(offset, mark.getDeliveryCount());
        } else {
          state.ready.remove(offset);
          state.outstanding.put(offset, new QueueState.Mark(mark.getConsumerId(), mark.getDeliveryCount()));
        }
        return true;
      });
      queues.put(name, state);
      return true;
    });
  }

  public long lastAppliedIndex() {
    return store.lastAppliedIndex();
  }

  /** The queue's record as of the last applied entry, or null. */
  public QueueRecord snapshotOf(String queue) {
    QueueState state = queues.get(queue);
    return state == null ? null : state.record;
  }

  public List<QueueRecord> records() {
    List<QueueRecord> out = new ArrayList<>(queues.size());
    for (QueueState s : queues.values()) {
      out.add(s.record);
    }
    return out;
  }

  public int queueCount() {
    return queues.size();
  }

  public boolean hasReady(String queue) {
    QueueState state = queues.get(queue);
    return state != null && !state.ready.isEmpty();
  }

  /** Applies the entry at index; entries at or below the store's applied index must be skipped by the caller. */
  public ShardResult apply(long index, ShardCommand command) {
    try (StoreBatch batch = store.newBatch()) {
      Outcome outcome = switch (command.getKindCase()) {
        case CREATE_QUEUE -> createQueue(batch, command.getCreateQueue());
        case DELETE_QUEUE -> deleteQueue(batch, command.getDeleteQueue());
        case ENQUEUE -> enqueue(batch, index, command.getEnqueue(), command.getLeaderTimeMs());
        case DELIVER -> deliver(batch, command.getDeliver());
        case SETTLE -> settle(batch, command.getSettle());
        case PURGE -> purge(batch, command.getPurge());
        case RETURN_DELIVERIES -> returnDeliveries(batch, command.getReturnDeliveries());
        case SEAL_QUEUE -> sealQueue(batch, command.getSealQueue());
        case ADOPT_QUEUE -> adoptQueue(batch, index, command.getAdoptQueue(), command.getLeaderTimeMs());
        case SYNC_OUT -> syncOut(batch, command.getSyncOut());
        case SYNC_IN -> syncIn(batch, command.getSyncIn());
        case SYNC_DONE -> syncDone(batch, command.getSyncDone());
        case KIND_NOT_SET -> Outcome.of(error(Status.INVALID_ARGUMENT, "empty shard command"));
      };
      batch.commit(index);
      outcome.afterCommit.run();
      return outcome.result;
    }
  }

  private Outcome createQueue(StoreBatch batch, CreateQueue c) {
    QueueState existing = queues.get(c.getQueue());
    if (existing != null) {
      if (existing.record.getArgumentsMap().equals(c.getArgumentsMap())) {
        return Outcome.of(ShardResult.newBuilder().setCreated(false).build());
      }
      return Outcome.of(error(Status.FAILED_PRECONDITION, "queue '" + c.getQueue()
          + "' exists with arguments " + new TreeMap<>(existing.record.getArgumentsMap())
          + ", not " + new TreeMap<>(c.getArgumentsMap())));
    }
    QueueRecord record = QueueRecord.newBuilder()
        .setName(c.getQueue()).putAllArguments(c.getArgumentsMap()).setOperations(1).build();
    batch.putQueue(c.getQueue(), record.toByteArray());
    QueueState state = new QueueState(record);
    return new Outcome(ShardResult.newBuilder().setCreated(true).build(),
        () -> queues.put(c.getQueue(), state));
  }

  private Outcome deleteQueue(StoreBatch batch, DeleteQueue c) {
    QueueState state = queues.get(c.getQueue());
    if (state == null) {
      return Outcome.of(notFound(c.getQueue()));
    }
    batch.deleteQueue(c.getQueue());
    long dropped = state.record.getMessages();
    return new Outcome(ShardResult.newBuilder().setCount(dropped).build(), () -> {
      queues.remove(c.getQueue());
      events.queueDeleted(c.getQueue());
    });
  }

  private Outcome enqueue(StoreBatch batch, long index, Enqueue c, long leaderTimeMs) {
    ShardResult.Builder result = ShardResult.newBuilder();
    Producers.Entry sequences = producers.begin(index, leaderTimeMs);
    // Later publishes in the same entry must see earlier ones' offsets, but memory
    // changes only after the batch commits: work on copies of the records.
    Map<String, QueueRecord> updated = new TreeMap<>();
    Map<String, List<Long>> added = new TreeMap<>();
    for (QueuePublish p : c.getPublishesList()) {
      QueueState state = queues.get(p.getQueue());
      if (state == null) {
        result.addPublishes(PublishResult.newBuilder()
            .setErrorCode(Status.NOT_FOUND).setErrorMessage(notFoundMessage(p.getQueue())));
        continue;
      }
      QueueRecord current = updated.getOrDefault(p.getQueue(), state.record);
      QueueRecord.Builder record = current.toBuilder();
      List<Long> original = sequences.find(p.getQueue(), p.getProducerId(), p.getSequence());
      if (original != null) {
        result.addPublishes(PublishResult.newBuilder().addAllOffsets(original).setDuplicate(true));
        continue;
      }
      // After the duplicate check: a retry of what was stored before the seal still gets its offsets.
      if (current.getSealed()) {
        result.addPublishes(PublishResult.newBuilder().setErrorCode(Status.UNAVAILABLE)
            .setErrorMessage("queue '" + p.getQueue() + "' is moving to another shard; retry"));
        continue;
      }
      PublishResult.Builder pr = PublishResult.newBuilder();
      List<Long> offsets = new ArrayList<>(p.getMessagesCount());
      long bytes = 0;
      for (Message m : p.getMessagesList()) {
        long offset = record.getNextOffset();
        record.setNextOffset(offset + 1);
        batch.putMessage(p.getQueue(), offset, StoredMessage.newBuilder()
            .setMessage(m).setEnqueuedAtMs(leaderTimeMs).build().toByteArray());
        bytes += m.getBody().size();
        offsets.add(offset);
        pr.addOffsets(offset);
      }
      record.setMessages(record.getMessages() + offsets.size())
          .setBytes(record.getBytes() + bytes)
          .setOperations(record.getOperations() + 1);
      sequences.remember(batch, p.getQueue(), p.getProducerId(), p.getSequence(), offsets);
      updated.put(p.getQueue(), record.build());
      added.computeIfAbsent(p.getQueue(), q -> new ArrayList<>()).addAll(offsets);
      result.addPublishes(pr);
    }
    updated.forEach((queue, record) -> batch.putQueue(queue, record.toByteArray()));
    sequences.finish(batch);
    return new Outcome(result.build(), () -> {
      sequences.committed();
      updated.forEach((queue, record) -> {
        QueueState state = queues.get(queue);
        state.record = record;
        state.ready.addAll(added.getOrDefault(queue, List.of()));
      });
      added.keySet().forEach(events::messagesReady);
    });
  }

  private Outcome deliver(StoreBatch batch, Deliver c) {
    QueueState state = queues.get(c.getQueue());
    if (state == null) {
      return Outcome.of(notFound(c.getQueue()));
    }
    if (!c.getSettle() && c.getConsumerId().isEmpty()) {
      // An empty consumer id is how the store marks a returned delivery: it cannot own one.
      return Outcome.of(error(Status.INVALID_ARGUMENT, "a delivery that is not settled at once needs a consumer id"));
    }
    if (!c.getSettle() && c.getConsumerId().startsWith(SYNC_PREFIX)) {
      // Such a mark would be taken for a copy's: never settled, never returned.
      return Outcome.of(error(Status.INVALID_ARGUMENT, "consumer id '" + c.getConsumerId()
          + "' is reserved: ids starting with '" + SYNC_PREFIX + "' mark copies to other shards"));
    }
    ShardResult.Builder result = ShardResult.newBuilder();
    QueueRecord.Builder record = state.record.toBuilder().setOperations(state.record.getOperations() + 1);
    long max = Math.max(1, Integer.toUnsignedLong(c.getMaxCount()));
    Iterator<Long> it = state.ready.iterator();
    List<Runnable> memory = new ArrayList<>();
    List<Long> taken = new ArrayList<>();
    while (it.hasNext() && result.getDeliveriesCount() < max) {
      long offset = it.next();
      StoredMessage stored = parseMessage(store.message(c.getQueue(), offset));
      int count = state.priorDeliveries.getOrDefault(offset, 0) + 1;
      result.addDeliveries(Delivery.newBuilder()
          .setQueue(c.getQueue())
          .setTag(DeliveryTag.newBuilder().setOffset(offset).setDeliveryCount(count))
          .setRedelivered(count > 1)
          .setMessage(stored.getMessage()));
      taken.add(offset);
      if (c.getSettle()) {
        batch.deleteMessage(c.getQueue(), offset);
        batch.deleteUnacked(c.getQueue(), offset);
        record.setMessages(record.getMessages() - 1)
            .setBytes(record.getBytes() - stored.getMessage().getBody().size());
        memory.add(() -> state.priorDeliveries.remove(offset));
      } else {
        batch.putUnacked(c.getQueue(), offset, mark(c.getConsumerId(), count));
        record.setUnacked(record.getUnacked() + 1);
        memory.add(() -> {
          state.priorDeliveries.remove(offset);
          state.outstanding.put(offset, new QueueState.Mark(c.getConsumerId(), count));
        });
      }
    }
    QueueRecord updated = record.build();
    batch.putQueue(c.getQueue(), updated.toByteArray());
    return new Outcome(result.build(), () -> {
      taken.forEach(state.ready::remove);
      memory.forEach(Runnable::run);
      state.record = updated;
    });
  }

  private Outcome settle(StoreBatch batch, Settle c) {
    QueueState state = queues.get(c.getQueue());
    if (state == null) {
      return Outcome.of(notFound(c.getQueue()));
    }
    if (c.getOutcome() == Settle.Outcome.UNRECOGNIZED) {
      return Outcome.of(error(Status.INVALID_ARGUMENT, "unknown settle outcome " + c.getOutcomeValue()));
    }
    // Check every tag first: a request with one stale tag changes nothing.
    java.util.Set<Long> seen = new java.util.HashSet<>();
    for (DeliveryTag tag : c.getTagsList()) {
      QueueState.Mark mark = state.outstanding.get(tag.getOffset());
      // A copy's mark is no consumer's to settle: only SyncDone removes it.
      if (mark == null || mark.forSync() || mark.deliveryCount() != tag.getDeliveryCount()
          || !seen.add(tag.getOffset())) {
        return Outcome.of(error(Status.FAILED_PRECONDITION, "delivery (offset " + tag.getOffset()
            + ", delivery " + tag.getDeliveryCount() + ") of queue '" + c.getQueue()
            + "' is not outstanding: it was already settled, returned to the queue after its consumer"
            + " went away or the leader changed, or never delivered; nothing was settled"));
      }
    }
    QueueRecord.Builder record = state.record.toBuilder().setOperations(state.record.getOperations() + 1);
    Map<String, Integer> perConsumer = new TreeMap<>();
    List<Runnable> memory = new ArrayList<>();
    for (DeliveryTag tag : c.getTagsList()) {
      long offset = tag.getOffset();
      QueueState.Mark mark = state.outstanding.get(offset);
      perConsumer.merge(mark.consumerId(), 1, Integer::sum);
      record.setUnacked(record.getUnacked() - 1);
      if (c.getOutcome() == Settle.Outcome.REQUEUE) {
        batch.putUnacked(c.getQueue(), offset, mark("", mark.deliveryCount()));
        memory.add(() -> {
          state.outstanding.remove(offset);
          state.ready.add(offset);
          state.priorDeliveries.put(offset, mark.deliveryCount());
        });
      } else {
        StoredMessage stored = parseMessage(store.message(c.getQueue(), offset));
        batch.deleteMessage(c.getQueue(), offset);
        batch.deleteUnacked(c.getQueue(), offset);
        record.setMessages(record.getMessages() - 1)
            .setBytes(record.getBytes() - stored.getMessage().getBody().size());
        memory.add(() -> state.outstanding.remove(offset));
      }
    }
    QueueRecord updated = record.build();
    batch.putQueue(c.getQueue(), updated.toByteArray());
    boolean requeued = c.getOutcome() == Settle.Outcome.REQUEUE;
    return new Outcome(ShardResult.newBuilder().setCount(c.getTagsCount()).build(), () -> {
      memory.forEach(Runnable::run);
      state.record = updated;
      perConsumer.forEach((consumer, n) -> events.deliveriesSettled(c.getQueue(), consumer, n));
      if (requeued) {
        events.messagesReady(c.getQueue());
      }
    });
  }

  private Outcome purge(StoreBatch batch, Purge c) {
    QueueState state = queues.get(c.getQueue());
    if (state == null) {
      return Outcome.of(notFound(c.getQueue()));
    }
    long bytes = 0;
    for (long offset : state.ready) {
      StoredMessage stored = parseMessage(store.message(c.getQueue(), offset));
      bytes += stored.getMessage().getBody().size();
      batch.deleteMessage(c.getQueue(), offset);
      if (state.priorDeliveries.containsKey(offset)) {
        batch.deleteUnacked(c.getQueue(), offset);
      }
    }
    int purged = state.ready.size();
    QueueRecord updated = state.record.toBuilder()
        .setMessages(state.record.getMessages() - purged)
        .setBytes(state.record.getBytes() - bytes)
        .setOperations(state.record.getOperations() + 1)
        .build();
    batch.putQueue(c.getQueue(), updated.toByteArray());
    return new Outcome(ShardResult.newBuilder().setCount(purged).build(), () -> {
      state.ready.clear();
      state.priorDeliveries.clear();
      state.record = updated;
    });
  }

  private Outcome returnDeliveries(StoreBatch batch, ReturnDeliveries c) {
    long returned = 0;
    List<Runnable> memory = new ArrayList<>();
    for (Map.Entry<String, QueueState> e : queues.entrySet()) {
      String queue = e.getKey();
      QueueState state = e.getValue();
      Map<String, Integer> perConsumer = new TreeMap<>();
      List<Long> offsets = new ArrayList<>();
      // Sorted, so that the batch is written in the same order on every replica.
      for (Map.Entry<Long, QueueState.Mark> o : new TreeMap<>(state.outstanding).entrySet()) {
        QueueState.Mark mark = o.getValue();
        // A copy is not a consumer's delivery: a new leader leaves it; only its own id returns it.
        if (c.getAll() ? !mark.forSync() : mark.consumerId().equals(c.getConsumerId())) {
          if (mark.deliveryCount() == 0) {
            // A copy's mark of a message never delivered: nothing prior to remember.
            batch.deleteUnacked(queue, o.getKey());
          } else {
            batch.putUnacked(queue, o.getKey(), mark("", mark.deliveryCount()));
          }
          perConsumer.merge(mark.consumerId(), 1, Integer::sum);
          offsets.add(o.getKey());
        }
      }
      if (offsets.isEmpty()) {
        continue;
      }
      returned += offsets.size();
      QueueRecord updated = state.record.toBuilder()
          .setUnacked(state.record.getUnacked() - offsets.size())
          .setOperations(state.record.getOperations() + 1)
          .build();
      batch.putQueue(queue, updated.toByteArray());
      memory.add(() -> {
        for (long offset : offsets) {
          QueueState.Mark mark = state.outstanding.remove(offset);
          if (mark.deliveryCount() > 0) {
            state.priorDeliveries.put(offset, mark.deliveryCount());
          }
          state.ready.add(offset);
        }
        state.record = updated;
        perConsumer.forEach((consumer, n) -> events.deliveriesSettled(queue, consumer, n));
        events.messagesReady(queue);
      });
    }
    return new Outcome(ShardResult.newBuilder().setCount(returned).build(),
        () -> memory.forEach(Runnable::run));
  }

  private Outcome sealQueue(StoreBatch batch, SealQueue c) {
    QueueState state = queues.get(c.getQueue());
    if (state == null) {
      return Outcome.of(notFound(c.getQueue()));
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

  private Outcome adoptQueue(StoreBatch batch, long index, AdoptQueue c, long leaderTimeMs) {
    if (c.getNextOffset() < 0) {
      // Unsigned in the command; the store's offsets are not.
      return Outcome.of(error(Status.INVALID_ARGUMENT, "next offset " + Long.toUnsignedString(c.getNextOffset())
          + " of queue '" + c.getQueue() + "' is out of range"));
    }
    QueueState existing = queues.get(c.getQueue());
    if (existing != null) {
      QueueRecord r = existing.record;
      if (r.getSealed()) {
        return Outcome.of(error(Status.FAILED_PRECONDITION, "queue '" + c.getQueue()
            + "' is sealed in this shard: it is moving away from here, it cannot be adopted here"));
      }
      if (!r.getArgumentsMap().equals(c.getArgumentsMap())) {
        return Outcome.of(error(Status.FAILED_PRECONDITION, "queue '" + c.getQueue()
            + "' exists with arguments " + new TreeMap<>(r.getArgumentsMap())
            + ", not " + new TreeMap<>(c.getArgumentsMap()) + "; it cannot be adopted"));
      }
      if (r.getNextOffset() < c.getNextOffset()) {
        // Its offsets would collide with the old part's: it is another queue of that name.
        return Outcome.of(error(Status.FAILED_PRECONDITION, "queue '" + c.getQueue()
            + "' exists here with next offset " + r.getNextOffset() + ", below the adopted "
            + c.getNextOffset() + ": it does not continue the sealed queue"));
      }
      // Adopted already (this entry applied again, or a retried move): it continues from there.
      return Outcome.of(ShardResult.newBuilder().setCreated(false).build());
    }
    QueueRecord record = QueueRecord.newBuilder()
        .setName(c.getQueue()).putAllArguments(c.getArgumentsMap())
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

  private Outcome syncOut(StoreBatch batch, SyncOut c) {
    QueueState state = queues.get(c.getQueue());
    if (state == null) {
      return Outcome.of(notFound(c.getQueue()));
    }
    if (!state.record.getSealed()) {
      return Outcome.of(error(Status.FAILED_PRECONDITION, "queue '" + c.getQueue()
          + "' is not sealed in this shard: only the old part of a moved queue is copied out"));
    }
    String syncId = syncConsumer(c.getToGroup());
    ShardResult.Builder result = ShardResult.newBuilder();
    TreeMap<Long, QueueState.Mark> marked = marksOf(state, syncId);
    if (!marked.isEmpty()) {
      // An earlier copy stopped halfway: the same messages again, so that it can finish.
      marked.forEach((offset, mark) -> result.addSynced(
          synced(offset, parseMessage(store.message(c.getQueue(), offset)), mark.deliveryCount())));
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
      StoredMessage stored = parseMessage(store.message(c.getQueue(), offset));
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
      batch.putUnacked(c.getQueue(), offset, mark(syncId, count));
      result.addSynced(synced(offset, e.getValue(), count));
      memory.add(() -> {
        state.ready.remove(offset);
        state.priorDeliveries.remove(offset);
        state.outstanding.put(offset, new QueueState.Mark(syncId, count));
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

  private Outcome syncIn(StoreBatch batch, SyncIn c) {
    QueueState state = queues.get(c.getQueue());
    if (state == null) {
      return Outcome.of(notFound(c.getQueue()));
    }
    QueueRecord record = state.record;
    TreeSet<Long> offsets = new TreeSet<>();
    for (SyncedMessage m : c.getMessagesList()) {
      // Unsigned in the command: above 2^63 it reads negative here, and is no offset either.
      if (m.getOffset() < 0 || m.getOffset() >= record.getNextOffset()) {
        return Outcome.of(error(Status.INVALID_ARGUMENT, "offset " + Long.toUnsignedString(m.getOffset())
            + " of queue '" + c.getQueue() + "' is not below its next offset " + record.getNextOffset()
            + ": it is no message of an old part; nothing was stored"));
      }
      if (!offsets.add(m.getOffset())) {
        return Outcome.of(error(Status.INVALID_ARGUMENT, "offset " + m.getOffset() + " of queue '"
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
    for (SyncedMessage m : c.getMessagesList()) {
      if (!below.contains(m.getOffset())) {
        continue;
      }
      StoredMessage copied = m.getStored();
      // Stored as a requeued message is: the message as enqueued, its count in an unowned mark.
      batch.putMessage(c.getQueue(), m.getOffset(), StoredMessage.newBuilder()
          .setMessage(copied.getMessage()).setEnqueuedAtMs(copied.getEnqueuedAtMs()).build().toByteArray());
      if (copied.getDeliveryCount() > 0) {
        batch.putUnacked(c.getQueue(), m.getOffset(), mark("", copied.getDeliveryCount()));
        prior.put(m.getOffset(), copied.getDeliveryCount());
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
      state.record = updated;
      events.messagesReady(c.getQueue());
    });
  }

  private Outcome syncDone(StoreBatch batch, SyncDone c) {
    QueueState state = queues.get(c.getQueue());
    if (state == null) {
      return Outcome.of(notFound(c.getQueue()));
    }
    TreeMap<Long, QueueState.Mark> marked = marksOf(state, syncConsumer(c.getToGroup()));
    if (marked.isEmpty()) {
      // Done before (applied again, or a retry): nothing is left to remove.
      return Outcome.of(ShardResult.newBuilder().setCount(0).build());
    }
    long bytes = 0;
    for (long offset : marked.keySet()) {
      bytes += parseMessage(store.message(c.getQueue(), offset)).getMessage().getBody().size();
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
  private static SyncedMessage synced(long offset, StoredMessage stored, int deliveryCount) {
    return SyncedMessage.newBuilder().setOffset(offset)
        .setStored(stored.toBuilder().setDeliveryCount(deliveryCount).clearConsumerId())
        .build();
  }

  private static byte[] mark(String consumerId, int deliveryCount) {
    return StoredMessage.newBuilder().setConsumerId(consumerId).setDeliveryCount(deliveryCount)
        .build().toByteArray();
  }

  private static ShardResult notFound(String queue) {
    return error(Status.NOT_FOUND, notFoundMessage(queue));
  }

  private static String notFoundMessage(String queue) {
    return "queue '" + queue + "' does not exist: declare it first";
  }

  static ShardResult error(int code, String message) {
    return ShardResult.newBuilder().setErrorCode(code).setErrorMessage(message).build();
  }

  private static QueueRecord parseRecord(byte[] bytes) {
    try {
      return QueueRecord.parseFrom(bytes);
    } catch (InvalidProtocolBufferException e) {
      throw new UncheckedIOException("corrupt queue record in store", e);
    }
  }

  private static StoredMessage parseMessage(byte[] bytes) {
    if (bytes == null) {
      throw new IllegalStateException("store lost a message the index still holds");
    }
    try {
      return StoredMessage.parseFrom(bytes);
    } catch (InvalidProtocolBufferException e) {
      throw new UncheckedIOException("corrupt message in store", e);
    }
  }

  /** A result and the in-memory changes to make once the batch is durable in the store. */
  private record Outcome(ShardResult result, Runnable afterCommit) {
    static Outcome of(ShardResult result) {
      return new Outcome(result, () -> {});
    }
  }
}
