package io.qraft.client;

import com.google.protobuf.ByteString;
import io.grpc.ManagedChannel;
import io.grpc.Metadata;
import io.grpc.MethodDescriptor;
import io.grpc.Server;
import io.grpc.ServerCall;
import io.grpc.ServerCallHandler;
import io.grpc.ServerInterceptor;
import io.grpc.ServerMethodDefinition;
import io.grpc.ServerServiceDefinition;
import io.grpc.ServiceDescriptor;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.inprocess.InProcessChannelBuilder;
import io.grpc.inprocess.InProcessServerBuilder;
import io.grpc.stub.ServerCallStreamObserver;
import io.grpc.stub.ServerCalls;
import io.grpc.stub.StreamObserver;
import io.qraft.api.HostPort;
import io.qraft.api.v1.AckRequest;
import io.qraft.api.v1.AckResponse;
import io.qraft.api.v1.AdminServiceGrpc;
import io.qraft.api.v1.ClusterStatusResponse;
import io.qraft.api.v1.ConsumeRequest;
import io.qraft.api.v1.DeclareQueueRequest;
import io.qraft.api.v1.DeclareQueueResponse;
import io.qraft.api.v1.Delivery;
import io.qraft.api.v1.DeliveryTag;
import io.qraft.api.v1.ListQueuesResponse;
import io.qraft.api.v1.Message;
import io.qraft.api.v1.PublishRequest;
import io.qraft.api.v1.PublishResponse;
import io.qraft.api.v1.QueueInfo;
import io.qraft.api.v1.QueueServiceGrpc;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Queue;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Function;

/**
 * A stand-in for a qraft node, served in-process under its address, for the SDK's tests and
 * qraftctl's (which get it from this module's test jar). It records every request it receives.
 * A call is answered by the first of these that applies:
 * <ol>
 *   <li>a failure queued with {@link #failNext};
 *   <li>the answer the test scripted for the method with {@link #answer} or {@link #redirect};
 *   <li>the node's own behaviour, that of a node leading every queue: DeclareQueue, Publish (with
 *       offsets, a gate that holds the answers, and the variations below), Ack, Consume (following
 *       {@link #nextStream} scripts), ListQueues and ClusterStatus;
 *   <li>UNIMPLEMENTED.
 * </ol>
 */
public final class FakeNode implements AutoCloseable {

  /** What the node does with one Consume stream. */
  @FunctionalInterface
  public interface StreamScript {
    void run(ConsumeRequest request, ServerCallStreamObserver<Delivery> stream);
  }

  private static final AtomicInteger NEXT = new AtomicInteger();

  /** Where the node is served, as qraftctl is told with --node. */
  public final HostPort address;
  /** The address as text: the in-process server's name, and the leader this node names. */
  public final String name;
  /** Every request received, in order, including those answered with a failure. */
  public final List<Object> requests = new CopyOnWriteArrayList<>();
  /** The request headers of every call received, in order (a stream is one call). */
  public final List<Metadata> headers = new CopyOnWriteArrayList<>();
  public final CountDownLatch consumeCancelled = new CountDownLatch(1);
  private final Map<String, AtomicInteger> calls = new ConcurrentHashMap<>();
  private final Map<String, Queue<Status>> failures = new ConcurrentHashMap<>();
  private final Map<String, Function<Object, Object>> answers = new ConcurrentHashMap<>();
  private final Queue<StreamScript> streams = new ConcurrentLinkedQueue<>();
  private final AtomicLong nextOffset = new AtomicLong();
  private volatile boolean holdPublishes;
  private volatile boolean gateClosed;
  private volatile boolean confirmWithoutOffsets;
  private final Queue<Runnable> heldByGate = new ConcurrentLinkedQueue<>();
  private volatile String namesLeader;
  private final Server server;

  /** A node at an address of its own. */
  public FakeNode() {
    this(new HostPort("fake-" + NEXT.incrementAndGet(), 5691));
  }

