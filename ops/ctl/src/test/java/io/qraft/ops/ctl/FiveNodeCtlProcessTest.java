package io.qraft.ops.ctl;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.qraft.api.v1.ClusterStatusResponse;
import io.qraft.api.v1.GroupStatus;
import io.qraft.client.QraftClient;
import io.qraft.ops.launch.ProcessCluster;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * qraftctl's cluster verbs against five node processes: placement spreads replicas, leaders
 * move on request ({@code transfer_leader}), {@code rebalance} evens them out, and
 * {@code stop_node} hands leadership over before the node leaves, so a producer publishing to
 * a three-replica queue through the SDK sees no failure, while a two-replica queue pauses.
 *
 * <p>One cluster for the class; tests run in order and leave it running.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
@Timeout(value = 10, unit = TimeUnit.MINUTES)
class FiveNodeCtlProcessTest {
  private static final int QUEUES = 8;

  @TempDir
  static Path dir;

  static ProcessCluster cluster;
  static QraftClient client;
  static CtlOnCluster ctl;

  @BeforeAll
  static void startCluster() {
    ctl = CtlOnCluster.startFive(dir, Map.of("shards.per_replica_set", "1"), Duration.ofSeconds(30));
    cluster = ctl.cluster();
    client = ctl.client();
  }

  @AfterAll
  static void stopCluster() {
    if (ctl != null) {
      ctl.close();
    }
  }

  /** Shard groups led per node, from the cluster's own view. */
  private static Map<String, Integer> shardLeadersPerNode() {
    ClusterStatusResponse status = cluster.clusterStatus(
        cluster.nodes().stream().filter(ProcessCluster.Node::running).findFirst().orElseThrow());
    Map<String, Integer> led = new TreeMap<>();
    status.getNodesList().stream().filter(n -> n.getRunning()).forEach(n -> led.put(n.getNode(), 0));
    for (GroupStatus g : status.getGroupsList()) {
      if (!"metadata".equals(g.getKind()) && !g.getLeader().isEmpty()) {
        led.merge(g.getLeader(), 1, Integer::sum);
      }
    }
    return led;
  }

  private static String leaderOf(String queue) throws Exception {
    for (JsonNode q : ctl.json("list_queues")) {
      if (q.get("name").asText().equals(queue)) {
        return q.get("leader").asText();
      }
    }
    throw new AssertionError("no queue " + queue);
  }

  @Test
  @Order(1)
  void queuesSpreadTheirThreeReplicasOverTheFiveNodes() throws Exception {
    for (int i = 0; i < QUEUES; i++) {
      client.declareQueue("spread." + i);
    }
    Map<String, Integer> replicasPerNode = new TreeMap<>();
    for (GroupStatus g : cluster.clusterStatus(cluster.nodes().get(0)).getGroupsList()) {
      if (!"metadata".equals(g.getKind())) {
        assertThat(g.getReplicasList()).hasSize(3);
        g.getReplicasList().forEach(n -> replicasPerNode.merge(n, 1, Integer::sum));
      }
    }
    // Fewest replicas first: no node is left out, none holds two more than another.
    assertThat(replicasPerNode).hasSize(5);
    int max = replicasPerNode.values().stream().max(Integer::compare).orElseThrow();
    int min = replicasPerNode.values().stream().min(Integer::compare).orElseThrow();
    assertThat(max - min).as("replicas per node %s", replicasPerNode).isLessThanOrEqualTo(1);
  }

