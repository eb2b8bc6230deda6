package io.qraft.statemachine;

import io.qraft.api.log.v1.QueueRecord;
import io.qraft.api.v1.Delivery;
import io.qraft.api.v1.DeliveryTag;
import io.qraft.api.v1.Message;
import io.qraft.storage.StoreBatch;
import java.util.Map;

/**
 * Hands a queue's ready messages to its attached consumers, inside the batch of the entry that
 * made it possible (an enqueue, an ack, a return, an attach): which message goes to which
 * consumer is decided by the log alone, the same on every replica, so no entry per delivery
 * is needed and the leader sends each one as soon as its entry applies.
 *
 * <p>Rule: the lowest ready offset goes to the consumer with the most credit left, the one
 * that attached first on a tie; repeat until no message is ready or no consumer has credit.
 * Everything it reads is replicated state (prefetch, held counts, attach index), never the
 * order things happened in memory, so a replica that rebuilt its state from the store decides
 * exactly as one that did not.
 *
 * <p>Each delivery is recorded as today's Deliver records it: an unacked mark with the consumer
 * and the delivery count, so counts and the redelivered flag survive any failover.
 */
final class Checkout {
  private Checkout() {}

  /**
   * Delivers what the queue's consumers can take. fresh holds the bodies the current entry
   * carried, by offset, so that the leader need not read them back.
   */
  static void run(StoreBatch batch, String queue, QueueState state, Map<Long, Message> fresh, ShardEvents events,
      QueueRules rules, long now) {
    if (state.consumers.isEmpty() || state.ready.isEmpty()) {
      return;
    }
    int delivered = 0;
    int expired = 0;
    while (!state.ready.isEmpty()) {
      QueueState.Slot slot = mostCredit(state);
      if (slot == null) {
        break;
      }
      long offset = state.ready.first();
      if (rules.expired(queue, state, offset, now)) {
        if (++expired > QueueRules.MAX_PER_ENTRY) {
          break;
        }
        state.ready.pollFirst();
        rules.die(batch, queue, state, offset, QueueRules.EXPIRED, now);
        continue;
      }
      state.ready.pollFirst();
      Integer prior = state.priorDeliveries.remove(offset);
      int count = (prior == null ? 0 : prior) + 1;
      Integer failures = state.priorFailures.remove(offset);
      int failed = failures == null ? 0 : failures;
      batch.putUnacked(queue, offset, QueueMachine.mark(slot.id, count, failed, now));
      state.outstanding.put(offset, new QueueState.Mark(slot.id, count, failed, now));
      slot.held++;
      delivered++;
      Delivery.Builder d = Delivery.newBuilder().setQueue(queue)
          .setTag(DeliveryTag.newBuilder().setOffset(offset).setDeliveryCount(count))
          .setRedelivered(count > 1);
      Message body = fresh == null ? null : fresh.get(offset);
      if (body != null) {
        d.setMessage(body);
      }
      events.delivered(slot.id, d.build());
    }
    if (delivered > 0) {
      QueueRecord record = state.record;
      state.record = record.toBuilder().setUnacked(record.getUnacked() + delivered).build();
      batch.putQueue(queue, state.record.toByteArray());
    }
  }

  /**
   * The consumer with the most credit (the earliest attached on a tie), or null if none has any.
   * With single-active-consumer only the earliest attached consumer receives; the next in attach
   * order takes over when it leaves.
   */
  static QueueState.Slot mostCredit(QueueState state) {
    if (state.limits().getSingleActiveConsumer()) {
      QueueState.Slot active = state.consumers.values().iterator().next();
      return active.credit() > 0 ? active : null;
    }
    QueueState.Slot best = null;
    for (QueueState.Slot s : state.consumers.values()) {
      if (s.credit() > 0 && (best == null || s.credit() > best.credit()
          || (s.credit() == best.credit() && s.attachedAt < best.attachedAt))) {
        best = s;
      }
    }
    return best;
  }
}
