package io.qraft.bench.perf;

import io.grpc.Status;
import io.qraft.api.v1.Delivery;
import io.qraft.api.v1.DeliveryTag;
import io.qraft.client.Consumer;
import io.qraft.client.Publisher;
import io.qraft.client.PublishBatching;
import io.qraft.client.QraftClient;
import io.qraft.client.QraftException;
import java.io.PrintStream;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.Semaphore;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.atomic.LongAdder;
import java.util.concurrent.locks.LockSupport;
import org.HdrHistogram.Histogram;
import org.HdrHistogram.Recorder;

/**
 * One qraft-perf run: declares the queues, starts the consumers, then the producers, reports
 * every second until the time is up, and stops everything. Every wait is bounded.
 */
final class PerfRun {
  /** How long the end of a run waits for outstanding confirms and acks before closing. */
  private static final long DRAIN_NANOS = TimeUnit.SECONDS.toNanos(5);
  /** Deadline of one declare, retries included. */
  private static final Duration DECLARE_DEADLINE = Duration.ofSeconds(60);

  private final PerfSettings settings;
  private final PrintStream progress;
  private final LongAdder sent = new LongAdder();
  private final LongAdder confirmed = new LongAdder();
  private final LongAdder received = new LongAdder();
  private final LongAdder errors = new LongAdder();
  private final Recorder latency = new Recorder(3);
  private final AtomicReference<String> firstError = new AtomicReference<>();
  private volatile boolean stopping;
  private volatile boolean stopRequested;
  private ConfirmGaps gaps; // null unless --gap-log

  PerfRun(PerfSettings settings, PrintStream progress) {
    this.settings = settings;
    this.progress = progress;
  }

  /** The run could not start or went wrong as a whole (not a single failed publish). */
  static final class RunFailed extends Exception {
    RunFailed(String message, Throwable cause) {
      super(message, cause);
    }
  }

  PerfResult run() throws RunFailed {
    List<String> names = settings.queueNames();
    List<QraftClient> clients = new ArrayList<>();
    List<Consumer> consumers = new ArrayList<>();
    List<PerfConsumer> ackers = new ArrayList<>();
    List<Thread> producers = new ArrayList<>();
    List<Semaphore> windows = new ArrayList<>();
    ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor(daemon("qraft-perf-ack-timer"));
    // Declares that make a new shard run one after another on the metadata leader, each until
    // the new Raft group has elected (seconds on a busy host): a dozen at once on a fresh
    // cluster with 6 shards per replica set took longer than the SDK's default 10 s deadline.
    QraftClient admin = settings.client().deadline(DECLARE_DEADLINE).build();
    clients.add(admin);
    try {
      declare(admin, names);
      if (settings.gapLog() != null) {
        try {
          gaps = new ConfirmGaps(settings.gapLog());
        } catch (java.io.IOException e) {
          throw new RunFailed("cannot write the gap log " + settings.gapLog() + ": " + e.getMessage(), e);
        }
      }

      for (int c = 0; c < settings.consumers(); c++) {
        QraftClient client = settings.client().build();
        clients.add(client);
        PerfConsumer acker = new PerfConsumer(client, timer);
        ackers.add(acker);
        for (String q : queuesOfConsumer(c, names)) {
          consumers.add(client.consume(q, settings.prefetch(), acker::handle));
        }
      }

      long start = System.nanoTime();
      long measureFrom = start + TimeUnit.SECONDS.toNanos(settings.warmupSeconds());
      long deadline = measureFrom + TimeUnit.SECONDS.toNanos(settings.seconds());
      if (gaps != null) {
        gaps.start();
      }
      for (int p = 0; p < settings.producers(); p++) {
        QraftClient client = settings.client().build();
        clients.add(client);
        Semaphore window = new Semaphore(settings.confirmWindow());
        windows.add(window);
        int first = p % names.size();
        Thread t = new Thread(() -> produce(client, window, names, first, start, deadline),
            "qraft-perf-producer-" + (p + 1));
        t.setDaemon(true);
        producers.add(t);
        t.start();
      }

      Histogram total = new Histogram(3);
      Histogram interval = null;
      progress.println(Summary.progressHeader());
      long lastAt = start;
      long lastSent = 0;
      long lastConfirmed = 0;
      long lastReceived = 0;
      // What the summary starts from: the counts when the warm-up ended.
      boolean measuring = settings.warmupSeconds() == 0;
      long[] from = {start, 0, 0, 0, 0};
      long next = start + TimeUnit.SECONDS.toNanos(1);
      while (true) {
        long now = System.nanoTime();
        long wake = Math.min(next, deadline);
        if (now < wake) {
          LockSupport.parkNanos(wake - now);
          continue;
        }
        if (now >= deadline || stopRequested) {
          stopping = true;
        }
        long s = sent.sum();
        long c = confirmed.sum();
        long r = received.sum();
        interval = latency.getIntervalHistogram(interval);
        total.add(interval);
        progress.println(Summary.progressLine((now - start) / 1e9, (now - lastAt) / 1e9,
            s - lastSent, c - lastConfirmed, r - lastReceived, interval));
        if (!measuring && now >= measureFrom) {
          measuring = true;
          from = new long[] {now, s, c, r, errors.sum()};
          total.reset(); // a stop during the warm-up still summarises what it did
          progress.println("# warm-up over: the summary counts from here");
        }
        lastAt = now;
        lastSent = s;
        lastConfirmed = c;
        lastReceived = r;
        next += TimeUnit.SECONDS.toNanos(1);
        if (stopping) {
          break;
        }
      }
      PerfResult result = new PerfResult(lastAt - from[0], lastSent - from[1], lastConfirmed - from[2],
          lastReceived - from[3], errors.sum() - from[4], total);

      // Let outstanding confirms and acks finish, so that closing does not fail them.
      long drainUntil = System.nanoTime() + DRAIN_NANOS;
      for (Thread t : producers) {
        t.join(Math.max(1, TimeUnit.NANOSECONDS.toMillis(drainUntil - System.nanoTime())));
      }
      for (Semaphore w : windows) {
        long left = drainUntil - System.nanoTime();
        if (left > 0 && w.tryAcquire(settings.confirmWindow(), left, TimeUnit.NANOSECONDS)) {
          w.release(settings.confirmWindow());
        }
      }
      for (PerfConsumer a : ackers) {
        a.flushAndStop(Math.max(0, drainUntil - System.nanoTime()) + TimeUnit.SECONDS.toNanos(1));
      }
      consumers.forEach(Consumer::close);
      if (settings.deleteQueues()) {
        for (String q : names) {
          try {
            admin.deleteQueue(q);
          } catch (QraftException e) {
            progress.println("could not delete queue " + q + ": " + e.getMessage());
          }
        }
      }
      String error = firstError.get();
      if (error != null) {
        System.err.println("qraft-perf: " + result.errors() + " error(s); the first: " + error);
      }
      return result;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new RunFailed("interrupted", e);
    } finally {
      stopping = true;
      timer.shutdownNow();
      consumers.forEach(Consumer::close);
      clients.forEach(QraftClient::close);
      if (gaps != null) {
        gaps.close();
      }
    }
  }

