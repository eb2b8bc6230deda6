package io.qraft.bench.jmh;

import io.qraft.api.v1.ClusterStatusResponse;
import io.qraft.api.v1.NodeStatusResponse;
import io.qraft.client.QraftClient;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * A cluster of separate node JVMs on 127.0.0.1, on free ports, for the end-to-end
 * benchmarks. The nodes run io.qraft.ops.server.ServerMain from this JVM's class path, with
 * a small heap (BENCH_NODE_HEAP, default 256m). Every wait is bounded.
 */
final class LocalCluster implements AutoCloseable {
  private static final Duration START_TIMEOUT = Duration.ofSeconds(90);

  private final Path dir;
  private final List<Process> processes = new ArrayList<>();
  private final List<String> grpcAddresses = new ArrayList<>();

  private LocalCluster(Path dir) {
    this.dir = dir;
  }

  /** Starts {@code nodes} nodes with these extra config keys and waits until all answer. */
  static LocalCluster start(int nodes, Map<String, String> config) {
    LocalCluster cluster = new LocalCluster(TempDirs.create("qraft-jmh-cluster"));
    try {
      cluster.launch(nodes, config);
      cluster.awaitReady(nodes);
      return cluster;
    } catch (RuntimeException | IOException e) {
      cluster.close();
      throw e instanceof RuntimeException r ? r : new UncheckedIOException((IOException) e);
    }
  }

  List<String> addresses() {
    return List.copyOf(grpcAddresses);
  }

  private void launch(int nodes, Map<String, String> config) throws IOException {
    int[] grpc = new int[nodes];
    int[] raft = new int[nodes];
    List<String> members = new ArrayList<>();
    for (int k = 0; k < nodes; k++) {
      grpc[k] = freePort();
      raft[k] = freePort();
      members.add("n" + (k + 1) + "@127.0.0.1:" + grpc[k] + ":" + raft[k]);
      grpcAddresses.add("127.0.0.1:" + grpc[k]);
    }
    Path logback = dir.resolve("logback.xml");
    Files.writeString(logback, """
        <configuration>
          <appender name="F" class="ch.qos.logback.core.ConsoleAppender">
            <target>System.err</target>
            <encoder><pattern>%d %-5level [%thread] %logger{36} - %msg%n</pattern></encoder>
          </appender>
          <logger name="org.apache.ratis" level="WARN"/>
          <root level="WARN"><appender-ref ref="F"/></root>
        </configuration>
        """);
    String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
    String heap = System.getenv().getOrDefault("BENCH_NODE_HEAP", "256m");
    for (int k = 0; k < nodes; k++) {
      Path home = dir.resolve("n" + (k + 1));
      Files.createDirectories(home);
      StringBuilder conf = new StringBuilder()
          .append("node.id = n").append(k + 1).append('\n')
          .append("node.data_dir = ").append(home.resolve("data")).append('\n')
          .append("listeners.grpc = 127.0.0.1:").append(grpc[k]).append('\n')
          .append("listeners.raft = 127.0.0.1:").append(raft[k]).append('\n')
          .append("cluster.nodes = ").append(String.join(", ", members)).append('\n');
      config.forEach((key, v) -> conf.append(key).append(" = ").append(v).append('\n'));
      Path confFile = home.resolve("qraft.conf");
      Files.writeString(confFile, conf.toString());
      ProcessBuilder pb = new ProcessBuilder(java, "-Xmx" + heap, "-XX:+UseSerialGC",
          "-Dlogback.configurationFile=" + logback,
          "-cp", System.getProperty("java.class.path"),
          "io.qraft.ops.server.ServerMain", "--config", confFile.toString())
          .redirectErrorStream(true)
          .redirectOutput(home.resolve("node.log").toFile());
      processes.add(pb.start());
    }
  }

  private void awaitReady(int nodes) {
    long deadline = System.nanoTime() + START_TIMEOUT.toNanos();
    String last = "no answer";
    try (QraftClient client = QraftClient.builder().addresses(grpcAddresses)
        .deadline(Duration.ofSeconds(5)).build()) {
      while (System.nanoTime() < deadline) {
        for (Process p : processes) {
          if (!p.isAlive()) {
            throw new IllegalStateException("a node exited at start-up; see " + dir + "/n*/node.log");
          }
        }
        try {
          ClusterStatusResponse status = client.clusterStatus();
          long running = status.getNodesList().stream().filter(NodeStatusResponse::getRunning).count();
          if (running == nodes) {
            return;
          }
          last = running + " of " + nodes + " nodes running";
        } catch (RuntimeException e) {
          last = e.toString();
        }
        sleep(500);
      }
    }
    throw new IllegalStateException("cluster not ready after " + START_TIMEOUT + ": " + last);
  }

  /** Heap used and resident memory of every node, from cluster_status, for the report. */
  String memory(QraftClient client) {
    StringBuilder b = new StringBuilder();
    for (NodeStatusResponse n : client.clusterStatus().getNodesList()) {
      b.append(String.format("%s heap %d MiB rss %d MiB; ", n.getNode(),
          n.getHeapUsedBytes() >> 20, n.getResidentBytes() >> 20));
    }
    return b.toString();
  }

  @Override
  public void close() {
    for (Process p : processes) {
      p.destroy();
    }
    for (Process p : processes) {
      try {
        if (!p.waitFor(10, TimeUnit.SECONDS)) {
          p.destroyForcibly().waitFor(5, TimeUnit.SECONDS);
        }
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        p.destroyForcibly();
      }
    }
    TempDirs.delete(dir);
  }

  private static int freePort() throws IOException {
    try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      return s.getLocalPort();
    }
  }

  private static void sleep(long ms) {
    try {
      Thread.sleep(ms);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted", e);
    }
  }
}
