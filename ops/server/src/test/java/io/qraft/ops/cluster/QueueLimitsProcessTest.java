package io.qraft.ops.cluster;

import static org.assertj.core.api.Assertions.assertThat;

import io.grpc.Status;
import io.qraft.api.v1.Delivery;
import io.qraft.api.v1.QueueInfo;
import io.qraft.client.Consumer;
import io.qraft.client.QraftClient;
import io.qraft.client.QraftException;
import io.qraft.client.QueueFullException;
import io.qraft.ops.launch.ProcessCluster;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The queue limits over three node processes, as an application sees them: a poison message
 * stops after its delivery limit (across a leader kill) and lands once in the dead-letter queue;
 * reject-publish refuses the publish past the limit and keeps the ones before; drop-head
 * dead-letters the oldest; an expired message is never delivered; a consumer that never acks
 * loses its deliveries to another. Every confirmed message is consumed or dead-lettered, counted
 * exactly.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
@Timeout(value = 10, unit = TimeUnit.MINUTES)
class QueueLimitsProcessTest {
  @TempDir
  static Path dir;

  static ProcessCluster cluster;

  @BeforeAll
  static void startCluster() {
    cluster = new ProcessCluster(dir, 3, Map.of()).start();
  }

  @AfterAll
  static void stopCluster() {
    if (cluster != null) {
      cluster.close();
    }
  }

  private static QraftClient client() {
    return QraftClient.builder().addresses(cluster.addresses()).deadline(Duration.ofSeconds(60)).build();
  }

  private static byte[] text(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }

  private static String body(Delivery d) {
    return d.getMessage().getBody().toString(StandardCharsets.UTF_8);
  }

  @Test
  @Order(1)
  void aPoisonMessageIsNackedUpToItsLimitAcrossALeaderKillAndLandsOnceInTheDeadLetterQueue() throws Exception {
    List<Delivery> dead = new CopyOnWriteArrayList<>();
    Set<String> acked = java.util.concurrent.ConcurrentHashMap.newKeySet();
    AtomicInteger poisonSeen = new AtomicInteger();
    try (QraftClient client = client()) {
      client.declareQueue("work.dead", Map.of());
      client.declareQueue("work", Map.of("delivery-limit", "3", "dead-letter-queue", "work.dead"));
      client.publish("work", text("poison")).get(60, TimeUnit.SECONDS);
      for (int i = 0; i < 20; i++) {
        client.publish("work", text("good-" + i)).get(60, TimeUnit.SECONDS);
      }
      Consumer deadConsumer = client.consume("work.dead", 10, d -> {
        dead.add(d);
        client.ack(d);
      });
      Consumer worker = client.consume("work", 1, d -> {
        try {
          if (body(d).equals("poison")) {
            int seen = poisonSeen.incrementAndGet();
            client.nack(d, true);
            if (seen == 1) {
              // The leader dies between the first and the second nack.
              cluster.kill(cluster.node(leaderOf(client, "work")));
            }
          } else {
            client.ack(d);
            acked.add(body(d));
          }
        } catch (QraftException e) {
          // A settle whose answer died with the leader: the delivery comes back, redelivered.
        }
      });

      await(() -> dead.size() >= 1 && acked.size() == 20, Duration.ofMinutes(3));
      ProcessCluster.sleep(2_000);
      worker.close();
      deadConsumer.close();

      assertThat(dead).as("the poison message, once").hasSize(1);
      Map<String, String> headers = dead.get(0).getMessage().getHeadersMap();
      assertThat(body(dead.get(0))).isEqualTo("poison");
      assertThat(headers).containsEntry("x-death-reason", "delivery_limit").containsEntry("x-death-queue", "work")
          .containsEntry("x-death-count", "1").containsKey("x-death-time");
      assertThat(poisonSeen.get()).as("nacked up to the limit").isGreaterThanOrEqualTo(3);
      assertThat(acked).as("every good message consumed").hasSize(20);
      awaitEmpty(client, "work");
      assertThat(queue(client, "work").getDeadLetteredMap()).containsEntry("delivery_limit", 1L);
    } finally {
      restartStopped();
    }
  }

  @Test
  @Order(2)
  void rejectPublishRefusesThePublishThatWouldPassTheLimitAndKeepsTheOnesBefore() throws Exception {
    try (QraftClient client = client()) {
      client.declareQueue("capped", Map.of("max-length", "5", "overflow", "reject-publish"));
      for (int i = 0; i < 5; i++) {
        client.publish("capped", text("m" + i)).get(60, TimeUnit.SECONDS);
      }

      ExecutionException refused = org.junit.jupiter.api.Assertions.assertThrows(ExecutionException.class,
          () -> client.publish("capped", text("m5")).get(60, TimeUnit.SECONDS));

      assertThat(refused.getCause()).isInstanceOf(QueueFullException.class);
      assertThat(((QraftException) refused.getCause()).code()).isEqualTo(Status.Code.OUT_OF_RANGE);
      List<Delivery> all = client.get("capped", 10, true);
      assertThat(all).extracting(QueueLimitsProcessTest::body).containsExactly("m0", "m1", "m2", "m3", "m4");
      assertThat(queue(client, "capped").getPublishesRejected()).isEqualTo(1);
    }
  }

