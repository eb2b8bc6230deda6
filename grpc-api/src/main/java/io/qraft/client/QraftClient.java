package io.qraft.client;

import com.google.protobuf.ByteString;
import io.grpc.Deadline;
import io.grpc.ChannelCredentials;
import io.grpc.InsecureChannelCredentials;
import io.grpc.TlsChannelCredentials;
import io.grpc.ManagedChannel;
import io.grpc.Status;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import io.grpc.stub.StreamObserver;
import io.qraft.api.HardLimits;
import io.qraft.api.v1.AckRequest;
import io.qraft.api.v1.AdminServiceGrpc;
import io.qraft.api.v1.AdminServiceGrpc.AdminServiceStub;
import io.qraft.api.v1.ClusterStatusRequest;
import io.qraft.api.v1.ClusterStatusResponse;
import io.qraft.api.v1.DeclareQueueRequest;
import io.qraft.api.v1.DeleteQueueRequest;
import io.qraft.api.v1.Delivery;
import io.qraft.api.v1.DeliveryTag;
import io.qraft.api.v1.GetRequest;
import io.qraft.api.v1.ListQueuesRequest;
import io.qraft.api.v1.ListQueuesResponse;
import io.qraft.api.v1.Message;
import io.qraft.api.v1.NackRequest;
import io.qraft.api.v1.PublishRequest;
import io.qraft.api.v1.PublishResponse;
import io.qraft.api.v1.PurgeQueueRequest;
import io.qraft.api.v1.QueueInfo;
import io.qraft.api.v1.QueueServiceGrpc;
import io.qraft.api.v1.QueueServiceGrpc.QueueServiceStub;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Function;

/**
 * The client of a qraft cluster: one per application, shared by all its threads.
 *
 * <p>Give it the client addresses ("host:port") of some or all nodes. Any node accepts any
 * call and forwards it to the leader that must serve it; the client remembers, per queue,
 * the node that last served it and goes there first. When a node answers UNAVAILABLE and
 * names the leader, the client goes to the leader at once; when it names none, or cannot
 * be reached, the client tries the next address after a backoff (doubling, with jitter,
 * capped), until the call's deadline. Other failures are not retried and surface as
 * {@link QraftException}.
 *
 * <p>Publishes are retried after UNAVAILABLE and DEADLINE_EXCEEDED too, because each carries
 * this client's producer id and a sequence number of its own, kept across retries, by which
 * the server stores a retried publish only once. A publish that is not confirmed before its
 * deadline fails with {@link PublishTimeoutException}: its outcome is unknown.
 *
 * <p>Plaintext by default. For a cluster over TLS (nodes with {@code tls.*} keys set), give
 * the client the cluster's CA certificate: {@code QraftClient.builder().addresses(...)
 * .tls(Path.of("ca.pem")).build()}; see {@link Builder#tls(Path)}. For a cluster that
 * authenticates its clients, give a user and password with {@link Builder#credentials}: they are
 * sent with every call, over TLS or to a loopback address only.
 *
 * <p>The blocking methods wait on the calling thread. Futures complete on gRPC's or the
 * client's threads: chain only quick, non-blocking work on them, or use an executor of your
 * own ({@code thenApplyAsync(f, executor)}).
 */
public final class QraftClient implements AutoCloseable {

  private final Duration deadline;
  private final Duration attemptTimeout;
  private final Backoff backoff;
  private final LeaderCache leaders;
  private final ChannelPool channels;
  private final ScheduledThreadPoolExecutor scheduler;
  private final String producerId = UUID.randomUUID().toString();
  private final AtomicLong sequence = new AtomicLong();
  private final Set<RetryingCall<?>> inFlight = ConcurrentHashMap.newKeySet();
  private final Set<Consumer> consumers = ConcurrentHashMap.newKeySet();
  private final AtomicBoolean closed = new AtomicBoolean();

