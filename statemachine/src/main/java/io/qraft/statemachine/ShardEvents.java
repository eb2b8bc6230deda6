package io.qraft.statemachine;

/**
 * What a shard's apply loop tells the node about, after each entry is applied
 * (on every replica; the leader's consumer dispatch is what listens).
 * Called on the apply thread: implementations hand off and return at once.
 */
public interface ShardEvents {
  ShardEvents NONE = new ShardEvents() {};

  /** The queue may have ready messages it did not have before. */
  default void messagesReady(String queue) {}

  /** count deliveries to consumerId were acked, nacked or returned. */
  default void deliveriesSettled(String queue, String consumerId, int count) {}

  default void queueDeleted(String queue) {}
}
