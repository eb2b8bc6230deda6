package io.qraft.ops.launch;

import io.qraft.api.v1.AdminServiceGrpc;
import io.qraft.api.v1.ClusterStatusRequest;
import io.qraft.api.v1.ClusterStatusResponse;
import io.qraft.api.v1.GroupStatus;
import io.qraft.api.v1.NodeStatusRequest;
import io.qraft.api.v1.NodeStatusResponse;
import io.grpc.ManagedChannel;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import java.util.stream.Collectors;

/**
 * A cluster of qraft nodes, each a separate JVM process on loopback, for
 * tests that kill, pause and restart real processes. Every node gets free
 * ports, its own data directory and log file under the given directory.
 * Close it in a finally block (or @AfterAll): it kills what it started. The nodes are
 * {@link NodeProcess}es.
 */
public final class ProcessCluster implements AutoCloseable {
  private final Path dir;
  private final Map<String, String> extraConfig;
  private final List<Node> nodes = new ArrayList<>();
  private final Map<String, ManagedChannel> channels = new LinkedHashMap<>();
  private Function<Node, Map<String, String>> perNodeConfig = n -> Map.of();
  private Path caFile;
  private Path clientCertFile;
  private Path clientKeyFile;
  private io.qraft.client.BasicCredentials administrator;
  private String administratorPassword;
  private volatile boolean addingAdministrator;
  /** Nodes a test stopped or killed on purpose: not running is what it asked for. */
  private final java.util.Set<String> stopped = java.util.concurrent.ConcurrentHashMap.newKeySet();

  /** One node: its id, ports, and its process. */
  public static final class Node {
    public final String id;
    public final int grpcPort;
    public final int raftPort;
    public final int httpPort;
    public final NodeProcess process;

    Node(String id, int grpcPort, int raftPort, int httpPort, NodeProcess process) {
      this.id = id;
      this.grpcPort = grpcPort;
      this.raftPort = raftPort;
      this.httpPort = httpPort;
      this.process = process;
    }

    public String address() {
      return "127.0.0.1:" + grpcPort;
    }

    public boolean running() {
      return process.running();
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
      Function<Node, Map<String, String>> perNodeConfig, Path caFile) {
    this(dir, size, extraConfig);
    this.perNodeConfig = perNodeConfig;
    this.caFile = caFile;
  }

  /** Replaces the per-node config; takes effect at the next start of each node. */
  public void perNodeConfig(Function<Node, Map<String, String>> perNodeConfig) {
    this.perNodeConfig = perNodeConfig;
  }

  public ProcessCluster(Path dir, int size, Map<String, String> extraConfig) {
    this(dir, size, extraConfig, new NodeProcess.Options());
  }

  /** A cluster whose node JVMs run with {@code options} (heap, class path, logging). */
  public ProcessCluster(Path dir, int size, Map<String, String> extraConfig, NodeProcess.Options options) {
    this.dir = dir;
    this.extraConfig = extraConfig;
    for (int i = 1; i <= size; i++) {
      String id = "n" + i;
      nodes.add(new Node(id, FreePorts.next(), FreePorts.next(), FreePorts.next(),
          new NodeProcess(id, dir.resolve(id), options)));
    }
  }

  public ProcessCluster start() {
    for (Node n : nodes) {
      start(n);
    }
    if (administrator != null) {
      addFirstAdministrator(Duration.ofSeconds(90));
    }
    awaitReady(Duration.ofSeconds(90));
    return this;
  }

  /**
   * For nodes with auth.enabled: start() adds this administrator (the bootstrap call a cluster
   * without users takes from loopback), and this cluster's own calls (status, readiness) use it.
   */
  public ProcessCluster administrator(String user, String password) {
    this.administrator = new io.qraft.client.BasicCredentials(user, password);
    this.administratorPassword = password;
    return this;
  }

  /**
   * For nodes with {@code tls.client_auth = required}: this cluster's own channels (status,
   * readiness, the first administrator) present this client certificate; set before start().
   */
  public ProcessCluster clientCertificate(Path certFile, Path keyFile) {
    this.clientCertFile = certFile;
    this.clientKeyFile = keyFile;
    return this;
  }

  private void addFirstAdministrator(Duration timeout) {
    addingAdministrator = true;
    try {
      addFirstAdministratorWithin(timeout);
    } finally {
      addingAdministrator = false;
    }
  }

