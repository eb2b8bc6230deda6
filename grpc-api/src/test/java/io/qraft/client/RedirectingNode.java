package io.qraft.client;

import io.grpc.Metadata;
import io.grpc.Server;
import io.grpc.ServerCall;
import io.grpc.ServerCallHandler;
import io.grpc.ServerInterceptor;
import io.grpc.ServerInterceptors;
import io.grpc.Status;
import io.grpc.inprocess.InProcessServerBuilder;
import io.qraft.api.v1.AdminServiceGrpc;
import io.qraft.api.v1.QueueServiceGrpc;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * An in-process node that serves nothing: it answers every call UNAVAILABLE, naming the
 * leader in "qraft-leader" when it knows one, as a follower that does not forward does.
 */
final class RedirectingNode implements AutoCloseable {

  final String name;
  private final AtomicInteger calls = new AtomicInteger();
  private final Server server;

  /** @param leader the address to name, or null for a node that knows no leader */
  RedirectingNode(String name, String leader) {
    this.name = name;
    ServerInterceptor refuse = new ServerInterceptor() {
      @Override
      public <Q, R> ServerCall.Listener<Q> interceptCall(ServerCall<Q, R> call,
          Metadata headers, ServerCallHandler<Q, R> next) {
        calls.incrementAndGet();
        Metadata trailers = new Metadata();
        if (leader != null) {
          trailers.put(LeaderHint.KEY, leader);
        }
        call.close(Status.UNAVAILABLE.withDescription(name + " is not the leader"), trailers);
        return new ServerCall.Listener<>() {};
      }
    };
    try {
      this.server = InProcessServerBuilder.forName(name)
          .addService(ServerInterceptors.intercept(new QueueServiceGrpc.QueueServiceImplBase() {},
              refuse))
          .addService(ServerInterceptors.intercept(new AdminServiceGrpc.AdminServiceImplBase() {},
              refuse))
          .build()
          .start();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  int calls() {
    return calls.get();
  }

  @Override
  public void close() {
    server.shutdownNow();
  }
}
