package io.qraft.ops.server;

import io.qraft.api.log.v1.QueueCounters;
import io.qraft.api.v1.QueueInfo;
import java.util.Map;

/**
 * What a queue's limits did, as listings show it: the counters the shard keeps in a queue's
 * record ({@code QueueRecord.counters}), added into {@link QueueInfo}. A queue that moved has a
 * record in each part, and its counts are their sum, as its message counts are.
 *
 * <p>Stateless; thread-safe.
 */
final class LimitCounts {
  /** The reason the shard gives a message removed for its age (message-ttl or its ttl-ms header). */
  static final String EXPIRED = "expired";

  private LimitCounts() {}

  /** Adds one record's counters to what info already counts. */
  static void add(QueueInfo.Builder info, QueueCounters counters) {
    // Expired messages are counted by where they went: dead-lettered or dropped.
    long expired = counters.getDeadLetteredOrDefault(EXPIRED, 0) + counters.getDroppedOrDefault(EXPIRED, 0);
    info.setMessagesExpired(info.getMessagesExpired() + expired)
        .setPublishesRejected(info.getPublishesRejected() + counters.getRejectedPublishes())
        .setDeliveriesTimedOut(info.getDeliveriesTimedOut() + counters.getTimedOutDeliveries())
        .setDeadLetterResends(info.getDeadLetterResends() + counters.getDeadLetterResends());
    for (Map.Entry<String, Long> e : counters.getDeadLetteredMap().entrySet()) {
      info.putDeadLettered(e.getKey(), info.getDeadLetteredOrDefault(e.getKey(), 0) + e.getValue());
    }
    for (Map.Entry<String, Long> e : counters.getDroppedMap().entrySet()) {
      info.putDropped(e.getKey(), info.getDroppedOrDefault(e.getKey(), 0) + e.getValue());
    }
  }
}
