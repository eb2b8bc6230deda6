package io.qraft.storage;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;

/**
 * The durable state of one Raft group: the queues it carries, their messages by
 * queue offset, their delivered-but-unsettled messages, the producer
 * sequences they stored (for deduplication) and when to forget them, and the
 * group's last applied log index.
 *
 * <p>Guarantees: every {@link StoreBatch#commit(long)} is atomic — the changes
 * of a batch and the applied index it records become visible and durable
 * together, so after a crash the store holds exactly the state of
 * {@link #lastAppliedIndex()}. Values are opaque bytes: the state machine owns
 * their format.
 *
 * <p>Thread-safety: one writer (the apply loop) and any number of readers.
 * Readers see each batch whole or not at all.
 *
 * <p>Queue names are any valid Unicode string up to {@value Keys#MAX_NAME_BYTES}
 * UTF-8 bytes; offsets are non-negative. Anything else is refused with
 * IllegalArgumentException. Returned arrays are the caller's to keep.
 */
public interface QueueStore extends AutoCloseable {

  /** The log index recorded by the last committed batch; 0 for a new store. */
  long lastAppliedIndex();

  /** The queue's record, or null if the store has no such queue. */
  byte[] queue(String queue);

  /**
   * Visits every queue record, in key order (see {@link Keys}: shorter UTF-8
   * names first), until the visitor returns false.
   */
  void forEachQueue(RecordVisitor<String> visitor);

  /** The message stored at this offset of the queue, or null. */
  byte[] message(String queue, long offset);

  /** Visits the queue's messages from fromOffset upwards, in offset order, until the visitor returns false. */
  void scanMessages(String queue, long fromOffset, OffsetVisitor visitor);

  /** Visits the queue's delivered-but-unsettled marks, in offset order, until the visitor returns false. */
  void scanUnacked(String queue, OffsetVisitor visitor);

  /** What the state machine stored for this producer's sequence in the queue, or null. */
  byte[] producerSequence(String queue, String producerId, long sequence);

  /**
   * The highest sequence stored for this producer in the queue, comparing sequences as unsigned
   * numbers (their key order), or null when none is stored.
   */
  Long highestProducerSequence(String queue, String producerId);

  /**
   * Visits every producer sequence stored for the queue, in key order (see
   * {@link Keys}: producers by the length of their UTF-8 id, then its bytes;
   * then sequences as unsigned big-endian bytes), until the visitor returns false.
   */
  void scanProducerSequences(String queue, SequenceVisitor visitor);

  /**
   * Visits the expiry records (see {@link StoreBatch#putSequenceExpiry}) from
   * fromIndex upwards, in index order, until the visitor returns false.
   */
  void scanSequenceExpiries(long fromIndex, OffsetVisitor visitor);

  /** Starts a batch of changes; nothing is visible until it commits. */
  StoreBatch newBatch();

  /**
   * Writes every record of the store, with its applied index, to out: the
   * snapshot of this group. A consistent point-in-time view even while
   * batches commit.
   */
  void exportTo(OutputStream out) throws IOException;

  /**
   * Replaces the whole content of the store with an export. Afterwards
   * {@link #lastAppliedIndex()} is the exported index. A torn or corrupt
   * export is refused with an IOException and leaves the store unchanged.
   */
  void importFrom(InputStream in) throws IOException;

  @Override
  void close();

  /** Visits a record by key; returns false to stop. */
  @FunctionalInterface
  interface RecordVisitor<K> {
    boolean visit(K key, byte[] value);
  }

  /** Visits a producer sequence of a queue; returns false to stop. */
  @FunctionalInterface
  interface SequenceVisitor {
    boolean visit(String producerId, long sequence, byte[] value);
  }

  /** Visits a record by queue offset; returns false to stop. */
  @FunctionalInterface
  interface OffsetVisitor {
    boolean visit(long offset, byte[] value);
  }
}