  /**
   * Ends the run at its next one-second line, as if its time were up: the summary covers what
   * was done until then. For a stop by signal (a script that ends the run when its faults are
   * done, or Ctrl-C), as PerfTest does.
   */
  void requestStop() {
    stopRequested = true;
  }

  /** Consumer k takes queues k, k+y, k+2y, ...; with more consumers than queues, queue k mod n. */
  List<String> queuesOfConsumer(int consumer, List<String> names) {
    int y = settings.consumers();
    if (y >= names.size()) {
      return List.of(names.get(consumer % names.size()));
    }
    List<String> mine = new ArrayList<>();
    for (int i = consumer; i < names.size(); i += y) {
      mine.add(names.get(i));
    }
    return mine;
  }

  private void declare(QraftClient admin, List<String> names) throws RunFailed, InterruptedException {
    Map<String, String> arguments = settings.declareArguments();
    int threads = Math.min(8, names.size());
    ExecutorService pool = Executors.newFixedThreadPool(threads, daemon("qraft-perf-declare"));
    try {
      List<Future<?>> done = new ArrayList<>();
      for (String q : names) {
        done.add(pool.submit(() -> admin.declareQueue(q, arguments)));
      }
      for (int i = 0; i < done.size(); i++) {
        try {
          done.get(i).get(DECLARE_DEADLINE.toSeconds() + 5, TimeUnit.SECONDS);
        } catch (ExecutionException e) {
          Throwable cause = e.getCause();
          String hint = "";
          if (cause instanceof QraftException qe
              && qe.code() == Status.Code.FAILED_PRECONDITION) {
            hint = " (the queue exists with other arguments: choose another --queue, or delete it"
                + " with qraftctl delete_queue)";
          }
          throw new RunFailed("cannot declare queue " + names.get(i) + ": " + cause.getMessage() + hint, cause);
        } catch (java.util.concurrent.TimeoutException e) {
          throw new RunFailed("declaring queue " + names.get(i) + " took more than " + DECLARE_DEADLINE.toSeconds() + " s", e);
        }
      }
    } finally {
      pool.shutdownNow();
    }
  }

