package io.qraft.statemachine;

import io.qraft.api.log.v1.ProducerState;
import io.qraft.api.log.v1.QueueRecord;
import io.qraft.api.log.v1.SequenceOffsets;
import java.util.ArrayList;
import java.util.List;

/**
 * Producer deduplication, kept in the queue's record (so it is in every
 * snapshot and replica). A publish with a producer id is remembered by its
 * sequence with the offsets it was stored at; a retry of a remembered
 * sequence is answered with those offsets and stores nothing.
 *
 * <p>Bounds: the last {@link #RECENT} sequences per producer (so a retry must land within
 * that many later publishes of the same producer; a forwarded attempt abandoned by the client
 * can still land late, which is why the SDK does not abandon attempts by default), at most
 * {@link #MAX_PRODUCERS} producers per queue, and a producer not seen for
 * {@link #EXPIRY_MS} (leader-stamped time) is forgotten. A retry older than
 * that is stored again: a duplicate, never a loss, and never a confirm of a
 * sequence that was not stored.
 */
final class Producers {
  static final int RECENT = 256;
  static final int MAX_PRODUCERS = 1000;
  static final long EXPIRY_MS = 15 * 60 * 1000L;

  private Producers() {}

  /** The offsets a remembered publish was stored at, or null. */
  static List<Long> find(QueueRecord record, String producerId, long sequence) {
    if (producerId.isEmpty()) {
      return null;
    }
    for (ProducerState p : record.getProducersList()) {
      if (p.getProducerId().equals(producerId)) {
        for (SequenceOffsets s : p.getRecentList()) {
          if (s.getSequence() == sequence) {
            return s.getOffsetsList();
          }
        }
        return null;
      }
    }
    return null;
  }

  static void remember(QueueRecord.Builder record, String producerId, long sequence, List<Long> offsets, long nowMs) {
    if (producerId.isEmpty()) {
      return;
    }
    List<ProducerState> kept = new ArrayList<>(record.getProducersCount() + 1);
    ProducerState mine = null;
    for (ProducerState p : record.getProducersList()) {
      if (p.getProducerId().equals(producerId)) {
        mine = p;
      } else if (nowMs - p.getLastSeenMs() <= EXPIRY_MS) {
        kept.add(p);
      }
    }
    ProducerState.Builder b = mine == null
        ? ProducerState.newBuilder().setProducerId(producerId) : mine.toBuilder();
    b.setLastSeenMs(Math.max(b.getLastSeenMs(), nowMs));
    b.addRecent(SequenceOffsets.newBuilder().setSequence(sequence).addAllOffsets(offsets));
    if (b.getRecentCount() > RECENT) {
      List<SequenceOffsets> recent = new ArrayList<>(b.getRecentList().subList(b.getRecentCount() - RECENT, b.getRecentCount()));
      b.clearRecent().addAllRecent(recent);
    }
    kept.add(b.build());
    if (kept.size() > MAX_PRODUCERS) {
      // Forget the producers seen longest ago; order is deterministic (stable sort on stored order).
      kept.sort(java.util.Comparator.comparingLong(ProducerState::getLastSeenMs));
      kept = new ArrayList<>(kept.subList(kept.size() - MAX_PRODUCERS, kept.size()));
    }
    record.clearProducers().addAllProducers(kept);
  }
}