  @Test
  @Order(2)
  void transferLeaderMovesAQueuesGroupAndNamesTheQueuesThatMovedWithIt() throws Exception {
    String queue = "spread.0";
    String before = leaderOf(queue);
    JsonNode replicas = null;
    for (JsonNode q : ctl.json("list_queues")) {
      if (q.get("name").asText().equals(queue)) {
        replicas = q.get("replicas");
      }
    }
    String target = null;
    for (JsonNode r : replicas) {
      if (!r.asText().equals(before)) {
        target = r.asText();
      }
    }
    JsonNode move = ctl.json("transfer_leader", queue, target);
    assertThat(move.get("moved").asBoolean()).as(move.toString()).isTrue();
    assertThat(move.get("from").asText()).isEqualTo(before);
    assertThat(move.get("to").asText()).isEqualTo(target);
    assertThat(move.get("queues").toString()).contains(queue);
    assertThat(leaderOf(queue)).isEqualTo(target);

    CtlRun notAReplica = ctl.run("transfer_leader", queue, "n-none");
    assertThat(notAReplica.exitCode()).isEqualTo(1);
    assertThat(notAReplica.err()).contains("n-none").contains("replica");
    assertThat(leaderOf(queue)).isEqualTo(target);
    CtlRun noQueue = ctl.run("transfer_leader", "no-such-queue");
    assertThat(noQueue.exitCode()).isEqualTo(1);
    assertThat(noQueue.err()).contains("NOT_FOUND").contains("no-such-queue");
    CtlRun noNode = ctl.run("stop_node", "n-none");
    assertThat(noNode.exitCode()).isEqualTo(1);
    assertThat(noNode.err()).contains("NOT_FOUND").contains("n-none");
    assertThat(cluster.nodes()).as("a refused stop stops nothing").allMatch(ProcessCluster.Node::running);
  }

  @Test
  @Order(3)
  void rebalanceLeavesShardLeadersWithinOneOfEven() throws Exception {
    // Unbalance first: hand every group to its alphabetically first replica.
    for (int i = 0; i < QUEUES; i++) {
      String queue = "spread." + i;
      for (JsonNode q : ctl.json("list_queues")) {
        if (q.get("name").asText().equals(queue)) {
          ctl.run("transfer_leader", queue, q.get("replicas").get(0).asText());
        }
      }
    }
    // Rebalance plans from what the nodes report; wait until they all report the pile-up.
    waitFor(() -> {
      Map<String, Integer> piled = shardLeadersPerNode();
      return piled.values().stream().max(Integer::compare).orElse(0)
          - piled.values().stream().min(Integer::compare).orElse(0) > 1;
    }, "the nodes to report the piled-up leaders");
    JsonNode moves = ctl.json("rebalance");
    assertThat(moves.size()).as("rebalance moves %s", moves).isPositive();
    for (JsonNode m : moves) {
      assertThat(m.get("moved").asBoolean()).as(m.toString()).isTrue();
      // One shard per replica set (shards.per_replica_set 1): no shard to even queues out with.
      assertThat(m.get("kind").asText()).as(m.toString()).isEqualTo("leader");
    }
    Map<String, Integer> led = shardLeadersPerNode();
    int max = led.values().stream().max(Integer::compare).orElseThrow();
    int min = led.values().stream().min(Integer::compare).orElseThrow();
    assertThat(max - min).as("shard leaders per node %s", led).isLessThanOrEqualTo(1);
    // Right after the transfers a node may still name a group's old leader; once every node
    // has heard from the new leaders (well within an election timeout) the view is settled.
    Thread.sleep(4_000);
    assertThat(ctl.json("rebalance").size()).as("a balanced cluster needs no move").isZero();
  }