  private void produce(QraftClient client, Semaphore window, List<String> names, int first,
      long start, long deadline) {
    byte[] body = new byte[settings.size()];
    for (int i = 0; i < body.length; i++) {
      body[i] = (byte) ('a' + i % 26);
    }
    long intervalNanos = settings.ratePerProducer() > 0 ? 1_000_000_000L / settings.ratePerProducer() : 0;
    PublishBatching batching = settings.clientBatch() == 1 ? PublishBatching.OFF
        : new PublishBatching(settings.clientBatch(), PublishBatching.DEFAULT.maxBytes(),
            PublishBatching.DEFAULT.maxRequests());
    Map<String, Publisher> publishers = new HashMap<>();
    long n = 0;
    int next = first;
    try {
      while (!stopping && System.nanoTime() < deadline) {
        if (intervalNanos > 0) {
          long due = start + n * intervalNanos;
          long wait = due - System.nanoTime();
          if (wait > 0) {
            LockSupport.parkNanos(Math.min(wait, deadline - System.nanoTime()));
            continue;
          }
        }
        if (!window.tryAcquire(100, TimeUnit.MILLISECONDS)) {
          continue;
        }
        String q = names.get(next);
        next = next + 1 == names.size() ? 0 : next + 1;
        long t0 = System.nanoTime();
        CompletableFuture<?> confirm;
        try {
          // The run's window above bounds what is outstanding over all queues, so a
          // publisher's own window (the same size) never makes it wait.
          confirm = publishers.computeIfAbsent(q,
              name -> client.publisher(name, settings.confirmWindow(), batching)).send(body);
        } catch (RuntimeException e) {
          window.release();
          error(e);
          continue;
        }
        sent.increment();
        n++;
        confirm.whenComplete((ok, e) -> {
          if (e == null) {
            latency.recordValue(Math.max(0, (System.nanoTime() - t0) / 1000));
            confirmed.increment();
            if (gaps != null && !stopping) {
              gaps.confirmed();
            }
          } else {
            error(e);
          }
          window.release();
        });
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  private void error(Throwable e) {
    if (stopping && e instanceof java.util.concurrent.CancellationException) {
      return;
    }
    Throwable cause = e instanceof java.util.concurrent.CompletionException && e.getCause() != null
        ? e.getCause() : e;
    errors.increment();
    firstError.compareAndSet(null, cause.toString());
  }

  private static ThreadFactory daemon(String name) {
    AtomicInteger n = new AtomicInteger();
    return r -> {
      Thread t = new Thread(r, name + "-" + n.incrementAndGet());
      t.setDaemon(true);
      return t;
    };
  }

  /**
   * Counts deliveries and acks them in batches, on a thread of its own so that the consumer
   * thread never waits for an ack: every Ack call is a log entry, so one per delivery would
   * measure the log rather than the consumer. One Ack call is in flight at a time, and it
   * takes every delivery pending when it starts: while a call waits for its log entry the
   * next batch grows, so acks keep up with deliveries however long an entry takes (fixed-size
   * batches queued behind a slow call fell behind, held the prefetch full and starved the
   * consumer).
   */
  private final class PerfConsumer {
    private final QraftClient client;
    private final ExecutorService acker;
    private final Object lock = new Object();
    private Map<String, List<DeliveryTag>> pending = new HashMap<>(); // guarded by lock
    private int pendingCount; // guarded by lock
    private long oldestNanos; // guarded by lock
    private boolean drainQueued; // guarded by lock

    PerfConsumer(QraftClient client, ScheduledExecutorService timer) {
      this.client = client;
      this.acker = Executors.newSingleThreadExecutor(daemon("qraft-perf-acker"));
      long period = settings.ackIntervalMs();
      timer.scheduleAtFixedRate(this::flushIfOld, period, period, TimeUnit.MILLISECONDS);
    }

    void handle(Delivery delivery) {
      if (!stopping) {
        received.increment();
      }
      boolean drain;
      synchronized (lock) {
        if (pendingCount == 0) {
          oldestNanos = System.nanoTime();
        }
        pending.computeIfAbsent(delivery.getQueue(), q -> new ArrayList<>()).add(delivery.getTag());
        drain = ++pendingCount >= settings.ackEvery() && queueDrain();
      }
      if (drain) {
        submitDrain();
      }
    }

    private void flushIfOld() {
      boolean drain;
      synchronized (lock) {
        drain = pendingCount > 0
            && System.nanoTime() - oldestNanos >= TimeUnit.MILLISECONDS.toNanos(settings.ackIntervalMs())
            && queueDrain();
      }
      if (drain) {
        submitDrain();
      }
    }

    /** True if no drain is queued yet, and marks one queued (lock held). */
    private boolean queueDrain() {
      if (drainQueued) {
        return false;
      }
      drainQueued = true;
      return true;
    }

    private Map<String, List<DeliveryTag>> take() {
      Map<String, List<DeliveryTag>> batch = pending;
      pending = new HashMap<>();
      pendingCount = 0;
      return batch;
    }

    private void submitDrain() {
      try {
        acker.execute(() -> {
          Map<String, List<DeliveryTag>> batch;
          synchronized (lock) {
            drainQueued = false;
            batch = take();
          }
          ack(batch);
        });
      } catch (java.util.concurrent.RejectedExecutionException e) {
        // stopped: the deliveries return to the queue when the consumer closes
      }
    }

    private void ack(Map<String, List<DeliveryTag>> batch) {
      batch.forEach((queue, tags) -> {
        try {
          client.ack(queue, tags);
        } catch (RuntimeException e) {
          if (!stopping) {
            error(e);
          }
        }
      });
    }

    void flushAndStop(long waitNanos) throws InterruptedException {
      Map<String, List<DeliveryTag>> batch;
      synchronized (lock) {
        batch = take();
      }
      if (!batch.isEmpty()) {
        acker.execute(() -> ack(batch));
      }
      acker.shutdown();
      acker.awaitTermination(waitNanos, TimeUnit.NANOSECONDS);
      acker.shutdownNow();
    }
  }
}