  public FakeNode(HostPort address) {
    this.address = address;
    this.name = address.toString();
    try {
      this.server = InProcessServerBuilder.forName(name)
          .addService(serve(QueueServiceGrpc.getServiceDescriptor()))
          .addService(serve(AdminServiceGrpc.getServiceDescriptor()))
          .intercept(recordHeaders())
          .build()
          .start();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** A channel to the fake node at the address; an address without one is unavailable. */
  public static ManagedChannel channel(HostPort address) {
    return InProcessChannelBuilder.forName(address.toString()).directExecutor().build();
  }

  /** An unused address, where no node answers. */
  public static HostPort nowhere() {
    return new HostPort("absent-" + NEXT.incrementAndGet(), 1);
  }

  /**
   * Answers every later call of the method (its name in the proto, e.g. "ListQueues") with what
   * the function returns for the request, or with the status the function throws.
   */
  @SuppressWarnings("unchecked")
  public <Q, R> FakeNode answer(String method, Function<Q, R> answer) {
    answers.put(method, request -> answer.apply((Q) request));
    return this;
  }

  /** Makes a method answer UNAVAILABLE, naming the leader as a qraft node does. */
  public FakeNode redirect(String method, HostPort leader) {
    Metadata trailers = new Metadata();
    trailers.put(LeaderHint.KEY, leader.toString());
    return answer(method, request -> {
      throw Status.UNAVAILABLE.withDescription("not the leader").asRuntimeException(trailers);
    });
  }

  /** The next call of the method fails with the status; calls queue up failures in order. */
  public void failNext(String method, Status status) {
    failures.computeIfAbsent(method, m -> new ConcurrentLinkedQueue<>()).add(status);
  }

  /** Publishes get no answer at all, as from a node that hangs. */
  public void holdPublishes() {
    holdPublishes = true;
  }

  /** Confirms publishes without offsets, as the leader of a local-ack queue does. */
  public void confirmWithoutOffsets() {
    confirmWithoutOffsets = true;
  }

  /** Publishes wait unanswered until {@link #openGate}; a closed gate holds them again. */
  public void closeGate() {
    gateClosed = true;
  }

  /** Answers the publishes the gate held, oldest first, and lets the next ones through. */
  public void openGate() {
    List<Runnable> held;
    synchronized (heldByGate) {
      gateClosed = false;
      held = takeHeld();
    }
    held.forEach(Runnable::run);
  }

  /** Answers the publishes the gate holds now, oldest first; the gate stays closed for the next ones. */
  public void answerHeld() {
    List<Runnable> held;
    synchronized (heldByGate) {
      held = takeHeld();
    }
    held.forEach(Runnable::run);
  }

  private List<Runnable> takeHeld() {
    List<Runnable> held = new ArrayList<>(heldByGate);
    heldByGate.clear();
    return held;
  }

  /** Publishes the closed gate is holding now. */
  public int heldByGate() {
    return heldByGate.size();
  }

  /**
   * Confirms publishes naming another node as the queue's leader, as a follower that
   * forwarded them does.
   */
  public void confirmAsForwardedTo(String leader) {
    namesLeader = leader;
  }

  /** The next Consume stream follows the script; streams without one stay open and silent. */
  public void nextStream(StreamScript script) {
    streams.add(script);
  }

  /** Calls of the method received so far, including those answered with a failure. */
  public int calls(String method) {
    AtomicInteger count = calls.get(method);
    return count == null ? 0 : count.get();
  }

  /** The Publish requests received so far, in order. */
  public List<PublishRequest> publishes() {
    return requests.stream()
        .filter(PublishRequest.class::isInstance)
        .map(PublishRequest.class::cast)
        .toList();
  }

  public static Delivery delivery(String queue, long offset) {
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

  /** The authorization header of every call received, in order; null for a call without one. */
  public List<String> authorizations() {
    return headers.stream().map(h -> h.get(BasicCredentials.AUTHORIZATION)).toList();
  }

  private ServerInterceptor recordHeaders() {
    return new ServerInterceptor() {
      @Override
      public <Q, R> ServerCall.Listener<Q> interceptCall(ServerCall<Q, R> call, Metadata metadata,
          ServerCallHandler<Q, R> next) {
        headers.add(metadata);
        return next.startCall(call, metadata);
      }
    };
  }

  /** Every method of the service, handled by this node: one place decides how each call goes. */
  private ServerServiceDefinition serve(ServiceDescriptor service) {
    ServerServiceDefinition.Builder definition = ServerServiceDefinition.builder(service);
    service.getMethods().forEach(method -> definition.addMethod(handle(method)));
    return definition.build();
  }

  @SuppressWarnings("unchecked")
  private <Q, R> ServerMethodDefinition<Q, R> handle(MethodDescriptor<Q, R> method) {
    String methodName = method.getBareMethodName();
    ServerCallHandler<Q, R> handler = switch (method.getType()) {
      case UNARY -> ServerCalls.asyncUnaryCall(
          (request, observer) -> unary(methodName, request, (StreamObserver<Object>) observer));
      // Consume is the only call that streams from the node.
      case SERVER_STREAMING -> ServerCalls.asyncServerStreamingCall((request, observer) ->
          consume((ConsumeRequest) request, (ServerCallStreamObserver<Delivery>) observer));
      default -> ServerCalls.asyncBidiStreamingCall(
          observer -> ServerCalls.asyncUnimplementedStreamingCall(method, observer));
    };
    return ServerMethodDefinition.create(method, handler);
  }

  private void unary(String method, Object request, StreamObserver<Object> observer) {
    if (failedAsScripted(method, request, observer)) {
      return;
    }
    Function<Object, Object> answer = answers.get(method);
    if (answer == null) {
      builtIn(method, request, observer);
      return;
    }
    Object response;
    try {
      response = answer.apply(request);
    } catch (StatusRuntimeException e) {
      observer.onError(e);
      return;
    }
    reply(observer, response);
  }

  private void builtIn(String method, Object request, StreamObserver<Object> observer) {
    switch (method) {
      case "Publish" -> publish((PublishRequest) request, observer);
      case "DeclareQueue" -> {
        DeclareQueueRequest declare = (DeclareQueueRequest) request;
        reply(observer, DeclareQueueResponse.newBuilder()
            .setQueue(QueueInfo.newBuilder().setName(declare.getQueue())
                .putAllArguments(declare.getArgumentsMap()).setLeader(name))
            .setCreated(true)
            .build());
      }
      case "Ack" -> reply(observer,
          AckResponse.newBuilder().setAcked(((AckRequest) request).getTagsCount()).build());
      case "ListQueues" -> reply(observer, ListQueuesResponse.newBuilder()
          .addQueues(QueueInfo.newBuilder().setName("orders").setLeader(name))
          .build());
      case "ClusterStatus" ->
          reply(observer, ClusterStatusResponse.newBuilder().setNode(name).build());
      default ->
          observer.onError(Status.UNIMPLEMENTED.withDescription(method).asRuntimeException());
    }
  }

  private void publish(PublishRequest request, StreamObserver<Object> observer) {
    if (holdPublishes) {
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

  private void consume(ConsumeRequest request, ServerCallStreamObserver<Delivery> stream) {
    stream.setOnCancelHandler(consumeCancelled::countDown);
    if (failedAsScripted("Consume", request, stream)) {
      return;
    }
    StreamScript script = streams.poll();
    if (script != null) {
      script.run(request, stream);
    }
  }

  /** Records the call, and answers it with a queued failure if one is due. */
  private boolean failedAsScripted(String method, Object request, StreamObserver<?> observer) {
    requests.add(request);
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
}
