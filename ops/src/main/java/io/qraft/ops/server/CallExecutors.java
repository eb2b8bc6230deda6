package io.qraft.ops.server;

import io.grpc.Metadata;
import io.grpc.MethodDescriptor;
import io.grpc.ServerCall;
import io.grpc.ServerCallExecutorSupplier;
import io.qraft.api.v1.QueueServiceGrpc;
import java.util.Set;
import java.util.concurrent.Executor;

/**
 * Which executor runs a call's handler. Publish, PublishStream, Ack and Nack run on the transport
 * thread that read the request: their handlers only check the request and hand it to the log,
 * which answers through a future completed on the log's threads, so they never wait for the log.
 * Handing each call to the default pool instead woke a pooled thread per message, and on a
 * loaded leader that handoff (and the context switches after it) cost more CPU than any other
 * single step of a publish (bench/RESULTS.md section 13). Every other call may wait (a declare
 * waits for the metadata log, admin calls gather from other nodes) and keeps the default pool.
 *
 * <p>The one wait left on the transport thread: when this node does not lead the queue's
 * group, the request goes to the leader through a Raft client, whose send waits once it has
 * many requests outstanding. That slows the clients of this transport thread until the leader
 * answers; it cannot deadlock, because the answers arrive on the Raft client's own threads.
 */
final class CallExecutors implements ServerCallExecutorSupplier {
  private static final Executor ON_TRANSPORT_THREAD = Runnable::run;

  static final Set<String> NON_WAITING = Set.of(
      name(QueueServiceGrpc.getPublishMethod()),
      name(QueueServiceGrpc.getPublishStreamMethod()),
      name(QueueServiceGrpc.getAckMethod()),
      name(QueueServiceGrpc.getNackMethod()));

  @Override
  public <Q, R> Executor getExecutor(ServerCall<Q, R> call, Metadata metadata) {
    // null: the server's default executor.
    return NON_WAITING.contains(call.getMethodDescriptor().getFullMethodName()) ? ON_TRANSPORT_THREAD : null;
  }

  private static String name(MethodDescriptor<?, ?> method) {
    return method.getFullMethodName();
  }
}