  @Test
  @Order(3)
  void dropHeadDeadLettersTheOldestAndEveryConfirmedMessageIsAccountedFor() throws Exception {
    try (QraftClient client = client()) {
      client.declareQueue("newest.dead", Map.of());
      client.declareQueue("newest", Map.of("max-length", "3", "dead-letter-queue", "newest.dead"));
      for (int i = 0; i < 8; i++) {
        client.publish("newest", text("m" + i)).get(60, TimeUnit.SECONDS);
      }

      List<Delivery> kept = client.get("newest", 10, true);
      await(() -> queue(client, "newest.dead").getMessages() == 5, Duration.ofSeconds(60));
      List<Delivery> dead = client.get("newest.dead", 10, true);

      assertThat(kept).extracting(QueueLimitsProcessTest::body).containsExactly("m5", "m6", "m7");
      assertThat(dead).extracting(QueueLimitsProcessTest::body).containsExactly("m0", "m1", "m2", "m3", "m4");
      assertThat(dead).allMatch(d -> d.getMessage().getHeadersMap().get("x-death-reason").equals("maxlen"));
      Set<String> all = new TreeSet<>();
      kept.forEach(d -> all.add(body(d)));
      dead.forEach(d -> assertThat(all.add(body(d))).as("%s once", body(d)).isTrue());
      assertThat(all).hasSize(8);
    }
  }

  @Test
  @Order(4)
  void anExpiredMessageIsNeverDelivered() throws Exception {
    try (QraftClient client = client()) {
      client.declareQueue("fresh", Map.of("message-ttl", "1000"));
      client.publish("fresh", text("stale")).get(60, TimeUnit.SECONDS);
      client.publish("fresh", text("short"), Map.of("ttl-ms", "1")).get(60, TimeUnit.SECONDS);
      ProcessCluster.sleep(2_500);
      client.publish("fresh", text("new")).get(60, TimeUnit.SECONDS);

      List<Delivery> got = client.get("fresh", 10, true);

      assertThat(got).extracting(QueueLimitsProcessTest::body).containsExactly("new");
      assertThat(queue(client, "fresh").getMessagesExpired()).isEqualTo(2);
    }
  }

  @Test
  @Order(5)
  void aConsumerThatNeverAcksLosesItsDeliveriesToAnotherConsumerAfterItsTimeout() throws Exception {
    try (QraftClient client = client()) {
      client.declareQueue("slow", Map.of("consumer-timeout", "1500"));
      for (int i = 0; i < 3; i++) {
        client.publish("slow", text("m" + i)).get(60, TimeUnit.SECONDS);
      }
      List<Delivery> held = new CopyOnWriteArrayList<>();
      Consumer sleeper = client.consume("slow", 10, held::add);
      await(() -> held.size() == 3, Duration.ofSeconds(60));
      List<Delivery> taken = new CopyOnWriteArrayList<>();
      Consumer other = client.consume("slow", 10, d -> {
        taken.add(d);
        client.ack(d);
      });

      ExecutionException ended = org.junit.jupiter.api.Assertions.assertThrows(ExecutionException.class,
          () -> sleeper.terminated().get(60, TimeUnit.SECONDS));
      await(() -> taken.size() == 3, Duration.ofSeconds(60));
      other.close();

      assertThat(ended.getCause()).isInstanceOf(QraftException.class);
      assertThat(((QraftException) ended.getCause()).code()).isEqualTo(Status.Code.DEADLINE_EXCEEDED);
      assertThat(taken).extracting(QueueLimitsProcessTest::body).containsExactlyInAnyOrder("m0", "m1", "m2");
      assertThat(taken).allMatch(Delivery::getRedelivered);
      awaitEmpty(client, "slow");
      assertThat(queue(client, "slow").getDeliveriesTimedOut()).isGreaterThanOrEqualTo(1);
    }
  }

  private static QueueInfo queue(QraftClient client, String name) {
    return client.listQueues().getQueuesList().stream().filter(q -> q.getName().equals(name)).findFirst()
        .orElseThrow();
  }

  /** The listing may come from a replica one entry behind: waits until it shows the queue empty. */
  private static void awaitEmpty(QraftClient client, String name) {
    await(() -> queue(client, name).getMessages() == 0, Duration.ofSeconds(30));
    assertThat(queue(client, name).getMessages()).as("messages left in %s", name).isZero();
  }

  private static void await(BooleanSupplier condition, Duration timeout) {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (System.nanoTime() < deadline) {
      try {
        if (condition.getAsBoolean()) {
          return;
        }
      } catch (RuntimeException e) {
        // A node is down or the listing is behind: ask again.
      }
      ProcessCluster.sleep(100);
    }
  }

  private static void restartStopped() {
    for (ProcessCluster.Node n : cluster.nodes()) {
      if (!n.running()) {
        cluster.start(n);
      }
    }
    cluster.awaitReady(Duration.ofSeconds(90));
  }

  private static String leaderOf(QraftClient client, String queue) {
    for (QueueInfo q : client.listQueues().getQueuesList()) {
      if (q.getName().equals(queue) && !q.getLeader().isEmpty()) {
        return q.getLeader();
      }
    }
    throw new AssertionError("queue " + queue + " has no leader");
  }
}