  @Test
  @Order(4)
  void stopNodeHandsLeadershipOverFirstSoAProducerSeesNoFailure() throws Exception {
    String queue = "spread.1";
    String leader = leaderOf(queue);
    ProcessCluster.Node node = cluster.node(leader);
    AtomicBoolean running = new AtomicBoolean(true);
    AtomicInteger confirmed = new AtomicInteger();
    AtomicReference<Throwable> failure = new AtomicReference<>();
    CompletableFuture<Void> producer = CompletableFuture.runAsync(() -> {
      int i = 0;
      while (running.get() && failure.get() == null) {
        try {
          client.publish(queue, ("m" + i++).getBytes(StandardCharsets.UTF_8)).get(60, TimeUnit.SECONDS);
          confirmed.incrementAndGet();
        } catch (Exception e) {
          failure.set(e);
        }
      }
    });
    waitFor(() -> confirmed.get() >= 50, "publishes before the stop");

    // Ask another node to stop the leader: the answer comes once leadership is handed over.
    String other = cluster.nodes().stream().filter(n -> !n.id.equals(leader)).findFirst().orElseThrow().address();
    CtlRun stop = CtlRun.run(ClusterClient::plaintextChannel, "--node", other, "--timeout", "60",
        "stop_node", leader, "--format", "json");
    assertThat(stop.exitCode()).as(stop.err()).isZero();
    JsonNode stopped = new com.fasterxml.jackson.databind.ObjectMapper().readTree(stop.out());
    assertThat(stopped.get("node").asText()).isEqualTo(leader);
    assertThat(stopped.get("groups_handed_over").asInt()).isPositive();
    waitFor(() -> !node.running(), "the stopped node's process to exit");

    int atStop = confirmed.get();
    waitFor(() -> confirmed.get() >= atStop + 50, "publishes after the stop");
    running.set(false);
    producer.get(60, TimeUnit.SECONDS);
    assertThat(failure.get()).as("a publish failed across the clean stop").isNull();
    assertThat(leaderOf(queue)).isNotEqualTo(leader).isNotEmpty();

    cluster.start(node);
    cluster.awaitReady(Duration.ofSeconds(120));
  }

  @Test
  @Order(5)
  void theSeedsThreePoliciesGiveEachQueueItsReplicas() throws Exception {
    assertThat(ctl.run("set_policy", "ha-all", "^(order|payment|user)\\.", "{\"ha-mode\":\"all\"}",
        "--priority", "1").exitCode()).isZero();
    assertThat(ctl.run("set_policy", "ha-two", "^normal\\.",
        "{\"ha-mode\":\"exactly\",\"ha-params\":2,\"ha-sync-mode\":\"automatic\"}").exitCode()).isZero();
    for (String q : List.of("order.1", "payment.1", "user.1", "normal.1", "normal.2", "temp.1")) {
      client.declareQueue(q);
    }
    Map<String, Integer> replicas = new TreeMap<>();
    Map<String, String> policies = new TreeMap<>();
    // The answering node lists from its own metadata replica, which may trail the last declare briefly.
    waitFor(() -> {
      try {
        return ctl.json("list_queues").toString().contains("\"temp.1\"");
      } catch (Exception e) {
        return false;
      }
    }, "the last declared queue to be listed");
    for (JsonNode q : ctl.json("list_queues", "name", "policy", "replicas", "synchronised_replicas")) {
      replicas.put(q.get("name").asText(), q.get("replicas").size());
      policies.put(q.get("name").asText(), q.get("policy").asText());
      assertThat(q.get("synchronised_replicas")).isEqualTo(q.get("replicas"));
    }
    assertThat(replicas).containsEntry("order.1", 5).containsEntry("payment.1", 5).containsEntry("user.1", 5)
        .containsEntry("normal.1", 2).containsEntry("normal.2", 2).containsEntry("temp.1", 3);
    assertThat(policies).containsEntry("order.1", "ha-all").containsEntry("normal.1", "ha-two")
        .containsEntry("temp.1", "");
    // One-replica queues land on nodes other than the metadata leader too; declaring them must
    // not wait on a first election that only their own node can see.
    assertThat(ctl.run("set_policy", "solo", "^solo\\.", "{\"ha-mode\":\"exactly\",\"ha-params\":1}").exitCode())
        .isZero();
    try (QraftClient quick = QraftClient.builder().addresses(cluster.addresses())
        .deadline(Duration.ofSeconds(8)).build()) {
      for (int i = 1; i <= 4; i++) {
        assertThat(quick.declareQueue("solo." + i).getReplicasCount()).isEqualTo(1);
      }
    }
    // Each replicated queue takes publishes.
    for (String q : List.of("order.1", "normal.1", "temp.1")) {
      client.publish(q, "x".getBytes(StandardCharsets.UTF_8)).get(30, TimeUnit.SECONDS);
    }
  }

