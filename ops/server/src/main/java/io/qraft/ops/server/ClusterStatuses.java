package io.qraft.ops.server;

import io.qraft.api.v1.AdminServiceGrpc;
import io.qraft.api.v1.NodeStatusRequest;
import io.qraft.api.v1.NodeStatusResponse;
import io.qraft.log.NodeAddress;
import io.qraft.log.ReplicatedLog;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * What every node says of itself (NodeStatus), asked over gRPC, this node's own answer read
 * directly. A node forgotten with forget_node is listed as such, not asked. A node that does not answer within {@link #TIMEOUT_MS} is reported as not running,
 * with only its addresses. Thread-safe.
 */
final class ClusterStatuses {
  static final long TIMEOUT_MS = 2000;

  private final ReplicatedLog log;
  private final Forwarder forwarder;
  private final NodeStatusProbe probe;

  ClusterStatuses(ReplicatedLog log, Forwarder forwarder, NodeStatusProbe probe) {
    this.log = log;
    this.forwarder = forwarder;
    this.probe = probe;
  }

  /** Every member's status, in the configured order. */
  List<NodeStatusResponse> all() {
    List<NodeStatusResponse> out = new ArrayList<>();
    for (NodeAddress m : log.settings().members()) {
      out.add(of(m));
    }
    return out;
  }

  NodeStatusResponse of(String nodeId) {
    return of(log.settings().member(nodeId));
  }

  NodeStatusResponse of(NodeAddress m) {
    if (m.id().equals(log.settings().nodeId())) {
      return probe.status();
    }
    if (log.metadata().wasForgotten(m.id())) {
      // Gone for good: not asked (a forgotten node started again is no member and is not counted).
      return NodeStatusResponse.newBuilder().setNode(m.id()).setGrpcAddress(m.grpcAddress())
          .setRaftAddress(m.raftAddress()).setRunning(false).setForgotten(true).build();
    }
    try {
      return AdminServiceGrpc.newBlockingStub(forwarder.channel(m.id()))
          .withDeadlineAfter(TIMEOUT_MS, TimeUnit.MILLISECONDS)
          .nodeStatus(NodeStatusRequest.getDefaultInstance());
    } catch (RuntimeException e) {
      return NodeStatusResponse.newBuilder().setNode(m.id()).setGrpcAddress(m.grpcAddress())
          .setRaftAddress(m.raftAddress()).setRunning(false).build();
    }
  }
}
