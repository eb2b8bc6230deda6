package io.qraft.ops.cluster;

import io.qraft.ops.launch.ProcessCluster;
import static org.assertj.core.api.Assertions.assertThat;

import io.qraft.api.v1.Delivery;
import io.qraft.api.v1.DeliveryTag;
import io.qraft.api.v1.QueueInfo;
import io.qraft.client.Consumer;
import io.qraft.client.PublishConfirm;
import io.qraft.client.Publisher;
import io.qraft.client.QraftClient;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * What an application sees of a failover, over three node processes: a
 * producer streaming with confirms and a consumer acking carry on through the
 * SIGKILL of their queue's leader and the SIGSTOP of the next one, without an
 * exception, without losing or double-storing a message, and every repeat
 * delivery says it is one.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
@Timeout(value = 10, unit = TimeUnit.MINUTES)
class ClientFailoverProcessTest {
  private static final int MESSAGES = 3000;

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

  private record Seen(int id, long offset, boolean redelivered) {}

  @Test
  @Order(1)
  void aProducerAndAConsumerCarryOnThroughALeaderKillAndAPause() throws Exception {
    List<Throwable> applicationErrors = new CopyOnWriteArrayList<>();
    java.util.concurrent.atomic.AtomicBoolean closing = new java.util.concurrent.atomic.AtomicBoolean();
    List<Seen> seen = new CopyOnWriteArrayList<>();
    Map<Integer, PublishConfirm> confirmed = new ConcurrentHashMap<>();
    try (QraftClient client = QraftClient.builder().addresses(cluster.addresses())
        .deadline(Duration.ofSeconds(90)).build()) {
      client.declareQueue("orders", Map.of());
      List<DeliveryTag> toAck = new ArrayList<>();
      Consumer consumer = client.consume("orders", 100, delivery -> {
        try {
          seen.add(new Seen(id(delivery), delivery.getTag().getOffset(), delivery.getRedelivered()));
          toAck.add(delivery.getTag());
          if (toAck.size() >= 20) {
            client.ackOutstanding("orders", List.copyOf(toAck));
            toAck.clear();
          }
        } catch (RuntimeException e) {
          // An ack racing the test's own close of the client is the test's doing, not a failover's.
          if (!closing.get()) {
            applicationErrors.add(e);
          }
        }
      });

      Publisher publisher = client.publisher("orders", 64);
      List<CompletableFuture<PublishConfirm>> futures = new ArrayList<>();
      for (int i = 0; i < MESSAGES; i++) {
        if (i == MESSAGES / 3) {
          cluster.kill(cluster.node(leaderOf(client, "orders")));
        }
        if (i == 2 * MESSAGES / 3) {
          ProcessCluster.Node next = cluster.node(leaderOf(client, "orders"));
          cluster.signal(next, "STOP");
          ProcessCluster.sleep(3000);
          cluster.signal(next, "CONT");
        }
        int id = i;
        CompletableFuture<PublishConfirm> f = publisher.send(payload(id));
        f.whenComplete((ok, e) -> {
          if (e != null) {
            applicationErrors.add(e);
          } else if (confirmed.putIfAbsent(id, ok) != null) {
            applicationErrors.add(new AssertionError("message " + id + " confirmed twice"));
          }
        });
        futures.add(f);
      }
      CompletableFuture.allOf(futures.toArray(CompletableFuture[]::new)).handle((v, e) -> null)
          .get(5, TimeUnit.MINUTES);
      awaitConsumed(seen, confirmed.keySet());
      closing.set(true);
      consumer.close();
    }

    assertThat(applicationErrors).isEmpty();
    assertThat(confirmed).hasSize(MESSAGES);
    Map<Integer, Set<Long>> offsetsById = new ConcurrentHashMap<>();
    Set<Long> offsetsSeen = ConcurrentHashMap.newKeySet();
    List<Seen> repeatsWithoutFlag = new ArrayList<>();
    for (Seen s : seen) {
      offsetsById.computeIfAbsent(s.id(), k -> ConcurrentHashMap.newKeySet()).add(s.offset());
      if (!offsetsSeen.add(s.offset()) && !s.redelivered()) {
        repeatsWithoutFlag.add(s);
      }
    }
    assertThat(offsetsById.keySet()).containsAll(confirmed.keySet());
    assertThat(offsetsById.values()).as("a message stored twice").allMatch(offsets -> offsets.size() == 1);
    assertThat(repeatsWithoutFlag).as("repeat deliveries without redelivered").isEmpty();
  }

