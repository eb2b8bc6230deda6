package io.qraft.ops.cluster;

import io.qraft.ops.launch.ProcessCluster;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.grpc.Status;
import io.qraft.api.v1.ClusterStatusResponse;
import io.qraft.api.v1.Delivery;
import io.qraft.api.v1.GroupStatus;
import io.qraft.api.v1.QueueInfo;
import io.qraft.client.PublishConfirm;
import io.qraft.client.QraftClient;
import io.qraft.client.QraftException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Semaphore;
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
 * The replicated path end to end, over three node processes on loopback:
 * confirmed messages survive the SIGKILL of their queue's leader, the killed
 * node catches up by snapshot when the log was compacted past it, bad input
 * is refused and changes nothing, and queues do not cost Raft groups.
 *
 * <p>One cluster for the class; tests run in order and leave it running.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
@Timeout(value = 10, unit = TimeUnit.MINUTES)
class ReplicatedQueueProcessTest {
  private static final int MESSAGES = 10_000;
  private static final int WINDOW = 64;
  private static final long ELECTION_TIMEOUT_MIN_MS = 8_000;

  @TempDir
  static Path dir;

  static ProcessCluster cluster;
  static QraftClient client;

  @BeforeAll
  static void startCluster() {
    // Small snapshot threshold and no retained tail: a node down for a few
    // thousand entries can only catch up by snapshot.
    // Long election timeouts give the local-ack test room on a busy machine: a leader whose
    // followers are paused keeps leading for at least the minimum, and the test waits for the
    // local confirm for that long (the claim is "within one election timeout"). Leader kills in
    // the other tests are noticed by the leader-loss watch, which does not wait for the timeout.
    cluster = new ProcessCluster(dir, 3, Map.of(
        "raft.snapshot_threshold", "500",
        "raft.log_keep_entries", "0",
        "message.max_bytes", "65536",
        "raft.election_timeout_min", String.valueOf(ELECTION_TIMEOUT_MIN_MS),
        "raft.election_timeout_max", String.valueOf(2 * ELECTION_TIMEOUT_MIN_MS))).start();
    client = QraftClient.builder().addresses(cluster.addresses()).deadline(Duration.ofSeconds(30)).build();
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
  @Order(1)
  void confirmedMessagesSurviveTheLeaderBeingKilledAndTheNodeCatchesUpBySnapshot() throws Exception {
    // One message per log entry, so that the publishes after the kill are enough entries to
    // pass the snapshot threshold and compact the log past the killed node.
    QueueInfo info = client.declareQueue("survivor", Map.of("batch-size", "1"));
    String group = info.getGroup();
    ProcessCluster.Node leader = cluster.node(leaderOf("survivor"));

    Set<Integer> confirmed = ConcurrentHashMap.newKeySet();
    Set<Integer> failed = ConcurrentHashMap.newKeySet();
    Semaphore window = new Semaphore(WINDOW);
    List<CompletableFuture<PublishConfirm>> inFlight = new ArrayList<>();
    for (int i = 0; i < MESSAGES; i++) {
      if (i == MESSAGES / 3) {
        cluster.kill(leader);
      }
      window.acquire();
      int id = i;
      CompletableFuture<PublishConfirm> f = client.publish("survivor", payload(id));
      f.whenComplete((ok, e) -> {
        if (e == null) {
          confirmed.add(id);
        } else {
          failed.add(id);
        }
        window.release();
      });
      inFlight.add(f);
    }
    CompletableFuture.allOf(inFlight.toArray(CompletableFuture[]::new)).handle((v, e) -> null).get(5, TimeUnit.MINUTES);
    assertThat(confirmed).as("the SDK retries through the failover").hasSizeGreaterThan(MESSAGES * 9 / 10);

    cluster.start(leader);
    cluster.awaitReady(Duration.ofSeconds(90));
    awaitCaughtUp(leader, group);
    GroupStatus restarted = cluster.localGroup(leader, group);
    assertThat(restarted.getSnapshotsInstalled())
        .as("the log was compacted past the killed node, so it must have installed a snapshot")
        .isGreaterThanOrEqualTo(1);

    // Drain: every confirmed message at least once; nothing after its ack was confirmed.
    Set<Integer> consumed = new java.util.HashSet<>();
    Set<Integer> ackConfirmed = new java.util.HashSet<>();
    List<Integer> deliveredAfterAck = new ArrayList<>();
    while (true) {
      List<Delivery> batch = client.get("survivor", 500, false);
      if (batch.isEmpty()) {
        break;
      }
      for (Delivery d : batch) {
        int id = id(d);
        if (ackConfirmed.contains(id)) {
          deliveredAfterAck.add(id);
        }
        consumed.add(id);
      }
      client.ack("survivor", batch.stream().map(Delivery::getTag).toList());
      batch.forEach(d -> ackConfirmed.add(id(d)));
    }
    assertThat(deliveredAfterAck).isEmpty();
    assertThat(consumed).containsAll(confirmed);
    assertThat(consumed).allMatch(id -> id >= 0 && id < MESSAGES);

    // Every replica agrees once the drain is applied everywhere.
    awaitCaughtUp(leader, group);
    for (ProcessCluster.Node n : cluster.nodes()) {
      QueueInfo seen = queueSeenBy(n, "survivor");
      assertThat(seen.getMessages()).as("messages left on " + n.id).isZero();
    }
  }

  @Test
  @Order(2)
  void badInputIsRefusedWithAStatusAndChangesNothing() throws Exception {
    client.declareQueue("keep", Map.of());
    for (int i = 0; i < 5; i++) {
      client.publish("keep", payload(i)).get(30, TimeUnit.SECONDS);
    }
    String before = snapshotOfQueues();

    assertStatus(() -> client.declareQueue("", Map.of()), Status.Code.INVALID_ARGUMENT, "empty");
    assertStatus(() -> client.declareQueue("x".repeat(256), Map.of()), Status.Code.INVALID_ARGUMENT, "255");
    assertStatus(() -> client.declareQueue("args", Map.of("ack-mode", "sometimes")), Status.Code.INVALID_ARGUMENT,
        "ack-mode");
    assertStatus(() -> client.declareQueue("args", Map.of("colour", "blue")), Status.Code.INVALID_ARGUMENT,
        "unknown queue argument");
    assertStatus(() -> client.publish("no-such-queue", payload(1)).join(), Status.Code.NOT_FOUND, "does not exist");
    assertStatus(() -> client.get("no-such-queue", 1, true), Status.Code.NOT_FOUND, "does not exist");
    assertStatus(() -> client.publish("keep", new byte[65537]).join(), Status.Code.INVALID_ARGUMENT,
        "message.max_bytes");
    assertStatus(() -> client.declareQueue("keep", Map.of("ack-mode", "local")), Status.Code.FAILED_PRECONDITION,
        "exists with arguments");
    client.declareQueue("gone", Map.of());
    client.deleteQueue("gone");
    assertStatus(() -> client.publish("gone", payload(1)).join(), Status.Code.NOT_FOUND, "does not exist");
    assertStatus(() -> client.deleteQueue("gone"), Status.Code.NOT_FOUND, "does not exist");

    assertThat(snapshotOfQueues()).isEqualTo(before);
    List<Delivery> kept = client.get("keep", 10, true);
    assertThat(kept).extracting(ReplicatedQueueProcessTest::id).containsExactly(0, 1, 2, 3, 4);
  }

  @Test
  @Order(3)
  void declaringAThousandQueuesLeavesTheNumberOfRaftGroupsUnchanged() {
    // The shards a replica set gets are created by the first declares; fill them first.
    for (int i = 0; i < 3; i++) {
      client.declareQueue("warm-" + i, Map.of());
    }
    int groupsBefore = groups();
    for (int i = 0; i < 1000; i++) {
      client.declareQueue("many-" + i, Map.of());
    }
    assertThat(client.listQueues().getQueuesList()).hasSizeGreaterThanOrEqualTo(1000);
    assertThat(groups()).isEqualTo(groupsBefore);
    for (ProcessCluster.Node n : cluster.nodes()) {
      assertThat(cluster.nodeStatus(n).getGroups()).as("groups hosted on " + n.id).isEqualTo(groupsBefore);
    }
  }

  @Test
  @Order(4)
  void aLocalPublishIsConfirmedWithBothFollowersPausedAndAQuorumPublishIsNot() throws Exception {
    QueueInfo local = client.declareQueue("local-q", Map.of("ack-mode", "local"));
    // Asked of the nodes themselves: a listing can name a leader that has just handed over, and
    // pausing the real leader instead of its followers would make the local confirm impossible.
    ProcessCluster.Node leader = cluster.groupLeader(local.getGroup(), Duration.ofSeconds(30));
    // A quorum queue carried by the same group, so both wait on the same leader and log.
    QueueInfo quorum = quorumQueueIn(local.getGroup());
    List<ProcessCluster.Node> followers = cluster.nodes().stream().filter(n -> n != leader).toList();
    // The leader's node must know both queues from its own metadata replica: one still behind
    // (after the thousand declares before) asks the metadata leader, which may be paused below.
    cluster.awaitMetadataApplied(leader, Duration.ofSeconds(60));
    try (QraftClient atLeader = QraftClient.builder().addresses(List.of(leader.address()))
        .deadline(Duration.ofSeconds(60)).build()) {
      atLeader.publish("local-q", payload(1)).get(30, TimeUnit.SECONDS); // warm path
      followers.forEach(f -> cluster.signal(f, "STOP"));
      try {
        CompletableFuture<PublishConfirm> quorumConfirm = atLeader.publish(quorum.getName(), payload(2));
        CompletableFuture<PublishConfirm> localConfirm = atLeader.publish("local-q", payload(3));
        // A local confirm needs only the leader's own fsync; the leader keeps leading for at
        // least the minimum election timeout after it last heard from a follower.
        try {
          localConfirm.get(ELECTION_TIMEOUT_MIN_MS, TimeUnit.MILLISECONDS);
        } catch (java.util.concurrent.TimeoutException e) {
          GroupStatus now = cluster.localGroup(leader, local.getGroup());
          throw new AssertionError("no local confirm within " + ELECTION_TIMEOUT_MIN_MS + " ms for local-q in "
              + local.getGroup() + "; " + leader.id + " now sees itself as " + (now == null ? "no replica" : now.getRole()
              + " (leader " + now.getLeader() + ", term " + now.getTerm() + ", applied " + now.getAppliedIndex() + ")")
              + cluster.diagnostics(leader), e);
        }
        assertThat(quorumConfirm).as("a quorum confirm needs a follower").isNotDone();
      } finally {
        followers.forEach(f -> cluster.signal(f, "CONT"));
      }
    }
    cluster.awaitReady(Duration.ofSeconds(60));
  }

  @Test
  @Order(5)
  void aRetriedPublishWithTheSameProducerAndSequenceIsStoredOnceAcrossALeaderChange() throws Exception {
    client.declareQueue("dedup-q", Map.of());
    ProcessCluster.Node leader = cluster.node(leaderOf("dedup-q"));
    ProcessCluster.Node other = cluster.nodes().stream().filter(n -> n != leader).findFirst().orElseThrow();
    io.qraft.api.v1.PublishRequest request = io.qraft.api.v1.PublishRequest.newBuilder().setQueue("dedup-q")
        .addMessages(io.qraft.api.v1.Message.newBuilder().setBody(com.google.protobuf.ByteString.copyFrom(payload(7))))
        .setProducerId("producer-under-test").setSequence(42).build();
    io.grpc.ManagedChannel channel = io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder
        .forAddress("127.0.0.1", other.grpcPort).usePlaintext().build();
    try {
      var stub = io.qraft.api.v1.QueueServiceGrpc.newBlockingStub(channel);
      List<Long> first = stub.withDeadlineAfter(30, TimeUnit.SECONDS).publish(request).getOffsetsList();
      cluster.kill(leader);
      List<Long> retried = null;
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
      while (retried == null) {
        try {
          retried = stub.withDeadlineAfter(10, TimeUnit.SECONDS).publish(request).getOffsetsList();
        } catch (io.grpc.StatusRuntimeException e) {
          if (System.nanoTime() > deadline) {
            throw e;
          }
          ProcessCluster.sleep(200);
        }
      }
      assertThat(retried).isEqualTo(first);
      List<Delivery> stored = client.get("dedup-q", 10, true);
      assertThat(stored).extracting(ReplicatedQueueProcessTest::id).containsExactly(7);
    } finally {
      channel.shutdownNow();
      cluster.start(leader);
      cluster.awaitReady(Duration.ofSeconds(90));
    }
  }

  @Test
  @Order(6)
  void aConfirmFromAFollowerNamesTheLeaderAndOneFromTheLeaderNamesNoOne() {
    client.declareQueue("route-q", Map.of());
    ProcessCluster.Node leader = cluster.node(leaderOf("route-q"));
    ProcessCluster.Node follower = cluster.nodes().stream().filter(n -> n != leader).findFirst().orElseThrow();
    io.qraft.api.v1.PublishRequest request = io.qraft.api.v1.PublishRequest.newBuilder().setQueue("route-q")
        .addMessages(io.qraft.api.v1.Message.newBuilder().setBody(com.google.protobuf.ByteString.copyFrom(payload(1))))
        .build();
    assertThat(publishAt(follower, request).getLeader()).isEqualTo(leader.address());
    assertThat(publishAt(leader, request).getLeader()).isEmpty();
  }

  /** A quorum queue carried by the group: one that exists, or one declared until placement puts it there. */
  private static QueueInfo quorumQueueIn(String group) {
    for (int i = 0; i < 30; i++) {
      java.util.Optional<QueueInfo> found = client.listQueues().getQueuesList().stream()
          .filter(q -> q.getGroup().equals(group) && "quorum".equals(q.getAckMode())).findFirst();
      if (found.isPresent()) {
        return found.get();
      }
      client.declareQueue("quorum-peer-" + i, Map.of());
    }
    throw new AssertionError("no quorum queue was placed in group " + group);
  }

  private static io.qraft.api.v1.PublishResponse publishAt(ProcessCluster.Node node,
      io.qraft.api.v1.PublishRequest request) {
    io.grpc.ManagedChannel channel = io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder
        .forAddress("127.0.0.1", node.grpcPort).usePlaintext().build();
    try {
      return io.qraft.api.v1.QueueServiceGrpc.newBlockingStub(channel).withDeadlineAfter(30, TimeUnit.SECONDS)
          .publish(request);
    } finally {
      channel.shutdownNow();
    }
  }

  private static int groups() {
    ClusterStatusResponse status = cluster.clusterStatus(cluster.nodes().get(0));
    return status.getGroupsCount();
  }

  private static String snapshotOfQueues() {
    // Counts as the leader of each queue's group sees them, so follower lag plays no part.
    StringBuilder out = new StringBuilder();
    ProcessCluster.Node metadataLeader = cluster.node(cluster.clusterStatus(cluster.nodes().get(0)).getGroups(0).getLeader());
    List<QueueInfo> queues;
    try (QraftClient one = QraftClient.builder().addresses(List.of(metadataLeader.address())).build()) {
      queues = one.listQueues().getQueuesList();
    }
    for (QueueInfo q : queues) {
      QueueInfo atLeader = queueSeenBy(cluster.node(q.getLeader()), q.getName());
      out.append(q.getName()).append(' ').append(q.getArgumentsMap()).append(' ').append(atLeader.getMessages())
          .append(' ').append(atLeader.getBytes()).append('\n');
    }
    return out.toString();
  }

  /** The queue as one node lists it, once that node's metadata replica has the queue. */
  private static QueueInfo queueSeenBy(ProcessCluster.Node n, String queue) {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
    try (QraftClient one = QraftClient.builder().addresses(List.of(n.address())).build()) {
      while (true) {
        java.util.Optional<QueueInfo> seen = one.listQueues().getQueuesList().stream()
            .filter(q -> q.getName().equals(queue)).findFirst();
        if (seen.isPresent() || System.nanoTime() > deadline) {
          return seen.orElseThrow(() -> new AssertionError(n.id + " does not list queue " + queue));
        }
        ProcessCluster.sleep(100);
      }
    }
  }

  private static void awaitCaughtUp(ProcessCluster.Node node, String group) {
    long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(2);
    while (System.nanoTime() < deadline) {
      try {
        long leaderApplied = -1;
        long nodeApplied = -2;
        for (ProcessCluster.Node n : cluster.nodes()) {
          GroupStatus g = cluster.localGroup(n, group);
          if (g == null) {
            continue;
          }
          if (g.getRole().equals("leader")) {
            leaderApplied = g.getAppliedIndex();
          }
          if (n == node) {
            nodeApplied = g.getAppliedIndex();
          }
        }
        if (leaderApplied > 0 && nodeApplied >= leaderApplied) {
          return;
        }
      } catch (RuntimeException e) {
        // Still starting.
      }
      ProcessCluster.sleep(200);
    }
    throw new AssertionError(node.id + " did not catch up with group " + group + "; its log:\n" + cluster.log(node));
  }

  private static String leaderOf(String queue) {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
    while (System.nanoTime() < deadline) {
      for (QueueInfo q : client.listQueues().getQueuesList()) {
        if (q.getName().equals(queue) && !q.getLeader().isEmpty()) {
          return q.getLeader();
        }
      }
      ProcessCluster.sleep(100);
    }
    throw new AssertionError("queue " + queue + " has no leader");
  }

  private static void assertStatus(org.assertj.core.api.ThrowableAssert.ThrowingCallable call, Status.Code code,
      String messagePart) {
    assertThatThrownBy(call)
        .satisfies(t -> {
          Throwable cause = t;
          while (!(cause instanceof QraftException) && cause.getCause() != null) {
            cause = cause.getCause();
          }
          assertThat(cause).isInstanceOf(QraftException.class);
          assertThat(((QraftException) cause).code()).isEqualTo(code);
          assertThat(cause.getMessage()).contains(messagePart);
        });
  }

  private static byte[] payload(int id) {
    return Integer.toString(id).getBytes(StandardCharsets.UTF_8);
  }

  private static int id(Delivery d) {
    return Integer.parseInt(d.getMessage().getBody().toString(StandardCharsets.UTF_8));
  }
}
