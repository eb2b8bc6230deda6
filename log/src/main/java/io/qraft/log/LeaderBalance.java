package io.qraft.log;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * Plans the leadership moves that spread group leaders evenly: after the plan, the number
 * of groups led by any two nodes that are up differs by at most one, as far as replica
 * sets allow (a group can only be led by one of its replicas). Pure: the caller carries the
 * moves out and the cluster may still decide otherwise (a transfer needs the target's log to
 * be up to date).
 *
 * <p>Greedy: repeatedly take a group of the node leading the most and hand it to its replica
 * leading the fewest, while that narrows the gap by at least two. Each move lowers the sum of
 * squares of the per-node counts, so the plan ends; deterministic (ties by node id, then
 * group id).
 */
public final class LeaderBalance {
  private LeaderBalance() {}

  public record Move(String group, String from, String to) {}

  /**
   * @param replicas each group's replica set
   * @param leaders each group's current leader (groups without a known leader are skipped)
   * @param up the nodes that may lead
   */
  public static List<Move> plan(Map<String, List<String>> replicas, Map<String, String> leaders, Set<String> up) {
    Map<String, String> current = new TreeMap<>();
    leaders.forEach((g, l) -> {
      if (l != null && replicas.containsKey(g)) {
        current.put(g, l);
      }
    });
    List<Move> moves = new ArrayList<>();
    while (true) {
      Map<String, Integer> led = new TreeMap<>();
      up.forEach(n -> led.put(n, 0));
      current.values().forEach(l -> led.merge(l, 1, Integer::sum));
      Move best = null;
      int bestGain = 1;
      for (Map.Entry<String, String> e : current.entrySet()) {
        String group = e.getKey();
        String from = e.getValue();
        String to = replicas.get(group).stream()
            .filter(n -> up.contains(n) && !n.equals(from))
            .min(Comparator.<String>comparingInt(led::get).thenComparing(Comparator.naturalOrder()))
            .orElse(null);
        if (to == null) {
          continue;
        }
        int gain = led.getOrDefault(from, 0) - led.get(to);
        if (gain > bestGain) {
          bestGain = gain;
          best = new Move(group, from, to);
        }
      }
      if (best == null) {
        return moves;
      }
      moves.add(best);
      current.put(best.group(), best.to());
    }
  }
}
