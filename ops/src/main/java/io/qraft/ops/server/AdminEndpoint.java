package io.qraft.ops.server;

import io.grpc.stub.StreamObserver;
import io.qraft.api.Policy;
import io.qraft.api.log.v1.QueueDef;
import io.qraft.api.log.v1.ShardDef;
import io.qraft.api.v1.AdminServiceGrpc;
import io.qraft.api.v1.ClearPolicyRequest;
import io.qraft.api.v1.ClearPolicyResponse;
import io.qraft.api.v1.ClusterStatusRequest;
import io.qraft.api.v1.ClusterStatusResponse;
import io.qraft.api.v1.ForgetNodeRequest;
import io.qraft.api.v1.ForgetNodeResponse;
import io.qraft.api.v1.ReplicaReplacement;
import io.qraft.api.v1.GroupStatus;
import io.qraft.api.v1.ListPoliciesRequest;
import io.qraft.api.v1.ListPoliciesResponse;
import io.qraft.api.v1.ListQueuesRequest;
import io.qraft.api.v1.ListQueuesResponse;
import io.qraft.api.v1.NodeStatusRequest;
import io.qraft.api.v1.NodeStatusResponse;
import io.qraft.api.v1.PolicyInfo;
import io.qraft.api.v1.ReplicaChangeRequest;
import io.qraft.api.v1.ReplicaChangeResponse;
import io.qraft.api.v1.SyncQueueRequest;
import io.qraft.api.v1.SyncQueueResponse;
import io.qraft.api.v1.SetPolicyRequest;
import io.qraft.api.v1.SetPolicyResponse;
import io.qraft.log.GroupIds;
import io.qraft.log.ReplicatedLog;
import io.qraft.api.v1.LeaderMove;
import io.qraft.api.v1.RebalanceRequest;
import io.qraft.api.v1.RebalanceResponse;
import io.qraft.api.v1.StopNodeRequest;
import io.qraft.api.v1.StopNodeResponse;
import io.qraft.api.v1.TransferLeaderRequest;
import io.qraft.api.v1.TransferLeaderResponse;
import io.qraft.log.LeaderBalance;
import io.qraft.log.QueueBalance;
import io.qraft.log.QueueRebalancer;
import io.qraft.api.v1.QueueMove;
import io.qraft.log.RequestException;
import io.qraft.statemachine.Status;
import java.util.HashSet;
import java.util.List;
import io.qraft.ops.policy.DefinitionJson;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;

/**
 * The admin API of a node: cluster status (gathered from every node), queue listings, and
 * policies. A policy is checked here in full before it is submitted (bad JSON, an unknown key,
 * a bad value or pattern are refused with INVALID_ARGUMENT and nothing is stored); setting and
 * clearing run on the metadata leader.
 */
final class AdminEndpoint extends AdminServiceGrpc.AdminServiceImplBase {
  private final ReplicatedLog log;
  private final Forwarder forwarder;
  private final OnMetadataLeader metadataLeader;
  private final QueueDescriber describer;
  private final NodeStatusProbe probe;
  private final ClusterStatuses statuses;

  private final Runnable exit;

  /** @param exit stops this node's process cleanly (the path SIGTERM takes) */
  private final RequestLimits limits;

  AdminEndpoint(ReplicatedLog log, Forwarder forwarder, QueueDescriber describer, NodeStatusProbe probe,
      ClusterStatuses statuses, RequestLimits limits, Runnable exit) {
    this.limits = limits;
    this.log = log;
    this.forwarder = forwarder;
    this.metadataLeader = new OnMetadataLeader(forwarder);
    this.describer = describer;
    this.probe = probe;
    this.statuses = statuses;
    this.exit = exit;
  }

  @Override
  public void nodeStatus(NodeStatusRequest request, StreamObserver<NodeStatusResponse> response) {
    response.onNext(probe.status(request.getChecksums()));
    response.onCompleted();
  }

