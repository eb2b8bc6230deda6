package io.qraft.ops.auth;

import io.grpc.Metadata;

/** The headers nodes put on their calls to each other; one definition for the sender and the checks. */
public final class NodeHeaders {
  /** A call another node forwarded here; its value is that node's id. */
  public static final Metadata.Key<String> FORWARDED = Metadata.Key.of("qraft-forwarded", Metadata.ASCII_STRING_MARSHALLER);
  /** The cluster secret (base64), proving the caller is a node of this cluster. */
  public static final Metadata.Key<String> NODE_SECRET = Metadata.Key.of("qraft-node", Metadata.ASCII_STRING_MARSHALLER);
  /** The user a node acts for when it forwards that user's call. */
  public static final Metadata.Key<String> FOR_USER = Metadata.Key.of("qraft-user", Metadata.ASCII_STRING_MARSHALLER);

  private NodeHeaders() {}
}
