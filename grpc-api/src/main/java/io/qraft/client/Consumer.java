package io.qraft.client;

import io.grpc.Status;
import io.grpc.stub.ClientCallStreamObserver;
import io.grpc.stub.ClientResponseObserver;
import io.qraft.api.v1.ConsumeRequest;
import io.qraft.api.v1.Delivery;
import io.qraft.api.v1.QueueServiceGrpc;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A push consumer of one queue: keeps a Consume stream open on the queue's leader and hands
 * every delivery to a {@link DeliveryHandler}.
 *
 * <p>When the stream fails with UNAVAILABLE (the leader moved, the node went away) the
 * consumer subscribes again by itself: to the leader the failing node named, else to the
 * next address, after a backoff that grows while attempts keep failing. Every stream carries
 * the same consumer id, so a new leader lets the consumer keep the deliveries it holds: they
 * are sent again under their old tags (marked redelivered), acks of them still settle, and
 * this class drops a resent delivery it has handed to the handler already. Any other failure,
 * or the server ending the stream, stops the consumer; {@link #terminated()} tells which. Among
 * them DEADLINE_EXCEEDED: a delivery outlived its consumer timeout, went back to the queue, and
 * the server ended the consumer on purpose; subscribing again would hide a handler that is stuck
 * or too slow.
 *
 * <p>The handler runs on a thread of this consumer alone, one delivery at a time, in the
 * order the server sent them. Thread-safe; {@link #close()} may be called from any thread,
 * the handler included.
 */
public final class Consumer implements AutoCloseable {

  private static final Logger log = LoggerFactory.getLogger(Consumer.class);

  private final String queue;
  private final ConsumeRequest request;
  private final DeliveryHandler handler;
  private final ChannelPool channels;
  private final Route route;
  private final ScheduledExecutorService scheduler;
  private final ExecutorService dispatcher;
  private final Set<Consumer> registry;
  private final CompletableFuture<Void> terminated = new CompletableFuture<>();
  private final SeenDeliveries seen;

  private final Object lock = new Object();
  // Guarded by lock. A subscription that is not the current one is over: its late
  // callbacks are ignored.
  private Subscription current;
  private volatile boolean closed;

  /** @param consumerTimeoutMs the consumer's own consumer timeout; 0: the queue's alone */
  Consumer(String queue, int prefetch, long consumerTimeoutMs, DeliveryHandler handler, ChannelPool channels,
      Route route, ScheduledExecutorService scheduler, Set<Consumer> registry) {
    this.queue = queue;
    this.request = ConsumeRequest.newBuilder().setQueue(queue).setPrefetch(prefetch)
        .setConsumerId(java.util.UUID.randomUUID().toString()).setConsumerTimeoutMs(consumerTimeoutMs).build();
    this.seen = new SeenDeliveries(Math.max(1_024, 4 * prefetch));
    this.handler = handler;
    this.channels = channels;
    this.route = route;
    this.scheduler = scheduler;
    this.registry = registry;
    this.dispatcher =
        Executors.newSingleThreadExecutor(new DaemonThreads("qraft-consumer-" + queue));
  }

  void start() {
    subscribe();
  }

  public String queue() {
    return queue;
  }

  public boolean isClosed() {
    return closed;
  }

  /**
   * Completes when the consumer stops: normally after {@link #close()} or when the server
   * ends the stream; exceptionally, with a {@link QraftException}, after a failure it does
   * not retry (for example NOT_FOUND when the queue does not exist, or DEADLINE_EXCEEDED when
   * a delivery outlived the consumer timeout).
   */
  public CompletableFuture<Void> terminated() {
    return terminated.copy();
  }

  /**
   * Cancels the stream and stops handing out deliveries. Does not wait for a handler that
   * is running; deliveries received but not yet handled are dropped unsettled.
   */
  @Override
  public void close() {
    Subscription last;
    synchronized (lock) {
      if (closed) {
        return;
      }
      closed = true;
      last = current;
      current = null;
    }
    if (last != null) {
      last.cancel();
    }
    finish(null);
  }

  private void subscribe() {
    Subscription next;
    synchronized (lock) {
      if (closed) {
        return;
      }
      next = new Subscription(route.address());
      current = next;
    }
    try {
      QueueServiceGrpc.newStub(channels.channel(next.address)).consume(request, next);
    } catch (QraftException clientClosed) {
      stop(next, clientClosed);
      return;
    }
    // close() ran before the stream started, so it could not cancel it.
    if (closed) {
      next.cancel();
    }
  }

  private boolean isCurrent(Subscription subscription) {
    synchronized (lock) {
      return !closed && current == subscription;
    }
  }

  private void resubscribe(Subscription failed, Throwable error) {
    Status status = Status.fromThrowable(error);
    long delay = route.failed(LeaderHint.from(error));
    log.info("consumer of '{}' lost its stream at {} ({}: {}); subscribing at {} in {} ms", queue,
        failed.address, status.getCode(), status.getDescription(), route.address(),
        TimeUnit.NANOSECONDS.toMillis(delay));
    try {
      scheduler.schedule(this::subscribe, delay, TimeUnit.NANOSECONDS);
    } catch (RejectedExecutionException clientClosed) {
      stop(failed, ChannelPool.closedError());
    }
  }

  /** Stops for good on behalf of a subscription, unless it was superseded meanwhile. */
  private void stop(Subscription subscription, QraftException error) {
    synchronized (lock) {
      if (closed || current != subscription) {
        return;
      }
      closed = true;
      current = null;
    }
    if (error != null) {
      log.warn("consumer of '{}' stopped: {}", queue, error.getMessage());
    } else {
      log.info("consumer of '{}' stopped: the server ended the stream", queue);
    }
    finish(error);
  }

  private void finish(QraftException error) {
    dispatcher.shutdown();
    registry.remove(this);
    if (error == null) {
      terminated.complete(null);
    } else {
      terminated.completeExceptionally(error);
    }
  }

  private void dispatch(Delivery delivery) {
    if (!seen.firstTime(delivery)) {
      // Sent again after a leader change; the handler has it already.
      return;
    }
    try {
      dispatcher.execute(() -> handle(delivery));
    } catch (RejectedExecutionException closedMeanwhile) {
      // The stream is being cancelled; the server redelivers what we did not settle.
    }
  }

  private void handle(Delivery delivery) {
    if (closed) {
      return;
    }
    try {
      handler.handle(delivery);
    } catch (Exception e) {
      log.warn("handler of queue '{}' failed on offset {} (delivery {}); left unsettled", queue,
          delivery.getTag().getOffset(), delivery.getTag().getDeliveryCount(), e);
    }
  }

  /** One Consume stream on one node. */
  private final class Subscription implements ClientResponseObserver<ConsumeRequest, Delivery> {

    final String address;
    private volatile ClientCallStreamObserver<ConsumeRequest> call;
    private boolean delivered;

    Subscription(String address) {
      this.address = address;
    }

    @Override
    public void beforeStart(ClientCallStreamObserver<ConsumeRequest> requestStream) {
      call = requestStream;
    }

    void cancel() {
      ClientCallStreamObserver<ConsumeRequest> started = call;
      if (started != null) {
        started.cancel("consumer closed", null);
      }
    }

    @Override
    public void onNext(Delivery delivery) {
      if (!isCurrent(this)) {
        return;
      }
      // A delivery is the only sign that this node serves the queue.
      if (!delivered) {
        delivered = true;
        route.succeeded();
      }
      dispatch(delivery);
    }

    @Override
    public void onError(Throwable error) {
      if (!isCurrent(this)) {
        return;
      }
      Status status = Status.fromThrowable(error);
      // UNAVAILABLE, or the connection closing under the stream (a node killed), is a
      // failover. DEADLINE_EXCEEDED (a consumer timeout) and every other code end the
      // consumer, and terminated() carries the server's message.
      if (status.getCode() == Status.Code.UNAVAILABLE || RetryPolicy.lostConnection(status)) {
        resubscribe(this, error);
      } else {
        stop(this, QraftException.from(status));
      }
    }

    @Override
    public void onCompleted() {
      if (isCurrent(this)) {
        stop(this, null);
      }
    }
  }
}
