package io.qraft.statemachine;

import io.qraft.api.log.v1.QueueLimits;
import io.qraft.api.log.v1.QueueRecord;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * The in-memory index of one queue, derived from the store and rebuilt from it
 * on open and after a snapshot install: which offsets are ready, which are out
 * with a consumer, and how often each was delivered.
 *
 * <p>Invariants: an offset is in at most one of {@code ready}, {@code outstanding},
 * {@code delayed} and {@code dead}; {@code record.unacked == outstanding.size()} (copy marks
 * included); {@code record.messages == ready.size() + outstanding.size() + delayed.size() +
 * dead.size()}; a consumer's {@code held} is the
 * number of outstanding marks under its id, and {@code consumers} holds the record's consumers
 * in its order. After each applied entry no consumer with credit is left while a message is ready
 * ({@link Checkout}).
 * Not thread-safe: owned by the apply loop.
 */
final class QueueState {
  QueueRecord record;
  final TreeSet<Long> ready = new TreeSet<>();
  final Map<Long, Mark> outstanding = new HashMap<>();
  /** Delivery counts of ready offsets that were delivered before (returned or requeued). */
  final Map<Long, Integer> priorDeliveries = new HashMap<>();
  /** Consumers attached with Attach, by id, in the order they attached. */
  final Map<String, Slot> consumers = new LinkedHashMap<>();
  /** Failed deliveries (see delivery-limit) of offsets not out with a consumer, where not 0. */
  final Map<Long, Integer> priorFailures = new HashMap<>();
  /** Requeued with a delay: offset to the leader time it is ready again. Neither ready nor out. */
  final Map<Long, Long> delayed = new HashMap<>();
  /** Dead-lettered, waiting for the leader to move them: offset to reason. Neither ready nor out. */
  final TreeMap<Long, String> dead = new TreeMap<>();
  /** Offsets whose message carries its own "ttl-ms": offset to the time it expires. */
  final TreeMap<Long, Long> ownDeadlines = new TreeMap<>();
  /**
   * Enqueue times while the queue has a message-ttl, so that expiry need not read messages back:
   * the first offset each entry stored for the queue, to that entry's time (offsets of one entry
   * are consecutive). A cache of what the store holds: kept only from the point the TTL was set
   * (an offset below the first key is read from the store), emptied when the TTL goes, trimmed
   * from the front as the head moves on.
   */
  final TreeMap<Long, Long> enqueueRuns = new TreeMap<>();

  QueueLimits limits() {
    return record.getLimits();
  }

  /** Messages that count against max-length: all but those dead-lettered on their way out. */
  long counted() {
    return record.getMessages() - dead.size();
  }

  /** The earliest time a delayed message is ready again, or Long.MAX_VALUE. */
  long nextReadyAt() {
    long min = Long.MAX_VALUE;
    for (long at : delayed.values()) {
      min = Math.min(min, at);
    }
    return min;
  }

  QueueState(QueueRecord record) {
    this.record = record;
  }

  /**
   * A delivery that is out with a consumer, or a message marked for copying
   * to another shard (consumer id {@link QueueMachine#SYNC_PREFIX} + group;
   * its delivery count is the prior one, possibly 0).
   */
  record Mark(String consumerId, int deliveryCount, int failed, long deliveredAt) {
    Mark(String consumerId, int deliveryCount) {
      this(consumerId, deliveryCount, 0, 0);
    }

    /** True for a copy's mark: no consumer settles it, and returning all deliveries leaves it. */
    boolean forSync() {
      return consumerId.startsWith(QueueMachine.SYNC_PREFIX);
    }
  }

  /** An attached consumer: its credit is prefetch minus what it holds. */
  static final class Slot {
    final String id;
    final long attachedAt;
    int prefetch;
    int held;
    /** Its own consumer timeout (0: the queue's applies). */
    long timeoutMs;

    Slot(String id, int prefetch, long attachedAt) {
      this.id = id;
      this.prefetch = prefetch;
      this.attachedAt = attachedAt;
    }

    int credit() {
      return prefetch - held;
    }
  }
}
