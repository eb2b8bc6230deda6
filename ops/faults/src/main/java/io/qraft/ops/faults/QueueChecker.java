package io.qraft.ops.faults;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeSet;

/**
 * Jepsen's total-queue check over a history: pure, history in, counts out.
 *
 * <ul>
 *   <li><b>lost</b>: a publish confirmed (outcome ok) whose value was never delivered from its
 *       queue; for a poison value, never received from a dead-letter queue;
 *   <li><b>unexpected</b>: a delivered value that no publish attempted, or whose publish
 *       definitely failed (the server refused it); and a value that is not poison received
 *       from a dead-letter queue;
 *   <li><b>recovered</b>: a publish with an unknown outcome whose value was delivered;
 *   <li><b>duplicates</b>: values delivered more than once from their queue (allowed:
 *       at-least-once), with the repeats that carried {@code redelivered} and those that did
 *       not; a poison value is not counted, its consumers send it back on purpose;
 *   <li><b>double enqueued</b>: a value delivered from more than one offset of its queue (a
 *       publish stored twice: the dedup by producer id + sequence failed);
 *   <li><b>redelivered after ack</b>: a delivery of a value received after an ack of an earlier
 *       delivery of it had been confirmed (ok, acked &ge; 1) to the client; in a dead-letter
 *       queue, of the same offset (another offset is a second move, a dead-letter duplicate);
 *   <li><b>dead-letter duplicates</b>: values received from a dead-letter queue more than once
 *       (allowed: the move to the dead-letter queue is at least once);
 *   <li><b>wrong dead letters</b>: values received from a dead-letter queue whose
 *       {@code x-death-reason} is not {@code delivery_limit} or whose {@code x-death-queue} is
 *       not the queue the value was published to.
 * </ul>
 * A value is poison when its publish says so (the dead-letter workload); other histories have
 * no poison value and no dead-letter queue, and their rules are the first six alone. Delivered,
 * not acked, is what consumes a value: an ack whose answer was lost cannot be told from one
 * that was never applied, and a value delivered whose ack was not applied is delivered again.
 * Values are unique per run across all queues.
 */
public final class QueueChecker {

  /** The x-death-reason of a message its queue's delivery-limit dead-lettered. */
  static final String DELIVERY_LIMIT = "delivery_limit";
  static final String DEATH_REASON = "x-death-reason";
  static final String DEATH_QUEUE = "x-death-queue";

  private QueueChecker() {}

  public record Result(
      int published,
      int confirmed,
      int publishFailed,
      int publishUnknown,
      int delivered,
      int distinctDelivered,
      int lost,
      int unexpected,
      int recovered,
      int duplicates,
      int duplicateDeliveries,
      int duplicatesRedelivered,
      int duplicatesWithoutRedelivered,
      int doubleEnqueued,
      int redeliveredAfterAck,
      int acksConfirmed,
      int poisonConfirmed,
      int deadLettered,
      int deadLetterDuplicates,
      int wrongDeadLetters,
      List<Long> lostValues,
      List<Long> unexpectedValues,
      List<Long> duplicateValues,
      List<Long> duplicateWithoutFlagValues,
      List<Long> doubleEnqueuedValues,
      List<Long> redeliveredAfterAckValues,
      List<Long> deadLetterDuplicateValues,
      List<Long> wrongDeadLetterValues) {

    /** The checker's own part of the verdict (replica divergence is judged elsewhere). */
    public boolean valid() {
      return lost == 0 && unexpected == 0 && redeliveredAfterAck == 0 && wrongDeadLetters == 0;
    }
  }

