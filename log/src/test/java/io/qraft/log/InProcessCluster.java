package io.qraft.log;

import static org.awaitility.Awaitility.await;

import io.qraft.api.QueueArguments;
import java.io.IOException;
import java.net.ServerSocket;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.ratis.protocol.RaftGroupId;

/**
 * Three {@link ReplicatedLog}s in one JVM, talking Raft over 127.0.0.1 on
 * free ports, each with its own data directory. Close it, or Ratis threads
 * keep the JVM alive.
 */
final class InProcessCluster implements AutoCloseable {
  static final Duration EVENTUALLY = Duration.ofSeconds(60);

  private final List<ReplicatedLog> logs = new ArrayList<>();
  /** Nodes closed by {@link #stop}: left out of every lookup until {@link #restart}. */
  private final java.util.Set<String> stopped = new java.util.HashSet<>();

  InProcessCluster(List<Path> dataDirs) throws IOException {
    List<NodeAddress> members = new ArrayList<>();
    for (int i = 0; i < dataDirs.size(); i++) {
      members.add(new NodeAddress("n" + (i + 1), "127.0.0.1", freePort(), freePort()));
    }
    try {
      for (int i = 0; i < dataDirs.size(); i++) {
        ReplicatedLog log = new ReplicatedLog(settings(members.get(i).id(), dataDirs.get(i), members));
        logs.add(log);
        log.start();
      }
    } catch (IOException | RuntimeException e) {
      close();
      throw e;
    }
  }

  /** Three nodes n1..n3 with data under root/n1..n3, started, with a metadata leader elected. */
  static InProcessCluster ofThree(Path root) throws IOException {
    List<Path> dirs = new ArrayList<>();
    for (String id : List.of("n1", "n2", "n3")) {
      dirs.add(java.nio.file.Files.createDirectories(root.resolve(id)));
    }
    InProcessCluster cluster = new InProcessCluster(dirs);
    cluster.metadataLeader();
    return cluster;
  }

  /** The settings of a test node: 1–2 s election timeouts, small snapshots and segments. */
  static LogSettings settings(String id, Path dataDir, List<NodeAddress> members) {
    return new LogSettings(id, dataDir, "127.0.0.1", members,
        Duration.ofMillis(1000), Duration.ofMillis(2000), 200, 0, 8 << 20, 4 << 20,
        3, 16, Duration.ofSeconds(2), Duration.ofSeconds(8), new BatchLimits(1000, 1 << 20, 0), 4, 64L << 20,
        new CatalogCaps(100_000, 1_000), Duration.ofSeconds(60));
  }

  /**
   * Ports already given to a node in this JVM. The kernel may hand the same free port out twice
   * while the first taker has not bound it yet, and a Ratis server that cannot bind exits the JVM.
   */
  private static final java.util.Set<Integer> HANDED_OUT = java.util.concurrent.ConcurrentHashMap.newKeySet();

  private static int freePort() throws IOException {
    while (true) {
      try (ServerSocket s = new ServerSocket(0, 1, java.net.InetAddress.getByName("127.0.0.1"))) {
        if (HANDED_OUT.add(s.getLocalPort())) {
          return s.getLocalPort();
        }
      }
    }
  }

  /** The running nodes. */
  List<ReplicatedLog> nodes() {
    return logs.stream().filter(l -> !stopped.contains(l.settings().nodeId())).toList();
  }

  ReplicatedLog node(String id) {
    return nodes().stream().filter(l -> l.settings().nodeId().equals(id)).findFirst().orElseThrow();
  }

  /** Closes the node as a crash would leave its disk: what it stored stays for {@link #restart}. */
  void stop(String id) {
    node(id).close();
    stopped.add(id);
  }

  /** Starts a stopped node again on its ports and data. */
  ReplicatedLog restart(String id) throws IOException {
    for (int i = 0; i < logs.size(); i++) {
      if (logs.get(i).settings().nodeId().equals(id) && stopped.remove(id)) {
        ReplicatedLog fresh = new ReplicatedLog(logs.get(i).settings());
        logs.set(i, fresh);
        fresh.start();
        return fresh;
      }
    }
    throw new IllegalArgumentException(id + " is not stopped");
  }

  /** The node leading (and ready to serve) the group, once there is one. */
  ReplicatedLog leaderOf(RaftGroupId group) {
    return await().atMost(EVENTUALLY).until(() -> nodes().stream().filter(l -> l.isLeader(group)).findFirst().orElse(null),
        java.util.Objects::nonNull);
  }

  ReplicatedLog metadataLeader() {
    return leaderOf(GroupIds.METADATA);
  }

  /** Some node that does not lead the group. */
  ReplicatedLog follower(RaftGroupId group) {
    ReplicatedLog leader = leaderOf(group);
    return nodes().stream().filter(l -> l != leader).findFirst().orElseThrow();
  }

  /**
   * Declares on the metadata leader, trying again when leadership moved or the
   * log was briefly unavailable (a declare with the same arguments is idempotent).
   */
  QueueCatalog.Declared declare(String queue, Map<String, String> given) {
    Map<String, String> arguments = QueueArguments.normalise(given);
    RuntimeException last = null;
    for (int attempt = 0; attempt < 20; attempt++) {
      try {
        return metadataLeader().catalog().declare(queue, arguments, "n1");
      } catch (LeaderElsewhereException | LogUnavailableException e) {
        last = e;
        sleep(250);
      }
    }
    throw last;
  }

  long delete(String queue) {
    RuntimeException last = null;
    for (int attempt = 0; attempt < 20; attempt++) {
      try {
        return metadataLeader().catalog().delete(queue);
      } catch (LeaderElsewhereException | LogUnavailableException e) {
        last = e;
        sleep(250);
      }
    }
    throw last;
  }

  static RaftGroupId groupOf(ReplicatedLog log, String queue) {
    return GroupIds.parse(log.metadata().queue(queue).getGroup());
  }

  private static void sleep(long ms) {
    try {
      Thread.sleep(ms);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }

  @Override
  public void close() {
    for (ReplicatedLog log : nodes()) {
      try {
        log.close();
      } catch (RuntimeException e) {
        // Close the others regardless.
      }
    }
  }
}
