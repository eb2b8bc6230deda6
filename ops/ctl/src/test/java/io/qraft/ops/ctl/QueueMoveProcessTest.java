package io.qraft.ops.ctl;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.qraft.client.Consumer;
import io.qraft.client.QraftClient;
import io.qraft.ops.launch.ProcessCluster;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Predicate;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Queues change replica sets live, on five node processes: a policy's count raised and
 * lowered under a steady publish load (nothing confirmed is lost, per-queue order holds), a
 * {@code manual} move listed unsynchronised until {@code sync_queue},
 * {@code add_replica}/{@code delete_replica} with their bad input refused, and
 * {@code ha-promote-on-shutdown: always} giving up an old part whose only node stopped.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
@Timeout(value = 10, unit = TimeUnit.MINUTES)
class QueueMoveProcessTest {
  private static final Duration SETTLE = Duration.ofSeconds(90);

  @TempDir
  static Path dir;

  static ProcessCluster cluster;
  static QraftClient client;
  static CtlOnCluster ctl;

  @BeforeAll
  static void startCluster() {
    ctl = CtlOnCluster.startFive(dir, Map.of(), Duration.ofSeconds(60));
    cluster = ctl.cluster();
    client = ctl.client();
  }

  @AfterAll
  static void stopCluster() {
    if (ctl != null) {
      ctl.close();
    }
  }

  private static JsonNode queue(String name) throws Exception {
    for (JsonNode q : ctl.json("list_queues", "name", "replicas", "synchronised_replicas", "messages", "group",
        "messages_given_up")) {
      if (q.get("name").asText().equals(name)) {
        return q;
      }
    }
    // The node asked may not have applied the declare yet.
    return null;
  }

  private static void awaitQueue(String name, Predicate<JsonNode> done, String what) throws Exception {
    long deadline = System.nanoTime() + SETTLE.toNanos();
    JsonNode last = null;
    while (System.nanoTime() < deadline) {
      last = queue(name);
      if (last != null && done.test(last)) {
        return;
      }
      Thread.sleep(500);
    }
    throw new AssertionError(name + ": " + what + " not reached; last seen " + last);
  }

  private static int size(JsonNode q, String field) {
    return q.get(field).size();
  }

  /** Publishes 0, 1, 2, ... to the queue one confirm at a time until stopped; keeps what was confirmed. */
  private static final class Producer extends Thread {
    final String queue;
    final List<Integer> confirmed = new CopyOnWriteArrayList<>();
    final List<Throwable> failures = new CopyOnWriteArrayList<>();
    final AtomicBoolean stop = new AtomicBoolean();

    Producer(String queue) {
      super("producer-" + queue);
      this.queue = queue;
    }

    @Override
    public void run() {
      for (int n = 0; !stop.get(); n++) {
        try {
          client.publish(queue, Integer.toString(n).getBytes(StandardCharsets.UTF_8)).get(90, TimeUnit.SECONDS);
          confirmed.add(n);
        } catch (Exception e) {
          failures.add(e);
        }
      }
    }

    void finish() throws InterruptedException {
      stop.set(true);
      join(120_000);
    }
  }

  /** Consumes until every expected body arrived (acking each); returns the bodies in arrival order. */
  private static List<Integer> drain(String queue, List<Integer> expected) throws Exception {
    List<Integer> seen = Collections.synchronizedList(new ArrayList<>());
    Map<Integer, Boolean> redelivered = new ConcurrentHashMap<>();
    try (Consumer consumer = client.consume(queue, 50, d -> {
      int n = Integer.parseInt(d.getMessage().getBody().toStringUtf8());
      if (d.getRedelivered()) {
        redelivered.put(n, true);
      }
      seen.add(n);
      client.ack(d);
    })) {
      long deadline = System.nanoTime() + SETTLE.toNanos();
      while (System.nanoTime() < deadline && !seen.containsAll(expected)) {
        Thread.sleep(200);
      }
    }
    assertThat(seen).as("confirmed messages consumed from " + queue).containsAll(expected);
    // Order: the first delivery of each message comes in publish order (redeliveries may repeat).
    List<Integer> firsts = new ArrayList<>();
    for (int n : List.copyOf(seen)) {
      if (!firsts.contains(n) && !redelivered.containsKey(n)) {
        firsts.add(n);
      }
    }
    List<Integer> sorted = new ArrayList<>(firsts);
    Collections.sort(sorted);
    assertThat(firsts).as("per-queue order of " + queue).isEqualTo(sorted);
    return seen;
  }

