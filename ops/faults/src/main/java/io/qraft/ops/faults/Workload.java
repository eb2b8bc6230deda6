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
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Producers publish unique integers (quorum confirms) to a few queues; consumers consume with
 * prefetch and ack every delivery. Every call goes to the history with its outcome.
 */
final class Workload {

  /** Status codes by which the server refused a call: it did not happen. */
  private static final Set<Status.Code> DEFINITE = Set.of(Status.Code.INVALID_ARGUMENT,
      Status.Code.NOT_FOUND, Status.Code.FAILED_PRECONDITION, Status.Code.RESOURCE_EXHAUSTED,
      Status.Code.PERMISSION_DENIED, Status.Code.ALREADY_EXISTS, Status.Code.OUT_OF_RANGE,
      Status.Code.UNIMPLEMENTED, Status.Code.UNAUTHENTICATED);

  private final List<String> addresses;
  private final ClusterAccess access;
  private final List<String> queues;
  private final History history;
  private final Duration deadline;
  private final AtomicLong values = new AtomicLong();
  private final AtomicBoolean stopping = new AtomicBoolean();
  private final List<Thread> producers = new ArrayList<>();
  private final List<QraftClient> clients = new CopyOnWriteArrayList<>();
  private final List<Consumer> consumers = new CopyOnWriteArrayList<>();
  private final long seed;

  Workload(List<String> addresses, ClusterAccess access, List<String> queues, History history,
      Duration deadline, long seed) {
    this.addresses = addresses;
    this.access = access;
    this.queues = queues;
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

  void declareQueues() {
    QraftClient c = client();
    long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
    for (String q : queues) {
      while (true) {
        try {
          c.declareQueue(q, Map.of("ack-mode", "quorum"));
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
    for (String q : queues) {
      for (int i = 0; i < consumersPerQueue; i++) {
        String proc = "c" + n++;
        QraftClient c = client();
        consumers.add(c.consume(q, 10, d -> handle(proc, c, d)));
      }
    }
  }

  private void produce(String proc, QraftClient c, Random random, long pauseMs) {
    while (!stopping.get()) {
      long value = values.incrementAndGet();
      String queue = queues.get(random.nextInt(queues.size()));
      Op op = Op.publish(proc, queue, value, history.now());
      try {
        PublishConfirm confirm = c.publish(queue,
            Long.toString(value).getBytes(StandardCharsets.UTF_8))
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
    long value = Long.parseLong(d.getMessage().getBody().toStringUtf8());
    history.add(Op.deliver(proc, d.getQueue(), value, d.getTag().getOffset(),
        d.getTag().getDeliveryCount(), d.getRedelivered(), history.now()));
    if (stopping.get() && consumersClosing.get()) {
      return;
    }
    ack(proc, c, d, value);
  }

  private final AtomicBoolean consumersClosing = new AtomicBoolean();

  void ack(String proc, QraftClient c, Delivery d, long value) {
    Op op = Op.ack(proc, d.getQueue(), value, d.getTag().getOffset(),
        d.getTag().getDeliveryCount(), history.now());
    try {
      op.acked = c.ack(d.getQueue(), List.of(d.getTag()));
      op.end(history.now(), Op.OK);
    } catch (RuntimeException e) {
      op.end(history.now(), outcomeOf(e)).detail(describe(e));
    }
    history.add(op);
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
   */
  List<String> drain(long timeoutMs) {
    QraftClient c = client();
    QraftClient observer = observer();
    List<String> notDrained = new ArrayList<>();
    long until = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(timeoutMs);
    for (String q : queues) {
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
          long value = Long.parseLong(d.getMessage().getBody().toStringUtf8());
          history.add(Op.deliver("drain", q, value, d.getTag().getOffset(),
              d.getTag().getDeliveryCount(), d.getRedelivered(), t));
        }
        for (Delivery d : got) {
          ack("drain", c, d, Long.parseLong(d.getMessage().getBody().toStringUtf8()));
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
