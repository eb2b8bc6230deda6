package io.qraft.ops.server;

import io.grpc.stub.StreamObserver;
import io.qraft.api.log.v1.QueueDef;
import io.qraft.api.log.v1.ShardDef;
import io.qraft.api.v1.AdminServiceGrpc;
import io.qraft.api.v1.LeaderMove;
import io.qraft.api.v1.NodeStatusResponse;
import io.qraft.api.v1.QueueMove;
import io.qraft.api.v1.RebalanceRequest;
import io.qraft.api.v1.RebalanceResponse;
import io.qraft.api.v1.StopNodeRequest;
import io.qraft.api.v1.StopNodeResponse;
import io.qraft.api.v1.TransferLeaderRequest;
import io.qraft.api.v1.TransferLeaderResponse;
import io.qraft.log.GroupIds;
import io.qraft.log.LeaderBalance;
import io.qraft.log.QueueBalance;
import io.qraft.log.QueueRebalancer;
import io.qraft.log.ReplicatedLog;
import io.qraft.log.RequestException;
import io.qraft.statemachine.Status;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.TimeUnit;

/**
 * Who leads: transfer_leader, rebalance (queue moves and leaders) and stop_node (which hands
 * leadership over first). Thread-safe.
 */
final class LeadershipCalls {
  private final AdminContext ctx;

  LeadershipCalls(AdminContext ctx) {
    this.ctx = ctx;
  }

  /** Time left for the answer to reach the caller, forwarded through another node. */
  private static final long ANSWER_MARGIN_MS = 1_000;

  void transferLeader(TransferLeaderRequest request, StreamObserver<TransferLeaderResponse> response) {
    if (Errors.refused(RequestLimits.namesProblem(request.getQueue(), true, request.getNode()), response)) {
      return;
    }
    try {
      QueueDef def = ctx.log().metadata().queue(request.getQueue());
      if (def == null) {
        throw new RequestException(Status.NOT_FOUND, "queue '" + request.getQueue() + "' does not exist");
      }
      ShardDef shard = ctx.log().metadata().shard(def.getGroup());
      List<NodeStatusResponse> all = ctx.statuses().all();
      Map<String, String> leaders = LeaderView.of(all);
      String from = leaders.getOrDefault(def.getGroup(), "");
      String to = request.getNode();
      if (to.isEmpty()) {
        to = leastLeading(shard.getReplicasList(), from, leaders, all);
        if (to == null) {
          throw new RequestException(Status.FAILED_PRECONDITION, "queue '" + request.getQueue()
              + "' has no other running replica to lead it (replicas " + shard.getReplicasList() + ")");
        }
      } else if (!shard.getReplicasList().contains(to)) {
        throw new RequestException(Status.INVALID_ARGUMENT, "node '" + to + "' holds no replica of queue '"
            + request.getQueue() + "'; its replicas are " + shard.getReplicasList());
      }
      response.onNext(TransferLeaderResponse.newBuilder().setMove(move(def.getGroup(), from, to)).build());
      response.onCompleted();
    } catch (RuntimeException e) {
      ctx.fail(response, e);
    }
  }

  /**
   * rebalance: queue moves first, since they must run on the metadata leader (elsewhere the
   * call is forwarded before anything changed); then leaders, which take the longest; then a
   * wait for the queue moves, which the mover carries out meanwhile.
   */
  void rebalance(RebalanceRequest request, StreamObserver<RebalanceResponse> response) {
    ctx.metadataLeader().runAsync(AdminServiceGrpc.getRebalanceMethod(), request, response, () -> {
      List<QueueRebalancer.Begun> begun = ctx.log().queueRebalancer().rebalance();
      RebalanceResponse.Builder out = RebalanceResponse.newBuilder();
      for (LeaderBalance.Move m : planLeaderMoves()) {
        out.addMoves(move(m.group(), m.from(), m.to()));
      }
      long deadline = QueueWaits.in(waitWithinCallDeadline(QueueWaits.CHANGE_WAIT_MS));
      // One move after another, in the order they began; the rows are added as each wait ends.
      CompletableFuture<Void> waited = CompletableFuture.completedFuture(null);
      for (QueueRebalancer.Begun b : begun) {
        QueueBalance.Move m = b.move();
        QueueMove.Builder row = QueueMove.newBuilder().setQueue(m.queue()).setFromGroup(m.from()).setToGroup(m.to());
        if (b.error() != null) {
          waited = waited.thenRun(() -> out.addQueueMoves(row.setError(b.error())));
          continue;
        }
        waited = waited.thenCompose(v -> QueueWaits.queue(ctx.log(), m.queue(), deadline,
                def -> def.getMovingTo().isEmpty() && def.getGroup().equals(m.to())))
            .handle((moved, e) -> {
              if (e != null && !(ReplicatedLog.unwrap(e) instanceof RequestException)) {
                throw new CompletionException(ReplicatedLog.unwrap(e));
              }
              // Deleted meanwhile (a RequestException): the other moves are still worth reporting.
              out.addQueueMoves(e != null ? row.setError(ReplicatedLog.unwrap(e).getMessage()) : row.setMoved(moved));
              return null;
            });
      }
      return waited.thenApply(v -> out.build());
    });
  }

