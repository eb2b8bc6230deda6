package io.qraft.ops.server;

import io.grpc.stub.StreamObserver;
import io.qraft.api.log.v1.QueueDef;
import io.qraft.api.log.v1.ShardDef;
import io.qraft.api.v1.AdminServiceGrpc;
import io.qraft.api.v1.ForgetNodeRequest;
import io.qraft.api.v1.ForgetNodeResponse;
import io.qraft.api.v1.ReplicaChangeRequest;
import io.qraft.api.v1.ReplicaChangeResponse;
import io.qraft.api.v1.ReplicaReplacement;
import io.qraft.api.v1.SyncQueueRequest;
import io.qraft.api.v1.SyncQueueResponse;
import io.qraft.log.RequestException;
import io.qraft.statemachine.Status;
import java.util.List;

/**
 * Which nodes hold a queue: add_replica, delete_replica, sync_queue, cancel_sync_queue and
 * forget_node. Each starts the change on the metadata leader and answers once it took effect or
 * its wait ran out, without holding a thread meanwhile ({@link QueueWaits}). Thread-safe.
 */
final class MembershipCalls {
  private final AdminContext ctx;

  MembershipCalls(AdminContext ctx) {
    this.ctx = ctx;
  }

  /** How long forget_node waits for the shards' new members before answering. */
  private static final long FORGET_WAIT_MS = 60_000;

  /**
   * forget_node: refused while the node answers a NodeStatus call (besides the metadata
   * leader's own rule: no Raft contact within an election timeout), so that a node that is
   * merely slow or partitioned from the leader alone is not thrown out while it serves.
   */
  void forgetNode(ForgetNodeRequest request, StreamObserver<ForgetNodeResponse> response) {
    String node = request.getNode();
    if (node.isBlank()) {
      response.onError(Errors.invalid("give the node to forget"));
      return;
    }
    if (Errors.refused(RequestLimits.namesProblem("", false, node), response)) {
      return;
    }
    ctx.metadataLeader().runAsync(AdminServiceGrpc.getForgetNodeMethod(), request, response, () -> {
      if (ctx.log().settings().members().stream().anyMatch(m -> m.id().equals(node))
          && !ctx.log().metadata().wasForgotten(node) && ctx.statuses().of(node).getRunning()) {
        throw new RequestException(Status.FAILED_PRECONDITION, "node '" + node + "' is up: it answers on "
            + ctx.log().settings().member(node).grpcAddress() + ". Stop it first (qraftctl stop_node " + node
            + "), then forget it");
      }
      List<ShardDef> affected = ctx.log().nodeForgetter().forget(node);
      return QueueWaits.until(() -> ctx.log().nodeForgetter().settled(node), QueueWaits.in(FORGET_WAIT_MS))
          .thenApplyAsync(done -> {
            ForgetNodeResponse.Builder out = ForgetNodeResponse.newBuilder().setNode(node).setDone(done);
            for (ShardDef before : affected) {
              out.addShards(replacement(before, node));
            }
            return out.build();
          }, QueueWaits.answers());
    });
  }

  /** What became of one shard that had a replica on the forgotten node. */
  private ReplicaReplacement replacement(ShardDef before, String node) {
    ReplicaReplacement.Builder r = ReplicaReplacement.newBuilder().setGroup(before.getGroup());
    ctx.log().metadata().queues().stream().filter(q -> q.getGroup().equals(before.getGroup()))
        .forEach(q -> r.addQueues(q.getName()));
    ShardDef now = ctx.log().metadata().shard(before.getGroup());
    if (now == null) {
      // Removed meanwhile (its last queue moved or was deleted).
      return r.setOutcome("removed").build();
    }
    r.addAllReplicas(now.getReplicasList());
    now.getReplicasList().stream().filter(n -> !before.getReplicasList().contains(n)).findFirst()
        .ifPresent(r::setReplacement);
    if (now.getReplicasList().contains(node)) {
      return r.setOutcome(ctx.log().nodeForgetter().stuck(now) ? "stuck" : "pending").build();
    }
    if (now.getMembershipPending()) {
      return r.setOutcome("pending").build();
    }
    return r.setOutcome(r.getReplacement().isEmpty() ? "shrunk" : "replaced").build();
  }

  void addReplica(ReplicaChangeRequest request, StreamObserver<ReplicaChangeResponse> response) {
    changeReplicas(AdminServiceGrpc.getAddReplicaMethod(), request, response, true);
  }

  void deleteReplica(ReplicaChangeRequest request, StreamObserver<ReplicaChangeResponse> response) {
    changeReplicas(AdminServiceGrpc.getDeleteReplicaMethod(), request, response, false);
  }

  private void changeReplicas(io.grpc.MethodDescriptor<ReplicaChangeRequest, ReplicaChangeResponse> method,
      ReplicaChangeRequest request, StreamObserver<ReplicaChangeResponse> response, boolean add) {
    if (request.getQueue().isBlank() || request.getNode().isBlank()) {
      response.onError(Errors.invalid("give a queue and a node"));
      return;
    }
    if (Errors.refused(RequestLimits.namesProblem(request.getQueue(), true, request.getNode()), response)) {
      return;
    }
    ctx.metadataLeader().runAsync(method, request, response, () -> {
      List<String> wanted = ctx.log().replicaChanges().change(request.getQueue(), request.getNode(), add);
      return QueueWaits.queue(ctx.log(), request.getQueue(), QueueWaits.in(QueueWaits.CHANGE_WAIT_MS),
              def -> def.getMovingTo().isEmpty() && wanted.equals(ctx.log().metadata().shard(def.getGroup()).getReplicasList()))
          .thenApplyAsync(moved -> ReplicaChangeResponse.newBuilder().setQueue(ctx.describe(request.getQueue()))
              .setMoved(moved).build(), QueueWaits.answers());
    });
  }

  void syncQueue(SyncQueueRequest request, StreamObserver<SyncQueueResponse> response) {
    if (Errors.refused(RequestLimits.namesProblem(request.getQueue(), true, ""), response)) {
      return;
    }
    ctx.metadataLeader().runAsync(AdminServiceGrpc.getSyncQueueMethod(), request, response, () -> {
      ctx.log().replicaChanges().sync(request.getQueue(), true);
      return QueueWaits.queue(ctx.log(), request.getQueue(), QueueWaits.in(QueueWaits.CHANGE_WAIT_MS), def -> def.getOldPartsCount() == 0)
          .thenApplyAsync(synced -> SyncQueueResponse.newBuilder().setQueue(ctx.describe(request.getQueue()))
              .setSynchronised(synced).build(), QueueWaits.answers());
    });
  }

  void cancelSyncQueue(SyncQueueRequest request, StreamObserver<SyncQueueResponse> response) {
    if (Errors.refused(RequestLimits.namesProblem(request.getQueue(), true, ""), response)) {
      return;
    }
    ctx.metadataLeader().run(AdminServiceGrpc.getCancelSyncQueueMethod(), request, response, () -> {
      QueueDef def = ctx.log().replicaChanges().sync(request.getQueue(), false);
      return SyncQueueResponse.newBuilder().setQueue(ctx.describe(request.getQueue()))
          .setSynchronised(def.getOldPartsCount() == 0).build();
    });
  }
}
