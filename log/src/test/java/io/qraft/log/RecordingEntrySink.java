package io.qraft.log;

import io.qraft.api.log.v1.PublishResult;
import io.qraft.api.log.v1.QueuePublish;
import io.qraft.api.log.v1.ShardCommand;
import io.qraft.api.log.v1.ShardResult;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;

/**
 * An {@link EntrySink} test double: records every entry a {@link PublishBatcher}
 * hands it and leaves its futures for the test to complete. {@link #echo}
 * answers an entry as a shard would, with offsets the test can recognise:
 * publish with sequence s and n messages gets offsets s*100 .. s*100+n-1.
 */
final class RecordingEntrySink implements EntrySink {
  /** One entry handed to the sink, and the futures the batcher waits on. */
  record Sent(ShardCommand command, CompletableFuture<Void> flushed, CompletableFuture<ShardResult> result) {
    List<QueuePublish> publishes() {
      return command.getEnqueue().getPublishesList();
    }
  }

  private final List<Sent> sent = new ArrayList<>();
  private final Semaphore arrivals = new Semaphore(0);
  private RuntimeException refuseFlushed;

  @Override
  public CompletableFuture<ShardResult> submit(ShardCommand command) {
    return record(command, null).result();
  }

  @Override
  public CompletableFuture<?>[] submitFlushed(ShardCommand command) {
    synchronized (this) {
      if (refuseFlushed != null) {
        throw refuseFlushed;
      }
    }
    Sent s = record(command, new CompletableFuture<>());
    return new CompletableFuture<?>[] {s.flushed(), s.result()};
  }

  /** From now on submitFlushed throws this, as the log does on a node that does not lead. */
  synchronized void refuseFlushedWith(RuntimeException e) {
    refuseFlushed = e;
  }

  private Sent record(ShardCommand command, CompletableFuture<Void> flushed) {
    Sent s = new Sent(command, flushed, new CompletableFuture<>());
    synchronized (this) {
      sent.add(s);
    }
    arrivals.release();
    return s;
  }

  synchronized int count() {
    return sent.size();
  }

  synchronized Sent get(int i) {
    return sent.get(i);
  }

  /** Waits (up to a minute) until the sink holds at least n entries. */
  boolean awaitCount(int n) throws InterruptedException {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
    while (count() < n) {
      long left = deadline - System.nanoTime();
      if (left <= 0 || !arrivals.tryAcquire(left, TimeUnit.NANOSECONDS)) {
        return count() >= n;
      }
    }
    return true;
  }

  /** The applied result of an entry as a shard answers it. */
  static ShardResult echo(ShardCommand command) {
    ShardResult.Builder result = ShardResult.newBuilder();
    for (QueuePublish p : command.getEnqueue().getPublishesList()) {
      PublishResult.Builder pr = PublishResult.newBuilder();
      for (int i = 0; i < p.getMessagesCount(); i++) {
        pr.addOffsets(p.getSequence() * 100 + i);
      }
      result.addPublishes(pr);
    }
    return result.build();
  }

  /** Completes entry i with its echo result. */
  void answer(int i) {
    Sent s = get(i);
    s.result().complete(echo(s.command()));
  }
}
