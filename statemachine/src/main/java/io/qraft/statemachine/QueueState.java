package io.qraft.statemachine;

import io.qraft.api.log.v1.QueueRecord;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.TreeSet;

/**
 * The in-memory index of one queue, derived from the store and rebuilt from it
 * on open and after a snapshot install: which offsets are ready, which are out
 * with a consumer, and how often each was delivered.
 *
 * <p>Invariants: an offset is in at most one of {@code ready} and
 * {@code outstanding}; {@code record.unacked == outstanding.size()} (copy marks included);
 * {@code record.messages == ready.size() + outstanding.size()}; a consumer's {@code held} is the
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

  QueueState(QueueRecord record) {
    this.record = record;
  }

  /**
   * A delivery that is out with a consumer, or a message marked for copying
   * to another shard (consumer id {@link QueueMachine#SYNC_PREFIX} + group;
   * its delivery count is the prior one, possibly 0).
   */
  record Mark(String consumerId, int deliveryCount) {
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
