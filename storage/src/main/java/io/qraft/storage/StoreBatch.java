package io.qraft.storage;

/**
 * Changes to a {@link QueueStore} that commit atomically together with the
 * log index they record. Not thread-safe; use once, then close.
 */
public interface StoreBatch extends AutoCloseable {

  StoreBatch putQueue(String queue, byte[] record);

  /** Removes the queue's record, all its messages, unacked marks and producer sequences. */
  StoreBatch deleteQueue(String queue);

  StoreBatch putMessage(String queue, long offset, byte[] message);

  StoreBatch deleteMessage(String queue, long offset);

  /** Marks a message delivered and not yet settled; value is the state machine's. */
  StoreBatch putUnacked(String queue, long offset, byte[] value);

  StoreBatch deleteUnacked(String queue, long offset);

  /** Records that this producer's sequence was stored in the queue; value is the state machine's. */
  StoreBatch putProducerSequence(String queue, String producerId, long sequence, byte[] value);

  StoreBatch deleteProducerSequence(String queue, String producerId, long sequence);

  /** Records, under a log index, what to forget later; value is the state machine's. */
  StoreBatch putSequenceExpiry(long index, byte[] value);

  StoreBatch deleteSequenceExpiry(long index);

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
