package io.qraft.statemachine;

import io.qraft.api.log.v1.Attach;
import io.qraft.api.log.v1.AttachedConsumer;
import io.qraft.api.log.v1.Detach;
import io.qraft.api.log.v1.QueueRecord;
import io.qraft.api.log.v1.ShardResult;
import io.qraft.api.v1.Delivery;
import io.qraft.api.v1.DeliveryTag;
import io.qraft.storage.StoreBatch;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Consumers joining and leaving a queue in the log ({@code Attach}, {@code Detach}): the
 * attached consumers are part of the queue's record, and what one held goes back to the queue
 * when it leaves. Part of {@link QueueMachine}, whose apply loop owns it; {@link Checkout}
 * decides what attached consumers receive.
 *
 * <p>Not thread-safe: owned by the apply loop.
 */
final class QueueConsumers {
  private final Map<String, QueueState> queues;
  private final PendingEvents events;
  private final QueueRules rules;

  QueueConsumers(Map<String, QueueState> queues, PendingEvents events, QueueRules rules) {
    this.queues = queues;
    this.events = events;
    this.rules = rules;
  }

  /**
   * A consumer joins the queue, or comes back: what it holds stays its own and is announced
   * again (redelivered, under the same tags), for the leader to send to its new stream.
   */
  Outcome attach(StoreBatch batch, long index, Attach c, long now) {
    QueueState state = queues.get(c.getQueue());
    if (state == null) {
      return Outcome.of(QueueMachine.notFound(c.getQueue()));
    }
    String id = c.getConsumerId();
    int prefetch = c.getPrefetch();
    QueueState.Slot existing = state.consumers.get(id);
    QueueRecord.Builder record = state.record.toBuilder().setOperations(state.record.getOperations() + 1);
    List<AttachedConsumer> list = new ArrayList<>(record.getConsumersList());
    long attachedAt = existing == null ? index : existing.attachedAt;
    AttachedConsumer entry = AttachedConsumer.newBuilder().setId(id).setPrefetch(prefetch).setAttachedAt(attachedAt)
        .setConsumerTimeoutMs(c.getConsumerTimeoutMs()).build();
    if (now > 0) {
      record.setLastUsedMs(now);
    }
    boolean replaced = false;
    for (int i = 0; i < list.size(); i++) {
      if (list.get(i).getId().equals(id)) {
        list.set(i, entry);
        replaced = true;
      }
    }
    if (!replaced) {
      if (list.size() >= QueueMachine.MAX_CONSUMERS) {
        return Outcome.of(QueueMachine.error(Status.RESOURCE_EXHAUSTED, "queue '" + c.getQueue() + "' has " + list.size()
            + " consumers attached, the most a queue takes; cancel one first"));
      }
      list.add(entry);
    }
    QueueRecord updated = record.clearConsumers().addAllConsumers(list).build();
    batch.putQueue(c.getQueue(), updated.toByteArray());
    // Its outstanding deliveries, in offset order, to be sent again to the new stream.
    List<Delivery> held = new ArrayList<>();
    if (existing != null) {
      new TreeMap<>(state.outstanding).forEach((offset, mark) -> {
        if (mark.consumerId().equals(id)) {
          held.add(Delivery.newBuilder().setQueue(c.getQueue())
              .setTag(DeliveryTag.newBuilder().setOffset(offset).setDeliveryCount(mark.deliveryCount()))
              .setRedelivered(true).build());
        }
      });
    }
    return new Outcome(ShardResult.newBuilder().setCount(held.size()).build(), () -> {
      state.record = updated;
      if (existing == null) {
        QueueState.Slot slot = new QueueState.Slot(id, prefetch, attachedAt);
        slot.timeoutMs = c.getConsumerTimeoutMs();
        // Marks a Deliver made under this id before it attached are its own, as reload()
        // counts them: starting at 0 here would give a replica that did not restart more
        // credit than one that did, and a settle of such a mark would take held below 0.
        for (QueueState.Mark mark : state.outstanding.values()) {
          if (mark.consumerId().equals(id)) {
            slot.held++;
          }
        }
        state.consumers.put(id, slot);
      } else {
        existing.prefetch = prefetch;
        existing.timeoutMs = c.getConsumerTimeoutMs();
      }
      held.forEach(d -> events.delivered(id, d));
      events.markDirty(c.getQueue());
      events.consumersChanged();
    });
  }

  /**
   * A consumer leaves the queue; what it held is ready again, its delivery counts kept. Each
   * counts as a failed delivery unless the consumer only failed to come back after a leader
   * change.
   */
  Outcome detach(StoreBatch batch, Detach c, long now) {
    QueueState state = queues.get(c.getQueue());
    if (state == null) {
      return Outcome.of(QueueMachine.notFound(c.getQueue()));
    }
    String id = c.getConsumerId();
    if (!state.consumers.containsKey(id)) {
      return Outcome.of(ShardResult.newBuilder().setCount(0).build());
    }
    long held = state.outstanding.values().stream().filter(m -> m.consumerId().equals(id)).count();
    return new Outcome(ShardResult.newBuilder().setCount(held).build(),
        () -> detachNow(batch, c.getQueue(), state, id, !c.getAfterLeaderChange(), now));
  }

  /** Detaches an attached consumer and puts back what it held, writing into the entry's batch. */
  void detachNow(StoreBatch batch, String queue, QueueState state, String id, boolean failed, long now) {
    List<Long> offsets = new ArrayList<>();
    for (Map.Entry<Long, QueueState.Mark> o : new TreeMap<>(state.outstanding).entrySet()) {
      if (o.getValue().consumerId().equals(id)) {
        offsets.add(o.getKey());
      }
    }
    for (long offset : offsets) {
      rules.returnOne(batch, queue, state, offset, failed, now);
    }
    if (!offsets.isEmpty()) {
      events.deliveriesSettled(queue, id, offsets.size());
      events.messagesReady(queue);
    }
    List<AttachedConsumer> list = new ArrayList<>(state.record.getConsumersList());
    list.removeIf(a -> a.getId().equals(id));
    QueueRecord.Builder updated = state.record.toBuilder()
        .setOperations(state.record.getOperations() + 1)
        .clearConsumers().addAllConsumers(list);
    if (now > 0) {
      updated.setLastUsedMs(now);
    }
    state.record = updated.build();
    batch.putQueue(queue, state.record.toByteArray());
    state.consumers.remove(id);
    events.consumersChanged();
    // Another consumer may take what it held, or (single active consumer) take over.
    events.markDirty(queue);
  }
}
