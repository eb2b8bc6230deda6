package io.qraft.log;

import io.qraft.api.log.v1.MetaCommand;
import io.qraft.api.log.v1.PinReplicas;
import io.qraft.api.log.v1.QueueDef;
import io.qraft.api.log.v1.SetQueueSync;
import io.qraft.api.log.v1.ShardDef;
import io.qraft.statemachine.Status;
import java.util.List;
import java.util.TreeSet;

/**
 * What an operator asks of one queue's replicas: add or remove a node
 * ({@code add_replica}, {@code delete_replica}) and copy or stop copying a
 * moved queue's old messages ({@code sync_queue}, {@code cancel_sync_queue}).
 * Each records the wish in the metadata group; {@link QueueMover} carries it
 * out. Runs on the metadata leader; bad input changes nothing.
 */
public final class ReplicaChanges {
  private final ReplicatedLog log;

  ReplicaChanges(ReplicatedLog log) {
    this.log = log;
  }

  /**
   * Pins the queue's replica set to its current one plus (add) or minus (remove) the node.
   *
   * @return the replica set asked for
   */
  public List<String> change(String queue, String node, boolean add) {
    QueueDef def = existing(queue);
    if (add && log.metadata().wasForgotten(node)) {
      throw new RequestException(Status.FAILED_PRECONDITION, "node '" + node
          + "' was forgotten (forget_node) and takes no replica");
    }
    List<String> members = log.settings().members().stream().map(NodeAddress::id).toList();
    if (!members.contains(node)) {
      throw new RequestException(Status.INVALID_ARGUMENT, "node '" + node + "' is not a cluster member; the members are "
          + members);
    }
    if (!def.getMovingTo().isEmpty()) {
      throw new RequestException(Status.FAILED_PRECONDITION, "queue '" + queue
          + "' is moving to another replica set now; try again once list_queues shows it settled");
    }
    ShardDef head = log.metadata().shard(def.getGroup());
    // From the set already asked for, when an earlier change has not been carried out yet.
    TreeSet<String> replicas = new TreeSet<>(log.catalog().pinned(def) ? def.getPinnedReplicasList()
        : head == null ? List.of() : head.getReplicasList());
    if (add && !replicas.add(node)) {
      throw new RequestException(Status.FAILED_PRECONDITION, "node '" + node + "' already holds a replica of queue '"
          + queue + "' (replicas " + replicas + ")");
    }
    if (!add) {
      if (!replicas.contains(node)) {
        throw new RequestException(Status.FAILED_PRECONDITION, "node '" + node + "' holds no replica of queue '"
            + queue + "' (replicas " + replicas + ")");
      }
      if (replicas.size() == 1) {
        throw new RequestException(Status.FAILED_PRECONDITION, "node '" + node + "' holds the only replica of queue '"
            + queue + "'; add another replica first");
      }
      replicas.remove(node);
    }
    Answers.ok(Answers.await(log.submitMeta(MetaCommand.newBuilder().setPinReplicas(PinReplicas.newBuilder()
        .setQueue(queue).addAllReplicas(replicas).setPinnedFor(log.effectivePolicy(def).replicaSettings())).build())));
    return List.copyOf(replicas);
  }

  /** Starts (true) or stops (false) copying the queue's old parts into its head. */
  public QueueDef sync(String queue, boolean sync) {
    existing(queue);
    return Answers.ok(Answers.await(log.submitMeta(MetaCommand.newBuilder()
        .setSetQueueSync(SetQueueSync.newBuilder().setQueue(queue).setSync(sync)).build()))).getQueue();
  }

  private QueueDef existing(String queue) {
    if (!log.isLeader(GroupIds.METADATA)) {
      throw new LeaderElsewhereException("replica changes run on the metadata leader", log.leaderOf(GroupIds.METADATA));
    }
    QueueDef def = log.metadata().queue(queue);
    if (def == null) {
      throw new RequestException(Status.NOT_FOUND, "queue '" + queue + "' does not exist");
    }
    return def;
  }
}
