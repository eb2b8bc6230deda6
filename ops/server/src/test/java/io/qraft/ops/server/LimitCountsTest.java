package io.qraft.ops.server;

import static org.assertj.core.api.Assertions.assertThat;

import io.qraft.api.log.v1.QueueCounters;
import io.qraft.api.v1.QueueInfo;
import java.util.Map;
import org.junit.jupiter.api.Test;

class LimitCountsTest {

  @Test
  void aRecordsCountersFillTheQueueInfoAndExpiredCountsBothWays() {
    QueueInfo.Builder info = QueueInfo.newBuilder().setName("orders");

    LimitCounts.add(info, QueueCounters.newBuilder()
        .putDeadLettered("expired", 4).putDeadLettered("maxlen", 2)
        .putDropped("expired", 1).putDropped("delivery_limit", 7)
        .setRejectedPublishes(3).setTimedOutDeliveries(5).setDeadLetterResends(9).build());

    assertThat(info.getMessagesExpired()).isEqualTo(5);
    assertThat(info.getDeadLetteredMap()).containsExactlyInAnyOrderEntriesOf(Map.of("expired", 4L, "maxlen", 2L));
    assertThat(info.getDroppedMap()).containsExactlyInAnyOrderEntriesOf(Map.of("expired", 1L, "delivery_limit", 7L));
    assertThat(info.getPublishesRejected()).isEqualTo(3);
    assertThat(info.getDeliveriesTimedOut()).isEqualTo(5);
  }

  @Test
  void thePartsOfAQueueThatMovedAddUp() {
    QueueInfo.Builder info = QueueInfo.newBuilder();

    LimitCounts.add(info, QueueCounters.newBuilder().putDeadLettered("maxlen", 2).putDropped("expired", 1)
        .setRejectedPublishes(1).build());
    LimitCounts.add(info, QueueCounters.newBuilder().putDeadLettered("maxlen", 3).putDeadLettered("rejected", 1)
        .putDropped("expired", 2).setTimedOutDeliveries(4).build());

    assertThat(info.getDeadLetteredMap()).containsExactlyInAnyOrderEntriesOf(Map.of("maxlen", 5L, "rejected", 1L));
    assertThat(info.getDroppedMap()).containsExactlyInAnyOrderEntriesOf(Map.of("expired", 3L));
    assertThat(info.getMessagesExpired()).isEqualTo(3);
    assertThat(info.getPublishesRejected()).isEqualTo(1);
    assertThat(info.getDeliveriesTimedOut()).isEqualTo(4);
  }

  @Test
  void aRecordWithoutCountersAddsNothing() {
    QueueInfo.Builder info = QueueInfo.newBuilder().setName("orders");

    LimitCounts.add(info, QueueCounters.getDefaultInstance());

    assertThat(info.build()).isEqualTo(QueueInfo.newBuilder().setName("orders").build());
  }
}
