package io.qraft.client;

import com.google.protobuf.ByteString;
import io.grpc.Server;
import io.grpc.Status;
import io.grpc.inprocess.InProcessServerBuilder;
import io.grpc.stub.ServerCallStreamObserver;
import io.grpc.stub.StreamObserver;
import io.qraft.api.v1.AckRequest;
import io.qraft.api.v1.AckResponse;
import io.qraft.api.v1.AdminServiceGrpc;
import io.qraft.api.v1.ClusterStatusRequest;
import io.qraft.api.v1.ClusterStatusResponse;
import io.qraft.api.v1.ConsumeRequest;
import io.qraft.api.v1.DeclareQueueRequest;
import io.qraft.api.v1.DeclareQueueResponse;
import io.qraft.api.v1.Delivery;
import io.qraft.api.v1.DeliveryTag;
import io.qraft.api.v1.ListQueuesRequest;
import io.qraft.api.v1.ListQueuesResponse;
import io.qraft.api.v1.Message;
import io.qraft.api.v1.PublishRequest;
import io.qraft.api.v1.PublishResponse;
import io.qraft.api.v1.QueueInfo;
import io.qraft.api.v1.QueueServiceGrpc;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.List;
import java.util.Map;
import java.util.Queue;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * An in-process node that leads every queue: it serves the calls the tests need from memory,
 * records what it received, and fails the next calls of a method on request.
 */
final class FakeNode implements AutoCloseable {

  /** What the node does with one Consume stream. */
  @FunctionalInterface
  interface StreamScript {
    void run(ConsumeRequest request, ServerCallStreamObserver<Delivery> stream);
  }

  final String name;
  final List<PublishRequest> publishes = new CopyOnWriteArrayList<>();
  final CountDownLatch consumeCancelled = new CountDownLatch(1);
  private final Map<String, AtomicInteger> calls = new ConcurrentHashMap<>();
  private final Map<String, Queue<Status>> failures = new ConcurrentHashMap<>();
  private final Queue<StreamScript> streams = new ConcurrentLinkedQueue<>();
  private final AtomicLong nextOffset = new AtomicLong();
  private volatile boolean holdPublishes;
  private volatile boolean gateClosed;
  private volatile boolean confirmWithoutOffsets;
  private final Queue<Runnable> heldByGate = new ConcurrentLinkedQueue<>();
  private volatile String namesLeader;
  private final Server server;

