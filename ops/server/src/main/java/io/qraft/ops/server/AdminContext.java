package io.qraft.ops.server;

import io.grpc.stub.StreamObserver;
import io.qraft.api.log.v1.QueueDef;
import io.qraft.log.ReplicatedLog;
import io.qraft.log.RequestException;
import io.qraft.statemachine.Status;

/**
 * What the admin calls of a node share: its log, the way to the metadata leader and the other
 * nodes, status gathering and the request limits. One per node; thread-safe.
 *
 * @param exit stops this node's process cleanly (the path SIGTERM takes)
 */
record AdminContext(ReplicatedLog log, Forwarder forwarder, OnMetadataLeader metadataLeader, QueueDescriber describer,
    NodeStatusProbe probe, ClusterStatuses statuses, RequestLimits limits, Runnable exit) {

  /** Answers with the status the failure maps to. */
  void fail(StreamObserver<?> response, Throwable e) {
    response.onError(Errors.toStatus(e, forwarder::addressOf));
  }

  /** The queue as list_queues shows it, with its leader asked of every node. */
  io.qraft.api.v1.QueueInfo describe(String queue) {
    QueueDef def = log.metadata().queue(queue);
    if (def == null) {
      throw new RequestException(Status.NOT_FOUND, "queue '" + queue + "' was deleted meanwhile");
    }
    return describer.describe(def, LeaderView.of(statuses.all()));
  }
}
