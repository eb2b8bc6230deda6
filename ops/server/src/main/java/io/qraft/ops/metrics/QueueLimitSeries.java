package io.qraft.ops.metrics;

import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.MeterRegistry;
import io.qraft.api.log.v1.QueueCounters;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.ToLongFunction;

/**
 * The per-queue series of what queue limits did, read from the counters this node's replica of
 * each queue's record keeps ({@code QueueRecord.counters}), like the other per-queue gauges:
 *
 * <ul>
 *   <li>{@code qraft_queue_messages_expired_total}: removed for their age, dead-lettered or dropped;</li>
 *   <li>{@code qraft_queue_messages_dead_lettered_total{reason}}: moved to the dead-letter queue;</li>
 *   <li>{@code qraft_queue_messages_dropped_total{reason}}: removed with no dead-letter queue to take them;</li>
 *   <li>{@code qraft_queue_publishes_rejected_total}: publishes refused by overflow reject-publish;</li>
 *   <li>{@code qraft_queue_deliveries_timed_out_total}: deliveries returned after consumer-timeout.</li>
 * </ul>
 *
 * <p>Counters, since the record's counts only grow; a queue that moves to another shard starts
 * again from its new record, which Prometheus reads as a counter reset. The reasons the shard
 * gives ({@link #REASONS}) are there from the start at 0, so that {@code rate()} sees the first
 * message go; a reason the shard adds later appears when first counted. A queue's series go when
 * a refresh no longer sees its record here (deleted, moved away, or dropped from the per-queue
 * series).
 *
 * <p>Thread-safe: {@link #refresh} runs under {@link NodeMetrics}' refresh lock, and the registry
 * reads the values, published through a volatile field, whenever it scrapes.
 */
final class QueueLimitSeries {
  /** Why the shard removes a message (QueueCounters in log.proto). */
  static final List<String> REASONS = List.of("expired", "maxlen", "delivery_limit", "rejected");
  private static final String EXPIRED = "expired";

  private final MeterRegistry registry;
  private final Map<String, OneQueue> queues = new HashMap<>();

  QueueLimitSeries(MeterRegistry registry) {
    this.registry = registry;
  }

  /** Sets the series to these queues' counters (queue name to counters); other queues lose theirs. */
  synchronized void refresh(Map<String, QueueCounters> seen) {
    queues.entrySet().removeIf(e -> {
      if (seen.containsKey(e.getKey())) {
        return false;
      }
      e.getValue().remove();
      return true;
    });
    for (Map.Entry<String, QueueCounters> e : seen.entrySet()) {
      queues.computeIfAbsent(e.getKey(), OneQueue::new).update(e.getValue());
    }
  }

  /** The series of one queue. */
  private final class OneQueue {
    private final String queue;
    private final List<Meter> meters = new ArrayList<>();
    private final Set<String> reasons = new HashSet<>();
    private volatile QueueCounters counters = QueueCounters.getDefaultInstance();

    OneQueue(String queue) {
      this.queue = queue;
      counter("qraft.queue.messages.expired", "Messages of the queue removed for their age, dead-lettered or "
          + "dropped, on this node's replica",
          c -> c.getDeadLetteredOrDefault(EXPIRED, 0) + c.getDroppedOrDefault(EXPIRED, 0), null);
      counter("qraft.queue.publishes.rejected", "Publishes to the queue refused by overflow reject-publish, "
          + "on this node's replica", QueueCounters::getRejectedPublishes, null);
      counter("qraft.queue.deliveries.timed.out", "Deliveries of the queue returned because their consumer did "
          + "not settle them within consumer-timeout, on this node's replica", QueueCounters::getTimedOutDeliveries,
          null);
      REASONS.forEach(this::addReason);
    }

    void update(QueueCounters latest) {
      counters = latest;
      latest.getDeadLetteredMap().keySet().forEach(this::addReason);
      latest.getDroppedMap().keySet().forEach(this::addReason);
    }

    private void addReason(String reason) {
      if (!reasons.add(reason)) {
        return;
      }
      counter("qraft.queue.messages.dead.lettered", "Messages of the queue moved to its dead-letter queue, by "
          + "reason, on this node's replica", c -> c.getDeadLetteredOrDefault(reason, 0), reason);
      counter("qraft.queue.messages.dropped", "Messages of the queue removed by its limits with no dead-letter "
          + "queue to take them, by reason, on this node's replica", c -> c.getDroppedOrDefault(reason, 0), reason);
    }

    private void counter(String name, String description, ToLongFunction<QueueCounters> count, String reason) {
      FunctionCounter.Builder<OneQueue> b = FunctionCounter.builder(name, this,
          q -> (double) count.applyAsLong(q.counters)).description(description).tag("queue", queue);
      if (reason != null) {
        b.tag("reason", reason);
      }
      meters.add(b.register(registry));
    }

    void remove() {
      meters.forEach(registry::remove);
    }
  }
}
