package io.qraft.statemachine;

import io.qraft.api.log.v1.QueueCounters;
import io.qraft.api.log.v1.QueueLimits;
import io.qraft.api.log.v1.QueueRecord;
import io.qraft.api.log.v1.StoredMessage;
import io.qraft.api.v1.Message;
import io.qraft.storage.QueueStore;
import io.qraft.storage.StoreBatch;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * What a queue's limits do to its messages ({@link QueueLimits}): expiry, length limits with
 * drop-head, delayed requeues, the delivery limit, consumer timeouts, and dead-lettering.
 *
 * <p>Every rule decides from replicated state and the time stamped into the entry being
 * applied ({@code now}), and writes what it changes into that entry's batch, so a replica that
 * rebuilt its memory from the store decides as one that did not. Rules change memory directly,
 * as {@link Checkout} does: they run after the entry's own changes, before its batch commits,
 * and a failure rebuilds memory from the store.
 *
 * <p>A message that dies (expired, over the length limit, past the delivery limit, or nacked
 * without requeue) is dropped when the queue has no dead-letter queue; otherwise it stays in the
 * store marked with its reason until the leader has moved it ({@code DeadLetterDone}).
 *
 * <p>Not thread-safe: owned by the apply loop.
 */
final class QueueRules {
  static final String EXPIRED = "expired";
  static final String MAXLEN = "maxlen";
  static final String DELIVERY_LIMIT = "delivery_limit";
  static final String REJECTED = "rejected";
  /** A message header: the message's own TTL in ms (the queue's message-ttl applies when smaller). */
  static final String TTL_HEADER = io.qraft.api.MessageTtl.HEADER;
  /** Most messages one rule removes from one queue in one entry: a huge batch would stall the log. */
  static final int MAX_PER_ENTRY = 4_096;

  private final QueueStore store;
  private final PendingEvents events;
  /** Queues whose record this entry's rules changed, to be written once at the end. */
  private final Set<String> touched = new TreeSet<>();
  /**
   * The bodies the entry being applied carried, by queue and offset (the machine's map): they
   * are in the batch, not yet in the store.
   */
  private final Map<String, Map<Long, Message>> fresh;

  QueueRules(QueueStore store, PendingEvents events, Map<String, Map<Long, Message>> fresh) {
    this.store = store;
    this.events = events;
    this.fresh = fresh;
  }

  /** Whether enqueue must keep the entry's bodies of this queue for the rules (see {@link #fresh}). */
  static boolean wantsBodies(QueueState state) {
    QueueLimits l = state.limits();
    return !state.consumers.isEmpty() || l.getMessageTtlMs() > 0 || l.hasMaxLength() || l.hasMaxLengthBytes();
  }

  /** The body size of a message of the queue, from the entry being applied or the store. */
  private long bodySize(String queue, long offset) {
    Map<Long, Message> bodies = fresh.get(queue);
    Message m = bodies == null ? null : bodies.get(offset);
    if (m != null) {
      return m.getBody().size();
    }
    return QueueMachine.parseMessage(store.message(queue, offset)).getMessage().getBody().size();
  }

  /** Whether the queue has anything for {@link #afterEntry} to do, now or later. */
  static boolean needsRules(QueueState state) {
    QueueLimits l = state.limits();
    return l.getMessageTtlMs() > 0 || l.hasMaxLength() || l.hasMaxLengthBytes()
        || !state.delayed.isEmpty() || !state.ownDeadlines.isEmpty();
  }

  /**
   * The rules that hold after every entry: delayed messages whose time came are ready again,
   * expired messages at the head leave, and a queue over its length limit with drop-head
   * loses its oldest ready messages.
   */
  void afterEntry(StoreBatch batch, String queue, QueueState state, long now) {
    if (state.limits().getMessageTtlMs() <= 0 && !state.enqueueRuns.isEmpty()) {
      // The TTL went: the runs would have a gap if it came back.
      state.enqueueRuns.clear();
    }
    if (now > 0 && !state.delayed.isEmpty()) {
      releaseDue(batch, queue, state, now);
    }
    if (now > 0) {
      expireHead(batch, queue, state, now);
    }
    trimToLimit(batch, queue, state, now);
  }

