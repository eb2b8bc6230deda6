package io.qraft.ops.ctl;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.qraft.api.v1.GroupStatus;
import io.qraft.client.Consumer;
import io.qraft.client.QraftClient;
import io.qraft.ops.launch.ProcessCluster;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code forget_node} on five node processes: three-replica queues with confirmed messages,
 * a node holding replicas of them SIGKILLed and forgotten. Every shard it was in gets a new
 * third member (which catches up from a snapshot: the logs are kept short here), every
 * confirmed message is consumed afterwards and new publishes work. Forgetting an unknown node,
 * a node that is up, or a node forgotten already is refused and changes nothing.
 */
@Timeout(value = 5, unit = TimeUnit.MINUTES)
class ForgetNodeProcessTest {
  private static final Duration SETTLE = Duration.ofSeconds(90);
  private static final List<String> QUEUES = List.of("forget.0", "forget.1");
  private static final int MESSAGES = 400;
  /** 4 KB bodies: enough bytes to fill a 1 MB log segment, so that snapshots purge the log. */
  private static final String PADDING = " " + "x".repeat(4 * 1024);

  @TempDir
  static Path dir;

  static CtlOnCluster ctl;
  static ProcessCluster cluster;
  static QraftClient client;

  @BeforeAll
  static void startCluster() {
    ctl = CtlOnCluster.startFive(dir, Map.of(
        "raft.snapshot_threshold", "100",
        "raft.log_keep_entries", "0",
        "message.max_bytes", "16384",
        "raft.max_entry_bytes", "262144",
        "raft.segment_size_bytes", "1048576"), Duration.ofSeconds(60));
    cluster = ctl.cluster();
    client = ctl.client();
    // Readiness counts only running nodes: a bad configuration would stop them all at once.
    assertThat(cluster.nodes()).allMatch(ProcessCluster.Node::running);
  }

  @AfterAll
  static void stopCluster() {
    if (ctl != null) {
      ctl.close();
    }
  }

  private static Map<String, JsonNode> queues() throws Exception {
    Map<String, JsonNode> out = new HashMap<>();
    for (JsonNode q : ctl.json("list_queues", "name", "replicas")) {
      out.put(q.get("name").asText(), q);
    }
    return out;
  }

  private static List<String> replicas(JsonNode queue) {
    List<String> out = new ArrayList<>();
    queue.get("replicas").forEach(n -> out.add(n.asText()));
    return out;
  }

  private static Map<String, List<String>> replicaSets() throws Exception {
    Map<String, List<String>> out = new HashMap<>();
    queues().forEach((name, q) -> {
      if (QUEUES.contains(name)) {
        out.put(name, replicas(q));
      }
    });
    return out;
  }

  private static byte[] body(int n) {
    return (n + PADDING).getBytes(StandardCharsets.UTF_8);
  }

  private static void publish(String queue, int from, int to) throws Exception {
    List<CompletableFuture<?>> pending = new ArrayList<>();
    for (int n = from; n < to; n++) {
      pending.add(client.publish(queue, body(n)));
      if (pending.size() == 20) {
        CompletableFuture.allOf(pending.toArray(CompletableFuture[]::new)).get(60, TimeUnit.SECONDS);
        pending.clear();
      }
    }
    CompletableFuture.allOf(pending.toArray(CompletableFuture[]::new)).get(60, TimeUnit.SECONDS);
  }

  /** Consumes (and acks) until every body in [0, count) arrived. */
  private static void drain(String queue, int count) throws Exception {
    Set<Integer> seen = ConcurrentHashMap.newKeySet();
    try (Consumer consumer = client.consume(queue, 50, d -> {
      String text = d.getMessage().getBody().toStringUtf8();
      seen.add(Integer.parseInt(text.substring(0, text.indexOf(' '))));
      client.ack(d);
    })) {
      long deadline = System.nanoTime() + SETTLE.toNanos();
      while (System.nanoTime() < deadline && seen.size() < count) {
        Thread.sleep(200);
      }
    }
    Set<Integer> missing = new TreeSet<>();
    for (int n = 0; n < count; n++) {
      if (!seen.contains(n)) {
        missing.add(n);
      }
    }
    assertThat(missing).as("confirmed messages of " + queue + " not consumed").isEmpty();
  }

