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

  /**
   * The shard handed a message to the attached consumer consumerId: a new delivery, or, after
   * the consumer attached again, one it held already (redelivered set). The delivery's message
   * is set when the entry carried it, else left out: read it from the store (only the leader
   * sends it, and only it needs the bytes).
   */
  default void delivered(String consumerId, io.qraft.api.v1.Delivery delivery) {}

  /** Messages of the queue were dead-lettered: the leader moves them to its dead-letter queue. */
  default void deadLettered(String queue) {}

  /**
   * An attached consumer let a delivery pass its consumer timeout: it was detached and what it
   * held went back to the queue. The leader ends its stream with a status that says so.
   */
  default void consumerTimedOut(String queue, String consumerId) {}
}