  private void releaseDue(StoreBatch batch, String queue, QueueState state, long now) {
    List<Long> due = new ArrayList<>();
    for (Map.Entry<Long, Long> e : state.delayed.entrySet()) {
      if (e.getValue() <= now) {
        due.add(e.getKey());
      }
    }
    if (due.isEmpty()) {
      return;
    }
    due.sort(null);
    for (long offset : due) {
      state.delayed.remove(offset);
      state.ready.add(offset);
      batch.putUnacked(queue, offset, returnedMark(state, offset, 0));
    }
    events.messagesReady(queue);
  }

  private void expireHead(StoreBatch batch, String queue, QueueState state, long now) {
    for (int i = 0; i < MAX_PER_ENTRY && !state.ready.isEmpty(); i++) {
      long head = state.ready.first();
      if (!expired(queue, state, head, now)) {
        return;
      }
      state.ready.pollFirst();
      die(batch, queue, state, head, EXPIRED, now);
    }
  }

  /** drop-head: the oldest ready messages leave while the queue is over max-length or max-length-bytes. */
  private void trimToLimit(StoreBatch batch, String queue, QueueState state, long now) {
    QueueLimits l = state.limits();
    if (l.getOverflow() != QueueLimits.Overflow.DROP_HEAD) {
      return;
    }
    for (int i = 0; i < MAX_PER_ENTRY && !state.ready.isEmpty() && overLimit(state, l); i++) {
      long head = state.ready.pollFirst();
      die(batch, queue, state, head, MAXLEN, now);
    }
  }

  private static boolean overLimit(QueueState state, QueueLimits l) {
    return (l.hasMaxLength() && state.counted() > l.getMaxLength())
        || (l.hasMaxLengthBytes() && Long.compareUnsigned(state.record.getBytes(), l.getMaxLengthBytes()) > 0);
  }

  /**
   * Why a publish of count messages of bytes body bytes is refused by overflow reject-publish,
   * or null. record is the queue's record with the entry's earlier publishes in it.
   */
  static String rejectProblem(String queue, QueueRecord record, int dead, long count, long bytes) {
    QueueLimits l = record.getLimits();
    if (l.getOverflow() != QueueLimits.Overflow.REJECT_PUBLISH) {
      return null;
    }
    long counted = record.getMessages() - dead;
    if (l.hasMaxLength() && counted + count > l.getMaxLength()) {
      return "queue '" + queue + "' is full: it holds " + counted + " messages and its max-length is "
          + l.getMaxLength() + " (overflow reject-publish); the publish was refused, nothing was stored";
    }
    if (l.hasMaxLengthBytes() && Long.compareUnsigned(record.getBytes() + bytes, l.getMaxLengthBytes()) > 0) {
      return "queue '" + queue + "' is full: it holds " + record.getBytes() + " bytes of bodies and its"
          + " max-length-bytes is " + l.getMaxLengthBytes() + " (overflow reject-publish); the publish was"
          + " refused, nothing was stored";
    }
    return null;
  }

  /**
   * Whether the message at offset has passed its queue's message-ttl or its own ttl-ms.
   * fresh holds the bodies the entry being applied carried: those were enqueued just now.
   */
  boolean expired(String queue, QueueState state, long offset, long now) {
    if (now <= 0) {
      return false;
    }
    Long own = state.ownDeadlines.get(offset);
    if (own != null && own <= now) {
      return true;
    }
    long ttl = state.limits().getMessageTtlMs();
    Map<Long, Message> bodies = fresh.get(queue);
    if (ttl <= 0 || (bodies != null && bodies.containsKey(offset))) {
      // Enqueued by this very entry: not older than the entry.
      return false;
    }
    return now - enqueuedAt(queue, state, offset) >= ttl;
  }

