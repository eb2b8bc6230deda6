package io.qraft.ops.server;

import io.qraft.ops.launch.FreePorts;
import io.grpc.ManagedChannel;
import io.grpc.ManagedChannelBuilder;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.qraft.api.v1.AdminServiceGrpc;
import io.qraft.api.v1.QueueServiceGrpc;
import io.qraft.ops.config.NodeConfig;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

/** A one-node cluster in this JVM and a plaintext channel to its gRPC API. */
public final class OneNodeServer implements AutoCloseable {
  private final QraftNode node;
  private final ManagedChannel channel;
  private final int httpPort;
  private final int grpcPort;

  private OneNodeServer(QraftNode node, ManagedChannel channel, int httpPort, int grpcPort) {
    this.node = node;
    this.channel = channel;
    this.httpPort = httpPort;
    this.grpcPort = grpcPort;
  }

  public static OneNodeServer start(Path dir) throws Exception {
    return start(dir, java.util.Map.of());
  }

  /** A node whose config also has {@code extra} (key = value). */
  public static OneNodeServer start(Path dir, java.util.Map<String, String> extra) throws Exception {
    int grpcPort = FreePorts.next();
    int raftPort = FreePorts.next();
    int httpPort = FreePorts.next();
    String conf = String.join("\n",
        "node.id = n1",
        "node.data_dir = " + dir.resolve("data"),
        "listeners.grpc = 127.0.0.1:" + grpcPort,
        "listeners.raft = 127.0.0.1:" + raftPort,
        "listeners.http = 127.0.0.1:" + httpPort,
        "cluster.nodes = n1@127.0.0.1:" + grpcPort + ":" + raftPort,
        "raft.election_timeout_min = 300",
        "raft.election_timeout_max = 600",
        // Open unless a test is about users: its stubs carry no credentials.
        extra.containsKey("auth.enabled") ? "" : "auth.enabled = false",
        "") + extra.entrySet().stream().map(e -> e.getKey() + " = " + e.getValue() + "\n")
            .collect(java.util.stream.Collectors.joining());
    QraftNode node = new QraftNode(NodeConfig.parse(conf, "test"));
    node.start();
    try {
      return new OneNodeServer(node, ManagedChannelBuilder.forAddress("127.0.0.1", grpcPort).usePlaintext().build(),
          httpPort, grpcPort);
    } catch (RuntimeException e) {
      node.close();
      throw e;
    }
  }

  /** The node's HTTP port (metrics, health, the API). */
  public int httpPort() {
    return httpPort;
  }

  /** The node's gRPC port, for channels of a test's own (TLS, client certificates). */
  public int grpcPort() {
    return grpcPort;
  }

  /** A plaintext channel to the node's gRPC port, closed with the node. */
  public ManagedChannel channel() {
    return channel;
  }

  public AdminServiceGrpc.AdminServiceBlockingStub admin() {
    return AdminServiceGrpc.newBlockingStub(channel).withDeadlineAfter(60, TimeUnit.SECONDS);
  }

  public QueueServiceGrpc.QueueServiceBlockingStub queues() {
    return QueueServiceGrpc.newBlockingStub(channel).withDeadlineAfter(60, TimeUnit.SECONDS);
  }

  /** Retries while the node is still electing itself (unavailable, or a call timed out meanwhile). */
  public static <T> T whenReady(Supplier<T> call) throws InterruptedException {
    for (int attempt = 0; ; attempt++) {
      try {
        return call.get();
      } catch (StatusRuntimeException e) {
        Status.Code code = e.getStatus().getCode();
        if ((code != Status.Code.UNAVAILABLE && code != Status.Code.DEADLINE_EXCEEDED) || attempt > 100) {
          throw e;
        }
        Thread.sleep(200);
      }
    }
  }

  @Override
  public void close() {
    channel.shutdownNow();
    node.close();
  }


}
