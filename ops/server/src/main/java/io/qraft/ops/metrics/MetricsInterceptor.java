package io.qraft.ops.metrics;

import io.grpc.ForwardingServerCall;
import io.grpc.ForwardingServerCallListener;
import io.grpc.Metadata;
import io.grpc.ServerCall;
import io.grpc.ServerCallHandler;
import io.grpc.ServerInterceptor;
import io.grpc.Status;
import io.qraft.api.v1.AckRequest;
import io.qraft.api.v1.AckResponse;
import io.qraft.api.v1.ConsumeRequest;
import io.qraft.api.v1.Delivery;
import io.qraft.api.v1.GetRequest;
import io.qraft.api.v1.GetResponse;
import io.qraft.api.v1.NackRequest;
import io.qraft.api.v1.NackResponse;
import io.qraft.api.v1.PublishRequest;
import io.qraft.api.v1.PublishResponse;
import io.qraft.api.v1.QueueServiceGrpc;
import java.util.ArrayDeque;
import java.util.HashMap;
import java.util.Map;

/**
 * Counts, on the client API of a node, the messages published, confirmed, delivered, acked and
 * nacked, and times each confirm from the publish request received to its confirm sent. It
 * watches the messages of the QueueService calls and changes nothing in them.
 *
 * <p>Thread-safe; a call's own state is guarded by the call.
 */
public final class MetricsInterceptor implements ServerInterceptor {
  private final NodeMetrics metrics;

  public MetricsInterceptor(NodeMetrics metrics) {
    this.metrics = metrics;
  }

  @Override
  public <Q, R> ServerCall.Listener<Q> interceptCall(ServerCall<Q, R> call, Metadata headers,
      ServerCallHandler<Q, R> next) {
    String method = call.getMethodDescriptor().getFullMethodName();
    if (!method.startsWith(QueueServiceGrpc.SERVICE_NAME + "/")) {
      return next.startCall(call, headers);
    }
    CallState state = new CallState();
    ServerCall<Q, R> watched = new ForwardingServerCall.SimpleForwardingServerCall<>(call) {
      @Override
      public void sendMessage(R message) {
        state.sent(message);
        super.sendMessage(message);
      }

      @Override
      public void close(Status status, Metadata trailers) {
        state.closed(status);
        super.close(status, trailers);
      }
    };
    return new ForwardingServerCallListener.SimpleForwardingServerCallListener<>(next.startCall(watched, headers)) {
      @Override
      public void onMessage(Q message) {
        state.received(message);
        super.onMessage(message);
      }
    };
  }

  /** What one call published, waiting for its confirms. */
  private record Pending(String queue, int messages, long startNanos) {}

  private final class CallState {
    private String queue;
    /** Pending publishes by correlation id, oldest first (an id may repeat). */
    private final Map<Long, ArrayDeque<Pending>> pending = new HashMap<>();
    private Pending unary;

    synchronized void received(Object message) {
      if (message instanceof PublishRequest p) {
        Pending entry = new Pending(p.getQueue(), p.getMessagesCount(), System.nanoTime());
        metrics.published(p.getQueue(), p.getMessagesCount());
        unary = entry;
        pending.computeIfAbsent(p.getCorrelationId(), k -> new ArrayDeque<>()).add(entry);
      } else if (message instanceof ConsumeRequest c) {
        queue = c.getQueue();
      } else if (message instanceof GetRequest g) {
        queue = g.getQueue();
      } else if (message instanceof AckRequest a) {
        queue = a.getQueue();
      } else if (message instanceof NackRequest n) {
        queue = n.getQueue();
      }
    }

    synchronized void sent(Object message) {
      if (message instanceof PublishResponse r) {
        ArrayDeque<Pending> waiting = pending.get(r.getCorrelationId());
        Pending p = waiting == null ? null : waiting.poll();
        if (waiting != null && waiting.isEmpty()) {
          pending.remove(r.getCorrelationId());
        }
        if (p == null) {
          p = unary;
        }
        if (p != null && r.getErrorCode() == 0) {
          metrics.confirmed(p.queue(), p.messages(), metrics.ackModeOf(p.queue()), System.nanoTime() - p.startNanos());
        }
      } else if (message instanceof Delivery) {
        metrics.delivered(queue, 1);
      } else if (message instanceof GetResponse g) {
        metrics.delivered(queue, g.getDeliveriesCount());
      } else if (message instanceof AckResponse a) {
        metrics.acked(queue, a.getAcked());
      } else if (message instanceof NackResponse n) {
        metrics.nacked(queue, n.getNacked());
      }
    }

    synchronized void closed(Status status) {
      pending.clear();
      unary = null;
    }
  }
}
