package io.qraft.client;

import java.util.List;

/**
 * The server's confirm of one publish: the messages are stored and replicated as the
 * queue's ack mode requires.
 *
 * @param queue the queue published to
 * @param offsets the queue offsets the messages were stored at, in the order they were given;
 *     empty for a queue with ack mode {@code local}, whose confirm comes before the offsets are
 *     assigned
 */
public record PublishConfirm(String queue, List<Long> offsets) {

  public PublishConfirm {
    offsets = List.copyOf(offsets);
  }

  /** The offset of the first (for a single publish, the only) message. */
  public long offset() {
    if (offsets.isEmpty()) {
      throw new IllegalStateException("the confirm carries no offsets");
    }
    return offsets.get(0);
  }
}
