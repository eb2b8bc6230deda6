package io.qraft.ops.server;

import io.grpc.MethodDescriptor;
import io.grpc.stub.ServerCallStreamObserver;
import io.grpc.stub.StreamObserver;
import io.qraft.api.QueueArguments;
import io.qraft.api.QueueNames;
import io.qraft.api.log.v1.Purge;
import io.qraft.api.log.v1.QueueDef;
import io.qraft.api.log.v1.QueuePublish;
import io.qraft.api.log.v1.Settle;
import io.qraft.api.log.v1.ShardCommand;
import io.qraft.api.v1.AckRequest;
import io.qraft.api.v1.AckResponse;
import io.qraft.api.v1.ConsumeRequest;
import io.qraft.api.v1.DeclareQueueRequest;
import io.qraft.api.v1.DeclareQueueResponse;
import io.qraft.api.v1.DeleteQueueRequest;
import io.qraft.api.v1.DeleteQueueResponse;
import io.qraft.api.v1.Delivery;
import io.qraft.api.v1.DeliveryTag;
import io.qraft.api.v1.GetRequest;
import io.qraft.api.v1.GetResponse;
import io.qraft.api.v1.Message;
import io.qraft.api.v1.NackRequest;
import io.qraft.api.v1.NackResponse;
import io.qraft.api.v1.PublishRequest;
import io.qraft.api.v1.PublishResponse;
import io.qraft.api.v1.PurgeQueueRequest;
import io.qraft.api.v1.PurgeQueueResponse;
import io.qraft.api.v1.QueueServiceGrpc;
import io.qraft.log.Answers;
import io.qraft.log.ConsumerHub;
import io.qraft.log.GroupIds;
import io.qraft.log.QueueCatalog;
import io.qraft.log.QueueParts;
import io.qraft.log.ReplicatedLog;
import io.qraft.log.RequestException;
import io.qraft.statemachine.Status;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.function.Supplier;
import org.apache.ratis.protocol.RaftGroupId;

/**
 * The client API of a node. Every request is checked here first (names,
 * arguments, sizes), so bad input is refused before it reaches a log and
 * changes nothing. Writes go to the queue's group through the node's
 * replicated log (local leader, or forwarded to the leader); declare and
 * delete are forwarded to the metadata leader; a consumer must attach to
 * the queue's leader and is told where that is.
 */
final class QueueEndpoint extends QueueServiceGrpc.QueueServiceImplBase {
  /** Publish requests of one stream read ahead of their confirms. */
  private static final int FLOW_WINDOW = 256;

  private final ReplicatedLog log;
  private final Forwarder forwarder;
  private final OnMetadataLeader metadataLeader;
  private final QueueDescriber describer;
  private final RequestLimits limits;
  private final PublishGate<RaftGroupId> gate;

  QueueEndpoint(ReplicatedLog log, Forwarder forwarder, QueueDescriber describer, RequestLimits limits) {
    this.log = log;
    this.forwarder = forwarder;
    this.metadataLeader = new OnMetadataLeader(forwarder);
    this.describer = describer;
    this.limits = limits;
    this.gate = new PublishGate<>(log::publishersMustWait, log.settings().flowMaxPendingBytes());
  }

  @Override
  public void declareQueue(DeclareQueueRequest request, StreamObserver<DeclareQueueResponse> response) {
    if (Errors.refused(limits.declareProblem(request), response)) {
      return;
    }
    Map<String, String> arguments;
    try {
      arguments = QueueArguments.normalise(request.getArgumentsMap());
    } catch (IllegalArgumentException e) {
      response.onError(Errors.invalid(e.getMessage()));
      return;
    }
    onMetadataLeader(QueueServiceGrpc.getDeclareQueueMethod(), request, response, () -> {
      QueueCatalog.Declared declared = log.catalog().declare(request.getQueue(), arguments, log.settings().nodeId());
      return DeclareQueueResponse.newBuilder().setQueue(describer.describe(declared.queue()))
          .setCreated(declared.created()).build();
    });
  }

  @Override
  public void deleteQueue(DeleteQueueRequest request, StreamObserver<DeleteQueueResponse> response) {
    if (Errors.refused(QueueNames.problem(request.getQueue()), response)) {
      return;
    }
    onMetadataLeader(QueueServiceGrpc.getDeleteQueueMethod(), request, response,
        () -> DeleteQueueResponse.newBuilder().setMessagesDeleted(log.catalog().delete(request.getQueue())).build());
  }