  public static Result check(List<Op> history) {
    Map<Long, Op> publishes = new HashMap<>();
    // Deliveries from the value's own queue, and from a dead-letter queue.
    Map<Long, List<Op>> deliveries = new LinkedHashMap<>();
    Map<Long, List<Op>> deadLetters = new LinkedHashMap<>();
    Map<Long, List<Op>> confirmedAcks = new HashMap<>();
    Map<Long, List<Op>> confirmedDeadAcks = new HashMap<>();
    int published = 0;
    int confirmed = 0;
    int failed = 0;
    int unknown = 0;
    int poisonConfirmed = 0;
    int delivered = 0;
    int acksConfirmed = 0;
    for (Op op : history) {
      if (op.value == null || op.type == null) {
        continue;
      }
      boolean dead = Boolean.TRUE.equals(op.dead);
      switch (op.type) {
        case Op.PUBLISH -> {
          published++;
          publishes.put(op.value, op);
          String outcome = op.outcome == null ? Op.UNKNOWN : op.outcome;
          switch (outcome) {
            case Op.OK -> {
              confirmed++;
              if (Boolean.TRUE.equals(op.poison)) {
                poisonConfirmed++;
              }
            }
            case Op.FAILED -> failed++;
            default -> unknown++;
          }
        }
        case Op.DELIVER -> {
          delivered++;
          (dead ? deadLetters : deliveries).computeIfAbsent(op.value, v -> new ArrayList<>()).add(op);
        }
        case Op.ACK -> {
          if (Op.OK.equals(op.outcome) && op.acked != null && op.acked >= 1) {
            acksConfirmed++;
            (dead ? confirmedDeadAcks : confirmedAcks)
                .computeIfAbsent(op.value, v -> new ArrayList<>()).add(op);
          }
        }
        default -> { }
      }
    }

    Set<Long> lost = new TreeSet<>();
    for (Op p : publishes.values()) {
      boolean consumed = Boolean.TRUE.equals(p.poison)
          ? deadLetters.containsKey(p.value) : deliveries.containsKey(p.value);
      if (Op.OK.equals(p.outcome) && !consumed) {
        lost.add(p.value);
      }
    }
    Set<Long> unexpected = new TreeSet<>();
    Set<Long> recovered = new HashSet<>();
    for (Long value : union(deliveries.keySet(), deadLetters.keySet())) {
      Op p = publishes.get(value);
      if (p == null || Op.FAILED.equals(p.outcome)) {
        unexpected.add(value);
      } else if (!Op.OK.equals(p.outcome)) {
        recovered.add(value);
      }
    }
    Set<Long> duplicates = new TreeSet<>();
    Set<Long> withoutFlag = new TreeSet<>();
    Set<Long> doubleEnqueued = new TreeSet<>();
    Set<Long> afterAck = new TreeSet<>();
    int duplicateDeliveries = 0;
    int dupRedelivered = 0;
    int dupWithoutFlag = 0;
    for (Map.Entry<Long, List<Op>> e : deliveries.entrySet()) {
      long value = e.getKey();
      List<Op> ds = byTime(e.getValue());
      if (ds.size() > 1 && !poison(publishes.get(value), ds)) {
        duplicates.add(value);
        for (Op d : ds.subList(1, ds.size())) {
          duplicateDeliveries++;
          if (Boolean.TRUE.equals(d.redelivered)) {
            dupRedelivered++;
          } else {
            dupWithoutFlag++;
            withoutFlag.add(value);
          }
        }
      }
      if (ds.stream().map(d -> d.offset).filter(Objects::nonNull).distinct().count() > 1) {
        doubleEnqueued.add(value);
      }
      if (deliveredAfter(ds, confirmedAcks.get(value), false)) {
        afterAck.add(value);
      }
    }
    Set<Long> deadDuplicates = new TreeSet<>();
    Set<Long> wrong = new TreeSet<>();
    for (Map.Entry<Long, List<Op>> e : deadLetters.entrySet()) {
      long value = e.getKey();
      List<Op> ds = byTime(e.getValue());
      Op p = publishes.get(value);
      if (p != null && !Boolean.TRUE.equals(p.poison)) {
        unexpected.add(value);
      }
      if (ds.size() > 1) {
        deadDuplicates.add(value);
      }
      for (Op d : ds) {
        Map<String, String> death = d.death == null ? Map.of() : d.death;
        if (!DELIVERY_LIMIT.equals(death.get(DEATH_REASON))
            || (p != null && !Objects.equals(p.queue, death.get(DEATH_QUEUE)))) {
          wrong.add(value);
        }
      }
      if (deliveredAfter(ds, confirmedDeadAcks.get(value), true)) {
        afterAck.add(value);
      }
    }
    return new Result(published, confirmed, failed, unknown, delivered, deliveries.size(),
        lost.size(), unexpected.size(), recovered.size(), duplicates.size(), duplicateDeliveries,
        dupRedelivered, dupWithoutFlag, doubleEnqueued.size(), afterAck.size(), acksConfirmed,
        poisonConfirmed, deadLetters.size(), deadDuplicates.size(), wrong.size(),
        List.copyOf(lost), List.copyOf(unexpected), List.copyOf(duplicates),
        List.copyOf(withoutFlag), List.copyOf(doubleEnqueued), List.copyOf(afterAck),
        List.copyOf(deadDuplicates), List.copyOf(wrong));
  }

  /**
   * Whether one of the deliveries was received after the first confirmed ack; with
   * {@code sameOffset}, after the first confirmed ack of its own offset.
   */
  private static boolean deliveredAfter(List<Op> deliveries, List<Op> acks, boolean sameOffset) {
    if (acks == null) {
      return false;
    }
    for (Op d : deliveries) {
      long firstAckConfirmed = acks.stream()
          .filter(a -> !sameOffset || Objects.equals(a.offset, d.offset))
          .mapToLong(a -> a.t1).min().orElse(Long.MAX_VALUE);
      if (d.t0 != null && d.t0 > firstAckConfirmed) {
        return true;
      }
    }
    return false;
  }

  /** Poison by its publish; a value never published, by what its deliveries carried. */
  private static boolean poison(Op publish, List<Op> deliveries) {
    return publish != null ? Boolean.TRUE.equals(publish.poison)
        : deliveries.stream().anyMatch(d -> Boolean.TRUE.equals(d.poison));
  }

  private static List<Op> byTime(List<Op> ops) {
    List<Op> sorted = new ArrayList<>(ops);
    sorted.sort(Comparator.comparingLong(d -> d.t0 == null ? 0 : d.t0));
    return sorted;
  }

  private static Set<Long> union(Set<Long> a, Set<Long> b) {
    Set<Long> all = new TreeSet<>(a);
    all.addAll(b);
    return all;
  }
}
