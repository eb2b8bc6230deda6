package io.qraft.ops.server;

import io.grpc.MethodDescriptor;
import io.grpc.stub.StreamObserver;
import io.qraft.log.LeaderElsewhereException;
import java.util.concurrent.CompletableFuture;
import java.util.function.Supplier;

/**
 * Runs a unary call where the metadata leader is: here when this node leads
 * the metadata, otherwise forwarded once to the leader (a forwarded call is
 * not forwarded again, so two nodes with different views cannot bounce it).
 * Declares, deletes and policy changes go this way. Stateless; thread-safe.
 */
final class OnMetadataLeader {
  private final Forwarder forwarder;

  OnMetadataLeader(Forwarder forwarder) {
    this.forwarder = forwarder;
  }

  /** @param action does the call's work on the metadata leader, or throws LeaderElsewhereException */
  <Q, R> void run(MethodDescriptor<Q, R> method, Q request, StreamObserver<R> response, Supplier<R> action) {
    runAsync(method, request, response, () -> CompletableFuture.completedFuture(action.get()));
  }

  /**
   * As {@link #run}, for work that answers later (it waits for something to take effect): the
   * action starts the work and returns the answer's future; no thread waits for it.
   */
  <Q, R> void runAsync(MethodDescriptor<Q, R> method, Q request, StreamObserver<R> response,
      Supplier<CompletableFuture<R>> action) {
    try {
      action.get().whenComplete((result, e) -> {
        if (e != null) {
          response.onError(Errors.toStatus(e, forwarder::addressOf));
        } else {
          response.onNext(result);
          response.onCompleted();
        }
      });
    } catch (LeaderElsewhereException e) {
      if (!ForwardedMarker.isForwarded() && forwarder.canForwardTo(e.leaderNodeId())) {
        forwarder.forward(e.leaderNodeId(), method, request, response);
      } else {
        response.onError(Errors.toStatus(e, forwarder::addressOf));
      }
    } catch (RuntimeException e) {
      response.onError(Errors.toStatus(e, forwarder::addressOf));
    }
  }
}