  @Test
  @Order(2)
  void aClientGivenOneReachableAddressOutOfThreeFindsTheLeader() throws Exception {
    for (ProcessCluster.Node n : cluster.nodes()) {
      if (!n.running()) {
        cluster.start(n);
      }
    }
    cluster.awaitReady(Duration.ofSeconds(90));
    // Just after the restarts of order 1 a declare (a new shard, its first election) can take
    // longer than the SDK's default 10 s; what is tested here is the routing that follows.
    try (QraftClient admin = QraftClient.builder().addresses(cluster.addresses())
        .deadline(Duration.ofSeconds(60)).build()) {
      QueueInfo info = admin.declareQueue("one-address", Map.of());
      String leader = leaderOf(admin, "one-address");
      ProcessCluster.Node follower = cluster.nodes().stream().filter(n -> !n.id.equals(leader)).findFirst()
          .orElseThrow();
      assertThat(info.getName()).isEqualTo("one-address");
      // Two addresses nothing listens on, and one follower.
      try (QraftClient client = QraftClient.builder()
          .addresses(List.of("127.0.0.1:1", "127.0.0.1:2", follower.address()))
          .deadline(Duration.ofSeconds(60)).build()) {
        client.publish("one-address", payload(5)).get(60, TimeUnit.SECONDS);
        CompletableFuture<Delivery> first = new CompletableFuture<>();
        try (Consumer consumer = client.consume("one-address", 10, first::complete)) {
          // Consuming is served only by the leader: the follower names it, the client goes there.
          assertThat(id(first.get(60, TimeUnit.SECONDS))).isEqualTo(5);
        }
      }
    }
  }

  @Test
  @Order(3)
  void aCleanStopOfTheLeaderHandsLeadershipOverWithoutAFailedConfirm() throws Exception {
    for (ProcessCluster.Node n : cluster.nodes()) {
      if (!n.running()) {
        cluster.start(n);
      }
    }
    cluster.awaitReady(Duration.ofSeconds(90));
    List<Throwable> errors = new CopyOnWriteArrayList<>();
    try (QraftClient client = QraftClient.builder().addresses(cluster.addresses())
        .deadline(Duration.ofSeconds(60)).build()) {
      client.declareQueue("rolling", Map.of());
      ProcessCluster.Node leader = cluster.node(leaderOf(client, "rolling"));
      Publisher publisher = client.publisher("rolling", 16);
      List<CompletableFuture<PublishConfirm>> futures = new ArrayList<>();
      for (int i = 0; i < 600; i++) {
        if (i == 200) {
          cluster.stop(leader); // SIGTERM, as systemd stops a unit
        }
        if (i == 400) {
          cluster.start(leader);
        }
        CompletableFuture<PublishConfirm> f = publisher.send(payload(i));
        f.whenComplete((ok, e) -> {
          if (e != null) {
            errors.add(e);
          }
        });
        futures.add(f);
      }
      CompletableFuture.allOf(futures.toArray(CompletableFuture[]::new)).handle((v, e) -> null)
          .get(3, TimeUnit.MINUTES);
      assertThat(errors).isEmpty();
      assertThat(cluster.log(leader)).contains("handed leadership of");
    }
  }

