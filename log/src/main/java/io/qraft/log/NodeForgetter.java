package io.qraft.log;

import io.qraft.api.log.v1.ForgetNode;
import io.qraft.api.log.v1.MembershipSet;
import io.qraft.api.log.v1.MetaCommand;
import io.qraft.api.log.v1.ReplaceReplica;
import io.qraft.api.log.v1.ShardDef;
import io.qraft.statemachine.Status;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.apache.ratis.proto.RaftProtos.ServerRpcProto;
import org.apache.ratis.protocol.RaftClientReply;
import org.apache.ratis.protocol.RaftPeer;
import org.apache.ratis.protocol.RaftPeerId;
import org.apache.ratis.protocol.SetConfigurationRequest;
import org.apache.ratis.server.RaftServer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code forget_node}: a node lost for good leaves the cluster. The request only checks and
 * records it (ForgetNode in the metadata group); the metadata leader then carries it out, in
 * steps that are each recorded or idempotent, so that a new metadata leader finishes what
 * its predecessor started (a periodic pass, as {@link QueueMover} does):
 *
 * <ol>
 *   <li>the metadata group's Raft configuration drops the forgotten nodes, so its majority
 *       is counted over the nodes that are left;
 *   <li>each shard that lists a forgotten node gets a replacement ({@link ReplacementChoice},
 *       recorded with ReplaceReplica; none when every live node has a replica already: the
 *       shard shrinks). The replacement's node starts the group empty (see
 *       {@link GroupReconciler}) and the shard's leader sets the new configuration, which
 *       brings the newcomer up to date by log or snapshot before it counts;
 *   <li>MembershipSet records that the configuration holds.
 * </ol>
 *
 * A shard whose remaining replicas are no majority of its members (one or two replicas, one of
 * them forgotten) cannot change its configuration by Raft: it is left as it is and logged.
 */
