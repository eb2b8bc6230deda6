package io.qraft.ops.server;

import io.grpc.stub.StreamObserver;
import io.qraft.api.log.v1.QueueDef;
import io.qraft.api.log.v1.ShardDef;
import io.qraft.api.v1.ClusterStatusRequest;
import io.qraft.api.v1.ClusterStatusResponse;
import io.qraft.api.v1.GroupStatus;
import io.qraft.api.v1.ListQueuesRequest;
import io.qraft.api.v1.ListQueuesResponse;
import io.qraft.api.v1.NodeStatusRequest;
import io.qraft.api.v1.NodeStatusResponse;
import io.qraft.log.GroupIds;
import java.util.List;
import java.util.Map;

/**
 * The read-only admin calls: this node's status, the cluster's (gathered from every node) and the
 * queue listing. Thread-safe.
 */
final class StatusCalls {
  private final AdminContext ctx;

  StatusCalls(AdminContext ctx) {
    this.ctx = ctx;
  }

  void nodeStatus(NodeStatusRequest request, StreamObserver<NodeStatusResponse> response) {
    response.onNext(ctx.probe().status(request.getChecksums()));
    response.onCompleted();
  }

  void clusterStatus(ClusterStatusRequest request, StreamObserver<ClusterStatusResponse> response) {
    try {
      ClusterStatusResponse.Builder out = ClusterStatusResponse.newBuilder().setNode(ctx.log().settings().nodeId());
      List<NodeStatusResponse> all = ctx.statuses().all();
      out.addAllNodes(all);
      Map<String, String> leaders = LeaderView.of(all);
      Map<String, Long> terms = new java.util.HashMap<>();
      all.forEach(n -> n.getLocalGroupsList().forEach(g -> terms.merge(g.getGroup(), g.getTerm(), Math::max)));
      Map<String, Integer> queueCounts = ctx.log().metadata().queueCounts();
      out.addGroups(GroupStatus.newBuilder().setGroup(GroupIds.text(GroupIds.METADATA)).setKind("metadata")
          .setLeader(nullToEmpty(ctx.log().leaderOf(GroupIds.METADATA)))
          .setTerm(terms.getOrDefault(GroupIds.text(GroupIds.METADATA), 0L))
          .addAllReplicas(ctx.log().liveMembers()));
      for (ShardDef shard : ctx.log().metadata().shards()) {
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
      ctx.fail(response, e);
    }
  }

  void listQueues(ListQueuesRequest request, StreamObserver<ListQueuesResponse> response) {
    try {
      ListQueuesResponse.Builder out = ListQueuesResponse.newBuilder();
      Map<String, String> leaders = null;
      for (QueueDef def : ctx.log().metadata().queues()) {
        if (leaders == null && ctx.log().division(GroupIds.parse(def.getGroup())).isEmpty()) {
          // Some queue lives in groups this node holds no replica of: ask the others once.
          leaders = LeaderView.of(ctx.statuses().all());
        }
        out.addQueues(ctx.describer().describe(def, leaders == null ? Map.of() : leaders));
      }
      response.onNext(out.build());
      response.onCompleted();
    } catch (RuntimeException e) {
      ctx.fail(response, e);
    }
  }

  private static String nullToEmpty(String s) {
    return s == null ? "" : s;
  }
}