  private QraftClient(Builder builder, BasicCredentials callCredentials) {
    this.deadline = builder.deadline;
    this.attemptTimeout = builder.attemptTimeout;
    this.backoff = new Backoff(builder.initialBackoff, builder.maxBackoff);
    this.leaders = new LeaderCache(builder.addresses);
    this.channels = new ChannelPool(builder.channelFactory != null
        ? builder.channelFactory
        : netty(builder.credentials, builder.keepAliveTime, builder.keepAliveTimeout),
        callCredentials);
    // Retries only start calls, which does not block: one thread is plenty.
    this.scheduler = new ScheduledThreadPoolExecutor(1, new DaemonThreads("qraft-client-retry"));
    this.scheduler.setRemoveOnCancelPolicy(true);
  }

  /** A client with the default settings for these node addresses ("host:port"). */
  public static QraftClient connect(List<String> addresses) {
    return builder().addresses(addresses).build();
  }

  public static Builder builder() {
    return new Builder();
  }

  /** The producer id this client stamps on every publish; unique per client instance. */
  public String producerId() {
    return producerId;
  }

  // ---- queues -------------------------------------------------------------------------

  /**
   * Creates the queue, or checks that it exists with the same arguments.
   *
   * @param arguments "ack-mode" (quorum|local), "queue-log" (shared|dedicated); may be empty
   * @throws QraftException FAILED_PRECONDITION when it exists with other arguments
   */
  public QueueInfo declareQueue(String queue, Map<String, String> arguments) {
    DeclareQueueRequest request = DeclareQueueRequest.newBuilder()
        .setQueue(queue).putAllArguments(arguments).build();
    return await(queueCall("DeclareQueue", queue, request, QueueServiceStub::declareQueue))
        .getQueue();
  }

  public QueueInfo declareQueue(String queue) {
    return declareQueue(queue, Map.of());
  }

  /** Deletes the queue and its messages; returns how many messages (ready and unacked) went. */
  public long deleteQueue(String queue) {
    DeleteQueueRequest request = DeleteQueueRequest.newBuilder().setQueue(queue).build();
    long deleted = await(queueCall("DeleteQueue", queue, request, QueueServiceStub::deleteQueue))
        .getMessagesDeleted();
    leaders.forgetQueue(queue);
    return deleted;
  }

  /** Drops the ready messages (unacked ones stay); returns how many went. */
  public long purgeQueue(String queue) {
    PurgeQueueRequest request = PurgeQueueRequest.newBuilder().setQueue(queue).build();
    return await(queueCall("PurgeQueue", queue, request, QueueServiceStub::purgeQueue))
        .getMessagesPurged();
  }

  // ---- publish ------------------------------------------------------------------------

  public CompletableFuture<PublishConfirm> publish(String queue, byte[] body) {
    return publish(queue, body, Map.of());
  }

  public CompletableFuture<PublishConfirm> publish(String queue, byte[] body,
      Map<String, String> headers) {
    Message message = Message.newBuilder()
        .setBody(ByteString.copyFrom(body)).putAllHeaders(headers).build();
    return publishBatch(queue, List.of(message));
  }

