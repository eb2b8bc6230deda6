package io.qraft.client;

/**
 * How a {@link Publisher} folds sends into publish requests. It sends at once while fewer
 * than {@code maxRequests} of its requests wait for a confirm; sends that arrive while they
 * all wait are gathered and go together in the next request, up to {@code maxMessages}
 * messages and {@code maxBytes} bytes. So a lone message never waits for others (there is no
 * linger), and under load a request carries what arrived during one round trip, which saves
 * the per-request cost of gRPC, the log and deduplication on every node.
 *
 * <p>A request that carries several messages is one transaction: the server stores all of
 * them or none, and a refusal (a full queue with {@code reject-publish}, say) fails every
 * send in it. {@link #OFF} sends every message in a request of its own.
 *
 * @param maxMessages most messages in one request, at least 1
 * @param maxBytes most bytes of messages in one request (a larger single message goes alone);
 *     keep it well under the cluster's {@code raft.max_entry_bytes}
 * @param maxRequests most requests of one publisher waiting for their confirm, at least 1
 */
public record PublishBatching(int maxMessages, int maxBytes, int maxRequests) {

  /** Up to 128 messages or 128 KiB per request, two requests in flight. */
  public static final PublishBatching DEFAULT = new PublishBatching(128, 128 * 1024, 2);

  /** One message per request, sent at once whatever is in flight. */
  public static final PublishBatching OFF = new PublishBatching(1, Integer.MAX_VALUE, Integer.MAX_VALUE);

  public PublishBatching {
    if (maxMessages < 1) {
      throw new IllegalArgumentException("maxMessages must be at least 1, not " + maxMessages);
    }
    if (maxBytes < 1) {
      throw new IllegalArgumentException("maxBytes must be at least 1, not " + maxBytes);
    }
    if (maxRequests < 1) {
      throw new IllegalArgumentException("maxRequests must be at least 1, not " + maxRequests);
    }
  }
}
