package io.qraft.log;

import io.qraft.api.log.v1.ShardDef;
import io.qraft.statemachine.MetaMachine;
import io.qraft.statemachine.Status;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.function.Supplier;

/**
 * The one place that decides which Raft group carries a new queue.
 *
 * <p>Rules: the replica set is the (at most three) nodes holding the fewest
 * replicas, ties by node id. A shared queue joins the shard of that replica
 * set with the fewest queues, after the set has been given
 * {@code shardsPerReplicaSet} shards; until then each new queue opens a new
 * shard, so the first queues already spread over several leaders. A new
 * shard's preferred leader is its replica that is preferred leader of the
 * fewest shards. A dedicated queue always gets a group of its own, led by the
 * node it was declared on. No node carries more than {@code shardsMaxPerNode}
 * groups.
 */
public final class ShardPlacement {
  /** Replicas of a queue until policies choose otherwise. */
  static final int DEFAULT_REPLICAS = 3;

  private final LogSettings settings;
  private final Supplier<UUID> ids;

  public ShardPlacement(LogSettings settings, Supplier<UUID> ids) {
    this.settings = settings;
    this.ids = ids;
  }

  /** An existing shard to join (in metadata), or a new one to create first. */
  public record Choice(ShardDef shard, boolean create) {}

  public Choice choose(MetaMachine meta, boolean dedicated, String declaringNode) {
    List<ShardDef> shards = meta.shards();
    Map<String, Integer> replicasPerNode = new HashMap<>();
    Map<String, Integer> ledPerNode = new HashMap<>();
    for (NodeAddress m : settings.members()) {
      replicasPerNode.put(m.id(), 0);
      ledPerNode.put(m.id(), 0);
    }
    for (ShardDef s : shards) {
      s.getReplicasList().forEach(n -> replicasPerNode.merge(n, 1, Integer::sum));
      ledPerNode.merge(s.getPreferredLeader(), 1, Integer::sum);
    }
    List<String> replicaSet = replicaSet(replicasPerNode);
    boolean roomForAnother = replicaSet.stream()
        .allMatch(n -> replicasPerNode.getOrDefault(n, 0) < settings.shardsMaxPerNode());

    if (dedicated) {
      if (!roomForAnother) {
        throw full();
      }
      String leader = replicaSet.contains(declaringNode) ? declaringNode : leastLed(replicaSet, ledPerNode);
      return new Choice(newShard(replicaSet, leader, true), true);
    }
    Map<String, Integer> queueCounts = meta.queueCounts();
    List<ShardDef> candidates = new ArrayList<>();
    for (ShardDef s : shards) {
      if (!s.getDedicated() && s.getReplicasList().equals(replicaSet)) {
        candidates.add(s);
      }
    }
    if (candidates.size() < settings.shardsPerReplicaSet() && roomForAnother) {
      return new Choice(newShard(replicaSet, leastLed(replicaSet, ledPerNode), false), true);
    }
    return candidates.stream()
        .min(Comparator.<ShardDef>comparingInt(s -> queueCounts.getOrDefault(s.getGroup(), 0))
            .thenComparing(ShardDef::getGroup))
        .map(s -> new Choice(s, false))
        .orElseThrow(this::full);
  }

  private List<String> replicaSet(Map<String, Integer> replicasPerNode) {
    List<String> nodes = new ArrayList<>(replicasPerNode.keySet());
    nodes.sort(Comparator.<String>comparingInt(n -> replicasPerNode.get(n)).thenComparing(Comparator.naturalOrder()));
    List<String> chosen = new ArrayList<>(nodes.subList(0, Math.min(DEFAULT_REPLICAS, nodes.size())));
    chosen.sort(Comparator.naturalOrder());
    return chosen;
  }

  private static String leastLed(List<String> replicaSet, Map<String, Integer> ledPerNode) {
    return replicaSet.stream()
        .min(Comparator.<String>comparingInt(n -> ledPerNode.getOrDefault(n, 0)).thenComparing(Comparator.naturalOrder()))
        .orElseThrow();
  }

  private ShardDef newShard(List<String> replicas, String leader, boolean dedicated) {
    return ShardDef.newBuilder().setGroup(ids.get().toString()).addAllReplicas(replicas)
        .setPreferredLeader(leader).setDedicated(dedicated).build();
  }

  private RequestException full() {
    return new RequestException(Status.RESOURCE_EXHAUSTED, "no node can take another Raft group (shards.max_per_node = "
        + settings.shardsMaxPerNode() + "); delete queues with a dedicated log or raise the limit");
  }
}
