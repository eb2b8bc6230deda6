package io.qraft.client;

import io.grpc.Channel;
import io.grpc.Deadline;
import io.grpc.Status;
import io.grpc.stub.ClientCallStreamObserver;
import io.grpc.stub.ClientResponseObserver;
import io.grpc.stub.StreamObserver;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One unary call, attempted on node after node until it succeeds, fails with a status the
 * {@link RetryPolicy} does not retry, or runs out of time.
 *
 * <p>Guarantees: the future completes exactly once, at the latest when the deadline passes
 * (every attempt carries it, and no retry is scheduled past it); at most one attempt is in
 * flight; the request is sent unchanged on every attempt. Cancelling the future cancels
 * the attempt in flight. Nothing here blocks: attempts start on the caller's thread or the
 * retry scheduler and end on gRPC's threads.
 */
final class RetryingCall<T> {

  private static final Logger log = LoggerFactory.getLogger(RetryingCall.class);

  /** Starts one attempt on the channel, with the call's deadline, reporting to the observer. */
  @FunctionalInterface
  interface Rpc<T> {
    void start(Channel channel, Deadline deadline, StreamObserver<T> observer);
  }

  /** The failure to report when retries are still allowed but the deadline is (nearly) up. */
  @FunctionalInterface
  interface OutOfTime {
    QraftException error(Status last, int attempts);
  }

  /** The failure to report for a status the {@link RetryPolicy} does not retry. */
  @FunctionalInterface
  interface Refused {
    QraftException error(Status status);
  }

  private final String name;
  private final Rpc<T> rpc;
  private final RetryPolicy policy;
  private final Route route;
  private final Deadline deadline;
  private final ChannelPool channels;
  private final ScheduledExecutorService scheduler;
  private final OutOfTime outOfTime;
  private final Refused refused;
  /** Most time one attempt may take before it is abandoned and retried elsewhere; null: the whole deadline. */
  private final java.time.Duration attemptTimeout;
  private final CompletableFuture<T> result = new CompletableFuture<>();

  private volatile ClientCallStreamObserver<?> inFlight;
  private int attempts;

  RetryingCall(String name, Rpc<T> rpc, RetryPolicy policy, Route route, Deadline deadline,
      ChannelPool channels, ScheduledExecutorService scheduler, OutOfTime outOfTime, Refused refused,
      java.time.Duration attemptTimeout) {
    this.attemptTimeout = attemptTimeout;
    this.name = name;
    this.rpc = rpc;
    this.policy = policy;
    this.route = route;
    this.deadline = deadline;
    this.channels = channels;
    this.scheduler = scheduler;
    this.outOfTime = outOfTime;
    this.refused = refused;
  }

  CompletableFuture<T> start() {
    result.whenComplete((value, error) -> {
      if (result.isCancelled()) {
        cancelInFlight("cancelled by the caller");
      }
    });
    attempt();
    return result;
  }

  /** Ends the call now with CANCELLED, for example because the client closes. */
  void abort(String why) {
    if (result.completeExceptionally(new QraftException(Status.Code.CANCELLED, why))) {
      cancelInFlight(why);
    }
  }

  private void attempt() {
    if (result.isDone()) {
      return;
    }
    attempts++;
    Attempt attempt = new Attempt();
    try {
      Deadline attemptDeadline = deadline;
      if (attemptTimeout != null) {
        // A node that took the call and then went silent (paused, cut off) must not hold the
        // call for its whole deadline: give up on it and try another node.
        Deadline capped = Deadline.after(attemptTimeout.toNanos(), TimeUnit.NANOSECONDS);
        attemptDeadline = capped.isBefore(deadline) ? capped : deadline;
      }
      rpc.start(channels.channel(route.address()), attemptDeadline, attempt);
    } catch (QraftException closed) {
      result.completeExceptionally(closed);
      return;
    } catch (RuntimeException bug) {
      // Thrown on the retry scheduler it would be lost and the caller would wait forever.
      result.completeExceptionally(new QraftException(Status.Code.UNKNOWN, String.valueOf(bug),
          "could not start " + name + ": " + bug, bug));
      return;
    }
    // The call may have been cancelled or aborted while this attempt was being started.
    if (result.isDone()) {
      attempt.cancel("the call already ended");
    }
  }

  private void failed(Throwable error) {
    Status status = Status.fromThrowable(error);
    if (!policy.retries(status)) {
      result.completeExceptionally(refused.error(status));
      return;
    }
    String failedAt = route.address();
    long delay = route.failed(LeaderHint.from(error));
    if (deadline.timeRemaining(TimeUnit.NANOSECONDS) <= delay) {
      result.completeExceptionally(outOfTime.error(status, attempts));
      return;
    }
    log.debug("{} failed at {} ({}: {}); attempt {} goes to {} in {} ms", name, failedAt,
        status.getCode(), status.getDescription(), attempts + 1, route.address(),
        TimeUnit.NANOSECONDS.toMillis(delay));
    try {
      scheduler.schedule(this::attempt, delay, TimeUnit.NANOSECONDS);
    } catch (RejectedExecutionException closed) {
      result.completeExceptionally(ChannelPool.closedError());
    }
  }

  private void cancelInFlight(String why) {
    ClientCallStreamObserver<?> call = inFlight;
    if (call != null) {
      call.cancel(why, null);
    }
  }

  /** Receives the outcome of one attempt. */
  private final class Attempt implements ClientResponseObserver<Object, T> {

    private ClientCallStreamObserver<Object> call;
    private T value;

    @Override
    public void beforeStart(ClientCallStreamObserver<Object> requestStream) {
      call = requestStream;
      inFlight = requestStream;
    }

    void cancel(String why) {
      if (call != null) {
        call.cancel(why, null);
      }
    }

    @Override
    public void onNext(T response) {
      value = response;
    }

    @Override
    public void onError(Throwable error) {
      if (!result.isDone()) {
        failed(error);
      }
    }

    @Override
    public void onCompleted() {
      route.succeeded();
      result.complete(value);
    }
  }
}
