package io.qraft.statemachine;

import com.google.protobuf.InvalidProtocolBufferException;
import io.qraft.api.log.v1.CarriedSequence;
import io.qraft.api.log.v1.ExpiringSequence;
import io.qraft.api.log.v1.ProducerSequence;
import io.qraft.api.log.v1.SequenceExpiry;
import io.qraft.storage.QueueStore;
import io.qraft.storage.StoreBatch;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.PriorityQueue;

/**
 * Producer deduplication. A publish that names a producer is remembered in
 * the store under (queue, producer, sequence) with the offsets it was stored
 * at; a retry of a remembered sequence is answered with those offsets and
 * stores nothing. Only the publishing producer's key is written, so the cost
 * of a publish does not grow with the number of producers or with history.
 *
 * <p>Forgetting is by time, not by count: each entry that stored sequences
 * also writes one expiry record under its log index, holding the
 * leader-stamped time of the entry; every Enqueue walks those records in log
 * order and forgets the sequences of entries older than {@link #WINDOW_MS}.
 * A retry landing within the window is never stored twice, however many
 * publishes came in between (a forwarded attempt that lands late is the case
 * that matters). A retry older than the window is stored again: a duplicate,
 * never a loss, and never a confirm of a sequence that was not stored.
 *
 * <p>A queue that moves to another shard takes its newest sequences along:
 * the seal reads them ({@link #carried}) and the adopting shard remembers
 * them as if its adopt entry had stored them, so a retry that lands in the
 * new shard is still recognised, until the window has passed from the adopt.
 *
 * <p>Deterministic: decisions read only the store and the command's time. The
 * in-memory {@code cursor} only says where the walk may start; it is always at
 * or below the lowest expiry record present, because records are written at
 * ever higher indexes and removed from the lowest up.
 *
 * <p>Two more things in memory spare each entry store reads whose answer is
 * known, and change no decision: the highest sequence each producer has
 * stored (a sequence above it cannot be a retry, so its lookup is skipped;
 * forgetting only lowers the true highest, so the remembered one stays an
 * upper bound), and the leader time of the lowest expiry record (while it is
 * inside the window, nothing can be forgotten and the walk is skipped). Under
 * load those two reads were a quarter of a replica's apply time. Both are
 * changed only once an entry's batch has committed, and are dropped with the
 * store's content (see {@link #reload}).
 */
final class Producers {
  /** How long a stored sequence is remembered, in leader-stamped time. */
  static final long WINDOW_MS = 5 * 60 * 1000L;
  /** Expired sequences forgotten per entry at most, so one apply never stalls on a backlog. */
  static final int FORGET_PER_ENTRY = 512;
  /**
   * Sequences a sealed queue carries to its new shard at most: the newest, as
   * a retry is most likely for what was stored last; bounds the seal's answer.
   */
  static final int MAX_CARRIED = 4096;

  /** Producers whose highest sequence is kept at most; beyond it the memory starts afresh. */
  static final int HIGHEST_KEPT = 65_536;

  private final QueueStore store;
  private long cursor;
  /** By queue and producer: the highest sequence stored; absent: not read from the store yet. */
  private final Map<String, Highest> highest = new HashMap<>();
  /** The lowest expiry record's leader time, if lowestKnown; Long.MAX_VALUE: there is none. */
  private long lowestExpiryMs;
  private boolean lowestKnown;

  Producers(QueueStore store) {
    this.store = store;
  }

  /** After the store was replaced (snapshot install) or reopened. */
  void reload() {
    cursor = 0;
    highest.clear();
    lowestKnown = false;
  }

  /** Whether the store may hold this sequence of the producer: false when it is above the highest stored. */
  private boolean mayBeStored(String queue, String producerId, long sequence) {
    String producer = producerKey(queue, producerId);
    Highest top = highest.get(producer);
    if (top == null) {
      Long read = store.highestProducerSequence(queue, producerId);
      top = read == null ? Highest.NONE : new Highest(true, read);
      if (highest.size() >= HIGHEST_KEPT) {
        highest.clear();
      }
      highest.put(producer, top);
    }
    return top.any() && Long.compareUnsigned(sequence, top.sequence()) <= 0;
  }

  /** The highest sequence a producer stored in a queue (unsigned), if any (any = false: none). */
  private record Highest(boolean any, long sequence) {
    static final Highest NONE = new Highest(false, 0);

    Highest raisedTo(long stored) {
      return any && Long.compareUnsigned(stored, sequence) <= 0 ? this : new Highest(true, stored);
    }
  }

  /** The sequences of one entry, gathered while it applies; later publishes in it see earlier ones. */
  final class Entry {
    private final long index;
    private final long leaderTimeMs;
    private final Map<String, List<Long>> stored = new HashMap<>();
    private final SequenceExpiry.Builder expiry = SequenceExpiry.newBuilder();
    private long nextCursor = -1;
    /** By producer key: the highest sequence this entry stored. */
    private final Map<String, Long> raised = new HashMap<>();
    private boolean nextLowestKnown;
    private long nextLowestMs;

    private Entry(long index, long leaderTimeMs) {
      this.index = index;
      this.leaderTimeMs = leaderTimeMs;
      expiry.setLeaderTimeMs(leaderTimeMs);
    }

    /** The offsets a remembered publish was stored at, or null. */
    List<Long> find(String queue, String producerId, long sequence) {
      if (producerId.isEmpty()) {
        return null;
      }
      List<Long> here = stored.get(key(queue, producerId, sequence));
      if (here != null) {
        return here;
      }
      if (!mayBeStored(queue, producerId, sequence)) {
        return null;
      }
      byte[] bytes = store.producerSequence(queue, producerId, sequence);
      return bytes == null ? null : parse(bytes).getOffsetsList();
    }