  @Test
  @Order(1)
  void raisingAndLoweringAPolicysCountResizesLiveQueuesUnderLoad() throws Exception {
    assertThat(ctl.run("set_policy", "resize", "^resize\\.",
        "{\"ha-mode\":\"exactly\",\"ha-params\":2,\"ha-sync-mode\":\"automatic\"}").exitCode()).isZero();
    List<Producer> producers = new ArrayList<>();
    for (int i = 0; i < 2; i++) {
      client.declareQueue("resize." + i);
      producers.add(new Producer("resize." + i));
    }
    for (String q : List.of("resize.0", "resize.1")) {
      awaitQueue(q, n -> size(n, "replicas") == 2, "two replicas");
    }
    producers.forEach(Thread::start);
    Thread.sleep(2_000);

    assertThat(ctl.run("set_policy", "resize", "^resize\\.",
        "{\"ha-mode\":\"exactly\",\"ha-params\":3,\"ha-sync-mode\":\"automatic\"}").exitCode()).isZero();
    for (String q : List.of("resize.0", "resize.1")) {
      awaitQueue(q, n -> size(n, "replicas") == 3 && size(n, "synchronised_replicas") == 3, "three synchronised replicas");
    }
    Thread.sleep(2_000);
    assertThat(ctl.run("set_policy", "resize", "^resize\\.",
        "{\"ha-mode\":\"exactly\",\"ha-params\":1,\"ha-sync-mode\":\"automatic\"}").exitCode()).isZero();
    for (String q : List.of("resize.0", "resize.1")) {
      awaitQueue(q, n -> size(n, "replicas") == 1 && size(n, "synchronised_replicas") == 1, "one synchronised replica");
    }
    Thread.sleep(2_000);
    for (Producer p : producers) {
      p.finish();
    }
    for (Producer p : producers) {
      assertThat(p.confirmed).as("publishes confirmed on " + p.queue).hasSizeGreaterThan(10);
      drain(p.queue, p.confirmed);
    }
  }

  @Test
  @Order(2)
  void aManualMoveIsUnsynchronisedUntilSyncQueue() throws Exception {
    assertThat(ctl.run("set_policy", "manual", "^manual\\.", "{\"ha-mode\":\"exactly\",\"ha-params\":1}").exitCode())
        .isZero();
    client.declareQueue("manual.0");
    awaitQueue("manual.0", n -> size(n, "replicas") == 1, "one replica");
    List<Integer> expected = new ArrayList<>();
    for (int n = 0; n < 200; n++) {
      client.publish("manual.0", Integer.toString(n).getBytes(StandardCharsets.UTF_8)).get(60, TimeUnit.SECONDS);
      expected.add(n);
    }
    assertThat(ctl.run("set_policy", "manual", "^manual\\.", "{\"ha-mode\":\"exactly\",\"ha-params\":4}").exitCode())
        .isZero();
    awaitQueue("manual.0", n -> size(n, "replicas") == 4, "four replicas");
    JsonNode moved = queue("manual.0");
    // The old messages stay on the one node that had them: at most that node holds them all.
    assertThat(size(moved, "synchronised_replicas")).as(moved.toString()).isLessThanOrEqualTo(1);
    for (int n = 200; n < 300; n++) {
      client.publish("manual.0", Integer.toString(n).getBytes(StandardCharsets.UTF_8)).get(60, TimeUnit.SECONDS);
      expected.add(n);
    }
    Thread.sleep(3_000);
    assertThat(size(queue("manual.0"), "synchronised_replicas")).as("still unsynchronised without sync_queue")
        .isLessThanOrEqualTo(1);

    JsonNode synced = ctl.json("sync_queue", "manual.0");
    assertThat(synced.get("synchronised").asBoolean()).as(synced.toString()).isTrue();
    JsonNode after = queue("manual.0");
    assertThat(size(after, "synchronised_replicas")).as(after.toString()).isEqualTo(4);
    drain("manual.0", expected);
  }

