package io.qraft.client;

import io.grpc.Status;
import java.nio.channels.ClosedChannelException;
import java.util.EnumSet;
import java.util.Set;

/**
 * Which failed attempts the client repeats on another (or the same) node.
 *
 * <p>Only UNAVAILABLE is safe for every call: it means the node could not serve it. A
 * publish may also be repeated after DEADLINE_EXCEEDED, because it carries a producer id and
 * sequence the server deduplicates on; for other calls a lapsed attempt may have been applied.
 * A publish pushed back by flow control (RESOURCE_EXHAUSTED, naming the node that refused it)
 * is tried again on that node after a backoff: the application sees a slower publish, not an
 * error. A publish refused because its queue is full (OUT_OF_RANGE) is not repeated: the queue
 * stays full until its consumers catch up, and retrying would only hide that from the
 * application ({@link QueueFullException}).
 *
 * <p>A publish is also repeated when the connection under it closed while the request was
 * being written: gRPC reports that as UNKNOWN "channel closed" (a {@link ClosedChannelException}
 * cause), not UNAVAILABLE, because it cannot tell whether the node read the request. That
 * doubt is what deduplication is for; it is not for calls that would be applied twice.
 */
enum RetryPolicy {
  ROUTING(EnumSet.of(Status.Code.UNAVAILABLE), false),
  /**
   * Acks and nacks: also repeated when the connection closed under them. A repeat cannot settle
   * twice: a tag names one delivery (offset and delivery count), an ack of a message already
   * gone is answered as done, and one of a message delivered again since is refused.
   */
  SETTLE(EnumSet.of(Status.Code.UNAVAILABLE), true),
  DEDUPLICATED(EnumSet.of(Status.Code.UNAVAILABLE, Status.Code.DEADLINE_EXCEEDED, Status.Code.RESOURCE_EXHAUSTED), true);

  private final Set<Status.Code> retried;
  private final boolean retriesLostConnection;

  RetryPolicy(Set<Status.Code> retried, boolean retriesLostConnection) {
    this.retried = retried;
    this.retriesLostConnection = retriesLostConnection;
  }

  boolean retries(Status status) {
    return retried.contains(status.getCode()) || (retriesLostConnection && lostConnection(status));
  }

  /** The connection closed under the call, with the outcome unknown. */
  static boolean lostConnection(Status status) {
    if (status.getCode() != Status.Code.UNKNOWN) {
      return false;
    }
    for (Throwable t = status.getCause(); t != null; t = t.getCause()) {
      if (t instanceof ClosedChannelException) {
        return true;
      }
    }
    return false;
  }
}