  /**
   * Publishes the messages as one transaction: the server stores all of them or none.
   *
   * @return completes with the offsets once the server confirms; exceptionally with
   *     {@link PublishTimeoutException} when no confirm came before the deadline, with
   *     {@link QueueFullException} when the queue is full and refuses publishes (not retried),
   *     or with {@link QraftException} when the server refused the publish otherwise
   */
  public CompletableFuture<PublishConfirm> publishBatch(String queue, List<Message> messages) {
    Objects.requireNonNull(queue, "queue");
    if (messages.isEmpty()) {
      throw new IllegalArgumentException("a publish needs at least one message");
    }
    ensureOpen();
    long seq = sequence.incrementAndGet();
    PublishRequest request = PublishRequest.newBuilder()
        .setQueue(queue)
        .addAllMessages(messages)
        .setCorrelationId(seq)
        .setProducerId(producerId)
        .setSequence(seq)
        .build();
    CompletableFuture<PublishResponse> sent = start("Publish", queue, RetryPolicy.DEDUPLICATED,
        stubCall(request, QueueServiceStub::publish),
        (last, attempts) ->
            new PublishTimeoutException(queue, producerId, seq, deadline, attempts, last),
        status -> QueueFullException.ofPublish(queue, status));
    CompletableFuture<PublishConfirm> confirm =
        sent.thenApply(response -> {
          // A follower that forwarded this publish names the leader: the next ones go there.
          if (!response.getLeader().isEmpty()) {
            leaders.remember(queue, response.getLeader());
          }
          return new PublishConfirm(queue, response.getOffsetsList());
        });
    confirm.whenComplete((ignored, error) -> {
      if (confirm.isCancelled()) {
        sent.cancel(false);
      }
    });
    return confirm;
  }

  // ---- get, ack, nack -----------------------------------------------------------------

  /**
   * Fetches up to {@code count} ready messages, fewer (or none) if fewer are ready.
   *
   * @param ack settle them on delivery; without it they stay outstanding until acked,
   *     nacked, or their lease ends
   */
  public List<Delivery> get(String queue, int count, boolean ack) {
    if (count < 1) {
      throw new IllegalArgumentException("count must be at least 1, not " + count);
    }
    GetRequest request =
        GetRequest.newBuilder().setQueue(queue).setCount(count).setAck(ack).build();
    return await(queueCall("Get", queue, request, QueueServiceStub::get)).getDeliveriesList();
  }

  /**
   * Settles the deliveries; returns how many were outstanding.
   *
   * @throws QraftException FAILED_PRECONDITION when a tag is stale (redelivered meanwhile)
   */
  public int ack(String queue, List<DeliveryTag> tags) {
    AckRequest request = AckRequest.newBuilder().setQueue(queue).addAllTags(tags).build();
    return await(settleCall("Ack", queue, request, QueueServiceStub::ack)).getAcked();
  }

  /**
   * Acks what is still outstanding of these deliveries and returns how many
   * that was, never failing on a stale tag. A tag goes stale when its
   * delivery was returned to the queue (its consumer's stream broke, or the
   * leader changed) or was already acked by an earlier attempt whose answer
   * was lost; its message is (or was) delivered again with
   * {@code redelivered = true}, so skipping it keeps at-least-once. The
   * server refuses a whole ack that holds one stale tag, so on that refusal
   * the tags are acked one by one.
   */
  public int ackOutstanding(String queue, List<DeliveryTag> tags) {
    try {
      return ack(queue, tags);
    } catch (QraftException e) {
      if (e.code() != io.grpc.Status.Code.FAILED_PRECONDITION) {
        throw e;
      }
    }
    int acked = 0;
    for (DeliveryTag tag : tags) {
      try {
        acked += ack(queue, List.of(tag));
      } catch (QraftException e) {
        if (e.code() != io.grpc.Status.Code.FAILED_PRECONDITION) {
          throw e;
        }
      }
    }
    return acked;
  }

  /**
   * A publisher for one queue that keeps at most {@code window} publishes
   * waiting for their confirms: {@link Publisher#send} blocks while the
   * window is full. Every publish carries this client's producer id and its
   * own sequence, so retries across a failover are stored once. Sends that wait together
   * travel together ({@link PublishBatching#DEFAULT}).
   */
  public Publisher publisher(String queue, int window) {
    return publisher(queue, window, PublishBatching.DEFAULT);
  }

  /** A publisher to queue with at most window confirms outstanding, folding sends as batching says. */
  public Publisher publisher(String queue, int window, PublishBatching batching) {
    return new Publisher(this, queue, window, batching);
  }

