package io.qraft.ops.faults;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * Jepsen's total-queue check over a history: pure, history in, counts out.
 *
 * <ul>
 *   <li><b>lost</b>: a publish confirmed (outcome ok) whose value was never delivered;
 *   <li><b>unexpected</b>: a delivered value that no publish attempted, or whose publish
 *       definitely failed (the server refused it);
 *   <li><b>recovered</b>: a publish with an unknown outcome whose value was delivered;
 *   <li><b>duplicates</b>: values delivered more than once (allowed: at-least-once), with the
 *       repeats that carried {@code redelivered} and those that did not;
 *   <li><b>double enqueued</b>: a value delivered from more than one queue offset (a publish
 *       stored twice: the dedup by producer id + sequence failed);
 *   <li><b>redelivered after ack</b>: a delivery of a value received after an ack of an earlier
 *       delivery of it had been confirmed (ok, acked &ge; 1) to the client.
 * </ul>
 * Values are unique per run across all queues.
 */
public final class QueueChecker {

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
      List<Long> lostValues,
      List<Long> unexpectedValues,
      List<Long> duplicateValues,
      List<Long> duplicateWithoutFlagValues,
      List<Long> doubleEnqueuedValues,
      List<Long> redeliveredAfterAckValues) {

    /** The checker's own part of the verdict (replica divergence is judged elsewhere). */
    public boolean valid() {
      return lost == 0 && unexpected == 0 && redeliveredAfterAck == 0;
    }
  }

  public static Result check(List<Op> history) {
    Map<Long, Op> publishes = new HashMap<>();
    Map<Long, List<Op>> deliveries = new LinkedHashMap<>();
    Map<Long, List<Op>> confirmedAcks = new HashMap<>();
    int published = 0;
    int confirmed = 0;
    int failed = 0;
    int unknown = 0;
    int delivered = 0;
    int acksConfirmed = 0;
    for (Op op : history) {
      if (op.value == null || op.type == null) {
        continue;
      }
      switch (op.type) {
        case Op.PUBLISH -> {
          published++;
          publishes.put(op.value, op);
          String outcome = op.outcome == null ? Op.UNKNOWN : op.outcome;
          switch (outcome) {
            case Op.OK -> confirmed++;
            case Op.FAILED -> failed++;
            default -> unknown++;
          }
        }
        case Op.DELIVER -> {
          delivered++;
          deliveries.computeIfAbsent(op.value, v -> new ArrayList<>()).add(op);
        }
        case Op.ACK -> {
          if (Op.OK.equals(op.outcome) && op.acked != null && op.acked >= 1) {
            acksConfirmed++;
            confirmedAcks.computeIfAbsent(op.value, v -> new ArrayList<>()).add(op);
          }
        }
        default -> { }
      }
    }

    Set<Long> lost = new TreeSet<>();
    for (Op p : publishes.values()) {
      if (Op.OK.equals(p.outcome) && !deliveries.containsKey(p.value)) {
        lost.add(p.value);
      }
    }
    Set<Long> unexpected = new TreeSet<>();
    Set<Long> duplicates = new TreeSet<>();
    Set<Long> withoutFlag = new TreeSet<>();
    Set<Long> doubleEnqueued = new TreeSet<>();
    Set<Long> afterAck = new TreeSet<>();
    int recovered = 0;
    int duplicateDeliveries = 0;
    int dupRedelivered = 0;
    int dupWithoutFlag = 0;
    for (Map.Entry<Long, List<Op>> e : deliveries.entrySet()) {
      long value = e.getKey();
      List<Op> ds = new ArrayList<>(e.getValue());
      ds.sort(Comparator.comparingLong(d -> d.t0 == null ? 0 : d.t0));
      Op p = publishes.get(value);
      if (p == null || Op.FAILED.equals(p.outcome)) {
        unexpected.add(value);
      } else if (!Op.OK.equals(p.outcome)) {
        recovered++;
      }
      if (ds.size() > 1) {
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
        Set<Long> offsets = new HashSet<>();
        for (Op d : ds) {
          if (d.offset != null) {
            offsets.add(d.offset);
          }
        }
        if (offsets.size() > 1) {
          doubleEnqueued.add(value);
        }
      }
      List<Op> acks = confirmedAcks.get(value);
      if (acks != null) {
        long firstAckConfirmed = acks.stream().mapToLong(a -> a.t1).min().orElse(Long.MAX_VALUE);
        for (Op d : ds) {
          if (d.t0 != null && d.t0 > firstAckConfirmed) {
            afterAck.add(value);
          }
        }
      }
    }
    return new Result(published, confirmed, failed, unknown, delivered, deliveries.size(),
        lost.size(), unexpected.size(), recovered, duplicates.size(), duplicateDeliveries,
        dupRedelivered, dupWithoutFlag, doubleEnqueued.size(), afterAck.size(), acksConfirmed,
        List.copyOf(lost), List.copyOf(unexpected), List.copyOf(duplicates),
        List.copyOf(withoutFlag), List.copyOf(doubleEnqueued), List.copyOf(afterAck));
  }
}