  /**
   * At most {@code ms}, and short enough to answer before the caller gives up (qraftctl's
   * default timeout is shorter than a long move): a late answer would hide which moves began.
   */
  private static long waitWithinCallDeadline(long ms) {
    io.grpc.Deadline deadline = io.grpc.Context.current().getDeadline();
    if (deadline == null) {
      return ms;
    }
    return Math.max(0, Math.min(ms, deadline.timeRemaining(TimeUnit.MILLISECONDS) - ANSWER_MARGIN_MS));
  }

  private List<LeaderBalance.Move> planLeaderMoves() {
    List<NodeStatusResponse> all = ctx.statuses().all();
    Map<String, String> leaders = LeaderView.of(all);
    Set<String> up = new HashSet<>();
    all.stream().filter(NodeStatusResponse::getRunning).forEach(n -> up.add(n.getNode()));
    Map<String, List<String>> replicas = new TreeMap<>();
    for (ShardDef shard : ctx.log().metadata().shards()) {
      replicas.put(shard.getGroup(), shard.getReplicasList());
    }
    // The metadata group is left where it is: it carries no queue traffic.
    return LeaderBalance.plan(replicas, leaders, up);
  }

  void stopNode(StopNodeRequest request, StreamObserver<StopNodeResponse> response) {
    if (Errors.refused(RequestLimits.namesProblem("", false, request.getNode()), response)) {
      return;
    }
    try {
      String node = request.getNode().isEmpty() ? ctx.log().settings().nodeId() : request.getNode();
      if (!node.equals(ctx.log().settings().nodeId())) {
        if (ctx.log().settings().members().stream().noneMatch(m -> m.id().equals(node))) {
          throw new RequestException(Status.NOT_FOUND, "no node '" + node + "' in the cluster");
        }
        response.onNext(AdminServiceGrpc.newBlockingStub(ctx.forwarder().channel(node))
            .withDeadlineAfter(ctx.log().settings().electionTimeoutMax().toMillis() * 4, TimeUnit.MILLISECONDS)
            .stopNode(StopNodeRequest.newBuilder().setNode(node).build()));
        response.onCompleted();
        return;
      }
      int led = 0;
      for (org.apache.ratis.protocol.RaftGroupId id : ctx.log().server().getGroupIds()) {
        led += ctx.log().isLeader(id) ? 1 : 0;
      }
      // Leaders first, while the node still serves; the exit that follows finds nothing left to hand over.
      ctx.log().handOverLeadership(ctx.log().settings().electionTimeoutMax().toMillis() * 2);
      response.onNext(StopNodeResponse.newBuilder().setNode(node).setGroupsHandedOver(led).build());
      response.onCompleted();
      Thread stopper = new Thread(ctx.exit(), "qraft-stop-node");
      stopper.setDaemon(true);
      stopper.start();
    } catch (RuntimeException e) {
      ctx.fail(response, e);
    }
  }

  private LeaderMove move(String group, String from, String to) {
    LeaderMove.Builder move = LeaderMove.newBuilder().setGroup(group).setFrom(from).setTo(to);
    ctx.log().metadata().queues().stream().filter(q -> q.getGroup().equals(group))
        .forEach(q -> move.addQueues(q.getName()));
    if (!to.equals(from)) {
      String error = ctx.log().moveLeader(GroupIds.parse(group), to, ctx.log().settings().electionTimeoutMax().toMillis() * 2);
      if (error != null) {
        move.setError(error);
      }
    }
    return move.build();
  }

  private static String leastLeading(List<String> replicas, String current, Map<String, String> leaders,
      List<NodeStatusResponse> statuses) {
    Map<String, Integer> led = new TreeMap<>();
    for (NodeStatusResponse n : statuses) {
      if (n.getRunning() && replicas.contains(n.getNode()) && !n.getNode().equals(current)) {
        led.put(n.getNode(), 0);
      }
    }
    leaders.values().forEach(l -> led.computeIfPresent(l, (k, v) -> v + 1));
    return led.entrySet().stream()
        .min(Map.Entry.<String, Integer>comparingByValue().thenComparing(Map.Entry.comparingByKey()))
        .map(Map.Entry::getKey).orElse(null);
  }
}
