package io.qraft.client;

import io.grpc.Status;

/**
 * A publish the queue refused because it is full: it holds its max-length messages or
 * max-length-bytes bytes and its overflow is {@code reject-publish}. The server answers such a
 * publish OUT_OF_RANGE.
 *
 * <p>Nothing of the publish was stored (a batch is refused whole, every message of it). The
 * client does not send it again, since the queue stays full until consumers take messages:
 * the application decides whether to wait, drop the message or publish elsewhere.
 */
public final class QueueFullException extends QraftException {

  private static final long serialVersionUID = 1L;

  private final String queue;

  QueueFullException(String queue, String serverMessage, Throwable cause) {
    super(Status.Code.OUT_OF_RANGE, serverMessage, "queue '" + queue + "' is full: " + serverMessage, cause);
    this.queue = queue;
  }

  /** The failure of a publish to queue that ended with this status: a full queue, or another refusal. */
  static QraftException ofPublish(String queue, Status status) {
    if (status.getCode() != Status.Code.OUT_OF_RANGE) {
      return QraftException.from(status);
    }
    String description = status.getDescription() == null ? "" : status.getDescription();
    return new QueueFullException(queue, description, status.getCause());
  }

  /** The queue that refused the publish. */
  public String queue() {
    return queue;
  }

  @Override
  QraftException rethrownHere() {
    return new QueueFullException(queue, serverMessage(), this);
  }
}