  private <Q, R> void onMetadataLeader(MethodDescriptor<Q, R> method, Q request, StreamObserver<R> response,
      Supplier<R> action) {
    metadataLeader.run(method, request, response, action);
  }

  @Override
  public void purgeQueue(PurgeQueueRequest request, StreamObserver<PurgeQueueResponse> response) {
    withQueue(request.getQueue(), response, def -> {
      // Every part: the ready messages of a queue that moved are spread over its shards.
      ShardCommand purge = ShardCommand.newBuilder().setPurge(Purge.newBuilder().setQueue(request.getQueue())).build();
      CompletableFuture<Long> total = CompletableFuture.completedFuture(0L);
      for (String part : QueueParts.groups(def)) {
        total = total.thenCompose(n -> log.submitShard(GroupIds.parse(part), purge)
            .thenApply(r -> n + (r.getErrorCode() == Status.NOT_FOUND ? 0 : Answers.ok(r).getCount())));
      }
      return total.thenApply(n -> PurgeQueueResponse.newBuilder().setMessagesPurged(n).build());
    });
  }

  @Override
  public void publish(PublishRequest request, StreamObserver<PublishResponse> response) {
    if (Errors.refused(publishProblem(request), response)) {
      return;
    }
    io.grpc.Context context = io.grpc.Context.current();
    long size = request.getSerializedSize();
    withQueue(request.getQueue(), response,
        def -> gate.admit(group(def), size, context::isCancelled, () -> enqueue(def, request)));
  }

  @Override
  public StreamObserver<PublishRequest> publishStream(StreamObserver<PublishResponse> response) {
    // Flow control: the next request is read only once this one is handed to its batch and
    // the group's unconfirmed bytes are under flow.max_pending_bytes, so a fast publisher is
    // slowed down by the transport instead of filling the heap.
    ServerCallStreamObserver<PublishResponse> call = (ServerCallStreamObserver<PublishResponse>) response;
    call.disableAutoRequest();
    call.request(FLOW_WINDOW);
    return new StreamObserver<>() {
      @Override
      public void onNext(PublishRequest request) {
        String problem = publishProblem(request);
        if (problem != null) {
          send(streamError(request, Errors.invalid(problem)));
          call.request(1);
          return;
        }
        lookup(request.getQueue())
            .thenCompose(def -> {
              if (def.isEmpty()) {
                return CompletableFuture.failedFuture(notFound(request.getQueue()));
              }
              CompletableFuture<PublishResponse> confirm = enqueue(def.get(), request);
              // The next request is read once the log has caught up (now, unless it is behind).
              gate.whenCaughtUp(group(def.get()), call::isCancelled).thenRun(() -> call.request(1));
              return confirm;
            })
            .whenComplete((ok, e) -> {
              send(e == null ? ok : streamError(request, error(e)));
              if (e != null) {
                call.request(1);
              }
            });
      }

      private void send(PublishResponse r) {
        synchronized (response) {
          try {
            response.onNext(r);
          } catch (RuntimeException e) {
            // The client went away; its remaining confirms have no one to go to.
          }
        }
      }

      @Override
      public void onError(Throwable t) {}

      @Override
      public void onCompleted() {
        synchronized (response) {
          response.onCompleted();
        }
      }
    };
  }

  /** The refusal of one request of a PublishStream: its code and message in the confirm; the stream goes on. */
  static PublishResponse streamError(PublishRequest request, io.grpc.StatusRuntimeException e) {
    PublishResponse.Builder b = PublishResponse.newBuilder().setCorrelationId(request.getCorrelationId())
        .setErrorCode(e.getStatus().getCode().value())
        .setErrorMessage(String.valueOf(e.getStatus().getDescription()));
    if (e.getTrailers() != null && e.getTrailers().get(io.qraft.client.LeaderHint.KEY) != null) {
      b.setLeader(e.getTrailers().get(io.qraft.client.LeaderHint.KEY));
    }
    return b.build();
  }

