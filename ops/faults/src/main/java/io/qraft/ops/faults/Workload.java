package io.qraft.ops.faults;

import io.grpc.Status;
import io.qraft.api.v1.Delivery;
import io.qraft.api.v1.QueueInfo;
import io.qraft.client.Consumer;
import io.qraft.client.PublishConfirm;
import io.qraft.client.PublishTimeoutException;
import io.qraft.client.QraftClient;
import io.qraft.client.QraftException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Producers publish unique integers (quorum confirms) to a few queues; consumers consume with
 * prefetch and ack every delivery. Every call goes to the history with its outcome.
 *
 * <p>The dead-letter workload ({@link WorkloadKind#DEAD_LETTER}): each queue has
 * {@code delivery-limit} {@value #DELIVERY_LIMIT} and a dead-letter queue of its own, declared
 * before it; every value divisible by {@value #POISON_EVERY} is poison (header
 * {@value #POISON_HEADER}), which every consumer, the drain included, nacks back to the queue
 * until the limit moves it to the dead-letter queue. The dead-letter queues are consumed and
 * drained too, and every delivery is acked there.
 */
final class Workload {

  static final int DELIVERY_LIMIT = 3;
  static final int POISON_EVERY = 10;
  /** Set on a poison value's message, so that its consumers can tell. */
  static final String POISON_HEADER = "qf-poison";
  /** A queue's dead-letter queue is named after it, with this suffix. */
  static final String DEAD_SUFFIX = "-dead";

  /** Status codes by which the server refused a call: it did not happen. */
  private static final Set<Status.Code> DEFINITE = Set.of(Status.Code.INVALID_ARGUMENT,
      Status.Code.NOT_FOUND, Status.Code.FAILED_PRECONDITION, Status.Code.RESOURCE_EXHAUSTED,
      Status.Code.PERMISSION_DENIED, Status.Code.ALREADY_EXISTS, Status.Code.OUT_OF_RANGE,
      Status.Code.UNIMPLEMENTED, Status.Code.UNAUTHENTICATED);

  private final List<String> addresses;
  private final ClusterAccess access;
  private final List<String> queues;
  /** The queues' dead-letter queues, in the same order; empty in the standard workload. */
  private final List<String> deadQueues;
  private final WorkloadKind kind;
  private final History history;
  private final Duration deadline;
  private final AtomicLong values = new AtomicLong();
  private final AtomicBoolean stopping = new AtomicBoolean();
  private final List<Thread> producers = new ArrayList<>();
  private final List<QraftClient> clients = new CopyOnWriteArrayList<>();
  private final List<Consumer> consumers = new CopyOnWriteArrayList<>();
  private final long seed;

  Workload(List<String> addresses, ClusterAccess access, WorkloadKind kind, List<String> queues,
      History history, Duration deadline, long seed) {
    this.addresses = addresses;
    this.access = access;
    this.kind = kind;
    this.queues = queues;
    this.deadQueues = kind == WorkloadKind.DEAD_LETTER
        ? queues.stream().map(Workload::deadLetterQueueOf).toList() : List.of();
    this.history = history;
    this.deadline = deadline;
    this.seed = seed;
  }

  /** A client as the application user: what the workload does needs no more. */
  QraftClient client() {
    return register(access.asApplication(addresses));
  }

  /** A client as the administrator, for the queue counts (ListQueues needs a tag). */
  private QraftClient observer() {
    return register(access.asAdministrator(addresses));
  }

  private QraftClient register(QraftClient.Builder builder) {
    QraftClient c = builder.deadline(deadline)
        .backoff(Duration.ofMillis(50), Duration.ofMillis(500))
        .keepAlive(Duration.ofSeconds(10), Duration.ofSeconds(5))
        .build();
    clients.add(c);
    return c;
  }

  static String deadLetterQueueOf(String queue) {
    return queue + DEAD_SUFFIX;
  }

  /** The declarations in order, each dead-letter queue before the queue that names it. */
  Map<String, Map<String, String>> declarations() {
    Map<String, Map<String, String>> all = new LinkedHashMap<>();
    for (String q : queues) {
      if (kind == WorkloadKind.DEAD_LETTER) {
        all.put(deadLetterQueueOf(q), Map.of("ack-mode", "quorum"));
        all.put(q, Map.of("ack-mode", "quorum", "delivery-limit", Integer.toString(DELIVERY_LIMIT),
            "dead-letter-queue", deadLetterQueueOf(q)));
      } else {
        all.put(q, Map.of("ack-mode", "quorum"));
      }
    }
    return all;
  }

  void declareQueues() {
    QraftClient c = client();
    long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
    for (Map.Entry<String, Map<String, String>> q : declarations().entrySet()) {
      while (true) {
        try {
          c.declareQueue(q.getKey(), q.getValue());
          break;
        } catch (QraftException e) {
          if (System.nanoTime() > until) {
            throw e;
          }
          Cmd.sleep(500);
        }
      }
    }
  }

  void start(int producerCount, int consumersPerQueue, long pauseMs) {
    for (int i = 0; i < producerCount; i++) {
      String proc = "p" + i;
      QraftClient c = client();
      Random random = new Random(seed * 31 + i);
      Thread t = new Thread(() -> produce(proc, c, random, pauseMs), "faults-" + proc);
      t.setDaemon(true);
      producers.add(t);
      t.start();
    }
    int n = 0;
    List<String> consumed = new ArrayList<>(queues);
    consumed.addAll(deadQueues);
    for (String q : consumed) {
      for (int i = 0; i < consumersPerQueue; i++) {
        String proc = "c" + n++;
        QraftClient c = client();
        consumers.add(c.consume(q, 10, d -> handle(proc, c, d)));
      }
    }
  }

  /** Poison values are a fixed fraction, by number: a replay poisons the same ones. */
  boolean poison(long value) {
    return kind == WorkloadKind.DEAD_LETTER && value % POISON_EVERY == 0;
  }

  private void produce(String proc, QraftClient c, Random random, long pauseMs) {
    while (!stopping.get()) {
      long value = values.incrementAndGet();
      String queue = queues.get(random.nextInt(queues.size()));
      Op op = Op.publish(proc, queue, value, history.now());
      boolean poison = poison(value);
      if (poison) {
        op.poison = true;
      }
      try {
        PublishConfirm confirm = c.publish(queue,
            Long.toString(value).getBytes(StandardCharsets.UTF_8),
            poison ? Map.of(POISON_HEADER, "true") : Map.of())
            .get(deadline.toMillis() + 5000, TimeUnit.MILLISECONDS);
        op.offset = confirm.offset();
        op.end(history.now(), Op.OK);
      } catch (ExecutionException e) {
        op.end(history.now(), outcomeOf(e.getCause())).detail(describe(e.getCause()));
      } catch (TimeoutException e) {
        op.end(history.now(), Op.UNKNOWN).detail("no answer from the client future");
      } catch (InterruptedException e) {
        op.end(history.now(), Op.UNKNOWN).detail("interrupted");
        history.add(op);
        return;
      }
      history.add(op);
      if (pauseMs > 0) {
        Cmd.sleep(pauseMs);
      }
    }
  }

  private void handle(String proc, QraftClient c, Delivery d) {
    record(proc, d, history.now());
    if (stopping.get() && consumersClosing.get()) {
      return;
    }
    settle(proc, c, d);
  }

  private final AtomicBoolean consumersClosing = new AtomicBoolean();

  /** The delivery into the history: of the value's own queue, or of a dead-letter queue. */
  private void record(String proc, Delivery d, long t) {
    long value = valueOf(d);
    Op op;
    if (deadQueues.contains(d.getQueue())) {
      Map<String, String> death = new TreeMap<>();
      d.getMessage().getHeadersMap().forEach((k, v) -> {
        if (k.startsWith("x-death-")) {
          death.put(k, v);
        }
      });
      op = Op.deadLetter(proc, d.getQueue(), value, d.getTag().getOffset(),
          d.getTag().getDeliveryCount(), d.getRedelivered(), death, t);
    } else {
      op = Op.deliver(proc, d.getQueue(), value, d.getTag().getOffset(),
          d.getTag().getDeliveryCount(), d.getRedelivered(), t);
    }
    if (poison(d)) {
      op.poison = true;
    }
    history.add(op);
  }

  /** Acks the delivery; a poison one of its own queue goes back to the queue instead. */
  private void settle(String proc, QraftClient c, Delivery d) {
    boolean dead = deadQueues.contains(d.getQueue());
    boolean nack = poison(d) && !dead;
    long value = valueOf(d);
    Op op = nack
        ? Op.nack(proc, d.getQueue(), value, d.getTag().getOffset(), d.getTag().getDeliveryCount(),
            history.now())
        : Op.ack(proc, d.getQueue(), value, d.getTag().getOffset(), d.getTag().getDeliveryCount(),
            history.now());
    if (dead) {
      op.dead = true;
    }
    if (nack) {
      op.poison = true;
    }
    try {
      op.acked = nack ? c.nack(d, true) : c.ack(d.getQueue(), List.of(d.getTag()));
      op.end(history.now(), Op.OK);
    } catch (RuntimeException e) {
      op.end(history.now(), outcomeOf(e)).detail(describe(e));
    }
    history.add(op);
  }

  private static long valueOf(Delivery d) {
    return Long.parseLong(d.getMessage().getBody().toStringUtf8());
  }

  private static boolean poison(Delivery d) {
    return "true".equals(d.getMessage().getHeadersOrDefault(POISON_HEADER, ""));
  }

  static String outcomeOf(Throwable e) {
    if (e instanceof PublishTimeoutException) {
      return Op.UNKNOWN;
    }
    if (e instanceof QraftException q && DEFINITE.contains(q.code())) {
      return Op.FAILED;
    }
    return Op.UNKNOWN;
  }

  static String describe(Throwable e) {
    String s = e.getClass().getSimpleName() + ": " + e.getMessage();
    return s.length() > 300 ? s.substring(0, 300) : s;
  }

  /** Stops the producers and waits for their last calls to end. */
  void stopProducers() {
    stopping.set(true);
    for (Thread t : producers) {
      try {
        t.join(deadline.toMillis() + 10000);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
  }

  void closeConsumers() {
    consumersClosing.set(true);
    consumers.forEach(Consumer::close);
  }

  long published() {
    return values.get();
  }

  /**
   * Drains every queue with get + ack until it is empty several times in a row and the queue's
   * leader counts no message, ready or unacked. Returns the queues that could not be drained.
   *
   * <p>The dead-letter workload's queues first, nacking their poison values as the consumers
   * did: a message waiting to be moved to the dead-letter queue still counts in its queue, so a
   * queue counted empty has handed its last dead letters over. Then the dead-letter queues.
   */
  List<String> drain(long timeoutMs) {
    QraftClient c = client();
    QraftClient observer = observer();
    List<String> notDrained = new ArrayList<>();
    long until = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(timeoutMs);
    List<String> drained = new ArrayList<>(queues);
    drained.addAll(deadQueues);
    for (String q : drained) {
      int empty = 0;
      boolean done = false;
      while (System.nanoTime() < until) {
        List<Delivery> got;
        try {
          got = c.get(q, 50, false);
        } catch (RuntimeException e) {
          Cmd.sleep(500);
          continue;
        }
        long t = history.now();
        for (Delivery d : got) {
          record("drain", d, t);
        }
        for (Delivery d : got) {
          settle("drain", c, d);
        }
        if (!got.isEmpty()) {
          empty = 0;
          continue;
        }
        if (++empty >= 3) {
          QueueInfo info = info(observer, q);
          if (info != null && info.getMessages() == 0 && info.getMessagesUnacked() == 0) {
            done = true;
            break;
          }
        }
        Cmd.sleep(300);
      }
      if (!done) {
        notDrained.add(q);
      }
    }
    return notDrained;
  }

  private static QueueInfo info(QraftClient c, String q) {
    try {
      return c.listQueues().getQueuesList().stream().filter(i -> i.getName().equals(q))
          .findFirst().orElse(null);
    } catch (RuntimeException e) {
      return null;
    }
  }

  void close() {
    closeConsumers();
    clients.forEach(QraftClient::close);
  }
}