  public int ack(Delivery delivery) {
    return ack(delivery.getQueue(), List.of(delivery.getTag()));
  }

  /** Returns the deliveries to the queue ({@code requeue}) or drops them; returns how many. */
  public int nack(String queue, List<DeliveryTag> tags, boolean requeue) {
    NackRequest request = NackRequest.newBuilder()
        .setQueue(queue).addAllTags(tags).setRequeue(requeue).build();
    return await(settleCall("Nack", queue, request, QueueServiceStub::nack)).getNacked();
  }

  public int nack(Delivery delivery, boolean requeue) {
    return nack(delivery.getQueue(), List.of(delivery.getTag()), requeue);
  }

  /**
   * Returns the deliveries to the queue, ready again only after {@code requeueAfter} (a retry
   * with backoff; zero: at once); returns how many. Whole milliseconds, at most a day.
   *
   * @throws IllegalArgumentException when the delay is negative or longer than a day
   */
  public int nack(String queue, List<DeliveryTag> tags, Duration requeueAfter) {
    long ms = millis(requeueAfter, "requeue delay", HardLimits.REQUEUE_AFTER_MS);
    NackRequest request = NackRequest.newBuilder()
        .setQueue(queue).addAllTags(tags).setRequeue(true).setRequeueAfterMs(ms).build();
    return await(settleCall("Nack", queue, request, QueueServiceStub::nack)).getNacked();
  }

  public int nack(Delivery delivery, Duration requeueAfter) {
    return nack(delivery.getQueue(), List.of(delivery.getTag()), requeueAfter);
  }

  // ---- consume ------------------------------------------------------------------------

  /**
   * Starts a push consumer; returns at once, before the stream is open.
   *
   * @param prefetch most deliveries outstanding at once; 0 lets the server choose (100)
   */
  public Consumer consume(String queue, int prefetch, DeliveryHandler handler) {
    return consume(queue, prefetch, Duration.ZERO, handler);
  }

  /**
   * As {@link #consume(String, int, DeliveryHandler)}, with a consumer timeout of this
   * consumer's own: a delivery it neither acks nor nacks within {@code consumerTimeout} goes
   * back to the queue and the server ends the consumer, which then stops (no resubscribe):
   * {@link Consumer#terminated()} fails with DEADLINE_EXCEEDED and the server's message. The
   * queue's own consumer-timeout applies too, the smaller of the two winning; zero leaves only
   * the queue's. Whole milliseconds, at most 2^32 - 1 (about 49 days).
   *
   * @throws IllegalArgumentException when the timeout is negative or too long
   */
  public Consumer consume(String queue, int prefetch, Duration consumerTimeout, DeliveryHandler handler) {
    Objects.requireNonNull(queue, "queue");
    Objects.requireNonNull(handler, "handler");
    if (prefetch < 0) {
      throw new IllegalArgumentException("prefetch cannot be negative: " + prefetch);
    }
    long timeoutMs = millis(consumerTimeout, "consumer timeout", HardLimits.CONSUMER_TIMEOUT_MS);
    ensureOpen();
    Consumer consumer = new Consumer(queue, prefetch, timeoutMs, handler, channels,
        new Route(queue, leaders, backoff), scheduler, consumers);
    consumers.add(consumer);
    consumer.start();
    return consumer;
  }

  // ---- admin --------------------------------------------------------------------------

  public ClusterStatusResponse clusterStatus() {
    ClusterStatusRequest request = ClusterStatusRequest.getDefaultInstance();
    return await(adminCall("ClusterStatus", request, AdminServiceStub::clusterStatus));
  }

  public ListQueuesResponse listQueues() {
    ListQueuesRequest request = ListQueuesRequest.getDefaultInstance();
    return await(adminCall("ListQueues", request, AdminServiceStub::listQueues));
  }

  // ---- lifecycle ----------------------------------------------------------------------