  /**
   * A consumer is attached to its queue in the log: when the leader it streams from is killed
   * it subscribes at the new one with the same id and keeps what it held, so acks of deliveries
   * received before the kill settle after it (no stale tag), each message reaches the handler
   * once, and nothing returns to the queue.
   */
  @Test
  @Order(4)
  void aConsumerKeepsItsDeliveriesThroughALeaderKillAndItsAcksSettle() throws Exception {
    for (ProcessCluster.Node n : cluster.nodes()) {
      if (!n.running()) {
        cluster.start(n);
      }
    }
    cluster.awaitReady(Duration.ofSeconds(90));
    int held = 40;
    List<Delivery> received = new CopyOnWriteArrayList<>();
    try (QraftClient client = QraftClient.builder().addresses(cluster.addresses())
        .deadline(Duration.ofSeconds(60)).build()) {
      client.declareQueue("held", Map.of());
      Publisher publisher = client.publisher("held", 16);
      List<CompletableFuture<PublishConfirm>> sent = new ArrayList<>();
      for (int i = 0; i < held; i++) {
        sent.add(publisher.send(payload(i)));
      }
      CompletableFuture.allOf(sent.toArray(CompletableFuture[]::new)).get(60, TimeUnit.SECONDS);
      Consumer consumer = client.consume("held", 100, received::add);
      awaitCount(received, held);

      cluster.kill(cluster.node(leaderOf(client, "held")));
      String next = leaderOf(client, "held");
      // Messages published after the kill reach the same consumer once it is back.
      for (int i = held; i < held + 10; i++) {
        publisher.send(payload(i)).get(60, TimeUnit.SECONDS);
      }
      awaitCount(received, held + 10);

      // Every tag received before the kill still settles at the new leader.
      List<DeliveryTag> before = new ArrayList<>();
      for (int i = 0; i < held; i++) {
        before.add(received.get(i).getTag());
      }
      assertThat(client.ack("held", before)).isEqualTo(held);
      List<DeliveryTag> after = new ArrayList<>();
      for (int i = held; i < received.size(); i++) {
        after.add(received.get(i).getTag());
      }
      assertThat(client.ack("held", after)).isEqualTo(after.size());
      consumer.close();

      assertThat(received).hasSize(held + 10);
      Set<Long> offsets = ConcurrentHashMap.newKeySet();
      received.forEach(d -> offsets.add(d.getTag().getOffset()));
      assertThat(offsets).as("each message handed to the handler once").hasSize(held + 10);
      assertThat(received).as("no delivery returned to the queue and counted again")
          .allMatch(d -> d.getTag().getDeliveryCount() == 1);
      // The listing may come from a replica one entry behind the acks: wait for it to catch up.
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
      long left;
      do {
        left = client.listQueues().getQueuesList().stream()
            .filter(q -> q.getName().equals("held")).findFirst().orElseThrow().getMessages();
      } while (left > 0 && System.nanoTime() < deadline && sleep100());
      assertThat(left).as("messages left in the queue").isZero();
      assertThat(next).isNotEmpty();
    }
  }

  private static boolean sleep100() {
    ProcessCluster.sleep(100);
    return true;
  }

  private static void awaitCount(List<Delivery> received, int count) {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(90);
    while (received.size() < count && System.nanoTime() < deadline) {
      ProcessCluster.sleep(100);
    }
    assertThat(received).as("deliveries received").hasSizeGreaterThanOrEqualTo(count);
  }

  private static void awaitConsumed(List<Seen> seen, Set<Integer> ids) {
    long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(3);
    while (System.nanoTime() < deadline) {
      Set<Integer> got = ConcurrentHashMap.newKeySet();
      seen.forEach(s -> got.add(s.id()));
      if (got.containsAll(ids)) {
        return;
      }
      ProcessCluster.sleep(200);
    }
  }

  private static String leaderOf(QraftClient client, String queue) {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
    while (System.nanoTime() < deadline) {
      try {
        for (QueueInfo q : client.listQueues().getQueuesList()) {
          if (q.getName().equals(queue) && !q.getLeader().isEmpty()
              && cluster.node(q.getLeader()).running()) {
            return q.getLeader();
          }
        }
      } catch (RuntimeException e) {
        // A node is down; the client moves on.
      }
      ProcessCluster.sleep(100);
    }
    throw new AssertionError("queue " + queue + " has no running leader");
  }

  private static byte[] payload(int id) {
    return Integer.toString(id).getBytes(StandardCharsets.UTF_8);
  }

  private static int id(Delivery d) {
    return Integer.parseInt(d.getMessage().getBody().toString(StandardCharsets.UTF_8));
  }
}