  @Override
  public void clusterStatus(ClusterStatusRequest request, StreamObserver<ClusterStatusResponse> response) {
    try {
      ClusterStatusResponse.Builder out = ClusterStatusResponse.newBuilder().setNode(log.settings().nodeId());
      List<NodeStatusResponse> all = statuses.all();
      out.addAllNodes(all);
      Map<String, String> leaders = LeaderView.of(all);
      Map<String, Long> terms = new java.util.HashMap<>();
      all.forEach(n -> n.getLocalGroupsList().forEach(g -> terms.merge(g.getGroup(), g.getTerm(), Math::max)));
      Map<String, Integer> queueCounts = log.metadata().queueCounts();
      out.addGroups(GroupStatus.newBuilder().setGroup(GroupIds.text(GroupIds.METADATA)).setKind("metadata")
          .setLeader(nullToEmpty(log.leaderOf(GroupIds.METADATA)))
          .setTerm(terms.getOrDefault(GroupIds.text(GroupIds.METADATA), 0L))
          .addAllReplicas(log.liveMembers()));
      for (ShardDef shard : log.metadata().shards()) {
        out.addGroups(GroupStatus.newBuilder().setGroup(shard.getGroup())
            .setKind(shard.getDedicated() ? "dedicated" : "shard")
            .setLeader(leaders.getOrDefault(shard.getGroup(), ""))
            .setTerm(terms.getOrDefault(shard.getGroup(), 0L))
            .addAllReplicas(shard.getReplicasList())
            .setQueues(queueCounts.getOrDefault(shard.getGroup(), 0)));
      }
      response.onNext(out.build());
      response.onCompleted();
    } catch (RuntimeException e) {
      response.onError(Errors.toStatus(e, forwarder::addressOf));
    }
  }

  @Override
  public void transferLeader(TransferLeaderRequest request, StreamObserver<TransferLeaderResponse> response) {
    if (refused(RequestLimits.namesProblem(request.getQueue(), true, request.getNode()), response)) {
      return;
    }
    try {
      QueueDef def = log.metadata().queue(request.getQueue());
      if (def == null) {
        throw new RequestException(Status.NOT_FOUND, "queue '" + request.getQueue() + "' does not exist");
      }
      ShardDef shard = log.metadata().shard(def.getGroup());
      List<NodeStatusResponse> all = statuses.all();
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
      response.onError(Errors.toStatus(e, forwarder::addressOf));
    }
  }