public final class NodeForgetter implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(NodeForgetter.class);
  static final long TICK_MS = 1_000;

  private final ReplicatedLog log;
  private final GroupMembership membership;
  private final ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor(r -> {
    Thread t = new Thread(r, "qraft-forget");
    t.setDaemon(true);
    return t;
  });
  /** Shards already reported as stuck, so the log says it once. */
  private final Set<String> reportedStuck = ConcurrentHashMap.newKeySet();

  NodeForgetter(ReplicatedLog log) {
    this.log = log;
    this.membership = new GroupMembership(log);
  }

  void start() {
    timer.scheduleWithFixedDelay(this::tickQuietly, TICK_MS, TICK_MS, TimeUnit.MILLISECONDS);
  }

  /** Asks for a pass now instead of at the next tick. */
  void nudge() {
    timer.execute(this::tickQuietly);
  }

  /**
   * Checks and records that the node is gone for good; the shards are repaired in the
   * background. Runs on the metadata leader. Refused, with nothing changed, when the node is
   * unknown, forgotten already, still in touch with the metadata leader, or when the metadata
   * group would have no majority to commit the change.
   *
   * @return the shards that list the node now (they get a replacement)
   */
  public List<ShardDef> forget(String node) {
    RaftServer.Division meta = log.division(GroupIds.METADATA).filter(d -> log.isLeader(GroupIds.METADATA))
        .orElseThrow(() -> new LeaderElsewhereException("forget_node runs on the metadata leader",
            log.leaderOf(GroupIds.METADATA)));
    List<String> members = log.settings().members().stream().map(NodeAddress::id).toList();
    if (!members.contains(node)) {
      throw new RequestException(Status.NOT_FOUND, "no node '" + node + "' in the cluster; the members are " + members);
    }
    if (log.metadata().wasForgotten(node)) {
      throw new RequestException(Status.FAILED_PRECONDITION, "node '" + node + "' was forgotten already");
    }
    long recentMs = log.settings().electionTimeoutMax().toMillis();
    Set<String> inTouch = inTouch(meta, recentMs);
    if (inTouch.contains(node)) {
      throw new RequestException(Status.FAILED_PRECONDITION, "node '" + node + "' is up: it answered the metadata "
          + "leader within the last " + recentMs + " ms. Stop it first (qraftctl stop_node " + node
          + "), then forget it");
    }
    List<String> voters = meta.getRaftConf().getCurrentPeers().stream().map(p -> p.getId().toString()).toList();
    List<String> reachable = voters.stream().filter(inTouch::contains).toList();
    // The change commits in the old configuration and in the new one: a majority of each.
    if (reachable.size() * 2 <= voters.size()) {
      throw new RequestException(Status.FAILED_PRECONDITION, "forgetting '" + node + "' needs a majority of the "
          + "metadata group's " + voters.size() + " members in touch to commit the change; only " + reachable
          + " are. Bring nodes back first");
    }
    List<ShardDef> affected = log.metadata().shards().stream().filter(s -> s.getReplicasList().contains(node)).toList();
    Answers.ok(Answers.await(log.submitMeta(MetaCommand.newBuilder()
        .setForgetNode(ForgetNode.newBuilder().setNode(node)).build())));
    LOG.info("node {} forgotten; {} shards list it and get a replacement", node, affected.size());
    nudge();
    return affected;
  }

  /** True once no shard lists the node, no shard's membership change is pending, and the metadata group dropped it. */
  public boolean settled(String node) {
    for (ShardDef s : log.metadata().shards()) {
      if (s.getMembershipPending() || (s.getReplicasList().contains(node) && !stuck(s))) {
        return false;
      }
    }
    return log.division(GroupIds.METADATA)
        .map(d -> d.getRaftConf().getCurrentPeers().stream().noneMatch(p -> p.getId().toString().equals(node)))
        .orElse(false);
  }

  /** True when the shard's replicas that were not forgotten are no majority of its members. */
  public boolean stuck(ShardDef shard) {
    Set<String> forgotten = log.metadata().forgotten();
    long alive = shard.getReplicasList().stream().filter(n -> !forgotten.contains(n)).count();
    return alive * 2 <= shard.getReplicasCount();
  }

  /** This node and the metadata followers that answered it within recentMs. */
  private Set<String> inTouch(RaftServer.Division meta, long recentMs) {
    Set<String> out = new TreeSet<>();
    out.add(log.settings().nodeId());
    for (ServerRpcProto f : meta.getInfo().getRoleInfoProto().getLeaderInfo().getFollowerInfoList()) {
      if (f.getLastRpcElapsedTimeMs() < recentMs) {
        out.add(RaftPeerId.valueOf(f.getId().getId()).toString());
      }
    }
    return out;
  }

  private void tickQuietly() {
    try {
      tick();
    } catch (RuntimeException e) {
      LOG.info("forget_node step failed, retried next tick: {}", e.toString());
    }
  }

  private void tick() {
    if (!log.isLeader(GroupIds.METADATA)) {
      return;
    }
    Set<String> forgotten = log.metadata().forgotten();
    if (forgotten.isEmpty()) {
      return;
    }
    dropFromMetadataGroup(forgotten);
    for (ShardDef shard : log.metadata().shards()) {
      if (!log.isLeader(GroupIds.METADATA)) {
        return;
      }
      if (shard.getMembershipPending()) {
        finish(shard);
      } else if (shard.getReplicasList().stream().anyMatch(forgotten::contains)) {
        replace(shard.getGroup(), forgotten);
      }
    }
  }

  /** The metadata group's configuration without the forgotten nodes (a no-op once it has none). */
  private void dropFromMetadataGroup(Set<String> forgotten) {
    RaftServer.Division meta = log.division(GroupIds.METADATA).orElse(null);
    if (meta == null
        || meta.getRaftConf().getCurrentPeers().stream().noneMatch(p -> forgotten.contains(p.getId().toString()))) {
      return;
    }
    List<RaftPeer> peers = new ArrayList<>();
    for (RaftPeer p : log.metadataGroup().getPeers()) {
      if (!forgotten.contains(p.getId().toString())) {
        peers.add(p);
      }
    }
    try {
      RaftClientReply reply = log.server().setConfiguration(new SetConfigurationRequest(log.clientId(),
          log.server().getId(), GroupIds.METADATA, log.nextCallId(), peers));
      if (reply.isSuccess()) {
        LOG.info("metadata group members now {}", peers.stream().map(p -> p.getId().toString()).toList());
      } else {
        LOG.info("metadata group keeps its members for now: {}", String.valueOf(reply.getException()));
      }
    } catch (java.io.IOException e) {
      LOG.info("metadata group keeps its members for now: {}", e.toString());
    }
  }

  private void replace(String group, Set<String> forgotten) {
    QueueCatalog catalog = log.catalog();
    ShardDef shard;
    // Under the catalog's lock: declares and moves place replicas too, and must see this choice.
    synchronized (catalog) {
      shard = log.metadata().shard(group);
      if (shard == null || shard.getMembershipPending()) {
        return;
      }
      Optional<String> lost = shard.getReplicasList().stream().filter(forgotten::contains).findFirst();
      if (lost.isEmpty()) {
        return;
      }
      if (stuck(shard)) {
        if (reportedStuck.add(group)) {
          LOG.warn("shard {} (replicas {}) lost its majority with forgotten nodes {}: Raft cannot change its "
              + "members, and its queues stay unavailable", group, shard.getReplicasList(), forgotten);
        }
        return;
      }
      Optional<String> replacement = ReplacementChoice.choose(shard, log.metadata().shards(),
          log.metadata().queueCounts(), log.liveMembers());
      Answers.ok(Answers.await(log.submitMeta(MetaCommand.newBuilder().setReplaceReplica(ReplaceReplica.newBuilder()
          .setGroup(group).setNode(lost.get()).setReplacement(replacement.orElse(""))).build())));
      LOG.info("shard {}: {} replaces forgotten node {}", group,
          replacement.map(r -> "node " + r).orElse("no spare node (the shard shrinks)"), lost.get());
      shard = log.metadata().shard(group);
    }
    if (shard != null && shard.getMembershipPending()) {
      finish(shard);
    }
  }

  /** Sets the shard's Raft configuration to its replica set, then records that it holds. */
  private void finish(ShardDef shard) {
    String error = membership.set(shard);
    if (error != null) {
      LOG.info("shard {}: configuration {} not set yet ({}); retried next tick", shard.getGroup(),
          shard.getReplicasList(), error);
      return;
    }
    Answers.ok(Answers.await(log.submitMeta(MetaCommand.newBuilder()
        .setMembershipSet(MembershipSet.newBuilder().setGroup(shard.getGroup())).build())));
    LOG.info("shard {}: members now {}", shard.getGroup(), shard.getReplicasList());
  }

  @Override
  public void close() {
    timer.shutdownNow();
  }
}
