package io.qraft.log;

import io.qraft.api.QueueArguments;
import io.qraft.api.log.v1.AddShard;
import io.qraft.api.log.v1.BindQueue;
import io.qraft.api.log.v1.CreateQueue;
import io.qraft.api.log.v1.DeleteQueue;
import io.qraft.api.log.v1.MetaCommand;
import io.qraft.api.log.v1.MetaResult;
import io.qraft.api.log.v1.QueueDef;
import io.qraft.api.log.v1.RemoveShard;
import io.qraft.api.log.v1.ShardCommand;
import io.qraft.api.log.v1.ShardResult;
import io.qraft.api.log.v1.UnbindQueue;
import io.qraft.statemachine.Status;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.apache.ratis.protocol.RaftGroupId;

/**
 * Declares and deletes queues. Runs on the metadata leader, one change at a
 * time, so that placement decisions see each other.
 *
 * <p>A declare is three log writes: the shard (created first if placement
 * asks for a new one), the queue in the shard, then the binding in the
 * metadata. A declare cut short by a crash leaves a queue in a shard that no
 * binding points to: invisible, and repaired by declaring again (the shard
 * accepts an identical CreateQueue). Delete runs the other way round.
 */
public final class QueueCatalog {
  private static final long SHARD_START_TIMEOUT_MS = 20_000;

  private final ReplicatedLog log;
  private final ShardPlacement placement;

  QueueCatalog(ReplicatedLog log) {
    this.log = log;
    this.placement = new ShardPlacement(log.settings(), UUID::randomUUID, new java.util.Random());
  }

  public record Declared(QueueDef queue, boolean created) {}

  /**
   * @param arguments normalised ({@link QueueArguments#normalise})
   * @param declaringNode the node the client called, for a dedicated queue's leader
   */
  public synchronized Declared declare(String name, Map<String, String> arguments, String declaringNode) {
    requireMetadataLeader();
    QueueDef existing = log.metadata().queue(name);
    if (existing != null) {
      if (!existing.getArgumentsMap().equals(arguments)) {
        throw new RequestException(Status.FAILED_PRECONDITION, "queue '" + name + "' exists with arguments "
            + new java.util.TreeMap<>(existing.getArgumentsMap()) + ", not " + new java.util.TreeMap<>(arguments)
            + "; delete it first or declare it with the same arguments");
      }
      return new Declared(existing, false);
    }
    int cap = log.settings().caps().maxQueues();
    if (log.metadata().queueCount() >= cap) {
      // Before placement: a refused declare must not create a shard or a queue record on the way.
      throw new RequestException(Status.RESOURCE_EXHAUSTED, "the cluster holds " + cap + " queues, its limit"
          + " (limits.max_queues): delete queues first");
    }
    // A shard still holding records of an earlier queue of this name (a given-up part) cannot take it.
    ShardPlacement.Choice choice = placement.choose(log.metadata(), request(name, arguments, declaringNode),
        this::currentLeader, log.metadata().staleGroups(name));
    String group = ensureShard(choice);
    // Its limits from the start: a reject-publish limit must hold from the first publish.
    ShardCommand create = ShardCommand.newBuilder()
        .setCreateQueue(CreateQueue.newBuilder().setQueue(name).putAllArguments(arguments)
            .setLimits(log.effectivePolicy(name, arguments).limits())).build();
    ShardResult created = Answers.await(choice.create()
        ? log.submitShardToNewShard(GroupIds.parse(group), create)
        : log.submitShard(GroupIds.parse(group), create));
    if (created.getErrorCode() != Status.OK) {
      throw new RequestException(created.getErrorCode(), created.getErrorMessage());
    }
    MetaResult bound = Answers.ok(Answers.await(log.submitMeta(MetaCommand.newBuilder()
        .setBindQueue(BindQueue.newBuilder().setQueue(name).putAllArguments(arguments).setGroup(group)
            .setMaxQueues(cap)).build())));
    return new Declared(bound.getQueue(), bound.getCreated());
  }

  /** The chosen shard's group, created first (and its leader placed) when the choice is a new shard. */
  private String ensureShard(ShardPlacement.Choice choice) {
    String group = choice.shard().getGroup();
    if (choice.create()) {
      Answers.ok(Answers.await(log.submitMeta(MetaCommand.newBuilder()
          .setAddShard(AddShard.newBuilder().setShard(choice.shard())).build())));
      boolean localReplica = choice.shard().getReplicasList().contains(log.settings().nodeId());
      if (localReplica) {
        awaitLeader(GroupIds.parse(group));
      }
      String preferred = choice.shard().getPreferredLeader();
      // Without a local replica this node cannot see who won the first election; the transfer
      // is then asked for anyway (a no-op when the preferred node already leads).
      // A lone replica leads its group from the first election: nothing to move.
      if (choice.shard().getReplicasCount() > 1 && !preferred.equals(log.leaderOf(GroupIds.parse(group)))) {
        // Whoever won the first election leads until moved: spread leaders as placement chose.
        log.moveLeaderOfNewShard(GroupIds.parse(group), preferred, log.settings().electionTimeoutMax().toMillis() * 2);
      }
    }
    return group;
  }

  /**
   * The replica set the queue should have now: the one an operator pinned with add_replica or
   * delete_replica (see {@link #pinned}), else what the policy asks.
   */
  ShardPlacement.Request desired(QueueDef def) {
    EffectivePolicy policy = log.effectivePolicy(def);
    if (pinned(def)) {
      return new ShardPlacement.Request(def.getPinnedReplicasCount(), def.getPinnedReplicasList(),
          policy.dedicated(), policy.clientLocal(), log.settings().nodeId());
    }
    return request(def.getName(), def.getArgumentsMap(), log.settings().nodeId());
  }