  private long enqueuedAt(String queue, QueueState state, long offset) {
    Map.Entry<Long, Long> run = state.enqueueRuns.floorEntry(offset);
    if (run != null) {
      return run.getValue();
    }
    return QueueMachine.parseMessage(store.message(queue, offset)).getEnqueuedAtMs();
  }

  /**
   * An entry stored messages of the queue from firstOffset on at time now: remembered while the
   * queue has a message-ttl. Runs wholly below the head are dropped; what they covered is read
   * from the store if it is ever asked for again (a delivery returned).
   */
  static void enqueued(QueueState state, long firstOffset, long now) {
    if (state.limits().getMessageTtlMs() <= 0) {
      state.enqueueRuns.clear();
      return;
    }
    state.enqueueRuns.put(firstOffset, now);
    if (!state.ready.isEmpty()) {
      long head = state.ready.first();
      while (state.enqueueRuns.size() > 1) {
        Long second = state.enqueueRuns.higherKey(state.enqueueRuns.firstKey());
        if (second == null || second > head) {
          break;
        }
        state.enqueueRuns.pollFirstEntry();
      }
    }
  }

  /** The time a message's own ttl-ms header makes it expire, or -1 without a usable one. */
  static long ownDeadline(Message m, long enqueuedAt) {
    String ttl = m.getHeadersMap().get(TTL_HEADER);
    if (ttl == null || enqueuedAt <= 0) {
      return -1;
    }
    // The endpoint refuses other values; an entry that carries one anyway just has no TTL.
    long ms = io.qraft.api.MessageTtl.millis(ttl);
    return ms < 0 ? -1 : enqueuedAt + ms;
  }

  /**
   * A delivery ended without an ack: back to the queue, or later (readyAt past now), or, when
   * it failed by the consumer's doing and that reaches the delivery limit, to its death. The
   * offset must be out of every set of the state already; the caller fixes the record's unacked
   * and tells of the ready message (once per entry and queue).
   */
  void putBack(StoreBatch batch, String queue, QueueState state, long offset, QueueState.Mark mark,
      boolean failed, long readyAt, long now) {
    int failures = mark.failed() + (failed ? 1 : 0);
    if (mark.deliveryCount() > 0) {
      state.priorDeliveries.put(offset, mark.deliveryCount());
    }
    if (failures > 0) {
      state.priorFailures.put(offset, failures);
    }
    int limit = state.limits().getDeliveryLimit();
    if (failed && limit > 0 && failures >= limit) {
      die(batch, queue, state, offset, DELIVERY_LIMIT, now);
      return;
    }
    if (readyAt > now && now > 0) {
      state.delayed.put(offset, readyAt);
    } else {
      state.ready.add(offset);
      readyAt = 0;
    }
    if (mark.deliveryCount() == 0 && failures == 0 && readyAt == 0) {
      // A copy's mark of a message never delivered: nothing prior to remember.
      batch.deleteUnacked(queue, offset);
    } else {
      batch.putUnacked(queue, offset, returnedMark(state, offset, readyAt));
    }
  }

  /** The unowned mark of a message in the queue: its prior delivery and failure counts. */
  private static byte[] returnedMark(QueueState state, long offset, long readyAt) {
    return StoredMessage.newBuilder()
        .setDeliveryCount(state.priorDeliveries.getOrDefault(offset, 0))
        .setFailedDeliveries(state.priorFailures.getOrDefault(offset, 0))
        .setReadyAtMs(readyAt)
        .build().toByteArray();
  }

