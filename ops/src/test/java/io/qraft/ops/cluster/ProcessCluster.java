package io.qraft.ops.cluster;

import io.qraft.ops.testing.FreePorts;
import io.qraft.api.v1.AdminServiceGrpc;
import io.qraft.api.v1.ClusterStatusRequest;
import io.qraft.api.v1.ClusterStatusResponse;
import io.qraft.api.v1.GroupStatus;
import io.qraft.api.v1.NodeStatusRequest;
import io.qraft.api.v1.NodeStatusResponse;
import io.grpc.ManagedChannel;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;

/**
 * A cluster of qraft nodes, each a separate JVM process on loopback, for
 * tests that kill, pause and restart real processes. Every node gets free
 * ports, its own data directory and log file under the given directory.
 * Close it in a finally block (or @AfterAll): it kills what it started.
 */
public final class ProcessCluster implements AutoCloseable {
  private final Path dir;
  private final Map<String, String> extraConfig;
  private final List<Node> nodes = new ArrayList<>();
  private final Map<String, ManagedChannel> channels = new LinkedHashMap<>();
  private java.util.function.Function<Node, Map<String, String>> perNodeConfig = n -> Map.of();
  private Path caFile;

  /** One node: its id, ports, and the running process (null while stopped). */
  public static final class Node {
    public final String id;
    public final int grpcPort;
    public final int raftPort;
    public final int httpPort;
    final Path home;
    Process process;

    Node(String id, int grpcPort, int raftPort, int httpPort, Path home) {
      this.id = id;
      this.grpcPort = grpcPort;
      this.raftPort = raftPort;
      this.httpPort = httpPort;
      this.home = home;
    }

    public String address() {
      return "127.0.0.1:" + grpcPort;
    }

    public boolean running() {
      return process != null && process.isAlive();
    }

    public long pid() {
      return process.pid();
    }
  }

  /**
   * A cluster whose nodes also get {@code perNodeConfig.apply(node)} in their config files
   * (e.g. per-node certificate paths), read at each start; and whose own channels (status,
   * readiness) use TLS trusting {@code caFile} when it is not null.
   */
  public ProcessCluster(Path dir, int size, Map<String, String> extraConfig,
      java.util.function.Function<Node, Map<String, String>> perNodeConfig, Path caFile) {
    this(dir, size, extraConfig);
    this.perNodeConfig = perNodeConfig;
    this.caFile = caFile;
  }

  /** Replaces the per-node config; takes effect at the next start of each node. */
  public void perNodeConfig(java.util.function.Function<Node, Map<String, String>> perNodeConfig) {
    this.perNodeConfig = perNodeConfig;
  }

  public ProcessCluster(Path dir, int size, Map<String, String> extraConfig) {
    this.dir = dir;
    this.extraConfig = extraConfig;
    for (int i = 1; i <= size; i++) {
      nodes.add(new Node("n" + i, FreePorts.next(), FreePorts.next(), FreePorts.next(), dir.resolve("n" + i)));
    }
  }

  public ProcessCluster start() {
    for (Node n : nodes) {
      start(n);
    }
    awaitReady(Duration.ofSeconds(90));
    return this;
  }

  public List<Node> nodes() {
    return nodes;
  }

  public Node node(String id) {
    return nodes.stream().filter(n -> n.id.equals(id)).findFirst().orElseThrow();
  }

  public List<String> addresses() {
    return nodes.stream().map(Node::address).collect(Collectors.toList());
  }

