package io.qraft.log;

import io.qraft.api.log.v1.Enqueue;
import io.qraft.api.log.v1.PublishResult;
import io.qraft.api.log.v1.QueuePublish;
import io.qraft.api.log.v1.ShardCommand;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Gathers the publishes bound for one group, across all its queues, into
 * Enqueue log entries: many messages share one append, one replication round
 * and one fsync per replica, and many quiet queues still share fsyncs.
 *
 * <p>Cutting rules: a batch is cut when it holds the fewest
 * {@link BatchLimits#maxMessages} or {@link BatchLimits#maxBytes} among its
 * queues' limits; otherwise, with a linger of 0, as soon as fewer than
 * {@code maxInFlight} entries of this group are in the log's hands (so a lone
 * message is sent at once, and under load the next batch fills while the
 * previous one is being replicated); with a linger, when the linger of its
 * first message has passed. Each publish stays all-or-nothing (one
 * QueuePublish in the entry) and gets its own result.
 *
 * <p>Thread-safe; submission to the log happens outside the lock.
 */
final class PublishBatcher {
  private final EntrySink sink;
  private final ScheduledExecutorService timer;
  private final int maxInFlight;
  /** ack-mode local: results complete when the leader's log has flushed the entry. */
  private final boolean local;
  private final AtomicLong pendingBytes = new AtomicLong();
  private final AtomicLong batches = new AtomicLong();
  private final AtomicLong publishes = new AtomicLong();

  private final Object lock = new Object();
  private List<Pending> open = new ArrayList<>();
  private long openBytes;
  private int openMessages;
  private int cutMessages = Integer.MAX_VALUE;
  private long cutBytes = Long.MAX_VALUE;
  private long lingerMs = Long.MAX_VALUE;
  private ScheduledFuture<?> lingerTimer;
  private int inFlight;

  private record Pending(QueuePublish publish, long bytes, CompletableFuture<PublishResult> result,
      java.util.concurrent.atomic.AtomicBoolean counted) {
    Pending(QueuePublish publish, long bytes, CompletableFuture<PublishResult> result) {
      this(publish, bytes, result, new java.util.concurrent.atomic.AtomicBoolean());
    }
  }

  PublishBatcher(EntrySink sink, ScheduledExecutorService timer, int maxInFlight, boolean local) {
    this.sink = sink;
    this.timer = timer;
    this.maxInFlight = maxInFlight;
    this.local = local;
  }

  /** Bytes accepted and not yet answered: what flow control looks at. */
  long pendingBytes() {
    return pendingBytes.get();
  }

  CompletableFuture<PublishResult> publish(QueuePublish publish, BatchLimits limits) {
    long bytes = publish.getSerializedSize();
    Pending p = new Pending(publish, bytes, new CompletableFuture<>());
    pendingBytes.addAndGet(bytes);
    List<Pending> toSend = null;
    synchronized (lock) {
      open.add(p);
      openBytes += bytes;
      openMessages += publish.getMessagesCount();
      cutMessages = Math.min(cutMessages, limits.maxMessages());
      cutBytes = Math.min(cutBytes, limits.maxBytes());
      lingerMs = Math.min(lingerMs, limits.lingerMs());
      if (openMessages >= cutMessages || openBytes >= cutBytes) {
        toSend = cut();
      } else if (lingerMs == 0) {
        if (inFlight < maxInFlight) {
          toSend = cut();
        }
      } else if (lingerTimer == null) {
        lingerTimer = timer.schedule(this::lingerExpired, lingerMs, TimeUnit.MILLISECONDS);
      }
    }
    if (toSend != null) {
      send(toSend);
    }
    return p.result;
  }

  private void lingerExpired() {
    List<Pending> toSend;
    synchronized (lock) {
      lingerTimer = null;
      toSend = cut();
    }
    if (toSend != null) {
      send(toSend);
    }
  }

  /** Takes the open batch (lock held); null if it is empty. */
  private List<Pending> cut() {
    if (open.isEmpty()) {
      return null;
    }
    List<Pending> batch = open;
    open = new ArrayList<>();
    openBytes = 0;
    openMessages = 0;
    cutMessages = Integer.MAX_VALUE;
    cutBytes = Long.MAX_VALUE;
    lingerMs = Long.MAX_VALUE;
    if (lingerTimer != null) {
      lingerTimer.cancel(false);
      lingerTimer = null;
    }
    inFlight++;
    return batch;
  }

  /** Batches sent and publishes they carried, since start. */
  long[] counts() {
    return new long[] {batches.get(), publishes.get()};
  }

  private void send(List<Pending> batch) {
    batches.incrementAndGet();
    publishes.addAndGet(batch.size());
    Enqueue.Builder enqueue = Enqueue.newBuilder();
    batch.forEach(p -> enqueue.addPublishes(p.publish));
    ShardCommand command = ShardCommand.newBuilder().setLeaderTimeMs(System.currentTimeMillis())
        .setEnqueue(enqueue).build();
    if (local) {
      sendLocal(batch, command);
      return;
    }
    sink.submit(command).whenComplete((result, error) -> {
      try {
        answer(batch, result, error);
      } finally {
        landed();
      }
    });
  }

  /**
   * Local ack mode: each publish is answered when the leader's log has flushed
   * the entry (without offsets: they are assigned when the entry is applied),
   * or by the applied result if that comes first.
   */
  private void sendLocal(List<Pending> batch, ShardCommand command) {
    CompletableFuture<?>[] futures;
    try {
      futures = sink.submitFlushed(command);
    } catch (RuntimeException e) {
      answer(batch, null, e);
      landed();
      return;
    }
    java.util.concurrent.atomic.AtomicBoolean counted = new java.util.concurrent.atomic.AtomicBoolean();
    futures[0].whenComplete((ok, error) -> {
      if (error == null) {
        batch.forEach(p -> p.result.complete(PublishResult.getDefaultInstance()));
      }
      if (counted.compareAndSet(false, true)) {
        landed();
      }
    });
    @SuppressWarnings("unchecked")
    CompletableFuture<io.qraft.api.log.v1.ShardResult> reply = (CompletableFuture<io.qraft.api.log.v1.ShardResult>) futures[1];
    reply.whenComplete((result, error) -> {
      try {
        answer(batch, result, error);
      } finally {
        if (counted.compareAndSet(false, true)) {
          landed();
        }
      }
    });
  }

  private void answer(List<Pending> batch, io.qraft.api.log.v1.ShardResult result, Throwable error) {
    for (int i = 0; i < batch.size(); i++) {
      Pending p = batch.get(i);
      if (p.counted.compareAndSet(false, true)) {
        pendingBytes.addAndGet(-p.bytes);
      }
      if (error != null) {
        p.result.completeExceptionally(error);
      } else if (result.getErrorCode() != 0) {
        p.result.completeExceptionally(new RequestException(result.getErrorCode(), result.getErrorMessage()));
      } else if (i >= result.getPublishesCount()) {
        // An entry replayed after a restart is answered empty; its publishes' outcome is unknown here.
        p.result.completeExceptionally(new LogUnavailableException(
            "the log answered without a result for this publish; it may or may not be stored: retry", null));
      } else {
        p.result.complete(result.getPublishes(i));
      }
    }
  }

  /** One of this batcher's entries left its hands: cut the next batch if it waits for room. */
  private void landed() {
    List<Pending> next = null;
    synchronized (lock) {
      inFlight--;
      if (lingerMs == 0 && inFlight < maxInFlight) {
        next = cut();
      }
    }
    if (next != null) {
      send(next);
    }
  }
}
