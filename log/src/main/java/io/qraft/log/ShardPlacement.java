package io.qraft.log;

import io.qraft.api.log.v1.ShardDef;
import io.qraft.statemachine.MetaMachine;
import io.qraft.statemachine.Status;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.UUID;
import java.util.function.Function;
import java.util.function.Supplier;

/**
 * The one place that decides which Raft group carries a new queue.
 *
 * <p>Replica set: the nodes a policy names ({@code ha-mode: nodes}), or else
 * the {@link Request#replicas} nodes holding the fewest replicas, then the
 * fewest queues, then at random (from a seeded source, so tests replay).
 * A shared queue joins the shard of exactly that replica set with the fewest
 * queues, after the set has been given {@code shardsPerReplicaSet} shards;
 * until then each new queue opens a new shard, so the first queues already
 * spread over several leaders. Among the shards of the set the leader
 * locator decides: {@code client-local} prefers a shard led by the declaring
 * node, {@code balanced} the shard whose leader leads the fewest queues. A new
 * shard is led by the declaring node under {@code client-local} (when it is a
 * replica), else by its replica that is preferred leader of the fewest
 * shards. A dedicated queue always gets a group of its own. No node carries
 * more than {@code shardsMaxPerNode} groups. A node forgotten with
 * {@code forget_node} is never chosen.
 */
public final class ShardPlacement {
  /** Replicas of a queue that no policy sizes. */
  public static final int DEFAULT_REPLICAS = 3;

  private final LogSettings settings;
  private final Supplier<UUID> ids;
  private final Random random;

  public ShardPlacement(LogSettings settings, Supplier<UUID> ids, Random random) {
    this.settings = settings;
    this.ids = ids;
    this.random = random;
  }

  /** Where a queue should go, as its effective policy says. */
  public record Request(int replicas, List<String> nodes, boolean dedicated, boolean clientLocal,
      String declaringNode) {
    public Request {
      nodes = List.copyOf(nodes);
    }
  }

  /** An existing shard to join (in metadata), or a new one to create first. */
  public record Choice(ShardDef shard, boolean create) {}

  /**
   * @param leaders the node currently leading a group, or null when unknown
   */
  public Choice choose(MetaMachine meta, Request request, Function<String, String> leaders) {
    return choose(meta, request, leaders, java.util.Set.of());
  }

  /**
   * As {@link #choose(MetaMachine, Request, Function)}, never choosing an {@code excluded}
   * shard: a queue that moves cannot go to a shard that still holds a part of it.
   */
  public Choice choose(MetaMachine meta, Request request, Function<String, String> leaders,
      java.util.Set<String> excluded) {
    List<ShardDef> shards = meta.shards();
    Map<String, Integer> queueCounts = meta.queueCounts();
    Map<String, Integer> replicasPerNode = new HashMap<>();
    Map<String, Integer> queuesPerNode = new HashMap<>();
    Map<String, Integer> preferredPerNode = new HashMap<>();
    Map<String, Integer> queuesLedPerNode = new HashMap<>();
    for (NodeAddress m : settings.members()) {
      if (meta.wasForgotten(m.id())) {
        // Gone for good (forget_node): never a candidate, whatever shards still list it.
        continue;
      }
      replicasPerNode.put(m.id(), 0);
      queuesPerNode.put(m.id(), 0);
      preferredPerNode.put(m.id(), 0);
      queuesLedPerNode.put(m.id(), 0);
    }
    for (ShardDef s : shards) {
      int queues = queueCounts.getOrDefault(s.getGroup(), 0);
      for (String n : s.getReplicasList()) {
        replicasPerNode.computeIfPresent(n, (k, v) -> v + 1);
        queuesPerNode.computeIfPresent(n, (k, v) -> v + queues);
      }
      preferredPerNode.merge(s.getPreferredLeader(), 1, Integer::sum);
      String leader = leaders.apply(s.getGroup());
      queuesLedPerNode.merge(leader == null ? s.getPreferredLeader() : leader, queues, Integer::sum);
    }
    List<String> replicaSet = replicaSet(request, replicasPerNode, queuesPerNode);
    boolean roomForAnother = replicaSet.stream()
        .allMatch(n -> replicasPerNode.getOrDefault(n, 0) < settings.shardsMaxPerNode());
    String newLeader = request.clientLocal() && replicaSet.contains(request.declaringNode())
        ? request.declaringNode() : leastPreferred(replicaSet, preferredPerNode);

    if (request.dedicated()) {
      if (!roomForAnother) {
        throw full();
      }
      return new Choice(newShard(replicaSet, newLeader, true), true);
    }
    List<ShardDef> candidates = new ArrayList<>();
    for (ShardDef s : shards) {
      if (!s.getDedicated() && s.getReplicasList().equals(replicaSet)) {
        candidates.add(s);
      }
    }
    int sameSet = candidates.size();
    candidates.removeIf(s -> excluded.contains(s.getGroup()));
    if ((sameSet < settings.shardsPerReplicaSet() || candidates.isEmpty()) && roomForAnother) {
      return new Choice(newShard(replicaSet, newLeader, false), true);
    }
    Comparator<ShardDef> fewestQueues =
        Comparator.<ShardDef>comparingInt(s -> queueCounts.getOrDefault(s.getGroup(), 0))
            .thenComparing(ShardDef::getGroup);
    Function<ShardDef, String> leaderOf = s -> {
      String leader = leaders.apply(s.getGroup());
      return leader == null ? s.getPreferredLeader() : leader;
    };
    Comparator<ShardDef> order;
    if (request.clientLocal()) {
      order = Comparator.<ShardDef>comparingInt(s -> leaderOf.apply(s).equals(request.declaringNode()) ? 0 : 1)
          .thenComparing(fewestQueues);
    } else {
      order = Comparator.<ShardDef>comparingInt(s -> queuesLedPerNode.getOrDefault(leaderOf.apply(s), 0))
          .thenComparing(fewestQueues);
    }
    return candidates.stream().min(order).map(s -> new Choice(s, false)).orElseThrow(this::full);
  }

  private List<String> replicaSet(Request request, Map<String, Integer> replicasPerNode,
      Map<String, Integer> queuesPerNode) {
    if (!request.nodes().isEmpty()) {
      List<String> named = new ArrayList<>();
      for (String n : request.nodes()) {
        if (replicasPerNode.containsKey(n) && !named.contains(n)) {
          named.add(n);
        }
      }
      if (named.isEmpty()) {
        throw new RequestException(Status.FAILED_PRECONDITION, "the policy names nodes " + request.nodes()
            + ", none of which is a cluster member");
      }
      Collections.sort(named);
      return named;
    }
    List<String> nodes = new ArrayList<>(replicasPerNode.keySet());
    Collections.sort(nodes);
    // Shuffle first, then a stable sort: nodes equal on both counts keep a random order.
    Collections.shuffle(nodes, random);
    nodes.sort(Comparator.<String>comparingInt(replicasPerNode::get).thenComparingInt(queuesPerNode::get));
    int count = Math.max(1, Math.min(request.replicas(), nodes.size()));
    List<String> chosen = new ArrayList<>(nodes.subList(0, count));
    Collections.sort(chosen);
    return chosen;
  }

  private static String leastPreferred(List<String> replicaSet, Map<String, Integer> preferredPerNode) {
    return replicaSet.stream()
        .min(Comparator.<String>comparingInt(n -> preferredPerNode.getOrDefault(n, 0))
            .thenComparing(Comparator.naturalOrder()))
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