  /**
   * rebalance: queue moves first, since they must run on the metadata leader (elsewhere the
   * call is forwarded before anything changed); then leaders, which take the longest; then a
   * wait for the queue moves, which the mover carries out meanwhile.
   */
  @Override
  public void rebalance(RebalanceRequest request, StreamObserver<RebalanceResponse> response) {
    metadataLeader.run(AdminServiceGrpc.getRebalanceMethod(), request, response, () -> {
      List<QueueRebalancer.Begun> begun = log.queueRebalancer().rebalance();
      RebalanceResponse.Builder out = RebalanceResponse.newBuilder();
      for (LeaderBalance.Move m : planLeaderMoves()) {
        out.addMoves(move(m.group(), m.from(), m.to()));
      }
      long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(waitWithinCallDeadline(CHANGE_WAIT_MS));
      for (QueueRebalancer.Begun b : begun) {
        QueueBalance.Move m = b.move();
        QueueMove.Builder row = QueueMove.newBuilder().setQueue(m.queue()).setFromGroup(m.from()).setToGroup(m.to());
        if (b.error() != null) {
          row.setError(b.error());
        } else {
          try {
            row.setMoved(awaitQueueUntil(m.queue(), deadline,
                def -> def.getMovingTo().isEmpty() && def.getGroup().equals(m.to())));
          } catch (RequestException e) {
            // Deleted meanwhile: the other moves are still worth reporting.
            row.setError(e.getMessage());
          }
        }
        out.addQueueMoves(row);
      }
      return out.build();
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

  /** Time left for the answer to reach the caller, forwarded through another node. */
  private static final long ANSWER_MARGIN_MS = 1_000;

  private List<LeaderBalance.Move> planLeaderMoves() {
    List<NodeStatusResponse> all = statuses.all();
    Map<String, String> leaders = LeaderView.of(all);
    Set<String> up = new HashSet<>();
    all.stream().filter(NodeStatusResponse::getRunning).forEach(n -> up.add(n.getNode()));
    Map<String, List<String>> replicas = new TreeMap<>();
    for (ShardDef shard : log.metadata().shards()) {
      replicas.put(shard.getGroup(), shard.getReplicasList());
    }
    // The metadata group is left where it is: it carries no queue traffic.
    return LeaderBalance.plan(replicas, leaders, up);
  }

  @Override
  public void stopNode(StopNodeRequest request, StreamObserver<StopNodeResponse> response) {
    if (refused(RequestLimits.namesProblem("", false, request.getNode()), response)) {
      return;
    }
    try {
      String node = request.getNode().isEmpty() ? log.settings().nodeId() : request.getNode();
      if (!node.equals(log.settings().nodeId())) {
        if (log.settings().members().stream().noneMatch(m -> m.id().equals(node))) {
          throw new RequestException(Status.NOT_FOUND, "no node '" + node + "' in the cluster");
        }
        response.onNext(AdminServiceGrpc.newBlockingStub(forwarder.channel(node))
            .withDeadlineAfter(log.settings().electionTimeoutMax().toMillis() * 4, TimeUnit.MILLISECONDS)
            .stopNode(StopNodeRequest.newBuilder().setNode(node).build()));
        response.onCompleted();
        return;
      }
      int led = 0;
      for (org.apache.ratis.protocol.RaftGroupId id : log.server().getGroupIds()) {
        led += log.isLeader(id) ? 1 : 0;
      }
      // Leaders first, while the node still serves; the exit that follows finds nothing left to hand over.
      log.handOverLeadership(log.settings().electionTimeoutMax().toMillis() * 2);
      response.onNext(StopNodeResponse.newBuilder().setNode(node).setGroupsHandedOver(led).build());
      response.onCompleted();
      Thread stopper = new Thread(exit, "qraft-stop-node");
      stopper.setDaemon(true);
      stopper.start();
    } catch (RuntimeException e) {
      response.onError(Errors.toStatus(e, forwarder::addressOf));
    }
  }

  /**
   * forget_node: refused while the node answers a NodeStatus call (besides the metadata
   * leader's own rule: no Raft contact within an election timeout), so that a node that is
   * merely slow or partitioned from the leader alone is not thrown out while it serves.
   */
  @Override
  public void forgetNode(ForgetNodeRequest request, StreamObserver<ForgetNodeResponse> response) {
    String node = request.getNode();
    if (node.isBlank()) {
      response.onError(Errors.invalid("give the node to forget"));
      return;
    }
    if (refused(RequestLimits.namesProblem("", false, node), response)) {
      return;
    }
    metadataLeader.run(AdminServiceGrpc.getForgetNodeMethod(), request, response, () -> {
      if (log.settings().members().stream().anyMatch(m -> m.id().equals(node))
          && !log.metadata().wasForgotten(node) && statuses.of(node).getRunning()) {
        throw new RequestException(Status.FAILED_PRECONDITION, "node '" + node + "' is up: it answers on "
            + log.settings().member(node).grpcAddress() + ". Stop it first (qraftctl stop_node " + node
            + "), then forget it");
      }
      List<ShardDef> affected = log.nodeForgetter().forget(node);
      long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(FORGET_WAIT_MS);
      boolean done = log.nodeForgetter().settled(node);
      while (!done && System.nanoTime() < deadline) {
        sleep(200);
        done = log.nodeForgetter().settled(node);
      }
      ForgetNodeResponse.Builder out = ForgetNodeResponse.newBuilder().setNode(node).setDone(done);
      for (ShardDef before : affected) {
        out.addShards(replacement(before, node));
      }
      return out.build();
    });
  }

  /** What became of one shard that had a replica on the forgotten node. */
  private ReplicaReplacement replacement(ShardDef before, String node) {
    ReplicaReplacement.Builder r = ReplicaReplacement.newBuilder().setGroup(before.getGroup());
    log.metadata().queues().stream().filter(q -> q.getGroup().equals(before.getGroup()))
        .forEach(q -> r.addQueues(q.getName()));
    ShardDef now = log.metadata().shard(before.getGroup());
    if (now == null) {
      // Removed meanwhile (its last queue moved or was deleted).
      return r.setOutcome("removed").build();
    }
    r.addAllReplicas(now.getReplicasList());
    now.getReplicasList().stream().filter(n -> !before.getReplicasList().contains(n)).findFirst()
        .ifPresent(r::setReplacement);
    if (now.getReplicasList().contains(node)) {
      return r.setOutcome(log.nodeForgetter().stuck(now) ? "stuck" : "pending").build();
    }
    if (now.getMembershipPending()) {
      return r.setOutcome("pending").build();
    }
    return r.setOutcome(r.getReplacement().isEmpty() ? "shrunk" : "replaced").build();
  }

  private static void sleep(long ms) {
    try {
      Thread.sleep(ms);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  /** How long forget_node waits for the shards' new members before answering. */
  private static final long FORGET_WAIT_MS = 60_000;

  private LeaderMove move(String group, String from, String to) {
    LeaderMove.Builder move = LeaderMove.newBuilder().setGroup(group).setFrom(from).setTo(to);
    log.metadata().queues().stream().filter(q -> q.getGroup().equals(group))
        .forEach(q -> move.addQueues(q.getName()));
    if (!to.equals(from)) {
      String error = log.moveLeader(GroupIds.parse(group), to, log.settings().electionTimeoutMax().toMillis() * 2);
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

  @Override
  public void listQueues(ListQueuesRequest request, StreamObserver<ListQueuesResponse> response) {
    try {
      ListQueuesResponse.Builder out = ListQueuesResponse.newBuilder();
      Map<String, String> leaders = null;
      for (QueueDef def : log.metadata().queues()) {
        if (leaders == null && log.division(GroupIds.parse(def.getGroup())).isEmpty()) {
          // Some queue lives in groups this node holds no replica of: ask the others once.
          leaders = LeaderView.of(statuses.all());
        }
        out.addQueues(describer.describe(def, leaders == null ? Map.of() : leaders));
      }
      response.onNext(out.build());
      response.onCompleted();
    } catch (RuntimeException e) {
      response.onError(Errors.toStatus(e, forwarder::addressOf));
    }
  }

  @Override
  public void setPolicy(SetPolicyRequest request, StreamObserver<SetPolicyResponse> response) {
    String problem = limits.setPolicyProblem(request);
    if (problem != null) {
      response.onError(Errors.invalid(problem));
      return;
    }
    Policy policy;
    try {
      String applyTo = request.getApplyTo().isEmpty() ? Policy.APPLY_TO_QUEUES : request.getApplyTo();
      policy = new Policy(request.getName(), request.getPattern(), applyTo, request.getPriority(),
          DefinitionJson.parse(request.getDefinition()));
    } catch (IllegalArgumentException e) {
      response.onError(Errors.invalid(e.getMessage()));
      return;
    }
    metadataLeader.run(AdminServiceGrpc.getSetPolicyMethod(), request, response, () -> {
      boolean created = log.policies().set(policy);
      return SetPolicyResponse.newBuilder().setPolicy(info(policy)).setCreated(created).build();
    });
  }

  @Override
  public void clearPolicy(ClearPolicyRequest request, StreamObserver<ClearPolicyResponse> response) {
    if (request.getName().isBlank()) {
      response.onError(Errors.invalid("give the name of the policy to clear"));
      return;
    }
    String problem = limits.clearPolicyProblem(request.getName());
    if (problem != null) {
      response.onError(Errors.invalid(problem));
      return;
    }
    metadataLeader.run(AdminServiceGrpc.getClearPolicyMethod(), request, response, () -> {
      log.policies().clear(request.getName());
      return ClearPolicyResponse.getDefaultInstance();
    });
  }

  @Override
  public void listPolicies(ListPoliciesRequest request, StreamObserver<ListPoliciesResponse> response) {
    try {
      ListPoliciesResponse.Builder out = ListPoliciesResponse.newBuilder();
      log.policies().list().forEach(p -> out.addPolicies(info(p)));
      response.onNext(out.build());
      response.onCompleted();
    } catch (RuntimeException e) {
      response.onError(Errors.toStatus(e, forwarder::addressOf));
    }
  }

  @Override
  public void addReplica(ReplicaChangeRequest request, StreamObserver<ReplicaChangeResponse> response) {
    changeReplicas(AdminServiceGrpc.getAddReplicaMethod(), request, response, true);
  }

  @Override
  public void deleteReplica(ReplicaChangeRequest request, StreamObserver<ReplicaChangeResponse> response) {
    changeReplicas(AdminServiceGrpc.getDeleteReplicaMethod(), request, response, false);
  }

  private void changeReplicas(io.grpc.MethodDescriptor<ReplicaChangeRequest, ReplicaChangeResponse> method,
      ReplicaChangeRequest request, StreamObserver<ReplicaChangeResponse> response, boolean add) {
    if (request.getQueue().isBlank() || request.getNode().isBlank()) {
      response.onError(Errors.invalid("give a queue and a node"));
      return;
    }
    if (refused(RequestLimits.namesProblem(request.getQueue(), true, request.getNode()), response)) {
      return;
    }
    metadataLeader.run(method, request, response, () -> {
      List<String> wanted = log.replicaChanges().change(request.getQueue(), request.getNode(), add);
      boolean moved = awaitQueue(request.getQueue(), def -> def.getMovingTo().isEmpty()
          && wanted.equals(log.metadata().shard(def.getGroup()).getReplicasList()));
      return ReplicaChangeResponse.newBuilder().setQueue(describe(request.getQueue())).setMoved(moved).build();
    });
  }

  @Override
  public void syncQueue(SyncQueueRequest request, StreamObserver<SyncQueueResponse> response) {
    if (refused(RequestLimits.namesProblem(request.getQueue(), true, ""), response)) {
      return;
    }
    metadataLeader.run(AdminServiceGrpc.getSyncQueueMethod(), request, response, () -> {
      log.replicaChanges().sync(request.getQueue(), true);
      boolean synced = awaitQueue(request.getQueue(), def -> def.getOldPartsCount() == 0);
      return SyncQueueResponse.newBuilder().setQueue(describe(request.getQueue())).setSynchronised(synced).build();
    });
  }

  @Override
  public void cancelSyncQueue(SyncQueueRequest request, StreamObserver<SyncQueueResponse> response) {
    if (refused(RequestLimits.namesProblem(request.getQueue(), true, ""), response)) {
      return;
    }
    metadataLeader.run(AdminServiceGrpc.getCancelSyncQueueMethod(), request, response, () -> {
      QueueDef def = log.replicaChanges().sync(request.getQueue(), false);
      return SyncQueueResponse.newBuilder().setQueue(describe(request.getQueue()))
          .setSynchronised(def.getOldPartsCount() == 0).build();
    });
  }

  /** Answers INVALID_ARGUMENT with the problem, if there is one; true when it did. */
  private static boolean refused(String problem, StreamObserver<?> response) {
    if (problem == null) {
      return false;
    }
    response.onError(Errors.invalid(problem));
    return true;
  }

  /** Waits up to {@link #CHANGE_WAIT_MS} for the queue's definition to pass the test. */
  private boolean awaitQueue(String queue, java.util.function.Predicate<QueueDef> done) {
    return awaitQueueUntil(queue, System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(CHANGE_WAIT_MS), done);
  }

  /** Waits until the deadline ({@link System#nanoTime}) for the queue's definition to pass the test. */
  private boolean awaitQueueUntil(String queue, long deadline, java.util.function.Predicate<QueueDef> done) {
    while (true) {
      QueueDef def = log.metadata().queue(queue);
      if (def == null) {
        throw new RequestException(Status.NOT_FOUND, "queue '" + queue + "' was deleted meanwhile");
      }
      if (done.test(def)) {
        return true;
      }
      if (System.nanoTime() - deadline > 0) {
        return false;
      }
      try {
        Thread.sleep(100);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return false;
      }
    }
  }

  private io.qraft.api.v1.QueueInfo describe(String queue) {
    QueueDef def = log.metadata().queue(queue);
    if (def == null) {
      throw new RequestException(Status.NOT_FOUND, "queue '" + queue + "' was deleted meanwhile");
    }
    return describer.describe(def, LeaderView.of(statuses.all()));
  }

  /** How long replica changes and syncs wait for the queue before answering. */
  private static final long CHANGE_WAIT_MS = 30_000;

  private static PolicyInfo info(Policy policy) {
    return PolicyInfo.newBuilder().setName(policy.name()).setPattern(policy.pattern()).setApplyTo(policy.applyTo())
        .setPriority(policy.priority()).setDefinition(DefinitionJson.text(policy.definition())).build();
  }

  private static String nullToEmpty(String s) {
    return s == null ? "" : s;
  }
}
