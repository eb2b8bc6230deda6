package io.qraft.ops.faults;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Unavailability per fault: the longest time, on any queue, without a successful publish
 * confirm, from the fault's start until the next fault starts (or the workload ends).
 */
final class Availability {

  private Availability() {}

  record FaultGap(String kind, String node, long startMs, long gapMs, String queue) {}

  static List<FaultGap> perFault(List<Op> history, long workloadEndMicros) {
    Map<String, List<Long>> oks = new HashMap<>();
    List<Op> faults = new ArrayList<>();
    for (Op op : history) {
      if (Op.PUBLISH.equals(op.type) && Op.OK.equals(op.outcome)) {
        oks.computeIfAbsent(op.queue, q -> new ArrayList<>()).add(op.t1);
      } else if (Op.FAULT.equals(op.type)) {
        faults.add(op);
      }
    }
    oks.values().forEach(l -> l.sort(Long::compare));
    faults.sort((x, y) -> Long.compare(x.t0, y.t0));
    List<FaultGap> gaps = new ArrayList<>();
    for (int i = 0; i < faults.size(); i++) {
      Op f = faults.get(i);
      long end = i + 1 < faults.size() ? faults.get(i + 1).t0 : workloadEndMicros;
      long worst = 0;
      String worstQueue = null;
      for (Map.Entry<String, List<Long>> e : oks.entrySet()) {
        long prev = f.t0;
        long gap = 0;
        for (long t : e.getValue()) {
          if (t <= f.t0) {
            continue;
          }
          gap = Math.max(gap, t - prev);
          prev = t;
          if (t > end) {
            break;
          }
        }
        if (prev <= end) {
          gap = Math.max(gap, end - prev);
        }
        if (gap > worst) {
          worst = gap;
          worstQueue = e.getKey();
        }
      }
      gaps.add(new FaultGap(f.kind, f.node, f.t0 / 1000, worst / 1000, worstQueue));
    }
    return gaps;
  }

  /** kind -> {count, p50, max} of the gaps in ms. */
  static Map<String, long[]> byKind(List<FaultGap> gaps) {
    Map<String, List<Long>> by = new TreeMap<>();
    gaps.forEach(g -> by.computeIfAbsent(g.kind(), k -> new ArrayList<>()).add(g.gapMs()));
    Map<String, long[]> out = new TreeMap<>();
    by.forEach((k, l) -> {
      l.sort(Long::compare);
      out.put(k, new long[] {l.size(), l.get((l.size() - 1) / 2), l.get(l.size() - 1)});
    });
    return out;
  }
}