  /**
   * The message at offset dies for reason: dropped, or kept for the leader to move to the
   * dead-letter queue. The offset must be out of ready, outstanding and delayed already.
   */
  void die(StoreBatch batch, String queue, QueueState state, long offset, String reason, long now) {
    String target = state.limits().getDeadLetterQueue();
    QueueCounters.Builder counters = state.record.getCounters().toBuilder();
    if (target.isEmpty() || target.equals(queue)) {
      long size = bodySize(queue, offset);
      batch.deleteMessage(queue, offset);
      batch.deleteUnacked(queue, offset);
      forget(state, offset);
      counters.putDropped(reason, counters.getDroppedOrDefault(reason, 0) + 1);
      state.record = state.record.toBuilder().setCounters(counters)
          .setMessages(state.record.getMessages() - 1).setBytes(state.record.getBytes() - size).build();
    } else {
      batch.putUnacked(queue, offset, StoredMessage.newBuilder()
          .setDeliveryCount(state.priorDeliveries.getOrDefault(offset, 0))
          .setFailedDeliveries(state.priorFailures.getOrDefault(offset, 0))
          .setDeadReason(reason).setDeadAtMs(now)
          .build().toByteArray());
      forget(state, offset);
      state.dead.put(offset, reason);
      events.deadLettered(queue);
    }
    touched.add(queue);
  }

  private static void forget(QueueState state, long offset) {
    state.priorDeliveries.remove(offset);
    state.priorFailures.remove(offset);
    state.ownDeadlines.remove(offset);
    state.delayed.remove(offset);
  }

  /**
   * On a Tick: deliveries out longer than their consumer timeout go back, counted as failed.
   * An attached consumer that let one pass loses everything it holds and is detached (its
   * stream is told and ends); others go on. Returns the attached consumers that timed out.
   */
  List<String> timeouts(StoreBatch batch, String queue, QueueState state, long now) {
    if (now <= 0 || state.outstanding.isEmpty()) {
      return List.of();
    }
    long queueTimeout = state.limits().getConsumerTimeoutMs();
    TreeMap<Long, QueueState.Mark> late = new TreeMap<>();
    TreeSet<String> lateAttached = new TreeSet<>();
    for (Map.Entry<Long, QueueState.Mark> e : state.outstanding.entrySet()) {
      QueueState.Mark mark = e.getValue();
      if (mark.forSync() || mark.deliveredAt() <= 0) {
        continue;
      }
      QueueState.Slot slot = state.consumers.get(mark.consumerId());
      long timeout = effectiveTimeout(queueTimeout, slot == null ? 0 : slot.timeoutMs);
      if (timeout > 0 && now - mark.deliveredAt() >= timeout) {
        late.put(e.getKey(), mark);
        if (slot != null) {
          lateAttached.add(mark.consumerId());
        }
      }
    }
    if (late.isEmpty()) {
      return List.of();
    }
    QueueCounters counters = state.record.getCounters();
    state.record = state.record.toBuilder().setCounters(counters.toBuilder()
        .setTimedOutDeliveries(counters.getTimedOutDeliveries() + late.size())).build();
    touched.add(queue);
    for (Map.Entry<Long, QueueState.Mark> e : late.entrySet()) {
      if (!lateAttached.contains(e.getValue().consumerId())) {
        returnOne(batch, queue, state, e.getKey(), true, now);
        events.deliveriesSettled(queue, e.getValue().consumerId(), 1);
      }
    }
    if (late.size() > lateAttached.size()) {
      events.messagesReady(queue);
    }
    return new ArrayList<>(lateAttached);
  }

  /** The smaller of two timeouts where set (0: not set). */
  static long effectiveTimeout(long a, long b) {
    if (a <= 0) {
      return b;
    }
    return b <= 0 ? a : Math.min(a, b);
  }

  /**
   * Returns one outstanding delivery to the queue (the record's unacked too); the caller tells
   * of the settled delivery and the ready message.
   */
  void returnOne(StoreBatch batch, String queue, QueueState state, long offset, boolean failed, long now) {
    QueueState.Mark mark = state.outstanding.remove(offset);
    QueueState.Slot slot = state.consumers.get(mark.consumerId());
    if (slot != null) {
      slot.held--;
    }
    state.record = state.record.toBuilder().setUnacked(state.record.getUnacked() - 1).build();
    touched.add(queue);
    putBack(batch, queue, state, offset, mark, failed, 0, now);
  }

  /** Queues whose record the rules changed since the last call; the set is emptied. */
  List<String> takeTouched() {
    List<String> out = new ArrayList<>(touched);
    touched.clear();
    return out;
  }

  void discard() {
    touched.clear();
  }
}
