package io.qraft.log;

import io.qraft.api.log.v1.QueueDef;
import io.qraft.api.log.v1.ShardDef;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * Plans the queue moves that even out the queues per shard: after the plan, the shards of
 * one replica set (the same sorted replicas, shared, not dedicated) carry numbers of queues
 * within one of each other, as far as the queues allow. Replica sets are planned
 * independently, since a move between them would change a queue's replicas. Pure: the caller
 * begins the moves (BeginMove) and {@link QueueMover} carries them out.
 *
 * <p>A queue counts where it takes publishes, or where it is going when a move is in flight.
 * A queue in flight is not moved again (a queue moves once at a time), a queue moved by the
 * plan is not moved twice, and a queue never goes to a shard holding an old part of it, or
 * the records of a part it gave up (one shard keeps one copy of a queue's state). Dedicated shards carry exactly one queue and
 * take no part. Shards whose membership is changing (forget_node) are left out until it is
 * done: their replica set is not settled.
 *
 * <p>Greedy: repeatedly move a queue from a shard carrying the most to one carrying the
 * fewest, while they differ by two or more. Where old parts bar every direct move between
 * them, a chain through other shards of the set does it (each hop a different queue), so
 * the counts still end within one whenever some chain exists. Without old parts this takes
 * the fewest moves there are; each step lowers the sum of squares of the counts, so the plan
 * ends. Of the queues that could go, those without old parts are preferred (such a move
 * leaves nothing behind to tend); ties by queue name, then target group.
 */
public final class QueueBalance {
  private QueueBalance() {}

  public record Move(String queue, String from, String to) {}

  public static List<Move> plan(List<ShardDef> shards, List<QueueDef> queues) {
    return plan(shards, queues, Map.of());
  }

  /**
   * As {@link #plan(List, List)}, never moving a queue to a shard that {@code stale} lists
   * for it (queue to groups): a shard still holding records of a part the queue gave up.
   */
  public static List<Move> plan(List<ShardDef> shards, List<QueueDef> queues, Map<String, Set<String>> stale) {
    Map<List<String>, List<String>> sets = new TreeMap<>(Comparator.comparing(List::toString));
    for (ShardDef s : shards) {
      if (!s.getDedicated() && !s.getMembershipPending() && s.getJoining().isEmpty()) {
        sets.computeIfAbsent(List.copyOf(s.getReplicasList()), k -> new ArrayList<>()).add(s.getGroup());
      }
    }
    List<Move> moves = new ArrayList<>();
    for (List<String> groups : sets.values()) {
      moves.addAll(planSet(groups, queues, stale));
    }
    return moves;
  }

  private static final Comparator<QueueDef> PREFERRED =
      Comparator.<QueueDef>comparingInt(QueueDef::getOldPartsCount).thenComparing(QueueDef::getName);

  private static List<Move> planSet(List<String> groups, List<QueueDef> queues, Map<String, Set<String>> stale) {
    Map<String, Integer> count = new TreeMap<>();
    Map<String, List<QueueDef>> movable = new HashMap<>();
    groups.forEach(g -> {
      count.put(g, 0);
      movable.put(g, new ArrayList<>());
    });
    for (QueueDef q : queues) {
      String at = q.getMovingTo().isEmpty() ? q.getGroup() : q.getMovingTo();
      count.computeIfPresent(at, (g, n) -> n + 1);
      if (q.getMovingTo().isEmpty() && movable.containsKey(q.getGroup())) {
        movable.get(q.getGroup()).add(q);
      }
    }
    movable.values().forEach(list -> list.sort(PREFERRED));
    Map<String, QueueDef> byName = new HashMap<>();
    queues.forEach(q -> byName.put(q.getName(), q));
    List<Move> moves = new ArrayList<>();
    while (true) {
      List<Move> best = null;
      int bestGap = 1;
      for (String from : count.keySet()) {
        Map<String, List<Move>> paths = paths(from, count.keySet(), movable, stale);
        for (Map.Entry<String, List<Move>> p : paths.entrySet()) {
          int gap = count.get(from) - count.get(p.getKey());
          if (gap > bestGap || (gap == bestGap && best != null && better(p.getValue(), best, byName))) {
            bestGap = gap;
            best = p.getValue();
          }
        }
      }
      if (best == null) {
        return moves;
      }
      for (Move m : best) {
        moves.add(m);
        movable.get(m.from()).removeIf(q -> q.getName().equals(m.queue()));
      }
      count.merge(best.get(0).from(), -1, Integer::sum);
      count.merge(best.get(best.size() - 1).to(), 1, Integer::sum);
    }
  }

  /**
   * The shortest chain of moves from the group to each other group of the set: the first
   * carries a queue from it, each next one a queue from the shard the previous one filled.
   * Only the ends change counts. A chain longer than one is needed only when old parts bar
   * the direct move. Breadth first over groups in order, so the chain found is deterministic.
   */
  private static Map<String, List<Move>> paths(String from, Set<String> groups,
      Map<String, List<QueueDef>> movable, Map<String, Set<String>> stale) {
    Map<String, List<Move>> paths = new TreeMap<>();
    paths.put(from, List.of());
    java.util.ArrayDeque<String> frontier = new java.util.ArrayDeque<>(List.of(from));
    while (!frontier.isEmpty()) {
      String at = frontier.poll();
      for (String to : groups) {
        if (paths.containsKey(to)) {
          continue;
        }
        QueueDef q = firstThatMayGo(movable.get(at), to, stale);
        if (q != null) {
          List<Move> path = new ArrayList<>(paths.get(at));
          path.add(new Move(q.getName(), at, to));
          paths.put(to, path);
          frontier.add(to);
        }
      }
    }
    paths.remove(from);
    return paths;
  }

  /** Of two chains closing the same gap: the shorter, then the preferred first queue, then the target. */
  private static boolean better(List<Move> a, List<Move> b, Map<String, QueueDef> byName) {
    if (a.size() != b.size()) {
      return a.size() < b.size();
    }
    int byQueue = PREFERRED.compare(byName.get(a.get(0).queue()), byName.get(b.get(0).queue()));
    if (byQueue != 0) {
      return byQueue < 0;
    }
    return a.get(a.size() - 1).to().compareTo(b.get(b.size() - 1).to()) < 0;
  }

  /** The preferred queue of the list that may move to the group: none holds a part or stale records there. */
  private static QueueDef firstThatMayGo(List<QueueDef> candidates, String to, Map<String, Set<String>> stale) {
    for (QueueDef q : candidates) {
      if (!q.getOldPartsList().contains(to) && !stale.getOrDefault(q.getName(), Set.of()).contains(to)) {
        return q;
      }
    }
    return null;
  }
}