    void remember(StoreBatch batch, String queue, String producerId, long sequence, List<Long> offsets) {
      if (producerId.isEmpty()) {
        return;
      }
      stored.put(key(queue, producerId, sequence), offsets);
      raised.merge(producerKey(queue, producerId), sequence,
          (a, b) -> Long.compareUnsigned(a, b) >= 0 ? a : b);
      batch.putProducerSequence(queue, producerId, sequence,
          ProducerSequence.newBuilder().addAllOffsets(offsets).setIndex(index).build().toByteArray());
      expiry.addSequences(ExpiringSequence.newBuilder()
          .setQueue(queue).setProducerId(producerId).setSequence(sequence));
    }

    /** Writes this entry's expiry record and forgets what has outlived the window. */
    void finish(StoreBatch batch) {
      nextLowestKnown = lowestKnown;
      nextLowestMs = lowestExpiryMs;
      forgetExpired(batch);
      if (expiry.getSequencesCount() > 0) {
        batch.putSequenceExpiry(index, expiry.build().toByteArray());
        if (nextLowestKnown && nextLowestMs == Long.MAX_VALUE) {
          nextLowestMs = leaderTimeMs; // the only record now
        }
      }
    }

    /** Runs once the batch is committed. */
    void committed() {
      if (nextCursor >= 0) {
        cursor = nextCursor;
      }
      lowestKnown = nextLowestKnown;
      lowestExpiryMs = nextLowestMs;
      raised.forEach((producer, sequence) -> highest.computeIfPresent(producer, (p, top) -> top.raisedTo(sequence)));
    }

    private void forgetExpired(StoreBatch batch) {
      long cutoff = leaderTimeMs - WINDOW_MS;
      if (cutoff <= 0) {
        return;
      }
      if (lowestKnown && lowestExpiryMs >= cutoff) {
        return; // the lowest record is inside the window (or there is none): nothing has expired
      }
      int[] forgotten = {0};
      // Ran out of records: none is left after this entry's deletions.
      nextLowestKnown = true;
      nextLowestMs = Long.MAX_VALUE;
      store.scanSequenceExpiries(cursor, (expiryIndex, value) -> {
        SequenceExpiry old = parseExpiry(value);
        if (old.getLeaderTimeMs() >= cutoff) {
          nextLowestMs = old.getLeaderTimeMs(); // the lowest record left
          return false;
        }
        if (forgotten[0] >= FORGET_PER_ENTRY) {
          nextLowestKnown = false; // more to forget: the next entry walks again
          return false;
        }
        for (ExpiringSequence s : old.getSequencesList()) {
          byte[] current = store.producerSequence(s.getQueue(), s.getProducerId(), s.getSequence());
          // A queue deleted and declared again may hold the same key from a later entry: keep that one.
          if (current != null && parse(current).getIndex() == expiryIndex) {
            batch.deleteProducerSequence(s.getQueue(), s.getProducerId(), s.getSequence());
          }
        }
        batch.deleteSequenceExpiry(expiryIndex);
        forgotten[0] += old.getSequencesCount();
        nextCursor = expiryIndex + 1;
        return true;
      });
    }
  }

  Entry begin(long index, long leaderTimeMs) {
    return new Entry(index, leaderTimeMs);
  }

  /**
   * The queue's stored sequences to carry when it moves: at most
   * {@link #MAX_CARRIED}, those stored by the highest log indexes, ordered by
   * index, producer and sequence so every replica answers the same list.
   */
  List<CarriedSequence> carried(String queue) {
    Comparator<Stored> order = Comparator.comparingLong(Stored::index)
        .thenComparing(Stored::producerId).thenComparingLong(Stored::sequence);
    // The lowest at the head: it is what goes when one more than the cap is held.
    PriorityQueue<Stored> newest = new PriorityQueue<>(order);
    store.scanProducerSequences(queue, (producerId, sequence, value) -> {
      ProducerSequence s = parse(value);
      newest.add(new Stored(s.getIndex(), producerId, sequence, s.getOffsetsList()));
      if (newest.size() > MAX_CARRIED) {
        newest.poll();
      }
      return true;
    });
    List<Stored> sorted = new ArrayList<>(newest);
    sorted.sort(order);
    List<CarriedSequence> out = new ArrayList<>(sorted.size());
    for (Stored s : sorted) {
      out.add(CarriedSequence.newBuilder().setProducerId(s.producerId()).setSequence(s.sequence())
          .addAllOffsets(s.offsets()).build());
    }
    return out;
  }

  private record Stored(long index, String producerId, long sequence, List<Long> offsets) {}

  private static String producerKey(String queue, String producerId) {
    return queue.length() + ":" + queue + producerId;
  }

  private static String key(String queue, String producerId, long sequence) {
    return queue.length() + ":" + queue + producerId.length() + ":" + producerId + ":" + sequence;
  }

  private static ProducerSequence parse(byte[] bytes) {
    try {
      return ProducerSequence.parseFrom(bytes);
    } catch (InvalidProtocolBufferException e) {
      throw new io.qraft.storage.StoreException("corrupt producer sequence in store", e);
    }
  }

  private static SequenceExpiry parseExpiry(byte[] bytes) {
    try {
      return SequenceExpiry.parseFrom(bytes);
    } catch (InvalidProtocolBufferException e) {
      throw new io.qraft.storage.StoreException("corrupt sequence expiry in store", e);
    }
  }

  /** The offsets remembered for a producer's sequence, or null. */
  static List<Long> remembered(QueueStore store, String queue, String producerId, long sequence) {
    byte[] bytes = store.producerSequence(queue, producerId, sequence);
    return bytes == null ? null : new ArrayList<>(parse(bytes).getOffsetsList());
  }
}
