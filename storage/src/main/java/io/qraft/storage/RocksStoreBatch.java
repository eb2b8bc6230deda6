package io.qraft.storage;

import java.util.Objects;
import org.rocksdb.RocksDBException;
import org.rocksdb.WriteBatch;

/**
 * A {@link StoreBatch} of a {@link RocksQueueStore}: the changes gather in a
 * RocksDB WriteBatch, in native memory, and reach the database in one
 * atomic write together with the applied index. Changes apply in the order
 * they were added, so a put after a deleteQueue of the same queue survives.
 *
 * <p>Not thread-safe. A refused commit leaves the batch open and unchanged.
 */
final class RocksStoreBatch implements StoreBatch {

  private final RocksQueueStore store;
  private final WriteBatch batch = new WriteBatch();
  private boolean committed;
  private boolean closed;

  RocksStoreBatch(RocksQueueStore store) {
    this.store = store;
  }

  @Override
  public StoreBatch putQueue(String queue, byte[] record) {
    return put(Keys.queue(queue), record);
  }

  @Override
  public StoreBatch deleteQueue(String queue) {
    byte[] queueKey = Keys.queue(queue);
    byte[] messages = Keys.messagePrefix(queue);
    byte[] unacked = Keys.unackedPrefix(queue);
    byte[] producers = Keys.producerPrefix(queue);
    ensureOpen();
    try {
      batch.delete(queueKey);
      // Length-prefixed names make each range hold this queue's keys and no other's.
      batch.deleteRange(messages, Keys.prefixEnd(messages));
      batch.deleteRange(unacked, Keys.prefixEnd(unacked));
      batch.deleteRange(producers, Keys.prefixEnd(producers));
    } catch (RocksDBException e) {
      throw new StoreException("cannot add to a write batch", e);
    }
    return this;
  }

  @Override
  public StoreBatch putMessage(String queue, long offset, byte[] message) {
    return put(Keys.message(queue, offset), message);
  }

  @Override
  public StoreBatch deleteMessage(String queue, long offset) {
    return delete(Keys.message(queue, offset));
  }

  @Override
  public StoreBatch putUnacked(String queue, long offset, byte[] value) {
    return put(Keys.unacked(queue, offset), value);
  }

  @Override
  public StoreBatch deleteUnacked(String queue, long offset) {
    return delete(Keys.unacked(queue, offset));
  }

  @Override
  public StoreBatch putProducerSequence(String queue, String producerId, long sequence, byte[] value) {
    return put(Keys.producerSequence(queue, producerId, sequence), value);
  }

  @Override
  public StoreBatch deleteProducerSequence(String queue, String producerId, long sequence) {
    return delete(Keys.producerSequence(queue, producerId, sequence));
  }

  @Override
  public StoreBatch putSequenceExpiry(long index, byte[] value) {
    return put(Keys.sequenceExpiry(index), value);
  }

  @Override
  public StoreBatch deleteSequenceExpiry(long index) {
    return delete(Keys.sequenceExpiry(index));
  }

  @Override
  public void commit(long appliedIndex) {
    ensureOpen();
    store.commit(batch, appliedIndex);
    committed = true;
  }

  @Override
  public void close() {
    if (!closed) {
      closed = true;
      batch.close();
    }
  }

  private StoreBatch put(byte[] key, byte[] value) {
    Objects.requireNonNull(value, "value");
    ensureOpen();
    try {
      batch.put(key, value);
    } catch (RocksDBException e) {
      throw new StoreException("cannot add to a write batch", e);
    }
    return this;
  }

  private StoreBatch delete(byte[] key) {
    ensureOpen();
    try {
      batch.delete(key);
    } catch (RocksDBException e) {
      throw new StoreException("cannot add to a write batch", e);
    }
    return this;
  }

  private void ensureOpen() {
    if (closed) {
      throw new IllegalStateException("batch is closed");
    }
    if (committed) {
      throw new IllegalStateException("batch is already committed");
    }
  }
}
