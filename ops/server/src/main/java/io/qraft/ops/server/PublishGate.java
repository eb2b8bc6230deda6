package io.qraft.ops.server;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.BooleanSupplier;
import java.util.function.Predicate;
import java.util.function.Supplier;

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
  private final ConcurrentMap<G, Object> locks = new ConcurrentHashMap<>();

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
   * For a unary publish of size bytes: hands it to the log with handOff once the group's log
   * is not behind, and completes as that does; or fails with {@link Refused}, or with
   * CANCELLED once cancelled says the caller went away.
   *
   * <p>The look at the log and the hand-off happen under one lock per group: the log counts
   * a publish only once it is handed to its batch, so callers that looked at the same moment
   * would otherwise all pass, and the log could end up that many publishes over its limit.
   * With the lock it goes over by at most the one publish that was let through just under it.
   * handOff must not block (it adds the publish to a batch and at most sends one).
   */
  <T> CompletableFuture<T> admit(G group, long size, BooleanSupplier cancelled,
      Supplier<CompletableFuture<T>> handOff) {
    Object lock = locks.computeIfAbsent(group, g -> new Object());
    CompletableFuture<T> sent = handOffIfCaughtUp(group, lock, handOff);
    if (sent != null) {
      return sent;
    }
    if (waiting.addAndGet(size) > waitingLimit) {
      waiting.addAndGet(-size);
      return CompletableFuture.failedFuture(new Refused());
    }
    CompletableFuture<T> result = new CompletableFuture<>();
    timer.schedule(() -> pollToAdmit(group, lock, size, cancelled, handOff, result), POLL_MS, TimeUnit.MILLISECONDS);
    return result;
  }

  private <T> void pollToAdmit(G group, Object lock, long size, BooleanSupplier cancelled,
      Supplier<CompletableFuture<T>> handOff, CompletableFuture<T> result) {
    if (cancelled.getAsBoolean()) {
      waiting.addAndGet(-size);
      result.completeExceptionally(io.grpc.Status.CANCELLED.withDescription("the caller went away").asRuntimeException());
      return;
    }
    // Out of the waiting count before the hand-off: the caller's confirm may come at once,
    // and whoever looks then must not see these bytes still waiting.
    CompletableFuture<T> sent;
    synchronized (lock) {
      if (logIsBehind.test(group)) {
        sent = null;
      } else {
        waiting.addAndGet(-size);
        sent = handOff(handOff);
      }
    }
    if (sent == null) {
      timer.schedule(() -> pollToAdmit(group, lock, size, cancelled, handOff, result), POLL_MS, TimeUnit.MILLISECONDS);
    } else {
      sent.whenComplete((v, e) -> {
        if (e != null) {
          result.completeExceptionally(e);
        } else {
          result.complete(v);
        }
      });
    }
  }

  /** The hand-off's future if the log is not behind (checked under the group's lock), else null. */
  private <T> CompletableFuture<T> handOffIfCaughtUp(G group, Object lock, Supplier<CompletableFuture<T>> handOff) {
    synchronized (lock) {
      return logIsBehind.test(group) ? null : handOff(handOff);
    }
  }

  private static <T> CompletableFuture<T> handOff(Supplier<CompletableFuture<T>> handOff) {
    try {
      return handOff.get();
    } catch (RuntimeException e) {
      return CompletableFuture.failedFuture(e);
    }
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
