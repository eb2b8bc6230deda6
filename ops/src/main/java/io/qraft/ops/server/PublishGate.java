package io.qraft.ops.server;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.BooleanSupplier;
import java.util.function.Predicate;

/**
 * Flow control of one node's publishes: a publish for a group whose log is behind (its
 * accepted-and-unanswered bytes over flow.max_pending_bytes) waits here until the log catches
 * up. Streams wait without reading their next request, so they hold nothing; a unary publish
 * arrives whole, so the unary publishes waiting on the node may add up to a limit of their own,
 * and one beyond it is {@link Refused} (the SDK retries it after a backoff). Memory for
 * publishes is thus bounded by the pending limit plus the waiting limit. Thread-safe.
 *
 * @param <G> how a group is named
 */
final class PublishGate<G> {
  private static final long POLL_MS = 1;

  /** A unary publish refused because the node already holds as many waiting publishes as it may. */
  static final class Refused extends RuntimeException {
    Refused() {
      super("flow control: the queue's log is behind and this node holds as many waiting publishes as"
          + " flow.max_pending_bytes allows; retry after a pause", null, false, false);
    }
  }

  private final Predicate<G> logIsBehind;
  private final long waitingLimit;
  private final ScheduledExecutorService timer;
  private final AtomicLong waiting = new AtomicLong();

  /**
   * @param logIsBehind whether the group's publishes must wait now
   * @param waitingLimit bytes of unary publishes that may wait on this node at once
   */
  PublishGate(Predicate<G> logIsBehind, long waitingLimit) {
    this(logIsBehind, waitingLimit, Executors.newSingleThreadScheduledExecutor(r -> {
      Thread t = new Thread(r, "qraft-flow-control");
      t.setDaemon(true);
      return t;
    }));
  }

  PublishGate(Predicate<G> logIsBehind, long waitingLimit, ScheduledExecutorService timer) {
    this.logIsBehind = logIsBehind;
    this.waitingLimit = waitingLimit;
    this.timer = timer;
  }

  /**
   * For a unary publish of size bytes: completes when it may go to the log, or fails with
   * {@link Refused}, or with CANCELLED once cancelled says the caller went away.
   */
  CompletableFuture<Void> admit(G group, long size, BooleanSupplier cancelled) {
    if (!logIsBehind.test(group)) {
      return CompletableFuture.completedFuture(null);
    }
    if (waiting.addAndGet(size) > waitingLimit) {
      waiting.addAndGet(-size);
      return CompletableFuture.failedFuture(new Refused());
    }
    // The caller goes on only after its bytes left the count: a dependent registered on `ready`
    // itself could run first and see them still waiting.
    return whenCaughtUp(group, cancelled).whenComplete((v, e) -> waiting.addAndGet(-size));
  }

  /** Completes once the group's log is no longer behind, or fails with CANCELLED once cancelled. */
  CompletableFuture<Void> whenCaughtUp(G group, BooleanSupplier cancelled) {
    CompletableFuture<Void> ready = new CompletableFuture<>();
    poll(group, cancelled, ready);
    return ready;
  }

  /** Bytes of unary publishes waiting now. */
  long waitingBytes() {
    return waiting.get();
  }

  private void poll(G group, BooleanSupplier cancelled, CompletableFuture<Void> ready) {
    if (!logIsBehind.test(group)) {
      ready.complete(null);
    } else if (cancelled.getAsBoolean()) {
      ready.completeExceptionally(io.grpc.Status.CANCELLED.withDescription("the caller went away").asRuntimeException());
    } else {
      timer.schedule(() -> poll(group, cancelled, ready), POLL_MS, TimeUnit.MILLISECONDS);
    }
  }
}
