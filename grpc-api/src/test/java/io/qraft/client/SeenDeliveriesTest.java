package io.qraft.client;

import static org.assertj.core.api.Assertions.assertThat;

import io.qraft.api.v1.Delivery;
import io.qraft.api.v1.DeliveryTag;
import org.junit.jupiter.api.Test;

/** A delivery sent again after a leader change reaches the handler once; a new one always does. */
class SeenDeliveriesTest {

  private static Delivery delivery(String part, long offset, int count, boolean redelivered) {
    return Delivery.newBuilder().setQueue("q").setRedelivered(redelivered)
        .setTag(DeliveryTag.newBuilder().setPart(part).setOffset(offset).setDeliveryCount(count)).build();
  }

  @Test
  void aResentDeliveryTheHandlerHadIsDroppedOnce() {
    SeenDeliveries seen = new SeenDeliveries(8);
    assertThat(seen.firstTime(delivery("g1", 5, 1, false))).isTrue();
    // Sent again under the same tag after the consumer reattached: flagged, and dropped.
    assertThat(seen.firstTime(delivery("g1", 5, 1, true))).isFalse();
    // Another delivery of the same offset (it came back to the queue) is new.
    assertThat(seen.firstTime(delivery("g1", 5, 2, true))).isTrue();
    // The same offset from another shard is another message.
    assertThat(seen.firstTime(delivery("g2", 5, 1, true))).isTrue();
  }

  @Test
  void aDeliveryNotFlaggedRedeliveredIsNeverDropped() {
    SeenDeliveries seen = new SeenDeliveries(8);
    assertThat(seen.firstTime(delivery("g1", 1, 1, false))).isTrue();
    assertThat(seen.firstTime(delivery("g1", 1, 1, false))).isTrue();
  }

  @Test
  void theOldestTagsAreForgottenPastTheCapacity() {
    SeenDeliveries seen = new SeenDeliveries(2);
    seen.firstTime(delivery("g", 1, 1, false));
    seen.firstTime(delivery("g", 2, 1, false));
    seen.firstTime(delivery("g", 3, 1, false));
    // Offset 1 was forgotten: its resend reaches the handler again (at least once), flagged.
    assertThat(seen.firstTime(delivery("g", 1, 1, true))).isTrue();
    assertThat(seen.firstTime(delivery("g", 3, 1, true))).isFalse();
  }
}