  /**
   * Stops the consumers, fails calls in flight with CANCELLED (a publish among them may or
   * may not have been stored) and shuts the channels down, waiting a few seconds at most.
   */
  @Override
  public void close() {
    if (!closed.compareAndSet(false, true)) {
      return;
    }
    List.copyOf(consumers).forEach(Consumer::close);
    List.copyOf(inFlight).forEach(call -> call.abort("the client is closed"));
    scheduler.shutdownNow();
    channels.close();
  }

  // ---- plumbing -----------------------------------------------------------------------

  private static Function<String, ManagedChannel> netty(ChannelCredentials credentials,
      Duration keepAliveTime, Duration keepAliveTimeout) {
    return address -> NettyChannelBuilder.forTarget(address, credentials)
        .keepAliveTime(keepAliveTime.toNanos(), TimeUnit.NANOSECONDS)
        .keepAliveTimeout(keepAliveTimeout.toNanos(), TimeUnit.NANOSECONDS)
        .build();
  }

  /** A generated async stub method, such as {@code QueueServiceStub::publish}. */
  @FunctionalInterface
  private interface StubMethod<S, Q, R> {
    void call(S stub, Q request, StreamObserver<R> observer);
  }

  private static <Q, R> RetryingCall.Rpc<R> stubCall(Q request,
      StubMethod<QueueServiceStub, Q, R> method) {
    return (channel, deadline, observer) ->
        method.call(QueueServiceGrpc.newStub(channel).withDeadline(deadline), request, observer);
  }

  private <Q, R> CompletableFuture<R> queueCall(String name, String queue, Q request,
      StubMethod<QueueServiceStub, Q, R> method) {
    return call(name, queue, stubCall(request, method));
  }

  /** An ack or nack: repeated also when the connection closed under it ({@link RetryPolicy#SETTLE}). */
  private <Q, R> CompletableFuture<R> settleCall(String name, String queue, Q request,
      StubMethod<QueueServiceStub, Q, R> method) {
    return call(name, queue, RetryPolicy.SETTLE, stubCall(request, method));
  }

  private <Q, R> CompletableFuture<R> adminCall(String name, Q request,
      StubMethod<AdminServiceStub, Q, R> method) {
    return call(name, LeaderCache.ANY_QUEUE, (channel, deadline, observer) ->
        method.call(AdminServiceGrpc.newStub(channel).withDeadline(deadline), request, observer));
  }

  private <T> CompletableFuture<T> call(String name, String routeKey, RetryingCall.Rpc<T> rpc) {
    return call(name, routeKey, RetryPolicy.ROUTING, rpc);
  }

  private <T> CompletableFuture<T> call(String name, String routeKey, RetryPolicy policy, RetryingCall.Rpc<T> rpc) {
    return start(name, routeKey, policy, rpc, (last, attempts) ->
        new QraftException(last.getCode(), last.getDescription(),
            name + " failed: " + last.getCode() + ": " + last.getDescription() + " (gave up after "
                + attempts + " attempt(s) within " + deadline.toMillis() + " ms)",
            last.getCause()),
        QraftException::from);
  }

  private <T> CompletableFuture<T> start(String name, String routeKey, RetryPolicy policy,
      RetryingCall.Rpc<T> rpc, RetryingCall.OutOfTime outOfTime, RetryingCall.Refused refused) {
    Objects.requireNonNull(routeKey, "queue");
    ensureOpen();
    RetryingCall<T> call = new RetryingCall<>(name, rpc, policy,
        new Route(routeKey, leaders, backoff),
        Deadline.after(deadline.toNanos(), TimeUnit.NANOSECONDS), channels, scheduler, outOfTime, refused,
        policy == RetryPolicy.DEDUPLICATED ? attemptTimeout : null);
    inFlight.add(call);
    CompletableFuture<T> result = call.start();
    result.whenComplete((value, error) -> inFlight.remove(call));
    return result;
  }