  public void start(Node n) {
    try {
      Files.createDirectories(n.home);
      Path conf = n.home.resolve("qraft.conf");
      StringBuilder text = new StringBuilder()
          .append("node.id = ").append(n.id).append('\n')
          .append("node.data_dir = ").append(n.home.resolve("data")).append('\n')
          .append("listeners.grpc = 127.0.0.1:").append(n.grpcPort).append('\n')
          .append("listeners.raft = 127.0.0.1:").append(n.raftPort).append('\n')
          .append("listeners.http = 127.0.0.1:").append(n.httpPort).append('\n')
          .append("cluster.nodes = ").append(nodes.stream()
              .map(m -> m.id + "@127.0.0.1:" + m.grpcPort + ":" + m.raftPort).collect(Collectors.joining(", ")))
          .append('\n');
      extraConfig.forEach((k, v) -> text.append(k).append(" = ").append(v).append('\n'));
      perNodeConfig.apply(n).forEach((k, v) -> text.append(k).append(" = ").append(v).append('\n'));
      Files.writeString(conf, text.toString());
      String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
      List<String> command = List.of(java, "-Xms64m", "-Xmx256m", "-XX:MaxDirectMemorySize=256m",
          "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1",
          "-Dlogback.configurationFile=" + Path.of("src/dist/conf/logback.xml").toAbsolutePath(),
          "-Dqraft.log.dir=" + n.home.resolve("log"),
          "-cp", classPath(),
          "io.qraft.ops.server.ServerMain", "--config", conf.toString());
      n.process = new ProcessBuilder(command)
          .redirectErrorStream(true)
          .redirectOutput(ProcessBuilder.Redirect.appendTo(n.home.resolve("node.log").toFile()))
          .start();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** SIGTERM, and waits for the process to end: a clean stop, as systemd does it. */
  public void stop(Node n) {
    n.process.destroy();
    try {
      if (!n.process.waitFor(60, TimeUnit.SECONDS)) {
        n.process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    ManagedChannel c = channels.remove(n.id);
    if (c != null) {
      c.shutdownNow();
    }
  }

  /** SIGKILL: the process gets no chance to flush or hand anything over. */
  public void kill(Node n) {
    n.process.destroyForcibly();
    try {
      n.process.waitFor(30, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    ManagedChannel c = channels.remove(n.id);
    if (c != null) {
      c.shutdownNow();
    }
  }

  public void signal(Node n, String signal) {
    try {
      new ProcessBuilder("kill", "-" + signal, Long.toString(n.pid())).inheritIO().start().waitFor(10, TimeUnit.SECONDS);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  public NodeStatusResponse nodeStatus(Node n) {
    return AdminServiceGrpc.newBlockingStub(channel(n)).withDeadlineAfter(5, TimeUnit.SECONDS)
        .nodeStatus(NodeStatusRequest.getDefaultInstance());
  }

  public ClusterStatusResponse clusterStatus(Node n) {
    return AdminServiceGrpc.newBlockingStub(channel(n)).withDeadlineAfter(10, TimeUnit.SECONDS)
        .clusterStatus(ClusterStatusRequest.getDefaultInstance());
  }

  /**
   * The node that says it leads the group, asking every running node about itself: a node's
   * view of another's leadership can trail an election or a transfer, its own role cannot.
   */
  public Node groupLeader(String group, Duration timeout) {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (System.nanoTime() < deadline) {
      for (Node n : nodes) {
        if (!n.running()) {
          continue;
        }
        try {
          GroupStatus g = localGroup(n, group);
          if (g != null && g.getRole().equals("leader")) {
            return n;
          }
        } catch (RuntimeException e) {
          // not answering (starting, paused): ask the others
        }
      }
      sleep(100);
    }
    throw new IllegalStateException("no node leads group " + group + " within " + timeout);
  }

  /** This node's view of one of its groups, or null if it has no replica of it. */
  public GroupStatus localGroup(Node n, String group) {
    return nodeStatus(n).getLocalGroupsList().stream().filter(g -> g.getGroup().equals(group)).findFirst().orElse(null);
  }

  /** Waits until every running node answers and the metadata group has a leader. */
  public void awaitReady(Duration timeout) {
    long deadline = System.nanoTime() + timeout.toNanos();
    RuntimeException last = null;
    while (System.nanoTime() < deadline) {
      try {
        boolean allUp = true;
        for (Node n : nodes) {
          if (n.running()) {
            NodeStatusResponse s = nodeStatus(n);
            boolean metaLed = s.getLocalGroupsList().stream()
                .anyMatch(g -> g.getKind().equals("metadata") && !g.getLeader().isEmpty());
            allUp &= metaLed;
          }
        }
        if (allUp) {
          return;
        }
      } catch (RuntimeException e) {
        last = e;
      }
      sleep(200);
    }
    throw new IllegalStateException("cluster not ready within " + timeout + "; logs under " + dir, last);
  }

  private ManagedChannel channel(Node n) {
    return channels.computeIfAbsent(n.id, id -> {
      if (caFile == null) {
        return NettyChannelBuilder.forAddress("127.0.0.1", n.grpcPort).usePlaintext().build();
      }
      try {
        return io.grpc.Grpc.newChannelBuilderForAddress("127.0.0.1", n.grpcPort,
            io.grpc.TlsChannelCredentials.newBuilder().trustManager(caFile.toFile()).build()).build();
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    });
  }

  /**
   * Waits until node n's own metadata replica has applied everything the metadata leader had
   * applied when this was called: n then knows every queue declared before, without asking.
   */
  public void awaitMetadataApplied(Node n, Duration timeout) {
    long deadline = System.nanoTime() + timeout.toNanos();
    long target = -1;
    long applied = -1;
    while (System.nanoTime() < deadline) {
      try {
        if (target < 0) {
          for (Node m : nodes) {
            GroupStatus g = m.running() ? metadataGroup(m) : null;
            if (g != null && g.getRole().equals("leader")) {
              target = g.getAppliedIndex();
            }
          }
        }
        GroupStatus own = target < 0 ? null : metadataGroup(n);
        applied = own == null ? -1 : own.getAppliedIndex();
        if (target >= 0 && applied >= target) {
          return;
        }
      } catch (RuntimeException e) {
        // not answering yet: ask again
      }
      sleep(100);
    }
    throw new IllegalStateException(n.id + "'s metadata replica applied " + applied + ", not " + target
        + " within " + timeout + "; logs under " + dir);
  }

  private GroupStatus metadataGroup(Node n) {
    return nodeStatus(n).getLocalGroupsList().stream().filter(g -> g.getKind().equals("metadata"))
        .findFirst().orElse(null);
  }

  /** What a failed test prints about a node: its threads now and the end of every node's log. */
  public String diagnostics(Node of) {
    StringBuilder out = new StringBuilder();
    if (of.running()) {
      try {
        Process jstack = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "jstack").toString(),
            Long.toString(of.pid())).redirectErrorStream(true).start();
        out.append("\n--- threads of ").append(of.id).append(":\n")
            .append(new String(jstack.getInputStream().readAllBytes(), java.nio.charset.StandardCharsets.UTF_8));
      } catch (IOException e) {
        out.append("\n(no thread dump of ").append(of.id).append(": ").append(e).append(")");
      }
    }
    for (Node n : nodes) {
      String text = log(n);
      out.append("\n--- ").append(n.id).append(" log ends:\n").append(text.substring(Math.max(0, text.length() - 8000)));
    }
    return out.toString();
  }

  public String log(Node n) {
    try {
      return Files.readString(n.home.resolve("node.log"));
    } catch (IOException e) {
      return "";
    }
  }

  @Override
  public void close() {
    channels.values().forEach(ManagedChannel::shutdownNow);
    for (Node n : nodes) {
      if (n.process != null && n.process.isAlive()) {
        signal(n, "CONT");
        n.process.destroy();
      }
    }
    for (Node n : nodes) {
      if (n.process != null) {
        try {
          if (!n.process.waitFor(15, TimeUnit.SECONDS)) {
            n.process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
          }
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
        }
      }
    }
  }

  static String classPath() {
    String cp = System.getProperty("surefire.test.class.path");
    if (cp == null || cp.isBlank()) {
      cp = System.getProperty("java.class.path");
    }
    // Test classes are not needed by a node; keeping them out keeps the test logback config out too.
    return java.util.Arrays.stream(cp.split(File.pathSeparator))
        .filter(e -> !e.endsWith("test-classes"))
        .collect(Collectors.joining(File.pathSeparator));
  }

  static void sleep(long ms) {
    try {
      Thread.sleep(ms);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }


}