  private CompletableFuture<PublishResponse> enqueue(QueueDef def, PublishRequest request) {
    QueuePublish publish = QueuePublish.newBuilder().setQueue(request.getQueue())
        .addAllMessages(request.getMessagesList())
        .setProducerId(request.getProducerId()).setSequence(request.getSequence()).build();
    return log.publish(def, publish).thenApply(result -> {
      // The shard's refusal of this publish keeps its code and message on the way to the client
      // (Publish: the call's status; PublishStream: the confirm's error_code), OUT_OF_RANGE for a
      // full queue with reject-publish among them: the SDK does not retry it.
      if (result.getErrorCode() != Status.OK) {
        throw new RequestException(result.getErrorCode(), result.getErrorMessage());
      }
      PublishResponse.Builder confirm = PublishResponse.newBuilder().setCorrelationId(request.getCorrelationId())
          .addAllOffsets(result.getOffsetsList());
      String leader = forwardedTo(group(def));
      if (leader != null) {
        confirm.setLeader(leader);
      }
      return confirm.build();
    });
  }

  /**
   * The client address of the group's leader when this node is not it (the publish was
   * forwarded), else null. A client that keeps publishing through a follower costs every
   * message a second gRPC hop and a Raft client round on the follower; naming the leader in
   * the confirm lets the SDK go there directly.
   */
  private String forwardedTo(RaftGroupId group) {
    if (log.isLeader(group)) {
      return null;
    }
    String leader = log.leaderOf(group);
    return leader == null ? null : forwarder.addressOf(leader);
  }

  private String publishProblem(PublishRequest request) {
    return limits.publishProblem(request);
  }

  @Override
  public void consume(ConsumeRequest request, StreamObserver<Delivery> response) {
    if (Errors.refused(limits.consumeProblem(request), response)) {
      return;
    }
    int prefetch = limits.prefetch(request);
    // Scoped by user: one user cannot take over another's consumer (and what it holds) by its id.
    io.qraft.ops.auth.Principal principal = io.qraft.ops.auth.Principal.KEY.get();
    String consumerId = request.getConsumerId().isEmpty() ? ""
        : (principal == null ? "" : principal.user()) + "/" + request.getConsumerId();
    ServerCallStreamObserver<Delivery> stream = (ServerCallStreamObserver<Delivery>) response;
    // The cancel handler must be set before this method returns; the subscription comes later.
    java.util.concurrent.atomic.AtomicReference<ConsumerHub.Subscription> current = new java.util.concurrent.atomic.AtomicReference<>();
    java.util.concurrent.atomic.AtomicBoolean cancelled = new java.util.concurrent.atomic.AtomicBoolean();
    stream.setOnCancelHandler(() -> {
      cancelled.set(true);
      ConsumerHub.Subscription s = current.getAndSet(null);
      if (s != null) {
        s.cancel();
      }
    });
    lookup(request.getQueue()).whenComplete((def, e) -> {
      if (e != null) {
        response.onError(error(e));
        return;
      }
      if (def.isEmpty()) {
        response.onError(error(notFound(request.getQueue())));
        return;
      }
      try {
        ConsumerHub.Subscription subscription = log.consumers().subscribe(request.getQueue(), deliveryGroup(def.get()),
            prefetch, request.getAutoAck(), consumerId, request.getConsumerTimeoutMs(), new ConsumerHub.Sink() {
              @Override
              public void deliver(Delivery delivery) {
                stream.onNext(delivery);
              }

              @Override
              public void closed(RuntimeException reason) {
                stream.onError(error(reason));
              }
            });
        current.set(subscription);
        if (cancelled.get() && current.compareAndSet(subscription, null)) {
          subscription.cancel();
        }
      } catch (RuntimeException ex) {
        response.onError(error(ex));
      }
    });
  }

  @Override
  public void ack(AckRequest request, StreamObserver<AckResponse> response) {
    settle(request.getQueue(), request.getTagsList(), Settle.Outcome.ACK, 0, response,
        n -> AckResponse.newBuilder().setAcked(n).build());
  }

  @Override
  public void nack(NackRequest request, StreamObserver<NackResponse> response) {
    if (Errors.refused(RequestLimits.nackProblem(request), response)) {
      return;
    }
    settle(request.getQueue(), request.getTagsList(),
        request.getRequeue() ? Settle.Outcome.REQUEUE : Settle.Outcome.DROP, request.getRequeueAfterMs(), response,
        n -> NackResponse.newBuilder().setNacked(n).build());
  }