  private void addFirstAdministratorWithin(Duration timeout) {
    long deadline = System.nanoTime() + timeout.toNanos();
    RuntimeException last = null;
    while (System.nanoTime() < deadline) {
      requireStartedNodesAlive();
      for (Node n : nodes) {
        try {
          AdminServiceGrpc.newBlockingStub(channel(n)).withDeadlineAfter(10, TimeUnit.SECONDS)
              .addUser(io.qraft.api.v1.AddUserRequest.newBuilder().setName(administrator.user())
                  .setPassword(administratorPassword).addTags("administrator").build());
          return;
        } catch (io.grpc.StatusRuntimeException e) {
          if (e.getStatus().getCode() == io.grpc.Status.Code.ALREADY_EXISTS) {
            return;
          }
          last = e;
        }
      }
      sleep(300);
    }
    throw new IllegalStateException("could not add the first administrator within " + timeout, last);
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
    stopped.remove(n.id);
    Map<String, String> config = NodeProcess.baseConfig(n.id, n.process.home(),
        "127.0.0.1:" + n.grpcPort, "127.0.0.1:" + n.raftPort, nodes.stream()
            .map(m -> m.id + "@127.0.0.1:" + m.grpcPort + ":" + m.raftPort).collect(Collectors.joining(", ")));
    config.put("listeners.http", "127.0.0.1:" + n.httpPort);
    // Nodes authenticate by default; a cluster given no administrator runs them open, for tests
    // about anything but users (their clients carry no credentials).
    config.put("auth.enabled", String.valueOf(administrator != null));
    config.putAll(extraConfig);
    config.putAll(perNodeConfig.apply(n));
    n.process.start(config);
  }

  /** SIGTERM, and waits for the process to end: a clean stop, as systemd does it. */
  public void stop(Node n) {
    stopped.add(n.id);
    n.process.stop(60);
    dropChannel(n);
  }

  /** SIGKILL: the process gets no chance to flush or hand anything over. */
  public void kill(Node n) {
    stopped.add(n.id);
    n.process.kill();
    dropChannel(n);
  }

  public void signal(Node n, String signal) {
    n.process.signal(signal);
  }

  private void dropChannel(Node n) {
    ManagedChannel c = channels.remove(n.id);
    if (c != null) {
      c.shutdownNow();
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

  /** The node that says it leads the metadata group (see {@link #groupLeader}). */
  public Node metadataLeader(Duration timeout) {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (System.nanoTime() < deadline) {
      for (Node n : nodes) {
        try {
          GroupStatus g = n.running() ? metadataGroup(n) : null;
          if (g != null && g.getRole().equals("leader")) {
            return n;
          }
        } catch (RuntimeException e) {
          // not answering (starting, paused): ask the others
        }
      }
      sleep(100);
    }
    throw new IllegalStateException("no node leads the metadata group within " + timeout);
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
      requireStartedNodesAlive();
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

  private io.grpc.Channel channel(Node n) {
    ManagedChannel channel = channels.computeIfAbsent(n.id, id -> {
      if (caFile == null) {
        return NettyChannelBuilder.forAddress("127.0.0.1", n.grpcPort).usePlaintext().build();
      }
      return io.grpc.Grpc.newChannelBuilderForAddress("127.0.0.1", n.grpcPort,
          io.qraft.client.TlsCredentials.of(caFile, clientCertFile, clientKeyFile)).build();
    });
    // The administrator's credentials once it exists (the bootstrap call itself goes without).
    return administrator == null || addingAdministrator ? channel
        : io.grpc.ClientInterceptors.intercept(channel, credentialsOf(administrator));
  }

  private static io.grpc.ClientInterceptor credentialsOf(io.qraft.client.BasicCredentials credentials) {
    return new io.grpc.ClientInterceptor() {
      @Override
      public <Q, R> io.grpc.ClientCall<Q, R> interceptCall(io.grpc.MethodDescriptor<Q, R> method,
          io.grpc.CallOptions options, io.grpc.Channel next) {
        return next.newCall(method, options.withCallCredentials(credentials));
      }
    };
  }

  /**
   * A node this cluster started that has exited on its own (a bad config, a port taken) fails
   * the wait at once, with the end of its log, instead of at the timeout.
   */
  private void requireStartedNodesAlive() {
    for (Node n : nodes) {
      if (n.process.pid() > 0 && !n.running() && !stopped.contains(n.id)) {
        String log = n.process.log();
        throw new IllegalStateException(n.id + " exited; its log ends:\n" + log.substring(Math.max(0, log.length() - 2000)));
      }
    }
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
      out.append("\n--- threads of ").append(of.id).append(":\n").append(of.process.threadDump());
    }
    for (Node n : nodes) {
      String text = log(n);
      out.append("\n--- ").append(n.id).append(" log ends:\n").append(text.substring(Math.max(0, text.length() - 8000)));
    }
    return out.toString();
  }

  public String log(Node n) {
    return n.process.log();
  }

  @Override
  public void close() {
    channels.values().forEach(ManagedChannel::shutdownNow);
    for (Node n : nodes) {
      if (n.running()) {
        n.process.signal("CONT");
        n.process.signal("TERM");
      }
    }
    for (Node n : nodes) {
      n.process.stop(15);
    }
  }

  public static void sleep(long ms) {
    try {
      Thread.sleep(ms);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