  /** True while an operator's replica set holds: the policy's replica settings are what they were then. */
  boolean pinned(QueueDef def) {
    return def.getPinnedReplicasCount() > 0
        && def.getPinnedFor().equals(log.effectivePolicy(def).replicaSettings());
  }

  /** True when the queue's head shard has the replica set {@link #desired} asks for. */
  boolean satisfied(QueueDef def) {
    io.qraft.api.log.v1.ShardDef shard = log.metadata().shard(def.getGroup());
    if (shard == null) {
      return true;
    }
    ShardPlacement.Request want = desired(def);
    List<String> members = log.liveMembers();
    if (shard.getDedicated() != want.dedicated()) {
      return false;
    }
    if (!want.nodes().isEmpty()) {
      List<String> named = want.nodes().stream().filter(members::contains).distinct().sorted().toList();
      return named.isEmpty() || shard.getReplicasList().equals(named);
    }
    return shard.getReplicasCount() == Math.max(1, Math.min(want.replicas(), members.size()));
  }

  /** A shard for the queue to move to, created when needed; never one that holds a part of it. */
  synchronized String placeForMove(QueueDef def) {
    requireMetadataLeader();
    java.util.Set<String> excluded = new java.util.HashSet<>(def.getOldPartsList());
    excluded.add(def.getGroup());
    excluded.addAll(log.metadata().staleGroups(def.getName()));
    return ensureShard(placement.choose(log.metadata(), desired(def), this::currentLeader, excluded));
  }

  /** Removes the group when no queue uses it any more (as head, old part or move target). */
  synchronized void removeShardIfUnused(String group) {
    if (log.metadata().shard(group) != null && log.metadata().queueUsing(group) == null) {
      // An empty shard still costs threads, heartbeats and fsyncs on every replica.
      Answers.ok(Answers.await(log.submitMeta(MetaCommand.newBuilder()
          .setRemoveShard(RemoveShard.newBuilder().setGroup(group)).build())));
    }
  }

  /** Deletes the queue and its messages; returns how many messages went with it. */
  public synchronized long delete(String name) {
    requireMetadataLeader();
    QueueDef def = log.metadata().queue(name);
    if (def == null) {
      throw new RequestException(Status.NOT_FOUND, "queue '" + name + "' does not exist");
    }
    return deleteParts(name, def);
  }

  /**
   * Deletes the queue if its head shard finds it expired (its expires passed with no consumer
   * and no use, by the entry's time); true when it was deleted.
   */
  synchronized boolean deleteIfExpired(String name) {
    requireMetadataLeader();
    QueueDef def = log.metadata().queue(name);
    if (def == null || !def.getMovingTo().isEmpty()) {
      return false;
    }
    ShardResult head = Answers.await(log.submitShard(GroupIds.parse(def.getGroup()), ShardCommand.newBuilder()
        .setDeleteQueue(DeleteQueue.newBuilder().setQueue(name).setOnlyIfExpired(true)).build()));
    if (head.getErrorCode() != Status.OK) {
      return false;
    }
    deleteParts(name, def);
    return true;
  }

  private long deleteParts(String name, QueueDef def) {
    // Every shard that may hold some of it, a move's target included.
    List<String> parts = new java.util.ArrayList<>(QueueParts.groups(def));
    if (!def.getMovingTo().isEmpty()) {
      parts.add(def.getMovingTo());
    }
    long count = 0;
    for (String part : parts) {
      ShardResult deleted = Answers.await(log.submitShard(GroupIds.parse(part), ShardCommand.newBuilder()
          .setDeleteQueue(DeleteQueue.newBuilder().setQueue(name)).build()));
      if (deleted.getErrorCode() != Status.OK && deleted.getErrorCode() != Status.NOT_FOUND) {
        throw new RequestException(deleted.getErrorCode(), deleted.getErrorMessage());
      }
      count += deleted.getCount();
    }
    Answers.ok(Answers.await(log.submitMeta(MetaCommand.newBuilder()
        .setUnbindQueue(UnbindQueue.newBuilder().setQueue(name)).build())));
    for (String part : parts) {
      removeShardIfUnused(part);
    }
    return count;
  }

  /** Where the queue's effective policy (declare arguments over the applying policy) puts it. */
  private ShardPlacement.Request request(String name, Map<String, String> arguments, String declaringNode) {
    EffectivePolicy policy = log.effectivePolicy(name, arguments);
    List<String> members = log.liveMembers();
    return new ShardPlacement.Request(policy.replicaCount(members), policy.nodes(), policy.dedicated(),
        policy.clientLocal(), declaringNode);
  }

  private String currentLeader(String group) {
    return log.leaderOf(GroupIds.parse(group));
  }

  private void requireMetadataLeader() {
    if (!log.isLeader(GroupIds.METADATA)) {
      throw new LeaderElsewhereException("declare and delete run on the metadata leader",
          log.leaderOf(GroupIds.METADATA));
    }
  }

  private void awaitLeader(RaftGroupId group) {
    long deadline = System.currentTimeMillis() + SHARD_START_TIMEOUT_MS;
    while (System.currentTimeMillis() < deadline) {
      if (log.division(group).map(d -> d.getInfo().getLeaderId() != null).orElse(false)) {
        return;
      }
      try {
        Thread.sleep(20);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        break;
      }
    }
    // The Raft client retries until the group answers; a missing local replica is not fatal.
  }
}
