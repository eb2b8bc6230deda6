package io.qraft.log;

import io.qraft.api.log.v1.ShardDef;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Which node takes a forgotten node's place in a shard, chosen as placement chooses
 * replicas: a live node not in the shard already, with the fewest replicas, then the fewest
 * queues, then the smallest id (the metadata leader decides and records the choice, so a
 * fixed tie-break is enough and keeps the choice easy to predict). Empty when every live
 * node holds a replica of the shard already: it then shrinks.
 */
final class ReplacementChoice {
  private ReplacementChoice() {}

  /**
   * @param shards every shard, with the replicas the metadata lists now
   * @param queueCounts queues bound to each shard
   * @param live the nodes that may take replicas (members not forgotten)
   */
  static Optional<String> choose(ShardDef shard, List<ShardDef> shards, Map<String, Integer> queueCounts,
      List<String> live) {
    Map<String, Integer> replicas = new HashMap<>();
    Map<String, Integer> queues = new HashMap<>();
    for (ShardDef s : shards) {
      int count = queueCounts.getOrDefault(s.getGroup(), 0);
      for (String n : s.getReplicasList()) {
        replicas.merge(n, 1, Integer::sum);
        queues.merge(n, count, Integer::sum);
      }
    }
    return live.stream()
        .filter(n -> !shard.getReplicasList().contains(n))
        .min(Comparator.<String>comparingInt(n -> replicas.getOrDefault(n, 0))
            .thenComparingInt(n -> queues.getOrDefault(n, 0))
            .thenComparing(Comparator.naturalOrder()));
  }
}
