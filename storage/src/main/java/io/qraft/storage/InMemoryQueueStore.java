package io.qraft.storage;

import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.util.Map;
import java.util.NavigableMap;
import java.util.TreeMap;

/**
 * A {@link QueueStore} held in memory, for tests of the layers above: same
 * contract, same key order (it keeps the keys of {@link Keys} in a sorted
 * map with RocksDB's byte order) and the same export format as
 * {@link RocksQueueStore}, so exports move freely between the two. Nothing
 * survives close.
 *
 * <p>Thread-safety: any number of readers and one writer at a time, like
 * the RocksDB store. A scan or export works on the map as it was when it
 * began: a commit that follows a read copies the map first instead of
 * changing it under the reader. That makes commits O(records) after a scan,
 * which is fine at test sizes and is the reason this store is for tests.
 */
public final class InMemoryQueueStore implements QueueStore {

  private final Object lock = new Object();
  private TreeMap<byte[], byte[]> records = newMap(); // guarded by lock
  // True once a reader may be iterating `records` outside the lock; the
  // next commit then writes to a copy. Guarded by lock.
  private boolean shared;
  private boolean closed; // guarded by lock
  private volatile long lastAppliedIndex;

  @Override
  public long lastAppliedIndex() {
    return lastAppliedIndex;
  }

  @Override
  public byte[] queue(String queue) {
    return get(Keys.queue(queue));
  }

  @Override
  public void forEachQueue(RecordVisitor<String> visitor) {
    byte[] prefix = Keys.queuePrefix();
    for (Map.Entry<byte[], byte[]> e : view(prefix, Keys.prefixEnd(prefix)).entrySet()) {
      if (!visitor.visit(Keys.queueName(e.getKey()), e.getValue().clone())) {
        return;
      }
    }
  }

  @Override
  public byte[] message(String queue, long offset) {
    return get(Keys.message(queue, offset));
  }

  @Override
  public void scanMessages(String queue, long fromOffset, OffsetVisitor visitor) {
    // No offset is negative, so a negative start means the whole queue.
    byte[] from = Keys.message(queue, Math.max(0, fromOffset));
    visitOffsets(view(from, Keys.prefixEnd(Keys.messagePrefix(queue))), visitor);
  }

  @Override
  public void scanUnacked(String queue, OffsetVisitor visitor) {
    byte[] prefix = Keys.unackedPrefix(queue);
    visitOffsets(view(prefix, Keys.prefixEnd(prefix)), visitor);
  }

  @Override
  public byte[] producerSequence(String queue, String producerId, long sequence) {
    return get(Keys.producerSequence(queue, producerId, sequence));
  }

  @Override
  public Long highestProducerSequence(String queue, String producerId) {
    byte[] prefix = Keys.producerSequencePrefix(queue, producerId);
    NavigableMap<byte[], byte[]> view = view(prefix, Keys.prefixEnd(prefix));
    synchronized (lock) {
      return view.isEmpty() ? null : Keys.sequence(view.lastKey());
    }
  }

  @Override
  public void scanProducerSequences(String queue, SequenceVisitor visitor) {
    byte[] prefix = Keys.producerPrefix(queue);
    for (Map.Entry<byte[], byte[]> e : view(prefix, Keys.prefixEnd(prefix)).entrySet()) {
      byte[] key = e.getKey();
      if (!visitor.visit(Keys.producerId(key), Keys.sequence(key), e.getValue().clone())) {
        return;
      }
    }
  }

  @Override
  public void scanSequenceExpiries(long fromIndex, OffsetVisitor visitor) {
    byte[] prefix = Keys.expiryPrefix();
    for (Map.Entry<byte[], byte[]> e
        : view(Keys.sequenceExpiry(Math.max(0, fromIndex)), Keys.prefixEnd(prefix)).entrySet()) {
      if (!visitor.visit(Keys.expiryIndex(e.getKey()), e.getValue().clone())) {
        return;
      }
    }
  }

  @Override
  public StoreBatch newBatch() {
    synchronized (lock) {
      ensureOpen();
    }
    return new InMemoryStoreBatch(this);
  }

  @Override
  public void exportTo(OutputStream out) throws IOException {
    NavigableMap<byte[], byte[]> content;
    long index;
    synchronized (lock) {
      ensureOpen();
      shared = true;
      content = records;
      index = lastAppliedIndex;
    }
    SnapshotCodec.Writer writer = new SnapshotCodec.Writer(out, index);
    for (Map.Entry<byte[], byte[]> e : content.entrySet()) {
      writer.record(e.getKey(), e.getValue());
    }
    writer.finish();
  }

  /** Replaces the content with a verified export. Reads in through the end of the export, possibly further. */
  @Override
  public void importFrom(InputStream in) throws IOException {
    synchronized (lock) {
      ensureOpen();
    }
    // Read the whole export aside; only a verified one replaces the content.
    TreeMap<byte[], byte[]> imported = newMap();
    long index = SnapshotCodec.read(new BufferedInputStream(in, 64 * 1024), imported::put);
    synchronized (lock) {
      ensureOpen();
      records = imported;
      shared = false;
      lastAppliedIndex = index;
    }
  }

  @Override
  public void close() {
    synchronized (lock) {
      closed = true;
      records = newMap();
      shared = false;
    }
  }

  /** Called by a batch: applies its changes with the applied index, or refuses. */
  void commit(Iterable<InMemoryStoreBatch.Change> changes, long appliedIndex) {
    synchronized (lock) {
      ensureOpen();
      long current = lastAppliedIndex;
      if (appliedIndex <= current) {
        throw new IllegalStateException(
            "applied index " + appliedIndex + " is not above the store's " + current);
      }
      if (shared) {
        records = new TreeMap<>(records);
        shared = false;
      }
      // Changes cannot fail once built (keys were checked when added), so
      // applying them one by one under the lock is atomic to readers.
      for (InMemoryStoreBatch.Change change : changes) {
        change.applyTo(records);
      }
      lastAppliedIndex = appliedIndex;
    }
  }

  private byte[] get(byte[] key) {
    synchronized (lock) {
      ensureOpen();
      byte[] value = records.get(key);
      return value == null ? null : value.clone();
    }
  }

  /** The records in [from, end) as of now, safe to iterate outside the lock. */
  private NavigableMap<byte[], byte[]> view(byte[] from, byte[] end) {
    synchronized (lock) {
      ensureOpen();
      shared = true;
      return records.subMap(from, true, end, false);
    }
  }

  private static void visitOffsets(NavigableMap<byte[], byte[]> view, OffsetVisitor visitor) {
    for (Map.Entry<byte[], byte[]> e : view.entrySet()) {
      if (!visitor.visit(Keys.offset(e.getKey()), e.getValue().clone())) {
        return;
      }
    }
  }

  private void ensureOpen() {
    if (closed) {
      throw new IllegalStateException("store is closed");
    }
  }

  static TreeMap<byte[], byte[]> newMap() {
    return new TreeMap<>(Keys::compare);
  }
}