  FakeNode(String name) {
    this.name = name;
    try {
      this.server = InProcessServerBuilder.forName(name)
          .addService(new Queues())
          .addService(new Admin())
          .build()
          .start();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** The next call of the method fails with the status; calls queue up failures in order. */
  void failNext(String method, Status status) {
    failures.computeIfAbsent(method, m -> new ConcurrentLinkedQueue<>()).add(status);
  }

  /** Publishes get no answer at all, as from a node that hangs. */
  void holdPublishes() {
    holdPublishes = true;
  }

  /** Confirms publishes without offsets, as the leader of a local-ack queue does. */
  void confirmWithoutOffsets() {
    confirmWithoutOffsets = true;
  }

  /** Publishes wait unanswered until {@link #openGate}; a closed gate holds them again. */
  void closeGate() {
    gateClosed = true;
  }

  /** Answers the publishes the gate held, oldest first, and lets the next ones through. */
  void openGate() {
    List<Runnable> held;
    synchronized (heldByGate) {
      gateClosed = false;
      held = takeHeld();
    }
    held.forEach(Runnable::run);
  }

  /** Answers the publishes the gate holds now, oldest first; the gate stays closed for the next ones. */
  void answerHeld() {
    List<Runnable> held;
    synchronized (heldByGate) {
      held = takeHeld();
    }
    held.forEach(Runnable::run);
  }

  private List<Runnable> takeHeld() {
    List<Runnable> held = new java.util.ArrayList<>(heldByGate);
    heldByGate.clear();
    return held;
  }

  /** Publishes the closed gate is holding now. */
  int heldByGate() {
    return heldByGate.size();
  }

  /**
   * Confirms publishes naming another node as the queue's leader, as a follower that
   * forwarded them does.
   */
  void confirmAsForwardedTo(String leader) {
    namesLeader = leader;
  }

  /** The next Consume stream follows the script; streams without one stay open and silent. */
  void nextStream(StreamScript script) {
    streams.add(script);
  }

  int calls(String method) {
    AtomicInteger count = calls.get(method);
    return count == null ? 0 : count.get();
  }

  static Delivery delivery(String queue, long offset) {
    return Delivery.newBuilder()
        .setQueue(queue)
        .setTag(DeliveryTag.newBuilder().setOffset(offset).setDeliveryCount(1))
        .setMessage(Message.newBuilder().setBody(ByteString.copyFromUtf8("m" + offset)))
        .build();
  }

  @Override
  public void close() {
    server.shutdownNow();
  }

  /** Counts the call, and answers it with a scripted failure if one is due. */
  private boolean failed(String method, StreamObserver<?> observer) {
    calls.computeIfAbsent(method, m -> new AtomicInteger()).incrementAndGet();
    Queue<Status> due = failures.get(method);
    Status failure = due == null ? null : due.poll();
    if (failure != null) {
      observer.onError(failure.asRuntimeException());
      return true;
    }
    return false;
  }

  private static <T> void reply(StreamObserver<T> observer, T response) {
    observer.onNext(response);
    observer.onCompleted();
  }

  private final class Queues extends QueueServiceGrpc.QueueServiceImplBase {

    @Override
    public void declareQueue(DeclareQueueRequest request,
        StreamObserver<DeclareQueueResponse> observer) {
      if (!failed("DeclareQueue", observer)) {
        reply(observer, DeclareQueueResponse.newBuilder()
            .setQueue(QueueInfo.newBuilder().setName(request.getQueue())
                .putAllArguments(request.getArgumentsMap()).setLeader(name))
            .setCreated(true)
            .build());
      }
    }

    @Override
    public void publish(PublishRequest request, StreamObserver<PublishResponse> observer) {
      publishes.add(request);
      if (failed("Publish", observer) || holdPublishes) {
        return;
      }
      PublishResponse.Builder response =
          PublishResponse.newBuilder().setCorrelationId(request.getCorrelationId());
      for (int i = 0; i < request.getMessagesCount() && !confirmWithoutOffsets; i++) {
        response.addOffsets(nextOffset.getAndIncrement());
      }
      if (namesLeader != null) {
        response.setLeader(namesLeader);
      }
      PublishResponse answer = response.build();
      // Looked at and held in one step, so that opening the gate never misses a publish.
      synchronized (heldByGate) {
        if (gateClosed) {
          heldByGate.add(() -> reply(observer, answer));
          return;
        }
      }
      reply(observer, answer);
    }

    @Override
    public void ack(AckRequest request, StreamObserver<AckResponse> observer) {
      if (!failed("Ack", observer)) {
        reply(observer, AckResponse.newBuilder().setAcked(request.getTagsCount()).build());
      }
    }

    @Override
    public void consume(ConsumeRequest request, StreamObserver<Delivery> observer) {
      ServerCallStreamObserver<Delivery> stream = (ServerCallStreamObserver<Delivery>) observer;
      stream.setOnCancelHandler(consumeCancelled::countDown);
      if (failed("Consume", observer)) {
        return;
      }
      StreamScript script = streams.poll();
      if (script != null) {
        script.run(request, stream);
      }
    }
  }

  private final class Admin extends AdminServiceGrpc.AdminServiceImplBase {

    @Override
    public void listQueues(ListQueuesRequest request, StreamObserver<ListQueuesResponse> observer) {
      if (!failed("ListQueues", observer)) {
        reply(observer, ListQueuesResponse.newBuilder()
            .addQueues(QueueInfo.newBuilder().setName("orders").setLeader(name))
            .build());
      }
    }

    @Override
    public void clusterStatus(ClusterStatusRequest request,
        StreamObserver<ClusterStatusResponse> observer) {
      if (!failed("ClusterStatus", observer)) {
        reply(observer, ClusterStatusResponse.newBuilder().setNode(name).build());
      }
    }
  }
}
