package io.qraft.storage;

/**
 * Changes to a {@link QueueStore} that commit atomically together with the
 * log index they record. Not thread-safe; use once, then close.
 */
public interface StoreBatch extends AutoCloseable {

  StoreBatch putQueue(String queue, byte[] record);

  /** Removes the queue's record, all its messages and all its unacked marks. */
  StoreBatch deleteQueue(String queue);

  StoreBatch putMessage(String queue, long offset, byte[] message);

  StoreBatch deleteMessage(String queue, long offset);

  /** Marks a message delivered and not yet settled; value is the state machine's. */
  StoreBatch putUnacked(String queue, long offset, byte[] value);

  StoreBatch deleteUnacked(String queue, long offset);

  /**
   * Applies every change of the batch and records appliedIndex as the
   * store's last applied index, atomically. An index not above the current
   * one is refused with IllegalStateException (replay must skip, not rewrite);
   * the refused batch changes nothing and stays open.
   */
  void commit(long appliedIndex);

  /** Frees the batch's native memory; a batch closed without commit changes nothing. */
  @Override
  void close();
}
