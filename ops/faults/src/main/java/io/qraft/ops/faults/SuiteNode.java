package io.qraft.ops.faults;

import io.grpc.ManagedChannel;
import io.qraft.api.v1.AdminServiceGrpc;
import io.qraft.api.v1.NodeStatusRequest;
import io.qraft.api.v1.NodeStatusResponse;
import io.qraft.ops.launch.NodeProcess;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/** One node JVM in its own network namespace (qnK, address 10.213.0.K), run by a {@link NodeProcess}. */
final class SuiteNode {

  static final int GRPC_PORT = 5691;
  static final int RAFT_PORT = 6691;

  private final String id;
  private final int index;
  private final Path home;
  private final Path distribution;
  private final Map<String, String> config;
  private final String clusterNodes;
  private final NodeProcess process;
  private final ClusterAccess access;
  private String skew;
  private ManagedChannel channel;

  SuiteNode(int index, Path home, Path distribution, Map<String, String> config, int size,
      ClusterAccess access) {
    this.id = "n" + index;
    this.index = index;
    this.home = home;
    this.config = config;
    this.distribution = distribution;
    this.access = access;
    // The distribution's own lib/ and logging: the suite tests what operators install.
    this.process = new NodeProcess(id, home, new NodeProcess.Options()
        .prefix(List.of("ip", "netns", "exec", netns()))
        .classPath(distribution.toAbsolutePath() + "/lib/*")
        .logback(distribution.resolve("conf/logback.xml")));
    List<String> members = new ArrayList<>();
    for (int k = 1; k <= size; k++) {
      members.add("n" + k + "@" + ipOf(k) + ":" + GRPC_PORT + ":" + RAFT_PORT);
    }
    this.clusterNodes = String.join(", ", members);
  }

  static String ipOf(int k) {
    return "10.213.0." + k;
  }

  String id() {
    return id;
  }

  String ip() {
    return ipOf(index);
  }

  String netns() {
    return "qn" + index;
  }

  String address() {
    return ip() + ":" + GRPC_PORT;
  }

  Path home() {
    return home;
  }

  Path dataDir() {
    return process.dataDir();
  }

  long pid() {
    return process.pid();
  }

  boolean running() {
    return process.running();
  }

  boolean paused() {
    return process.paused();
  }

  synchronized String skew() {
    return skew;
  }

  /** Starts the node; with {@code skew} (e.g. "+2h") its wall clock is moved by libfaketime. */
  synchronized void start(String skew) {
    // The client port on every address of the namespace (the default), loopback included: the
    // first administrator can only be added from the node's own host. Peers and clients still
    // know the node by its address in cluster.nodes.
    Map<String, String> conf = NodeProcess.baseConfig(id, home, "0.0.0.0:" + GRPC_PORT,
        ip() + ":" + RAFT_PORT, clusterNodes);
    conf.putAll(config);
    Map<String, String> environment = skew == null ? Map.of() : Map.of(
        // What `FAKETIME_DONT_FAKE_MONOTONIC=1 faketime -f '+2h' java ...` does, minus the
        // faketime wrapper process (which forks: its pid would not be the JVM's): wall clock
        // moved, monotonic clock (Raft timeouts) untouched.
        "LD_PRELOAD", FaketimeLib.path(),
        "FAKETIME", skew,
        "FAKETIME_DONT_FAKE_MONOTONIC", "1");
    process.start(conf, environment, skew == null ? "" : "under faketime " + skew);
    this.skew = skew;
  }

  /** SIGKILL, then waits for the process to be gone. */
  synchronized void kill9() {
    process.kill();
    dropChannel();
  }

  /** SIGSTOP. */
  synchronized void stop() {
    process.pause();
  }

  synchronized void cont() {
    process.resume();
  }

  /** SIGTERM, then SIGKILL if it did not go within 15 s. */
  synchronized void shutdown() {
    process.stop(15);
    dropChannel();
  }

  /**
   * NodeStatus of this node as the administrator, answered within {@code timeoutMs}; throws when
   * it does not (also while the node knows no user yet: UNAVAILABLE).
   */
  NodeStatusResponse status(boolean checksums, long timeoutMs) {
    return AdminServiceGrpc.newBlockingStub(channel())
        .withCallCredentials(access.administrator().credentials())
        .withDeadlineAfter(timeoutMs, TimeUnit.MILLISECONDS)
        .nodeStatus(NodeStatusRequest.newBuilder().setChecksums(checksums).build());
  }

  /** Ready: answers NodeStatus and its metadata group has a leader. */
  boolean ready() {
    try {
      return status(false, 2000).getLocalGroupsList().stream()
          .anyMatch(g -> g.getKind().equals("metadata") && !g.getLeader().isEmpty());
    } catch (RuntimeException e) {
      return false;
    }
  }

  private synchronized ManagedChannel channel() {
    if (channel == null) {
      channel = access.channel(address());
    }
    return channel;
  }

  /**
   * Adds the first administrator the only way a cluster without users takes it: AddUser from the
   * node's own host, here with the distribution's qraftctl run inside the node's namespace (over
   * TLS to 127.0.0.1, which the node certificate names). The password goes on standard input.
   */
  Cmd.Result addFirstAdministrator() {
    return Cmd.run(List.of("ip", "netns", "exec", netns(),
        distribution.resolve("bin/qraftctl").toString(), "--node", "127.0.0.1:" + GRPC_PORT,
        "--ca-file", access.caFile().toString(), "add_user", access.administrator().name(),
        "--tags", "administrator"), access.administrator().password() + "\n");
  }

  synchronized void dropChannel() {
    if (channel != null) {
      channel.shutdownNow();
      channel = null;
    }
  }

  /** Where libfaketime is (from the faketime package). */
  static final class FaketimeLib {
    private static String path;

    static synchronized String path() {
      if (path == null) {
        for (String p : List.of("/usr/lib/x86_64-linux-gnu/faketime/libfaketimeMT.so.1",
            "/usr/lib/aarch64-linux-gnu/faketime/libfaketimeMT.so.1",
            "/usr/lib/faketime/libfaketimeMT.so.1")) {
          if (Files.exists(Path.of(p))) {
            path = p;
            return p;
          }
        }
        Cmd.Result r = Cmd.run("sh", "-c", "dpkg -L libfaketime | grep 'libfaketimeMT.so.1$' | head -1");
        if (r.exit() == 0 && !r.output().isBlank()) {
          path = r.output().trim();
        } else {
          throw new IllegalStateException("libfaketime not found: apt-get install -y faketime");
        }
      }
      return path;
    }
  }
}
