package io.qraft.ops.cluster;

import static org.assertj.core.api.Assertions.assertThat;

import io.qraft.api.v1.GroupStatus;
import io.qraft.api.v1.QueueInfo;
import io.qraft.client.PublishConfirm;
import io.qraft.client.Publisher;
import io.qraft.client.QraftClient;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Flow control over three node processes: while a queue's log cannot commit (both followers
 * paused), a producer with a window of 200 outstanding 64 KiB publishes (12.5 MiB) is held back
 * at the node's flow.max_pending_bytes instead of filling the leader's heap (publishes beyond
 * what the node will park are pushed back and retried by the SDK), and once the followers
 * return every publish is confirmed: slowed, never failed. Stopped consumers are the easy
 * case: their messages wait in the store on disk, not in memory.
 */
@Timeout(value = 6, unit = TimeUnit.MINUTES)
class FlowControlProcessTest {
  private static final long LIMIT = 1 << 20;

  /** The node that says it leads the group (asked directly, not through any node's view). */
  private static String leaderOf(String group) throws InterruptedException {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
    while (System.nanoTime() < deadline) {
      for (ProcessCluster.Node n : cluster.nodes()) {
        try {
          GroupStatus g = cluster.localGroup(n, group);
          if (g != null && g.getRole().equals("leader")) {
            return n.id;
          }
        } catch (RuntimeException e) {
          // not answering yet
        }
      }
      Thread.sleep(100);
    }
    throw new AssertionError("no leader of " + group);
  }
  private static final int BODY = 64 * 1024;
  private static final int MESSAGES = 200;

  @TempDir
  static Path dir;

  static ProcessCluster cluster;
  static QraftClient client;

  @BeforeAll
  static void startCluster() {
    cluster = new ProcessCluster(dir, 3, Map.of(
        "flow.max_pending_bytes", Long.toString(LIMIT),
        "message.max_bytes", Integer.toString(2 * BODY),
        // Long enough that the leader does not step down while its followers are paused:
        // the test is about a log that cannot commit, not about an election.
        "raft.election_timeout_min", "20000",
        "raft.election_timeout_max", "30000")).start();
    cluster.awaitReady(Duration.ofSeconds(120));
    client = QraftClient.builder().addresses(cluster.addresses()).deadline(Duration.ofSeconds(120)).build();
  }

  @AfterAll
  static void stopCluster() {
    if (client != null) {
      client.close();
    }
    if (cluster != null) {
      cluster.close();
    }
  }

  @Test
  void aStuckLogHoldsPublishersBackAtTheLimitAndConfirmsEverythingOnceItMoves() throws Exception {
    QueueInfo queue = client.declareQueue("flow");
    client.publish("flow", new byte[10]).get(60, TimeUnit.SECONDS);
    String leader = leaderOf(queue.getGroup());
    ProcessCluster.Node leaderNode = cluster.node(leader);
    List<ProcessCluster.Node> followers = cluster.nodes().stream().filter(n -> !n.id.equals(leader)).toList();

    followers.forEach(f -> cluster.signal(f, "STOP"));
    List<CompletableFuture<PublishConfirm>> confirms = new ArrayList<>();
    AtomicLong maxPending = new AtomicLong();
    List<String> missed = new java.util.concurrent.CopyOnWriteArrayList<>();
    // A producer that knows only the leader: what is measured is the leader holding it back.
    try (QraftClient producer = QraftClient.builder().addresses(List.of(leaderNode.address()))
        .deadline(Duration.ofSeconds(120)).build()) {
      Publisher publisher = producer.publisher("flow", MESSAGES);
      CompletableFuture<Void> sending = CompletableFuture.runAsync(() -> {
        try {
          for (int i = 0; i < MESSAGES; i++) {
            byte[] body = new byte[BODY];
            body[0] = (byte) i;
            synchronized (confirms) {
              confirms.add(publisher.send(body));
            }
          }
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
        }
      });
      // Until the producer's calls have found the leader (one may first wait out an attempt on
      // a paused follower), then a few seconds more at the limit.
      long giveUp = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
      long until = Long.MAX_VALUE;
      while (System.nanoTime() < Math.min(until, giveUp)) {
        try {
          GroupStatus g = cluster.localGroup(leaderNode, queue.getGroup());
          maxPending.accumulateAndGet(g.getPublishPendingBytes(), Math::max);
        } catch (io.grpc.StatusRuntimeException busy) {
          // A sample missed on a busy node; the next one counts.
          missed.add(busy.getStatus().toString());
        }
        if (until == Long.MAX_VALUE && maxPending.get() >= LIMIT / 2) {
          until = System.nanoTime() + TimeUnit.SECONDS.toNanos(3);
        }
        Thread.sleep(50);
      }
      sending.get(60, TimeUnit.SECONDS); // the window admits them all; the server holds them back
      followers.forEach(f -> cluster.signal(f, "CONT"));
      for (CompletableFuture<PublishConfirm> c : confirms) {
        c.get(120, TimeUnit.SECONDS);
      }
    } finally {
      followers.forEach(f -> cluster.signal(f, "CONT"));
    }
    // Filled to the limit, then held there: never the 12.5 MiB the producer had outstanding.
    assertThat(maxPending.get()).as("group %s on leader %s: %s; samples missed: %s", queue.getGroup(), leader,
        cluster.localGroup(leaderNode, queue.getGroup()), missed).isGreaterThanOrEqualTo(LIMIT / 2);
    assertThat(maxPending.get()).isLessThanOrEqualTo(LIMIT + 16L * BODY);

    assertThat(confirms).hasSize(MESSAGES);
    // Stored once each: the count reaches exactly that (a replica that was paused may still be catching up).
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
    long messages = -1;
    while (messages != MESSAGES + 1 && System.nanoTime() < deadline) {
      // The answering node lists from its own replicas; one that was paused may not know the queue yet.
      messages = client.listQueues().getQueuesList().stream().filter(q -> q.getName().equals("flow"))
          .findFirst().map(QueueInfo::getMessages).orElse(-1L);
      assertThat(messages).isLessThanOrEqualTo(MESSAGES + 1);
      Thread.sleep(200);
    }
    assertThat(messages).isEqualTo(MESSAGES + 1);
  }
}
