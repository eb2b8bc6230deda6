package io.qraft.storage;

import java.util.ArrayList;
import java.util.List;
import java.util.NavigableMap;
import java.util.Objects;

/**
 * A {@link StoreBatch} of an {@link InMemoryQueueStore}: a list of changes,
 * applied in order at commit. Values are copied when added, so the caller
 * may reuse its arrays. Not thread-safe. A refused commit leaves the batch
 * open and unchanged.
 */
final class InMemoryStoreBatch implements StoreBatch {

  /** One change to the sorted map of records. */
  @FunctionalInterface
  interface Change {
    void applyTo(NavigableMap<byte[], byte[]> records);
  }

  private final InMemoryQueueStore store;
  private final List<Change> changes = new ArrayList<>();
  private boolean committed;
  private boolean closed;

  InMemoryStoreBatch(InMemoryQueueStore store) {
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
    return add(records -> {
      records.remove(queueKey);
      records.subMap(messages, true, Keys.prefixEnd(messages), false).clear();
      records.subMap(unacked, true, Keys.prefixEnd(unacked), false).clear();
      records.subMap(producers, true, Keys.prefixEnd(producers), false).clear();
    });
  }

  @Override
  public StoreBatch putMessage(String queue, long offset, byte[] message) {
    return put(Keys.message(queue, offset), message);
  }

  @Override
  public StoreBatch deleteMessage(String queue, long offset) {
    byte[] key = Keys.message(queue, offset);
    return add(records -> records.remove(key));
  }

  @Override
  public StoreBatch putUnacked(String queue, long offset, byte[] value) {
    return put(Keys.unacked(queue, offset), value);
  }

  @Override
  public StoreBatch deleteUnacked(String queue, long offset) {
    byte[] key = Keys.unacked(queue, offset);
    return add(records -> records.remove(key));
  }

  @Override
  public StoreBatch putProducerSequence(String queue, String producerId, long sequence, byte[] value) {
    return put(Keys.producerSequence(queue, producerId, sequence), value);
  }

  @Override
  public StoreBatch deleteProducerSequence(String queue, String producerId, long sequence) {
    byte[] key = Keys.producerSequence(queue, producerId, sequence);
    return add(records -> records.remove(key));
  }

  @Override
  public StoreBatch putSequenceExpiry(long index, byte[] value) {
    return put(Keys.sequenceExpiry(index), value);
  }

  @Override
  public StoreBatch deleteSequenceExpiry(long index) {
    byte[] key = Keys.sequenceExpiry(index);
    return add(records -> records.remove(key));
  }

  @Override
  public void commit(long appliedIndex) {
    ensureOpen();
    store.commit(changes, appliedIndex);
    committed = true;
  }

  @Override
  public void close() {
    closed = true;
    changes.clear();
  }

  private StoreBatch put(byte[] key, byte[] value) {
    byte[] copy = Objects.requireNonNull(value, "value").clone();
    return add(records -> records.put(key, copy));
  }

  private StoreBatch add(Change change) {
    ensureOpen();
    changes.add(change);
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
