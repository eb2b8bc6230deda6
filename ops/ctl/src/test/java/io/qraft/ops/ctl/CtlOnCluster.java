package io.qraft.ops.ctl;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.qraft.client.QraftClient;
import io.qraft.ops.launch.ProcessCluster;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Five node processes for a test class, with an SDK client and qraftctl run in this JVM
 * (qraftctl asks the first running node).
 */
final class CtlOnCluster implements AutoCloseable {
  private static final ObjectMapper JSON = new ObjectMapper();

  private final ProcessCluster cluster;
  private final QraftClient client;

  private CtlOnCluster(ProcessCluster cluster, Duration clientDeadline) {
    this.cluster = cluster;
    this.client = QraftClient.builder().addresses(cluster.addresses()).deadline(clientDeadline).build();
  }

  /**
   * Five node processes, started and ready. They share the machine's cores: longer election
   * timeouts keep a busy node from being voted out while a test measures where leaders are.
   */
  static CtlOnCluster startFive(Path dir, Map<String, String> extraConfig, Duration clientDeadline) {
    Map<String, String> config = new HashMap<>(Map.of(
        "raft.election_timeout_min", "2000",
        "raft.election_timeout_max", "4000"));
    config.putAll(extraConfig);
    ProcessCluster cluster = new ProcessCluster(dir, 5, config).start();
    try {
      cluster.awaitReady(Duration.ofSeconds(120));
      return new CtlOnCluster(cluster, clientDeadline);
    } catch (RuntimeException e) {
      cluster.close();
      throw e;
    }
  }

  ProcessCluster cluster() {
    return cluster;
  }

  QraftClient client() {
    return client;
  }

  @Override
  public void close() {
    client.close();
    cluster.close();
  }

  ProcessCluster.Node asked() {
    return cluster.nodes().stream().filter(ProcessCluster.Node::running).findFirst().orElseThrow();
  }

  CtlRun run(String... args) {
    List<String> all = new ArrayList<>(List.of("--node", asked().address(), "--timeout", "60"));
    all.addAll(List.of(args));
    return CtlRun.run(ClusterClient::plaintextChannel, all.toArray(String[]::new));
  }

  /** The command's --format json output; it must succeed (else the node's last failure is shown). */
  JsonNode json(String... args) throws Exception {
    List<String> all = new ArrayList<>(List.of(args));
    all.add("--format");
    all.add("json");
    ProcessCluster.Node node = asked();
    CtlRun run = run(all.toArray(String[]::new));
    assertThat(run.exitCode()).as(() -> run.err() + failuresLogged(node)).isZero();
    return JSON.readTree(run.out());
  }

  /** The node's log around its last logged exception, so that a failure says why. */
  private String failuresLogged(ProcessCluster.Node node) {
    String log = cluster.log(node);
    int at = Math.max(log.lastIndexOf("Exception"), 0);
    int from = Math.max(log.lastIndexOf('\n', Math.max(at - 400, 0)), 0);
    return log.substring(from, Math.min(log.length(), at + 4_000));
  }
}
