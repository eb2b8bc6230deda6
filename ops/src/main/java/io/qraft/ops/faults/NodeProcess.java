package io.qraft.ops.faults;

import io.grpc.ManagedChannel;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import io.qraft.api.v1.AdminServiceGrpc;
import io.qraft.api.v1.NodeStatusRequest;
import io.qraft.api.v1.NodeStatusResponse;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/** One node JVM in its own network namespace (qnK, address 10.213.0.K). */
final class NodeProcess {

  static final int GRPC_PORT = 5691;
  static final int RAFT_PORT = 6691;

  private final String id;
  private final int index;
  private final Path home;
  private final Path distribution;
  private final Map<String, String> config;
  private final String clusterNodes;
  private Process process;
  private boolean paused;
  private String skew;
  private ManagedChannel channel;

  NodeProcess(int index, Path home, Path distribution, Map<String, String> config, int size) {
    this.id = "n" + index;
    this.index = index;
    this.home = home;
    this.distribution = distribution;
    this.config = config;
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
    return home.resolve("data");
  }

  synchronized long pid() {
    return process == null ? -1 : process.pid();
  }

  synchronized boolean running() {
    return process != null && process.isAlive();
  }

  synchronized boolean paused() {
    return paused;
  }

  synchronized String skew() {
    return skew;
  }

  /** Starts the node; with {@code skew} (e.g. "+2h") its wall clock is moved by libfaketime. */
  synchronized void start(String skew) {
    if (running()) {
      throw new IllegalStateException(id + " is already running");
    }
    try {
      Files.createDirectories(home);
      Path conf = home.resolve("qraft.conf");
      StringBuilder text = new StringBuilder()
          .append("node.id = ").append(id).append('\n')
          .append("node.data_dir = ").append(dataDir().toAbsolutePath()).append('\n')
          .append("listeners.grpc = ").append(ip()).append(':').append(GRPC_PORT).append('\n')
          .append("listeners.raft = ").append(ip()).append(':').append(RAFT_PORT).append('\n')
          .append("cluster.nodes = ").append(clusterNodes).append('\n');
      config.forEach((k, v) -> text.append(k).append(" = ").append(v).append('\n'));
      Files.writeString(conf, text.toString());
      String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
      List<String> command = new ArrayList<>(List.of("ip", "netns", "exec", netns(), java,
          "-Xms64m", "-Xmx256m", "-XX:MaxDirectMemorySize=256m", "-XX:+UseSerialGC",
          "-XX:TieredStopAtLevel=1",
          "-Dlogback.configurationFile="
              + distribution.resolve("conf/logback.xml").toAbsolutePath(),
          "-Dqraft.log.dir=" + home.resolve("log").toAbsolutePath(),
          "-cp", distribution.toAbsolutePath() + "/lib/*",
          "io.qraft.ops.server.ServerMain", "--config", conf.toAbsolutePath().toString()));
      ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true)
          .redirectOutput(ProcessBuilder.Redirect.appendTo(home.resolve("node.log").toFile()));
      if (skew != null) {
        // What `FAKETIME_DONT_FAKE_MONOTONIC=1 faketime -f '+2h' java ...` does, minus the
        // faketime wrapper process (which forks: its pid would not be the JVM's): wall clock
        // moved, monotonic clock (Raft timeouts) untouched.
        builder.environment().put("LD_PRELOAD", FaketimeLib.path());
        builder.environment().put("FAKETIME", skew);
        builder.environment().put("FAKETIME_DONT_FAKE_MONOTONIC", "1");
      }
      Files.writeString(home.resolve("node.log"), "\n===== " + Instant.now() + " suite: starting "
          + id + (skew == null ? "" : " under faketime " + skew) + "\n",
          StandardCharsets.UTF_8, StandardOpenOption.CREATE, StandardOpenOption.APPEND);
      process = builder.start();
      paused = false;
      this.skew = skew;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** SIGKILL, then waits for the process to be gone. */
  synchronized void kill9() {
    if (process == null) {
      return;
    }
    if (paused) {
      signal("CONT");
    }
    process.destroyForcibly();
    try {
      process.waitFor(30, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    paused = false;
    dropChannel();
  }

  synchronized void stop() {
    signal("STOP");
    paused = true;
  }

  synchronized void cont() {
    signal("CONT");
    paused = false;
  }

  /** SIGTERM, then SIGKILL if it did not go within 15 s. */
  synchronized void shutdown() {
    if (process == null) {
      return;
    }
    if (paused) {
      cont();
    }
    process.destroy();
    try {
      if (!process.waitFor(15, TimeUnit.SECONDS)) {
        process.destroyForcibly();
        process.waitFor(15, TimeUnit.SECONDS);
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      process.destroyForcibly();
    }
    dropChannel();
  }

  private void signal(String signal) {
    if (process != null && process.isAlive()) {
      Cmd.run("kill", "-" + signal, Long.toString(process.pid()));
    }
  }

  /** NodeStatus of this node, answered within {@code timeoutMs}; throws when it does not. */
  NodeStatusResponse status(boolean checksums, long timeoutMs) {
    return AdminServiceGrpc.newBlockingStub(channel())
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
      channel = NettyChannelBuilder.forAddress(ip(), GRPC_PORT).usePlaintext().build();
    }
    return channel;
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