  /** The duration in whole milliseconds, checked against 0 and max (ms) on the way. */
  private static long millis(Duration duration, String what, long max) {
    Objects.requireNonNull(duration, what);
    if (duration.isNegative()) {
      throw new IllegalArgumentException(what + " cannot be negative: " + duration);
    }
    // Compared as a duration first: toMillis of a very long one would overflow.
    if (duration.compareTo(Duration.ofMillis(max)) > 0) {
      throw new IllegalArgumentException(what + " is at most " + max + " ms, not " + duration);
    }
    return duration.toMillis();
  }

  private void ensureOpen() {
    if (closed.get()) {
      throw new IllegalStateException("the client is closed");
    }
  }

  private static <T> T await(CompletableFuture<T> future) {
    try {
      return future.get();
    } catch (InterruptedException e) {
      future.cancel(false);
      Thread.currentThread().interrupt();
      throw new QraftException(Status.Code.CANCELLED, "interrupted while waiting for the server",
          "interrupted while waiting for the server", e);
    } catch (ExecutionException e) {
      if (e.getCause() instanceof QraftException failure) {
        throw failure.rethrownHere();
      }
      throw new QraftException(Status.Code.UNKNOWN, String.valueOf(e.getCause()),
          "call failed: " + e.getCause(), e.getCause());
    }
  }

  /**
   * Settings of a {@link QraftClient}. Defaults: a 10 s deadline per call, backoff from 50 ms
   * to 1 s, a keepalive ping after 5 minutes without traffic (what gRPC servers allow by
   * default) with 20 s to answer it.
   */
  public static final class Builder {

    private List<String> addresses = List.of();
    private Duration deadline = Duration.ofSeconds(10);
    private Duration attemptTimeout = Duration.ofSeconds(5);
    private Duration initialBackoff = Duration.ofMillis(50);
    private Duration maxBackoff = Duration.ofSeconds(1);
    // The server permits a ping every 5 s; a dead connection is noticed within time + timeout.
    private Duration keepAliveTime = Duration.ofSeconds(10);
    private Duration keepAliveTimeout = Duration.ofSeconds(5);
    private Function<String, ManagedChannel> channelFactory;
    private ChannelCredentials credentials = InsecureChannelCredentials.create();
    private String user;
    private String password;
    private BasicCredentials callCredentials;

    private Builder() {}

    /**
     * Send this user name and password with every call and stream ({@code authorization: Basic},
     * RFC 7617), to nodes that authenticate their clients. They are sent only over TLS (see
     * {@link #tls(Path)}) or to a loopback address (127.0.0.0/8, ::1, localhost): on a plaintext
     * channel to any other address a call fails with UNAUTHENTICATED and nothing is sent.
     * {@link #build()} checks them: the user non-empty, without ':' or control characters; the
     * password non-empty, without control characters.
     */
    public Builder credentials(String user, String password) {
      this.user = Objects.requireNonNull(user, "user");
      this.password = Objects.requireNonNull(password, "password");
      this.callCredentials = null;
      return this;
    }

    /** As {@link #credentials(String, String)}, already checked; for tools that made them. */
    public Builder credentials(BasicCredentials credentials) {
      this.callCredentials = Objects.requireNonNull(credentials, "credentials");
      this.user = null;
      this.password = null;
      return this;
    }

    /**
     * Talk to the nodes over TLS, trusting the certificates that chain to the CA certificates in
     * {@code caFile} (PEM; a cluster with {@code tls.ca_file} set, e.g. made by
     * {@code bin/qraft-certs}: its {@code ca.pem}). A node's certificate must name the host of
     * the address the client uses (IP or DNS subject alternative name). Without a call to one of
     * the {@code tls} methods the client uses plaintext, which a TLS node refuses.
     *
     * @throws IllegalArgumentException when the file cannot be read
     */
    public Builder tls(Path caFile) {
      return tlsCredentials(caFile, null, null);
    }