  @Test
  void aForgottenNodesShardsGetANewMemberAndKeepEveryConfirmedMessage() throws Exception {
    assertThat(ctl.run("set_policy", "three", "^forget\\.", "{\"ha-mode\":\"exactly\",\"ha-params\":3}").exitCode())
        .isZero();
    for (String q : QUEUES) {
      // An entry a message, so that 400 messages pass the snapshot threshold (100 entries) several
      // times over: batched, they fit in a few dozen entries and no snapshot would purge the log.
      client.declareQueue(q, Map.of("batch-size", "1"));
    }
    long deadline = System.nanoTime() + SETTLE.toNanos();
    while (replicaSets().size() < QUEUES.size() && System.nanoTime() < deadline) {
      Thread.sleep(300);
    }
    Map<String, List<String>> before = replicaSets();
    before.values().forEach(r -> assertThat(r).hasSize(3));
    for (String q : QUEUES) {
      publish(q, 0, MESSAGES);
    }

    // The victim holds replicas of forget.0, and is not the node qraftctl asks.
    String asked = ctl.asked().id;
    String victim = before.get("forget.0").stream().filter(n -> !n.equals(asked)).findFirst().orElseThrow();

    CtlRun unknown = ctl.run("forget_node", "n-none");
    assertThat(unknown.exitCode()).isEqualTo(1);
    assertThat(unknown.err()).contains("NOT_FOUND").contains("n-none");
    CtlRun up = ctl.run("forget_node", victim);
    assertThat(up.exitCode()).isEqualTo(1);
    assertThat(up.err()).contains("FAILED_PRECONDITION").contains("is up").contains("Stop it first");
    assertThat(replicaSets()).as("refusals change nothing").isEqualTo(before);
    for (JsonNode n : ctl.json("cluster_status")) {
      assertThat(n.get("forgotten").asBoolean()).as(n.toString()).isFalse();
    }

    cluster.kill(cluster.node(victim));
    JsonNode forgotten = null;
    deadline = System.nanoTime() + SETTLE.toNanos();
    while (forgotten == null && System.nanoTime() < deadline) {
      CtlRun run = ctl.run("forget_node", victim, "--format", "json");
      if (run.exitCode() == 0) {
        forgotten = new com.fasterxml.jackson.databind.ObjectMapper().readTree(run.out());
      } else {
        // Until the leader has not heard from it for an election timeout it counts as up; when it
        // led the metadata group, the group is unavailable until it elects another leader.
        assertThat(run.err()).as("the only refusals expected now").containsAnyOf("is up", "UNAVAILABLE");
        Thread.sleep(1_000);
      }
    }
    assertThat(forgotten).as("forget_node accepted once the node is down").isNotNull();
    Set<String> affectedGroups = new TreeSet<>();
    for (JsonNode shard : forgotten) {
      affectedGroups.add(shard.get("group").asText());
      assertThat(shard.get("outcome").asText()).as(shard.toString()).isEqualTo("replaced");
      assertThat(shard.get("done").asBoolean()).as(shard.toString()).isTrue();
      assertThat(shard.get("replicas").toString()).as(shard.toString()).doesNotContain("\"" + victim + "\"");
      assertThat(shard.get("replicas")).hasSize(3);
    }
    assertThat(affectedGroups).as("forget.0's shard had the node").isNotEmpty();

    Map<String, List<String>> after = replicaSets();
    for (String q : QUEUES) {
      assertThat(after.get(q)).as(q).hasSize(3).doesNotContain(victim);
      if (before.get(q).contains(victim)) {
        assertThat(after.get(q)).as(q + " kept its two live replicas").containsAll(
            before.get(q).stream().filter(n -> !n.equals(victim)).toList());
      } else {
        assertThat(after.get(q)).as(q + " did not have the node: unchanged").isEqualTo(before.get(q));
      }
    }
    for (JsonNode n : ctl.json("cluster_status")) {
      assertThat(n.get("forgotten").asBoolean()).as(n.toString()).isEqualTo(n.get("node").asText().equals(victim));
    }
    CtlRun again = ctl.run("forget_node", victim);
    assertThat(again.exitCode()).isEqualTo(1);
    assertThat(again.err()).contains("forgotten already");

    // The newcomers are voters of their shards in Raft's own configuration, caught up.
    int snapshotsInstalled = 0;
    for (JsonNode shard : forgotten) {
      String group = shard.get("group").asText();
      ProcessCluster.Node newcomer = cluster.node(shard.get("replacement").asText());
      GroupStatus local = awaitCaughtUp(newcomer, group);
      assertThat(local.getReplicasList()).as("Raft configuration on the newcomer").doesNotContain(victim)
          .contains(newcomer.id).hasSize(3);
      snapshotsInstalled += (int) local.getSnapshotsInstalled();
    }
    assertThat(snapshotsInstalled).as("a newcomer whose shard's log was purged starts from a snapshot")
        .isPositive();

    for (String q : QUEUES) {
      drain(q, MESSAGES);
      publish(q, 0, 20);
      drain(q, 20);
    }
  }

  /** The newcomer's view of the group once it applied what the group had committed before. */
  private static GroupStatus awaitCaughtUp(ProcessCluster.Node newcomer, String group) throws Exception {
    long deadline = System.nanoTime() + SETTLE.toNanos();
    GroupStatus last = null;
    while (System.nanoTime() < deadline) {
      last = cluster.localGroup(newcomer, group);
      if (last != null && last.getAppliedIndex() > 0 && !last.getRole().equals("candidate")
          && last.getAppliedIndex() >= last.getCommitIndex() && last.getReplicasCount() == 3) {
        return last;
      }
      Thread.sleep(300);
    }
    throw new AssertionError("node " + newcomer.id + " did not catch up in " + group + "; last seen " + last);
  }
}
