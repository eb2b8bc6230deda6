package io.qraft.client;

import io.grpc.Status;
import java.time.Duration;

/**
 * A publish the client could not get confirmed before its deadline.
 *
 * <p>Unlike other failures this one leaves the outcome open: the server may have stored the
 * messages and the confirm got lost, or it may never have seen them. Publishing again with
 * a new sequence may store them twice; the {@link #producerId()} and {@link #sequence()}
 * identify the attempt in the server's logs.
 */
public final class PublishTimeoutException extends QraftException {

  private static final long serialVersionUID = 1L;

  private final String queue;
  private final String producerId;
  private final long sequence;

  PublishTimeoutException(String queue, String producerId, long sequence, Duration deadline,
      int attempts, Status last) {
    super(Status.Code.DEADLINE_EXCEEDED, last.getDescription(),
        "publish to queue '" + queue + "' was not confirmed within " + deadline.toMillis()
            + " ms (" + attempts + " attempt(s), producer " + producerId + ", sequence " + sequence
            + ", last error " + last.getCode() + ": " + last.getDescription()
            + "); the message may or may not have been enqueued",
        last.getCause());
    this.queue = queue;
    this.producerId = producerId;
    this.sequence = sequence;
  }

  public String queue() {
    return queue;
  }

  public String producerId() {
    return producerId;
  }

  public long sequence() {
    return sequence;
  }
}
