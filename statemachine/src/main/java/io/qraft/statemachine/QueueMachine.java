package io.qraft.statemachine;

import com.google.protobuf.InvalidProtocolBufferException;
import io.qraft.api.HardLimits;
import io.qraft.api.log.v1.AttachedConsumer;
import io.qraft.api.log.v1.CreateQueue;
import io.qraft.api.log.v1.DeleteQueue;
import io.qraft.api.log.v1.Deliver;
import io.qraft.api.log.v1.Enqueue;
import io.qraft.api.log.v1.PublishResult;
import io.qraft.api.log.v1.Purge;
import io.qraft.api.log.v1.QueuePublish;
import io.qraft.api.log.v1.QueueRecord;
import io.qraft.api.log.v1.ReturnDeliveries;
import io.qraft.api.log.v1.Settle;
import io.qraft.api.log.v1.ShardCommand;
import io.qraft.api.log.v1.ShardResult;
import io.qraft.api.log.v1.StoredMessage;
import io.qraft.api.v1.Delivery;
import io.qraft.api.v1.DeliveryTag;
import io.qraft.api.v1.Message;
import io.qraft.storage.QueueStore;
import io.qraft.storage.StoreBatch;
import io.qraft.storage.StoreException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

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
 * <p>Moving a queue between shards (seal, adopt, sync) is in {@link QueueMoves}; consumers
 * attaching and detaching in {@link QueueConsumers}; the queues' limits in {@link QueueRules}
 * (what they do after each entry) and {@link LimitCommands} (their commands).
 *
 * <p>Not thread-safe: one apply loop owns it. Readers use {@link #snapshotOf}.
 */
public final class QueueMachine {
  private static final org.slf4j.Logger LOG = org.slf4j.LoggerFactory.getLogger(QueueMachine.class);
  /** Consumer ids of copy marks start with this (see {@link QueueMoves}); no consumer may take one. */
  static final String SYNC_PREFIX = QueueMoves.SYNC_PREFIX;
  /** Consumers one queue takes with Attach: each costs a scan per delivery decision. */
  static final int MAX_CONSUMERS = 1_000;
  private final QueueStore store;
  private final PendingEvents events;
  private final Map<String, QueueState> queues = new TreeMap<>();
  private final Producers producers;
  private final QueueMoves moves;
  /** Bodies the entry being applied carried, by queue and offset: checkout hands them on. */
  private final Map<String, Map<Long, Message>> fresh = new HashMap<>();
  /** Attached consumers by queue, for readers on other threads; replaced whole when it changes. */
  private volatile Map<String, List<String>> consumerView = Map.of();
  private final QueueRules rules;
  private final QueueConsumers consumers;
  private final LimitCommands limitCommands;
  /** Queues with something for the rules to do after each entry (a superset is harmless). */
  private final java.util.TreeSet<String> ruled = new java.util.TreeSet<>();
  /** Dead-lettered messages waiting to be moved, by queue, for the leader's mover on another thread. */
  private volatile Map<String, Integer> deadView = Map.of();
  /** Whether a Tick would do anything: the leader appends one each second while this holds. */
  private volatile boolean wantsTicks;

  public QueueMachine(QueueStore store, ShardEvents events) {
    this.store = store;
    this.events = new PendingEvents(events);
    this.producers = new Producers(store);
    this.moves = new QueueMoves(store, this.events, queues, producers);
    this.rules = new QueueRules(store, this.events, fresh);
    this.consumers = new QueueConsumers(queues, this.events, rules);
    this.limitCommands = new LimitCommands(store, queues, this.events);
    reload();
  }

  /** Rebuilds the in-memory index from the store (after open or a snapshot install). */
  public void reload() {
    queues.clear();
    ruled.clear();
    producers.reload();
    store.forEachQueue((name, bytes) -> {
      QueueState state = new QueueState(parseRecord(bytes));
      for (AttachedConsumer c : state.record.getConsumersList()) {
        QueueState.Slot slot = new QueueState.Slot(c.getId(), c.getPrefetch(), c.getAttachedAt());
        slot.timeoutMs = c.getConsumerTimeoutMs();
        state.consumers.put(c.getId(), slot);
      }
      boolean ttl = state.limits().getMessageTtlMs() > 0;
      long[] lastTime = {Long.MIN_VALUE};
      store.scanMessages(name, 0, (offset, value) -> {
        state.ready.add(offset);
        StoredMessage stored = parseMessage(value);
        if (ttl && (state.enqueueRuns.isEmpty() || stored.getEnqueuedAtMs() != lastTime[0]
            || state.enqueueRuns.lastKey() > offset)) {
          state.enqueueRuns.put(offset, stored.getEnqueuedAtMs());
          lastTime[0] = stored.getEnqueuedAtMs();
        }
        long own = QueueRules.ownDeadline(stored.getMessage(), stored.getEnqueuedAtMs());
        if (own >= 0) {
          state.ownDeadlines.put(offset, own);
        }
        return true;
      });
      store.scanUnacked(name, (offset, value) -> {
        StoredMessage mark = parseMessage(value);
        if (!mark.getDeadReason().isEmpty()) {
          state.ready.remove(offset);
          state.dead.put(offset, mark.getDeadReason());
        } else if (mark.getConsumerId().isEmpty()) {
          if (mark.getDeliveryCount() > 0) {
            state.priorDeliveries.put(offset, mark.getDeliveryCount());
          }
          if (mark.getFailedDeliveries() > 0) {
            state.priorFailures.put(offset, mark.getFailedDeliveries());
          }
          if (mark.getReadyAtMs() > 0) {
            state.ready.remove(offset);
            state.delayed.put(offset, mark.getReadyAtMs());
          }
        } else {
          state.ready.remove(offset);
          state.outstanding.put(offset, new QueueState.Mark(mark.getConsumerId(), mark.getDeliveryCount(),
              mark.getFailedDeliveries(), mark.getDeliveredAtMs()));
          QueueState.Slot holder = state.consumers.get(mark.getConsumerId());
          if (holder != null) {
            holder.held++;
          }
        }
        return true;
      });
      queues.put(name, state);
      if (QueueRules.needsRules(state)) {
        ruled.add(name);
      }
      return true;
    });
    publishConsumers();
    publishDead();
    updateWantsTicks(true, List.of());
  }

  /**
   * The consumers attached to each queue of the shard (queues without any left out). Safe from
   * any thread: the leader's dispatch reads it to find consumers that did not come back.
   */
  public Map<String, List<String>> attachedConsumers() {
    return consumerView;
  }

  private void publishConsumers() {
    Map<String, List<String>> view = new TreeMap<>();
    queues.forEach((name, state) -> {
      if (!state.consumers.isEmpty()) {
        view.put(name, List.copyOf(state.consumers.keySet()));
      }
    });
    consumerView = java.util.Collections.unmodifiableMap(view);
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

  /**
   * Applies the entry at index; entries at or below the store's applied index must be skipped by
   * the caller.
   *
   * <p>Never throws for what the entry holds: a command that fails its checks
   * ({@link ShardCommandCheck}), or that fails while its changes are gathered, is a rejected
   * result that changes nothing but the applied index, the same on every replica, and the group
   * goes on. Only a failure of the store itself ({@link StoreException}: I/O, full disk,
   * corruption) escapes, since a replica that cannot write must stop.
   */
  public ShardResult apply(long index, ShardCommand command) {
    String problem = ShardCommandCheck.problem(command);
    if (problem != null) {
      commitIndexOnly(index);
      return error(Status.INVALID_ARGUMENT, problem);
    }
    Outcome outcome;
    try (StoreBatch batch = store.newBatch()) {
      try {
        outcome = changes(batch, index, command);
      } catch (StoreException e) {
        throw e;
      } catch (RuntimeException e) {
        // Deterministic: the same entry fails the same way on every replica. The batch is dropped.
        LOG.warn("shard command at index {} could not be applied and was rejected; nothing changed", index, e);
        outcome = null;
      }
      if (outcome != null) {
        // Memory takes the entry before the batch commits, because the deliveries it makes
        // possible are decided on the new state and written in the same batch.
        try {
          outcome.afterCommit().run();
          long now = command.getLeaderTimeMs();
          boolean tick = command.getKindCase() == ShardCommand.KindCase.TICK;
          timeRules(batch, now, tick);
          List<String> visited = new ArrayList<>(events.dirtySoFar());
          checkout(batch, now);
          updateWantsTicks(tick, visited);
          for (String queue : rules.takeTouched()) {
            QueueState state = queues.get(queue);
            if (state != null) {
              batch.putQueue(queue, state.record.toByteArray());
            }
          }
        } catch (StoreException e) {
          throw e;
        } catch (RuntimeException e) {
          // Memory may hold half of the entry; the store holds none of it and is the truth.
          LOG.error("applying index {} to memory failed; it is refused and memory is rebuilt from the store", index, e);
          events.discard();
          rules.discard();
          fresh.clear();
          reload();
          outcome = null;
        }
      }
      if (outcome != null) {
        try {
          batch.commit(index);
        } catch (RuntimeException e) {
          // Refused (an index already applied) or failed: memory must not keep what the store did not.
          events.discard();
          reload();
          throw e;
        }
      }
    } finally {
      fresh.clear();
    }
    if (outcome == null) {
      events.discard();
      commitIndexOnly(index);
      return error(Status.INVALID_ARGUMENT, "the command could not be applied; nothing changed");
    }
    if (events.takeConsumersChanged()) {
      publishConsumers();
    }
    if (events.takeDeadChanged()) {
      publishDead();
    }
    events.flush();
    return outcome.result();
  }

  /**
   * The rules of the queues' limits ({@link QueueRules}) after the entry's own changes: on a
   * Tick, consumer timeouts of every queue; after every entry, delayed requeues, expiry and
   * length limits of the queues that have any.
   */
  private void timeRules(StoreBatch batch, long now, boolean tick) {
    if (tick) {
      for (Map.Entry<String, QueueState> e : queues.entrySet()) {
        String queue = e.getKey();
        QueueState state = e.getValue();
        for (String consumer : rules.timeouts(batch, queue, state, now)) {
          consumers.detachNow(batch, queue, state, consumer, true, now);
          events.consumerTimedOut(queue, consumer);
        }
      }
    }
    for (String queue : events.dirtySoFar()) {
      QueueState state = queues.get(queue);
      if (state != null && QueueRules.needsRules(state)) {
        ruled.add(queue);
      }
    }
    for (String queue : new ArrayList<>(ruled)) {
      QueueState state = queues.get(queue);
      if (state == null || !QueueRules.needsRules(state)) {
        ruled.remove(queue);
      } else {
        rules.afterEntry(batch, queue, state, now);
      }
    }
  }

  /** Runs {@link Checkout} on every queue the entry may have given work to a consumer. */
  private void checkout(StoreBatch batch, long now) {
    for (String queue : events.takeDirty()) {
      QueueState state = queues.get(queue);
      if (state != null) {
        Checkout.run(batch, queue, state, fresh.get(queue), events, rules, now);
      }
    }
  }

  /**
   * A Tick recomputes whether ticks are wanted over every queue; other entries can only make it
   * true, through the queues they touched (a full walk per entry would cost with many queues).
   */
  private void updateWantsTicks(boolean tick, List<String> visited) {
    if (tick) {
      boolean any = false;
      for (QueueState state : queues.values()) {
        any |= timed(state);
      }
      wantsTicks = any;
    } else if (!wantsTicks) {
      for (String queue : visited) {
        QueueState state = queues.get(queue);
        if (state != null && timed(state)) {
          wantsTicks = true;
          return;
        }
      }
    }
  }

  /** Whether time alone can change the queue: a delivery may time out, a message expire or come back. */
  private static boolean timed(QueueState state) {
    return !state.outstanding.isEmpty() || !state.delayed.isEmpty() || !state.ownDeadlines.isEmpty()
        || (state.limits().getMessageTtlMs() > 0 && !state.ready.isEmpty());
  }

  /**
   * Whether a Tick entry would do anything now (a delivery could time out, a message expire or
   * a delayed one come back): the leader appends one each second while this holds. Any thread.
   */
  public boolean wantsTicks() {
    return wantsTicks;
  }

  /**
   * Up to max dead-lettered messages of the queue waiting to be moved, lowest offset first, read
   * from the store (any thread: what the store holds was committed).
   */
  public List<DeadLetter> deadLetters(String queue, int max) {
    List<DeadLetter> out = new ArrayList<>();
    store.scanUnacked(queue, (offset, value) -> {
      StoredMessage mark = parseMessage(value);
      if (!mark.getDeadReason().isEmpty()) {
        byte[] body = store.message(queue, offset);
        if (body != null) {
          out.add(new DeadLetter(offset, mark.getDeadReason(), mark.getDeadAtMs(), parseMessage(body).getMessage()));
        }
      }
      return out.size() < max;
    });
    return out;
  }

  /** Dead-lettered messages waiting to be moved, by queue (queues with none left out). Any thread. */
  public Map<String, Integer> deadLettering() {
    return deadView;
  }

  private void publishDead() {
    Map<String, Integer> view = new TreeMap<>();
    queues.forEach((name, state) -> {
      if (!state.dead.isEmpty()) {
        view.put(name, state.dead.size());
      }
    });
    deadView = java.util.Collections.unmodifiableMap(view);
  }

  /** Records the index as applied with no other change: the entry was refused. */
  private void commitIndexOnly(long index) {
    try (StoreBatch batch = store.newBatch()) {
      batch.commit(index);
    }
  }

  private Outcome changes(StoreBatch batch, long index, ShardCommand command) {
      return switch (command.getKindCase()) {
        case CREATE_QUEUE -> createQueue(batch, index, command.getCreateQueue(), command.getLeaderTimeMs());
        case DELETE_QUEUE -> deleteQueue(batch, command.getDeleteQueue(), command.getLeaderTimeMs());
        case ENQUEUE -> enqueue(batch, index, command.getEnqueue(), command.getLeaderTimeMs());
        case DELIVER -> deliver(batch, command.getDeliver(), command.getLeaderTimeMs());
        case SETTLE -> settle(batch, command.getSettle(), command.getLeaderTimeMs());
        case PURGE -> purge(batch, command.getPurge());
        case RETURN_DELIVERIES -> returnDeliveries(batch, command.getReturnDeliveries(), command.getLeaderTimeMs());
        case SEAL_QUEUE -> moves.seal(batch, command.getSealQueue());
        case ADOPT_QUEUE -> moves.adopt(batch, index, command.getAdoptQueue(), command.getLeaderTimeMs());
        case SYNC_OUT -> moves.syncOut(batch, command.getSyncOut());
        case SYNC_IN -> moves.syncIn(batch, command.getSyncIn());
        case SYNC_DONE -> moves.syncDone(batch, command.getSyncDone());
        case ATTACH -> consumers.attach(batch, index, command.getAttach(), command.getLeaderTimeMs());
        case DETACH -> consumers.detach(batch, command.getDetach(), command.getLeaderTimeMs());
        case SET_LIMITS -> limitCommands.setLimits(batch, command.getSetLimits());
        case TICK -> limitCommands.used(batch, command.getTick().getUsedQueuesList(), command.getLeaderTimeMs());
        case DEAD_LETTER_DONE -> limitCommands.deadLetterDone(batch, command.getDeadLetterDone());
        case KIND_NOT_SET -> Outcome.of(error(Status.INVALID_ARGUMENT, "empty shard command"));
      };
  }

  private Outcome createQueue(StoreBatch batch, long index, CreateQueue c, long now) {
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
        .setName(c.getQueue()).putAllArguments(c.getArgumentsMap()).setOperations(1)
        .setLimits(c.getLimits()).setLastUsedMs(Math.max(0, now)).setIncarnation(index).build();
    batch.putQueue(c.getQueue(), record.toByteArray());
    QueueState state = new QueueState(record);
    return new Outcome(ShardResult.newBuilder().setCreated(true).build(),
        () -> queues.put(c.getQueue(), state));
  }

  private Outcome deleteQueue(StoreBatch batch, DeleteQueue c, long now) {
    QueueState state = queues.get(c.getQueue());
    if (state == null) {
      return Outcome.of(notFound(c.getQueue()));
    }
    if (c.getOnlyIfExpired()) {
      long expires = state.limits().getExpiresMs();
      if (expires <= 0 || now <= 0 || !state.consumers.isEmpty() || now - state.record.getLastUsedMs() < expires) {
        return Outcome.of(error(Status.FAILED_PRECONDITION, "queue '" + c.getQueue()
            + "' is in use or its expires has not passed; it stays"));
      }
    }
    batch.deleteQueue(c.getQueue());
    long dropped = state.record.getMessages();
    return new Outcome(ShardResult.newBuilder().setCount(dropped).build(), () -> {
      queues.remove(c.getQueue());
      events.queueDeleted(c.getQueue());
      events.consumersChanged();
    });
  }

  private Outcome enqueue(StoreBatch batch, long index, Enqueue c, long leaderTimeMs) {
    ShardResult.Builder result = ShardResult.newBuilder();
    Producers.Entry sequences = producers.begin(index, leaderTimeMs);
    // Later publishes in the same entry must see earlier ones' offsets, but memory
    // changes only after the batch commits: work on copies of the records.
    Map<String, QueueRecord> updated = new TreeMap<>();
    Map<String, List<Long>> added = new TreeMap<>();
    Map<String, Map<Long, Long>> deadlines = new TreeMap<>();
    for (QueuePublish p : c.getPublishesList()) {
      String problem = ShardCommandCheck.publishProblem(p);
      if (problem != null) {
        result.addPublishes(PublishResult.newBuilder().setErrorCode(Status.INVALID_ARGUMENT).setErrorMessage(problem));
        continue;
      }
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
      long publishBytes = 0;
      for (Message m : p.getMessagesList()) {
        publishBytes += m.getBody().size();
      }
      String full = QueueRules.rejectProblem(p.getQueue(), current, state.dead.size(), p.getMessagesCount(), publishBytes);
      if (full != null) {
        result.addPublishes(PublishResult.newBuilder().setErrorCode(Status.OUT_OF_RANGE).setErrorMessage(full));
        io.qraft.api.log.v1.QueueCounters counters = current.getCounters();
        updated.put(p.getQueue(), current.toBuilder().setCounters(counters.toBuilder()
            .setRejectedPublishes(counters.getRejectedPublishes() + 1)).build());
        continue;
      }
      PublishResult.Builder pr = PublishResult.newBuilder();
      List<Long> offsets = new ArrayList<>(p.getMessagesCount());
      long bytes = 0;
      boolean ownTtl = p.getMessagesList().stream().anyMatch(m -> m.containsHeaders(QueueRules.TTL_HEADER));
      Map<Long, Message> bodies = !QueueRules.wantsBodies(state) && !ownTtl ? null
          : fresh.computeIfAbsent(p.getQueue(), q -> new HashMap<>());
      for (Message m : p.getMessagesList()) {
        long offset = record.getNextOffset();
        if (bodies != null) {
          bodies.put(offset, m);
        }
        record.setNextOffset(offset + 1);
        batch.putMessage(p.getQueue(), offset, StoredMessage.newBuilder()
            .setMessage(m).setEnqueuedAtMs(leaderTimeMs).build().toByteArray());
        long own = QueueRules.ownDeadline(m, leaderTimeMs);
        if (own >= 0) {
          deadlines.computeIfAbsent(p.getQueue(), q -> new TreeMap<>()).put(offset, own);
        }
        bytes += m.getBody().size();
        offsets.add(offset);
        pr.addOffsets(offset);
      }
      record.setMessages(record.getMessages() + offsets.size())
          .setBytes(record.getBytes() + bytes)
          .setOperations(record.getOperations() + 1);
      if (leaderTimeMs > 0) {
        record.setLastUsedMs(leaderTimeMs);
      }
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
        List<Long> offsets = added.getOrDefault(queue, List.of());
        state.ready.addAll(offsets);
        state.ownDeadlines.putAll(deadlines.getOrDefault(queue, Map.of()));
        if (!offsets.isEmpty()) {
          QueueRules.enqueued(state, offsets.get(0), leaderTimeMs);
        }
      });
      added.keySet().forEach(events::messagesReady);
    });
  }

  private Outcome deliver(StoreBatch batch, Deliver c, long now) {
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
    if (state.consumers.containsKey(c.getConsumerId())) {
      // Its credit counts only what the shard handed it: a Deliver under its id would not count.
      return Outcome.of(error(Status.INVALID_ARGUMENT, "consumer id '" + c.getConsumerId()
          + "' is attached to the queue; it receives its messages without Deliver"));
    }
    ShardResult.Builder result = ShardResult.newBuilder();
    QueueRecord.Builder record = state.record.toBuilder().setOperations(state.record.getOperations() + 1);
    if (now > 0) {
      record.setLastUsedMs(now);
    }
    int skipped = 0;
    // Unsigned on the wire; one entry never takes more than a consumer may hold.
    long max = Math.min(HardLimits.PREFETCH, Math.max(1, Integer.toUnsignedLong(c.getMaxCount())));
    Iterator<Long> it = state.ready.iterator();
    List<Runnable> memory = new ArrayList<>();
    List<Long> taken = new ArrayList<>();
    // Without settle nothing here needs the message itself, and the asking leader reads it later.
    boolean fromStore = c.getMessagesFromStore() && !c.getSettle();
    while (it.hasNext() && result.getDeliveriesCount() < max && skipped < QueueRules.MAX_PER_ENTRY) {
      long offset = it.next();
      if (rules.expired(c.getQueue(), state, offset, now)) {
        // Never delivered; the expiry after this entry removes it once it is at the head.
        skipped++;
        continue;
      }
      StoredMessage stored = fromStore ? null : parseMessage(store.message(c.getQueue(), offset));
      int count = state.priorDeliveries.getOrDefault(offset, 0) + 1;
      int failed = state.priorFailures.getOrDefault(offset, 0);
      Delivery.Builder delivery = Delivery.newBuilder()
          .setQueue(c.getQueue())
          .setTag(DeliveryTag.newBuilder().setOffset(offset).setDeliveryCount(count))
          .setRedelivered(count > 1);
      if (!fromStore) {
        delivery.setMessage(stored.getMessage());
      }
      result.addDeliveries(delivery);
      taken.add(offset);
      if (c.getSettle()) {
        batch.deleteMessage(c.getQueue(), offset);
        batch.deleteUnacked(c.getQueue(), offset);
        record.setMessages(record.getMessages() - 1)
            .setBytes(record.getBytes() - stored.getMessage().getBody().size());
        memory.add(() -> {
          state.priorDeliveries.remove(offset);
          state.priorFailures.remove(offset);
          state.ownDeadlines.remove(offset);
        });
      } else {
        batch.putUnacked(c.getQueue(), offset, mark(c.getConsumerId(), count, failed, now));
        record.setUnacked(record.getUnacked() + 1);
        memory.add(() -> {
          state.priorDeliveries.remove(offset);
          state.priorFailures.remove(offset);
          state.outstanding.put(offset, new QueueState.Mark(c.getConsumerId(), count, failed, now));
        });
      }
    }
    QueueRecord updated = record.build();
    batch.putQueue(c.getQueue(), updated.toByteArray());
    return new Outcome(result.build(), () -> {
      taken.forEach(state.ready::remove);
      memory.forEach(Runnable::run);
      state.record = updated;
      // The deliveries it made out may time out: the ticks must know of them.
      events.markDirty(c.getQueue());
    });
  }

  private Outcome settle(StoreBatch batch, Settle c, long now) {
    QueueState state = queues.get(c.getQueue());
    if (state == null) {
      return Outcome.of(notFound(c.getQueue()));
    }
    if (c.getOutcome() == Settle.Outcome.UNRECOGNIZED) {
      return Outcome.of(error(Status.INVALID_ARGUMENT, "unknown settle outcome " + c.getOutcomeValue()));
    }
    // Check every tag first: a request with one stale tag changes nothing.
    java.util.Set<Long> seen = new java.util.HashSet<>();
    List<DeliveryTag> live = new ArrayList<>(c.getTagsCount());
    for (DeliveryTag tag : c.getTagsList()) {
      long offset = tag.getOffset();
      if (!seen.add(offset)) {
        return Outcome.of(notOutstanding(c.getQueue(), tag));
      }
      QueueState.Mark mark = state.outstanding.get(offset);
      if (mark == null && settledAlready(state, offset)) {
        // The message is gone from the queue: an ack sent again after its reply was lost (a
        // leader died between commit and answer), or one of a message someone else settled.
        // Nothing is left to settle and nothing could be settled wrongly: answered as done.
        continue;
      }
      // A copy's mark is no consumer's to settle: only SyncDone removes it.
      if (mark == null || mark.forSync() || mark.deliveryCount() != tag.getDeliveryCount()) {
        return Outcome.of(notOutstanding(c.getQueue(), tag));
      }
      live.add(tag);
    }
    if (live.isEmpty()) {
      return Outcome.of(ShardResult.newBuilder().setCount(0).build());
    }
    QueueRecord.Builder record = state.record.toBuilder().setOperations(state.record.getOperations() + 1);
    Map<String, Integer> perConsumer = new TreeMap<>();
    List<Runnable> memory = new ArrayList<>();
    for (DeliveryTag tag : live) {
      long offset = tag.getOffset();
      QueueState.Mark mark = state.outstanding.get(offset);
      perConsumer.merge(mark.consumerId(), 1, Integer::sum);
      record.setUnacked(record.getUnacked() - 1);
      memory.add(() -> released(state, mark.consumerId(), 1));
      if (c.getOutcome() == Settle.Outcome.REQUEUE) {
        // A nack is a failed delivery: it counts toward the delivery limit.
        long readyAt = c.getRequeueAfterMs() > 0 && now > 0 ? now + c.getRequeueAfterMs() : 0;
        memory.add(() -> {
          state.outstanding.remove(offset);
          rules.putBack(batch, c.getQueue(), state, offset, mark, true, readyAt, now);
        });
      } else if (c.getOutcome() == Settle.Outcome.DROP && deadLettersTo(c.getQueue(), state)) {
        memory.add(() -> {
          state.outstanding.remove(offset);
          rules.die(batch, c.getQueue(), state, offset, QueueRules.REJECTED, now);
        });
      } else {
        StoredMessage stored = parseMessage(store.message(c.getQueue(), offset));
        batch.deleteMessage(c.getQueue(), offset);
        batch.deleteUnacked(c.getQueue(), offset);
        record.setMessages(record.getMessages() - 1)
            .setBytes(record.getBytes() - stored.getMessage().getBody().size());
        memory.add(() -> {
          state.outstanding.remove(offset);
          state.priorFailures.remove(offset);
          state.ownDeadlines.remove(offset);
        });
      }
    }
    QueueRecord updated = record.build();
    batch.putQueue(c.getQueue(), updated.toByteArray());
    boolean requeued = c.getOutcome() == Settle.Outcome.REQUEUE;
    return new Outcome(ShardResult.newBuilder().setCount(live.size()).build(), () -> {
      // The record first: a message put back may die at once, and that changes the record.
      state.record = updated;
      memory.forEach(Runnable::run);
      perConsumer.forEach((consumer, n) -> events.deliveriesSettled(c.getQueue(), consumer, n));
      if (requeued) {
        events.messagesReady(c.getQueue());
      }
    });
  }

  /** Whether a message that dies in this queue goes to a dead-letter queue (else it is dropped). */
  private static boolean deadLettersTo(String queue, QueueState state) {
    String target = state.limits().getDeadLetterQueue();
    return !target.isEmpty() && !target.equals(queue);
  }

  private Outcome purge(StoreBatch batch, Purge c) {
    QueueState state = queues.get(c.getQueue());
    if (state == null) {
      return Outcome.of(notFound(c.getQueue()));
    }
    long bytes = 0;
    // Delayed requeues are ready messages waiting for their time: they go too.
    java.util.TreeSet<Long> gone = new java.util.TreeSet<>(state.ready);
    gone.addAll(state.delayed.keySet());
    for (long offset : gone) {
      StoredMessage stored = parseMessage(store.message(c.getQueue(), offset));
      bytes += stored.getMessage().getBody().size();
      batch.deleteMessage(c.getQueue(), offset);
      if (state.priorDeliveries.containsKey(offset) || state.priorFailures.containsKey(offset)
          || state.delayed.containsKey(offset)) {
        batch.deleteUnacked(c.getQueue(), offset);
      }
    }
    int purged = gone.size();
    QueueRecord updated = state.record.toBuilder()
        .setMessages(state.record.getMessages() - purged)
        .setBytes(state.record.getBytes() - bytes)
        .setOperations(state.record.getOperations() + 1)
        .build();
    batch.putQueue(c.getQueue(), updated.toByteArray());
    return new Outcome(ShardResult.newBuilder().setCount(purged).build(), () -> {
      state.ready.clear();
      state.delayed.clear();
      state.priorDeliveries.clear();
      state.priorFailures.clear();
      gone.forEach(state.ownDeadlines::remove);
      state.record = updated;
    });
  }

  private Outcome returnDeliveries(StoreBatch batch, ReturnDeliveries c, long now) {
    // A new leader returning everything is no fault of the consumers: no failed delivery.
    // One consumer's deliveries return because it went away: each counts as failed.
    boolean failed = !c.getAll();
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
        boolean goesBack = c.getAll()
            ? !mark.forSync() && !(c.getKeepAttached() && state.consumers.containsKey(mark.consumerId()))
            : mark.consumerId().equals(c.getConsumerId());
        if (goesBack) {
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
        state.record = updated;
        for (long offset : offsets) {
          QueueState.Mark mark = state.outstanding.remove(offset);
          released(state, mark.consumerId(), 1);
          // A copy's mark is no delivery: it never fails one.
          rules.putBack(batch, queue, state, offset, mark, failed && !mark.forSync(), 0, now);
        }
        perConsumer.forEach((consumer, n) -> events.deliveriesSettled(queue, consumer, n));
        events.messagesReady(queue);
      });
    }
    return new Outcome(ShardResult.newBuilder().setCount(returned).build(),
        () -> memory.forEach(Runnable::run));
  }

  private static ShardResult notOutstanding(String queue, DeliveryTag tag) {
    return error(Status.FAILED_PRECONDITION, "delivery (offset " + tag.getOffset()
        + ", delivery " + tag.getDeliveryCount() + ") of queue '" + queue
        + "' is not outstanding: it was returned to the queue after its consumer went away, or"
        + " never delivered; nothing was settled");
  }

  /**
   * Whether the message at offset was in this shard's queue and is gone (acked, dropped or
   * purged): below the next offset, at or above the lowest offset the shard holds for the queue
   * (an adopted queue's older messages are in the shard it left), neither ready nor out.
   */
  static boolean settledAlready(QueueState state, long offset) {
    return offset >= 0 && offset < state.record.getNextOffset() && offset >= state.record.getSyncFloor()
        && !state.ready.contains(offset) && !state.outstanding.containsKey(offset)
        && !state.delayed.containsKey(offset) && !state.dead.containsKey(offset);
  }

  /** An attached consumer holds count fewer messages (they were settled or returned). */
  static void released(QueueState state, String consumerId, int count) {
    QueueState.Slot slot = state.consumers.get(consumerId);
    if (slot != null) {
      slot.held -= count;
    }
  }

  static byte[] mark(String consumerId, int deliveryCount) {
    return StoredMessage.newBuilder().setConsumerId(consumerId).setDeliveryCount(deliveryCount)
        .build().toByteArray();
  }

  /** A delivery's mark: its consumer, delivery and failure counts, and when it went out. */
  static byte[] mark(String consumerId, int deliveryCount, int failed, long deliveredAt) {
    return StoredMessage.newBuilder().setConsumerId(consumerId).setDeliveryCount(deliveryCount)
        .setFailedDeliveries(failed).setDeliveredAtMs(Math.max(0, deliveredAt))
        .build().toByteArray();
  }

  static ShardResult notFound(String queue) {
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
      throw new StoreException("corrupt queue record in store", e);
    }
  }

  static StoredMessage parseMessage(byte[] bytes) {
    if (bytes == null) {
      throw new IllegalStateException("store lost a message the index still holds");
    }
    try {
      return StoredMessage.parseFrom(bytes);
    } catch (InvalidProtocolBufferException e) {
      throw new StoreException("corrupt message in store", e);
    }
  }
}
