package io.qraft.ops.server;

import io.qraft.api.log.v1.QueueDef;
import io.qraft.log.ReplicatedLog;
import io.qraft.log.RequestException;
import io.qraft.statemachine.Status;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import java.util.function.Predicate;

/**
 * Waits of the admin calls (a replica change taking effect, a queue synchronising, a forgotten
 * node's shards settling) as futures polled on one timer thread, so that a call waiting up to a
 * minute holds no gRPC thread meanwhile.
 *
 * <p>Thread-safe; the timer is shared by every node in the process and is a daemon.
 */
final class QueueWaits {
  static final long POLL_MS = 100;
  /** How long replica changes, syncs and rebalances wait for their queues before answering. */
  static final long CHANGE_WAIT_MS = 30_000;

  private static final ScheduledExecutorService TIMER = Executors.newSingleThreadScheduledExecutor(r -> {
    Thread t = new Thread(r, "qraft-admin-waits");
    t.setDaemon(true);
    return t;
  });

  /** Where answers are built once a wait ends: building one asks every node, which the timer must not wait for. */
  private static final java.util.concurrent.ExecutorService ANSWERS = Executors.newCachedThreadPool(r -> {
    Thread t = new Thread(r, "qraft-admin-answers");
    t.setDaemon(true);
    return t;
  });

  private QueueWaits() {}

  static java.util.concurrent.Executor answers() {
    return ANSWERS;
  }

  /**
   * True once {@code done} holds, false when it still does not at the deadline
   * ({@link System#nanoTime}); failed with what {@code done} threw.
   */
  static CompletableFuture<Boolean> until(BooleanSupplier done, long deadline) {
    CompletableFuture<Boolean> result = new CompletableFuture<>();
    poll(done, deadline, result);
    return result;
  }

  private static void poll(BooleanSupplier done, long deadline, CompletableFuture<Boolean> result) {
    try {
      if (done.getAsBoolean()) {
        result.complete(true);
      } else if (System.nanoTime() - deadline > 0) {
        result.complete(false);
      } else {
        TIMER.schedule(() -> poll(done, deadline, result), POLL_MS, TimeUnit.MILLISECONDS);
      }
    } catch (RuntimeException e) {
      result.completeExceptionally(e);
    }
  }

  /** As {@link #until}, on the queue's definition; failed with NOT_FOUND if the queue is deleted meanwhile. */
  static CompletableFuture<Boolean> queue(ReplicatedLog log, String queue, long deadline, Predicate<QueueDef> done) {
    return until(() -> {
      QueueDef def = log.metadata().queue(queue);
      if (def == null) {
        throw new RequestException(Status.NOT_FOUND, "queue '" + queue + "' was deleted meanwhile");
      }
      return done.test(def);
    }, deadline);
  }

  /** The deadline ({@link System#nanoTime}) that many milliseconds from now. */
  static long in(long ms) {
    return System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(ms);
  }
}