  /** @param requeueAfterMs for REQUEUE, how long the messages wait before they are ready again; else 0 */
  private <R> void settle(String queue, List<DeliveryTag> tags, Settle.Outcome outcome, long requeueAfterMs,
      StreamObserver<R> response, java.util.function.IntFunction<R> answer) {
    if (tags.isEmpty()) {
      response.onError(Errors.invalid("no delivery tag given"));
      return;
    }
    withQueue(queue, response, def -> {
      // A tag names the shard that delivered it; a queue that moved settles in each part.
      Map<String, List<DeliveryTag>> byPart = new java.util.TreeMap<>();
      for (DeliveryTag tag : tags) {
        String part = tag.getPart().isEmpty() ? QueueParts.deliveryGroup(def) : tag.getPart();
        if (!QueueParts.groups(def).contains(part)) {
          return CompletableFuture.failedFuture(new RequestException(Status.FAILED_PRECONDITION, "delivery (offset "
              + tag.getOffset() + ") of queue '" + queue + "' came from shard " + part + ", which no longer holds"
              + " any of the queue's messages: it was settled or returned already; nothing was settled"));
        }
        byPart.computeIfAbsent(part, p -> new java.util.ArrayList<>()).add(tag.toBuilder().clearPart().build());
      }
      CompletableFuture<Long> total = CompletableFuture.completedFuture(0L);
      for (Map.Entry<String, List<DeliveryTag>> e : byPart.entrySet()) {
        total = total.thenCompose(n -> log.submitShard(GroupIds.parse(e.getKey()), ShardCommand.newBuilder()
                .setSettle(Settle.newBuilder().setQueue(queue).addAllTags(e.getValue()).setOutcome(outcome)
                    .setRequeueAfterMs(requeueAfterMs)).build())
            .thenApply(r -> n + Answers.ok(r).getCount()));
      }
      return total.thenApply(n -> answer.apply(n.intValue()));
    });
  }

  @Override
  public void get(GetRequest request, StreamObserver<GetResponse> response) {
    if (Errors.refused(limits.getProblem(request), response)) {
      return;
    }
    int count = RequestLimits.getCount(request);
    withQueue(request.getQueue(), response, def -> log.consumers().get(request.getQueue(), deliveryGroup(def), count,
        request.getAck()).thenApply(r -> GetResponse.newBuilder().addAllDeliveries(Answers.ok(r).getDeliveriesList()).build()));
  }

  /** Validates the name, finds the queue, runs the action and answers with its result or its error. */
  private <R> void withQueue(String queue, StreamObserver<R> response,
      java.util.function.Function<QueueDef, CompletableFuture<R>> action) {
    if (Errors.refused(QueueNames.problem(queue), response)) {
      return;
    }
    lookup(queue)
        .thenCompose(def -> def.isPresent() ? action.apply(def.get()) : CompletableFuture.<R>failedFuture(notFound(queue)))
        .whenComplete((result, e) -> {
          if (e != null) {
            response.onError(error(e));
          } else {
            response.onNext(result);
            response.onCompleted();
          }
        });
  }

  /**
   * The queue's definition; a failure to look it up, even a thrown one, comes back as a failed
   * future, because an exception escaping a handler reaches the client as UNKNOWN.
   */
  private CompletableFuture<Optional<QueueDef>> lookup(String queue) {
    try {
      return log.lookupQueue(queue);
    } catch (RuntimeException e) {
      return CompletableFuture.failedFuture(e);
    }
  }

  private static RequestException notFound(String queue) {
    return new RequestException(Status.NOT_FOUND, "queue '" + queue + "' does not exist: declare it first");
  }

  private static RaftGroupId group(QueueDef def) {
    return GroupIds.parse(def.getGroup());
  }

  private static RaftGroupId deliveryGroup(QueueDef def) {
    return GroupIds.parse(QueueParts.deliveryGroup(def));
  }

  private io.grpc.StatusRuntimeException error(Throwable e) {
    if (Errors.unwrap(e) instanceof PublishGate.Refused refused) {
      // Named as the leader to retry at: the SDK comes back here after a backoff instead of
      // trying a node whose log for the group is just as far behind.
      io.grpc.Metadata trailers = new io.grpc.Metadata();
      String self = forwarder.addressOf(log.settings().nodeId());
      if (self != null) {
        trailers.put(io.qraft.client.LeaderHint.KEY, self);
      }
      return io.grpc.Status.RESOURCE_EXHAUSTED.withDescription(io.qraft.log.Reasons.clean(refused.getMessage()))
          .asRuntimeException(trailers);
    }
    return Errors.toStatus(e, forwarder::addressOf);
  }
}