  @Test
  @Order(3)
  void addAndDeleteReplicaMoveAQueueAndRefuseBadInput() throws Exception {
    assertThat(ctl.run("set_policy", "pin", "^pin\\.", "{\"ha-mode\":\"exactly\",\"ha-params\":1}").exitCode()).isZero();
    client.declareQueue("pin.0");
    awaitQueue("pin.0", n -> size(n, "replicas") == 1, "one replica");
    for (int n = 0; n < 50; n++) {
      client.publish("pin.0", Integer.toString(n).getBytes(StandardCharsets.UTF_8)).get(60, TimeUnit.SECONDS);
    }
    String only = queue("pin.0").get("replicas").get(0).asText();
    String other = cluster.nodes().stream().map(node -> node.id).filter(id -> !id.equals(only))
        .findFirst().orElseThrow();

    CtlRun unknownQueue = ctl.run("add_replica", "pin.none", other);
    assertThat(unknownQueue.exitCode()).isEqualTo(1);
    assertThat(unknownQueue.err()).contains("NOT_FOUND").contains("pin.none");
    CtlRun unknownNode = ctl.run("add_replica", "pin.0", "n-none");
    assertThat(unknownNode.exitCode()).isEqualTo(1);
    assertThat(unknownNode.err()).contains("not a cluster member");
    CtlRun already = ctl.run("add_replica", "pin.0", only);
    assertThat(already.exitCode()).isEqualTo(1);
    assertThat(already.err()).contains("already holds a replica");
    CtlRun last = ctl.run("delete_replica", "pin.0", only);
    assertThat(last.exitCode()).isEqualTo(1);
    assertThat(last.err()).contains("only replica");
    assertThat(queue("pin.0").get("replicas").size()).as("bad input changes nothing").isEqualTo(1);

    JsonNode added = ctl.json("add_replica", "pin.0", other);
    assertThat(added.get("moved").asBoolean()).as(added.toString()).isTrue();
    assertThat(added.get("replicas").toString()).contains(only).contains(other);
    // The policy (exactly 1) does not undo an operator's add while it stays the same.
    Thread.sleep(3_000);
    assertThat(size(queue("pin.0"), "replicas")).isEqualTo(2);

    JsonNode deleted = ctl.json("delete_replica", "pin.0", only);
    assertThat(deleted.get("moved").asBoolean()).as(deleted.toString()).isTrue();
    assertThat(deleted.get("replicas").toString()).doesNotContain(only).contains(other);
    List<Integer> expected = new ArrayList<>();
    for (int n = 0; n < 50; n++) {
      expected.add(n);
    }
    drain("pin.0", expected);
    // Its old part (on the deleted replica only) was emptied by the consumer and dropped.
    awaitQueue("pin.0", n -> size(n, "synchronised_replicas") == 1, "drained and synchronised");
  }

  @Test
  @Order(4)
  void promoteAlwaysGivesUpAnOldPartWhoseOnlyNodeStopped() throws Exception {
    String definition = "{\"ha-mode\":\"nodes\",\"ha-params\":[\"%s\"],\"ha-promote-on-shutdown\":\"always\"}";
    assertThat(ctl.run("set_policy", "promote", "^promote\\.", definition.formatted("n4")).exitCode()).isZero();
    client.declareQueue("promote.0");
    awaitQueue("promote.0", n -> n.get("replicas").toString().equals("[\"n4\"]"), "one replica on n4");
    String oldGroup = queue("promote.0").get("group").asText();
    for (int n = 0; n < 20; n++) {
      client.publish("promote.0", Integer.toString(n).getBytes(StandardCharsets.UTF_8)).get(60, TimeUnit.SECONDS);
    }
    assertThat(ctl.run("set_policy", "promote", "^promote\\.", definition.formatted("n5")).exitCode()).isZero();
    awaitQueue("promote.0", n -> n.get("replicas").toString().equals("[\"n5\"]"), "moved to n5");
    // The twenty old messages stay on n4 alone (manual sync): no replica holds them all.
    assertThat(size(queue("promote.0"), "synchronised_replicas")).isZero();
    List<Integer> after = new ArrayList<>();
    for (int n = 20; n < 30; n++) {
      client.publish("promote.0", Integer.toString(n).getBytes(StandardCharsets.UTF_8)).get(60, TimeUnit.SECONDS);
      after.add(n);
    }

    ProcessCluster.Node n4 = cluster.node("n4");
    cluster.stop(n4);

    awaitQueue("promote.0", n -> n.get("messages_given_up").asLong() == 20
        && n.get("synchronised_replicas").toString().equals("[\"n5\"]"), "old part given up, n5 synchronised");
    List<Integer> seen = drain("promote.0", after);
    assertThat(seen).as("given-up messages are not delivered").allMatch(n -> n >= 20);

    cluster.start(n4);
    // Back, n4 has the given-up records deleted, and the shard that no queue uses is removed.
    long deadline = System.nanoTime() + SETTLE.toNanos();
    boolean removed = false;
    while (!removed && System.nanoTime() < deadline) {
      removed = true;
      for (JsonNode g : ctl.json("list_groups")) {
        removed &= !g.get("group").asText().equals(oldGroup);
      }
      Thread.sleep(500);
    }
    assertThat(removed).as("the given-up part's shard " + oldGroup + " is removed").isTrue();
    assertThat(queue("promote.0").get("messages_given_up").asLong()).isEqualTo(20);
    List<Integer> later = Collections.synchronizedList(new ArrayList<>());
    try (Consumer consumer = client.consume("promote.0", 50, d -> {
      later.add(Integer.parseInt(d.getMessage().getBody().toStringUtf8()));
      client.ack(d);
    })) {
      Thread.sleep(3_000);
    }
    assertThat(later).as("nothing comes back once n4 is up").isEmpty();
  }
}
