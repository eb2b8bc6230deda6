package io.qraft.ops.server;

import io.grpc.ManagedChannel;
import io.grpc.ManagedChannelBuilder;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.qraft.api.v1.AdminServiceGrpc;
import io.qraft.api.v1.QueueServiceGrpc;
import io.qraft.ops.config.NodeConfig;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

/** A one-node cluster in this JVM and a plaintext channel to its gRPC API. */
final class OneNodeServer implements AutoCloseable {
  private final QraftNode node;
  private final ManagedChannel channel;

  private OneNodeServer(QraftNode node, ManagedChannel channel) {
    this.node = node;
    this.channel = channel;
  }

  static OneNodeServer start(Path dir) throws Exception {
    int grpcPort = freePort();
    int raftPort = freePort();
    String conf = String.join("\n",
        "node.id = n1",
        "node.data_dir = " + dir.resolve("data"),
        "listeners.grpc = 127.0.0.1:" + grpcPort,
        "listeners.raft = 127.0.0.1:" + raftPort,
        "listeners.http = 127.0.0.1:" + freePort(),
        "cluster.nodes = n1@127.0.0.1:" + grpcPort + ":" + raftPort,
        "raft.election_timeout_min = 300",
        "raft.election_timeout_max = 600",
        "");
    QraftNode node = new QraftNode(NodeConfig.parse(conf, "test"));
    node.start();
    return new OneNodeServer(node, ManagedChannelBuilder.forAddress("127.0.0.1", grpcPort).usePlaintext().build());
  }

  AdminServiceGrpc.AdminServiceBlockingStub admin() {
    return AdminServiceGrpc.newBlockingStub(channel).withDeadlineAfter(60, TimeUnit.SECONDS);
  }

  QueueServiceGrpc.QueueServiceBlockingStub queues() {
    return QueueServiceGrpc.newBlockingStub(channel).withDeadlineAfter(60, TimeUnit.SECONDS);
  }

  /** Retries while the node is still electing itself. */
  static <T> T whenReady(Supplier<T> call) throws InterruptedException {
    for (int attempt = 0; ; attempt++) {
      try {
        return call.get();
      } catch (StatusRuntimeException e) {
        if (e.getStatus().getCode() != Status.Code.UNAVAILABLE || attempt > 100) {
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

  /**
   * Ports already given out in this JVM. The kernel may hand the same free port out twice while
   * the first taker has not bound it yet, and a Ratis server that cannot bind exits the JVM.
   */
  private static final java.util.Set<Integer> HANDED_OUT = java.util.concurrent.ConcurrentHashMap.newKeySet();

  private static int freePort() throws IOException {
    while (true) {
      try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getByName("127.0.0.1"))) {
        if (HANDED_OUT.add(s.getLocalPort())) {
          return s.getLocalPort();
        }
      }
    }
  }
}
