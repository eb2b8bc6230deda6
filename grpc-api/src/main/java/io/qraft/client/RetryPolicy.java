package io.qraft.client;

import io.grpc.Status;
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
 * error.
 */
enum RetryPolicy {
  ROUTING(EnumSet.of(Status.Code.UNAVAILABLE)),
  DEDUPLICATED(EnumSet.of(Status.Code.UNAVAILABLE, Status.Code.DEADLINE_EXCEEDED, Status.Code.RESOURCE_EXHAUSTED));

  private final Set<Status.Code> retried;

  RetryPolicy(Set<Status.Code> retried) {
    this.retried = retried;
  }

  boolean retries(Status.Code code) {
    return retried.contains(code);
  }
}
