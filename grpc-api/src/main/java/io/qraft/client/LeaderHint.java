package io.qraft.client;

import io.grpc.Metadata;
import io.grpc.Status;

/**
 * Reads the leader's address a node puts in the trailers when it answers UNAVAILABLE
 * because another node leads.
 */
final class LeaderHint {

  static final Metadata.Key<String> KEY =
      Metadata.Key.of("qraft-leader", Metadata.ASCII_STRING_MARSHALLER);

  private LeaderHint() {}

  /** The leader's "host:port", or null when the failure names none. */
  static String from(Throwable failure) {
    Metadata trailers = Status.trailersFromThrowable(failure);
    if (trailers == null) {
      return null;
    }
    String leader = trailers.get(KEY);
    return leader == null || leader.isBlank() ? null : leader.trim();
  }
}
