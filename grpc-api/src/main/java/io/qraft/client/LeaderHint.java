package io.qraft.client;

import io.grpc.Metadata;
import io.grpc.Status;

/**
 * The leader's address a node puts in the trailers when it answers UNAVAILABLE because another
 * node leads (or RESOURCE_EXHAUSTED, naming itself as the node to come back to): the one
 * definition of the {@code qraft-leader} key, used by the nodes that write it and by the SDK and
 * qraftctl that follow it.
 */
public final class LeaderHint {

  /** The key's name. */
  public static final String NAME = "qraft-leader";

  /** The trailing metadata key: the leader's client address, host:port. */
  public static final Metadata.Key<String> KEY = Metadata.Key.of(NAME, Metadata.ASCII_STRING_MARSHALLER);

  private LeaderHint() {}

  /** The leader's "host:port", or null when the failure names none. */
  public static String from(Throwable failure) {
    Metadata trailers = Status.trailersFromThrowable(failure);
    if (trailers == null) {
      return null;
    }
    String leader = trailers.get(KEY);
    return leader == null || leader.isBlank() ? null : leader.trim();
  }
}