  @Test
  @Order(6)
  void everyBadPolicyIsRefusedWithItsReasonAndChangesNothing() throws Exception {
    JsonNode before = ctl.json("list_policies");
    Map<String, List<String>> bad = new TreeMap<>();
    bad.put("invalid regex", List.of("bad", "^(order", "{\"ha-mode\":\"all\"}"));
    bad.put("unknown key", List.of("bad", ".*", "{\"ha-mdoe\":\"all\"}"));
    bad.put("wrong type", List.of("bad", ".*", "{\"ha-mode\":\"exactly\",\"ha-params\":\"two\"}"));
    bad.put("exactly without a positive count", List.of("bad", ".*", "{\"ha-mode\":\"exactly\",\"ha-params\":0}"));
    bad.put("nodes naming no known node", List.of("bad", ".*", "{\"ha-mode\":\"nodes\",\"ha-params\":[\"n9\"]}"));
    bad.put("not JSON", List.of("bad", ".*", "{ha-mode: all"));
    for (Map.Entry<String, List<String>> e : bad.entrySet()) {
      List<String> args = new ArrayList<>(List.of("set_policy"));
      args.addAll(e.getValue());
      CtlRun run = ctl.run(args.toArray(String[]::new));
      assertThat(run.exitCode()).as(e.getKey()).isNotZero();
      assertThat(run.err()).as(e.getKey()).isNotBlank().doesNotContain("Exception");
    }
    assertThat(ctl.json("list_policies")).isEqualTo(before);
  }

  /**
   * Raft needs a majority, and the majority of two is both: with one of its two replicas
   * stopped, a queue takes no publish (it pauses, as README says), and serves again as soon as
   * the replica is back.
   */
  @Test
  @Order(7)
  void aTwoReplicaQueuePausesWhileOneReplicaIsStoppedAndServesWhenItIsBack() throws Exception {
    assertThat(ctl.run("set_policy", "two", "^pause\\.", "{\"ha-mode\":\"exactly\",\"ha-params\":2}").exitCode())
        .isZero();
    client.declareQueue("pause.0");
    client.publish("pause.0", "before".getBytes(StandardCharsets.UTF_8)).get(60, TimeUnit.SECONDS);
    // The node asked may not have applied the declare yet, or not know the new shard's leader.
    JsonNode listed = null;
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
    while (listed == null && System.nanoTime() < deadline) {
      for (JsonNode q : ctl.json("list_queues", "name", "leader", "replicas")) {
        if (q.get("name").asText().equals("pause.0") && !q.get("leader").asText().isEmpty()) {
          listed = q;
        }
      }
      Thread.sleep(250);
    }
    assertThat(listed).as("pause.0 listed with its leader").isNotNull();
    assertThat(listed.get("replicas").size()).isEqualTo(2);
    String leader = listed.get("leader").asText();
    String other = null;
    for (JsonNode r : listed.get("replicas")) {
      if (!r.asText().equals(leader)) {
        other = r.asText();
      }
    }
    ProcessCluster.Node follower = cluster.node(other);

    cluster.stop(follower);

    List<String> up = cluster.nodes().stream().filter(ProcessCluster.Node::running).map(ProcessCluster.Node::address)
        .toList();
    try (QraftClient impatient = QraftClient.builder().addresses(up).deadline(Duration.ofSeconds(6)).build()) {
      CompletableFuture<?> during = impatient.publish("pause.0", "during".getBytes(StandardCharsets.UTF_8));
      org.assertj.core.api.Assertions.assertThatThrownBy(() -> during.get(60, TimeUnit.SECONDS))
          .as("a publish while one of two replicas is stopped")
          .hasCauseInstanceOf(io.qraft.client.PublishTimeoutException.class);
    }
    cluster.start(follower);
    cluster.awaitReady(Duration.ofSeconds(120));
    client.publish("pause.0", "after".getBytes(StandardCharsets.UTF_8)).get(90, TimeUnit.SECONDS);
  }

  private static void waitFor(java.util.function.BooleanSupplier condition, String what) throws InterruptedException {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(90);
    while (!condition.getAsBoolean()) {
      if (System.nanoTime() > deadline) {
        throw new AssertionError("timed out waiting for " + what);
      }
      Thread.sleep(50);
    }
  }
}