    /**
     * TLS as {@link #tls(Path)}, presenting a client certificate too ({@code certFile}: PEM
     * chain; {@code keyFile}: its PEM PKCS#8 key), for nodes that check client certificates.
     *
     * @throws IllegalArgumentException when a file cannot be read
     */
    public Builder tls(Path caFile, Path certFile, Path keyFile) {
      return tlsCredentials(caFile, Objects.requireNonNull(certFile, "certFile"),
          Objects.requireNonNull(keyFile, "keyFile"));
    }

    /**
     * TLS trusting the JVM's default CA certificates (the JDK's cacerts): for nodes whose
     * certificates come from a public CA. A cluster with a private CA refuses the handshake.
     */
    public Builder tls() {
      this.credentials = TlsChannelCredentials.create();
      return this;
    }

    private Builder tlsCredentials(Path caFile, Path certFile, Path keyFile) {
      this.credentials = TlsCredentials.of(caFile, certFile, keyFile);
      return this;
    }

    /** Client addresses ("host:port") of some or all nodes; at least one. */
    public Builder addresses(List<String> addresses) {
      this.addresses = List.copyOf(addresses);
      return this;
    }

    public Builder addresses(String... addresses) {
      return addresses(List.of(addresses));
    }

    /** Time a call has, retries included, before it fails. */
    public Builder deadline(Duration deadline) {
      this.deadline = positive(deadline, "deadline");
      return this;
    }

    /**
     * Most time one attempt of a publish waits on one node before the publish is sent again,
     * to another node if there is one (default 5 s; never more than what is left of the
     * deadline). This is what bounds the pause when a leader stops answering without closing
     * its connections (a paused process, a partition). A retried publish carries the same
     * producer id and sequence, so the cluster stores it once as long as the abandoned attempt
     * lands within the deduplication window (five minutes); an attempt landing later is stored
     * again (a duplicate, never a loss).
     */
    public Builder attemptTimeout(Duration attemptTimeout) {
      this.attemptTimeout = positive(attemptTimeout, "attempt timeout");
      return this;
    }

    /** First wait before a retry, and the most it grows to. */
    public Builder backoff(Duration initial, Duration max) {
      this.initialBackoff = positive(initial, "initial backoff");
      this.maxBackoff = positive(max, "max backoff");
      return this;
    }

    /**
     * Ping a node after {@code time} without traffic and drop the connection when no answer
     * comes within {@code timeout}; lets a consumer notice a node that vanished. The server
     * must permit pings that often, or it closes the connection.
     */
    public Builder keepAlive(Duration time, Duration timeout) {
      this.keepAliveTime = positive(time, "keepalive time");
      this.keepAliveTimeout = positive(timeout, "keepalive timeout");
      return this;
    }

    /** Makes the channel to an address; the client shuts the channels down on close. */
    Builder channelFactory(Function<String, ManagedChannel> channelFactory) {
      this.channelFactory = Objects.requireNonNull(channelFactory);
      return this;
    }

    public QraftClient build() {
      if (addresses.isEmpty()) {
        throw new IllegalArgumentException("give at least one node address (host:port)");
      }
      if (addresses.stream().anyMatch(a -> a == null || a.isBlank())) {
        throw new IllegalArgumentException("node addresses cannot be blank: " + addresses);
      }
      if (maxBackoff.compareTo(initialBackoff) < 0) {
        throw new IllegalArgumentException("max backoff " + maxBackoff
            + " is below the initial backoff " + initialBackoff);
      }
      BasicCredentials checked =
          user != null ? new BasicCredentials(user, password) : callCredentials;
      return new QraftClient(this, checked);
    }

    private static Duration positive(Duration value, String what) {
      if (value.isNegative() || value.isZero()) {
        throw new IllegalArgumentException(what + " must be positive, not " + value);
      }
      return value;
    }
  }
}
