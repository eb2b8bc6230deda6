package io.qraft.ops.server;

import io.grpc.Server;
import io.grpc.ServerInterceptors;
import io.grpc.netty.shaded.io.grpc.netty.NettyServerBuilder;
import io.qraft.log.LogSettings;
import io.qraft.log.NodeAddress;
import io.qraft.log.ReplicatedLog;
import io.qraft.ops.config.ClusterMember;
import io.qraft.ops.config.NodeConfig;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One qraft node: its replicated log and its gRPC endpoints, wired from its
 * config. The composition root; {@link ServerMain} runs it as a process,
 * tests run several in one JVM.
 */
public final class QraftNode implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(QraftNode.class);

  private final NodeConfig config;
  private final ReplicatedLog log;
  private final Forwarder forwarder;
  private Server grpc;

  public QraftNode(NodeConfig config) throws IOException {
    this.config = config;
    this.log = new ReplicatedLog(logSettings(config));
    this.forwarder = new Forwarder(log.settings().members(), config.nodeId());
  }

  static LogSettings logSettings(NodeConfig c) {
    List<NodeAddress> members = c.clusterNodes().stream()
        .map((ClusterMember m) -> new NodeAddress(m.id(), m.host(), m.grpcPort(), m.raftPort()))
        .toList();
    return new LogSettings(c.nodeId(), c.dataDir().toAbsolutePath(), c.raftListener().host(), members,
        c.raftElectionTimeoutMin(), c.raftElectionTimeoutMax(), c.raftSnapshotThreshold(), c.raftLogKeepEntries(),
        c.raftSegmentSizeBytes(), c.raftMaxEntryBytes(), c.shardsPerReplicaSet(), c.shardsMaxPerNode(),
        c.consumerGetLease(),
        new io.qraft.log.BatchLimits(c.batchSize(), Math.min(c.batchBytes(), c.raftMaxEntryBytes() / 2),
            c.batchLinger().toMillis()),
        c.batchMaxInFlight(), c.flowMaxPendingBytes());
  }

  public QraftNode start() throws IOException {
    log.start();
    QueueDescriber describer = new QueueDescriber(log);
    QueueEndpoint queues = new QueueEndpoint(log, forwarder, describer, config.messageMaxBytes(),
        config.raftMaxEntryBytes(), config.consumerDefaultPrefetch());
    AdminEndpoint admin = new AdminEndpoint(log, forwarder, describer, new NodeStatusProbe(log));
    InetSocketAddress bind = new InetSocketAddress(config.grpcListener().host(), config.grpcListener().port());
    ForwardedMarker marker = new ForwardedMarker();
    grpc = NettyServerBuilder.forAddress(bind)
        .addService(ServerInterceptors.intercept(queues, marker))
        .addService(ServerInterceptors.intercept(admin, marker))
        .maxInboundMessageSize(config.raftMaxEntryBytes() + 1024 * 1024)
        .permitKeepAliveTime(5, TimeUnit.SECONDS)
        .permitKeepAliveWithoutCalls(true)
        .build()
        .start();
    LOG.info("node {} serving clients on {}", config.nodeId(), bind);
    return this;
  }

  public ReplicatedLog log() {
    return log;
  }

  public String nodeId() {
    return config.nodeId();
  }

  @Override
  public void close() {
    // Clients keep being served while leadership moves; requests that reach this node
    // afterwards are forwarded to the new leaders.
    log.handOverLeadership(log.settings().electionTimeoutMax().toMillis() * 2);
    if (grpc != null) {
      grpc.shutdown();
    }
    forwarder.close();
    log.close();
    if (grpc != null) {
      try {
        grpc.awaitTermination(5, TimeUnit.SECONDS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
      grpc.shutdownNow();
    }
  }
}
