package io.qraft.client;

import io.qraft.api.v1.Delivery;
import io.qraft.api.v1.DeliveryTag;
import java.util.LinkedHashSet;
import java.util.Set;

/**
 * The tags a consumer handed to its handler lately, so that a delivery the server sends again
 * (to a consumer that came back after a leader change, always marked redelivered) reaches the
 * handler once. Bounded: the oldest tags are forgotten first, and a resend of a tag forgotten
 * that long ago reaches the handler a second time, marked redelivered (at least once).
 *
 * <p>Not thread-safe: called from one stream's callbacks, which gRPC serialises.
 */
final class SeenDeliveries {
  private record Tag(String queue, String part, long offset, int count) {}

  private final int capacity;
  private final Set<Tag> tags = new LinkedHashSet<>();

  SeenDeliveries(int capacity) {
    this.capacity = capacity;
  }

  /** True when the handler has not had this delivery (same queue, shard, offset and count). */
  synchronized boolean firstTime(Delivery d) {
    DeliveryTag t = d.getTag();
    Tag tag = new Tag(d.getQueue(), t.getPart(), t.getOffset(), t.getDeliveryCount());
    if (d.getRedelivered() && tags.contains(tag)) {
      return false;
    }
    if (tags.add(tag) && tags.size() > capacity) {
      java.util.Iterator<Tag> oldest = tags.iterator();
      oldest.next();
      oldest.remove();
    }
    return true;
  }
}
