package io.qraft.ops.cluster;

import io.qraft.ops.launch.ProcessCluster;
import static org.assertj.core.api.Assertions.assertThat;

import io.qraft.api.v1.NodeStatusResponse;
import io.qraft.api.v1.QueueInfo;
import io.qraft.client.QraftClient;
import io.qraft.ops.server.ServerMain;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * A node process stopped (SIGSTOP) for longer than raft.close_threshold_ms and then continued:
 * Ratis closes its Raft server when it notices the pause, and the node must not stay up serving
 * nothing. It exits with status 3, the test starts it again as systemd's Restart=on-failure
 * would, and within 30 s of the continue it serves again: it leads or follows every group it
 * carries and takes publishes to a queue whose leader it is asked to be.
 */
@Timeout(value = 4, unit = TimeUnit.MINUTES)
class PausedNodeProcessTest {
  private static final long CLOSE_THRESHOLD_MS = 4_000;
  private static final long PAUSE_MS = 7_000;

  @TempDir
  static Path dir;

  static ProcessCluster cluster;

  @BeforeAll
  static void startCluster() {
    cluster = new ProcessCluster(dir, 3, Map.of("raft.close_threshold_ms", String.valueOf(CLOSE_THRESHOLD_MS))).start();
  }

  @AfterAll
  static void stopCluster() {
    if (cluster != null) {
      cluster.close();
    }
  }

  @Test
  void aNodePausedPastTheCloseThresholdExitsAndServesAgainOnceRestarted() throws Exception {
    ProcessCluster.Node paused = cluster.node("n2");
    try (QraftClient client = QraftClient.builder().addresses(cluster.addresses())
        .deadline(Duration.ofSeconds(60)).build()) {
      QueueInfo queue = client.declareQueue("through-a-pause", Map.of());
      client.publish("through-a-pause", "before".getBytes()).get(30, TimeUnit.SECONDS);

      cluster.signal(paused, "STOP");
      Thread.sleep(PAUSE_MS);
      cluster.signal(paused, "CONT");
      long continued = System.nanoTime();

      // The node notices the pause, Ratis closes its server, and the node exits with status 3.
      assertThat(paused.process.awaitExit(20)).as("the paused node exits on its own").isTrue();
      assertThat(paused.process.exitValue()).isEqualTo(ServerMain.EXIT_NOT_SERVING);
      String log = Files.readString(paused.process.logFile());
      assertThat(log).contains("exiting with status 3 so that the node is restarted: the Raft server of node n2 closed");

      // As systemd would: start it again on the same data.
      cluster.start(paused);
      NodeStatusResponse status = awaitServing(paused, Duration.ofSeconds(30).minusNanos(System.nanoTime() - continued));
      assertThat(status.getRunning()).isTrue();
      assertThat(status.getLocalGroupsList()).as("groups of %s", paused.id)
          .isNotEmpty().allSatisfy(g -> assertThat(g.getRole()).isIn("leader", "follower"));

      // It takes part again: a publish through it is confirmed, and nothing was lost.
      try (QraftClient viaPaused = QraftClient.builder().addresses(List.of(paused.address()))
          .deadline(Duration.ofSeconds(60)).build()) {
        viaPaused.publish("through-a-pause", "after".getBytes()).get(30, TimeUnit.SECONDS);
      }
      assertThat(client.get(queue.getName(), 10, true)).extracting(d -> d.getMessage().getBody().toStringUtf8())
          .containsExactly("before", "after");
    }
  }

  /** The node's status once it answers, says it is running and every group it carries has a leader. */
  private static NodeStatusResponse awaitServing(ProcessCluster.Node n, Duration within) {
    long deadline = System.nanoTime() + Math.max(0, within.toNanos());
    NodeStatusResponse last = null;
    while (System.nanoTime() < deadline) {
      try {
        last = cluster.nodeStatus(n);
        if (last.getRunning() && last.getLocalGroupsCount() > 0
            && last.getLocalGroupsList().stream().allMatch(g -> !g.getLeader().isEmpty())) {
          return last;
        }
      } catch (RuntimeException e) {
        // still starting
      }
      ProcessCluster.sleep(200);
    }
    throw new AssertionError(n.id + " does not serve within 30 s of the continue; last status: " + last
        + "\n" + cluster.diagnostics(n));
  }
}
