package io.qraft.ops.server;

import io.grpc.Server;
import io.grpc.ServerCall;
import io.grpc.ServerCallHandler;
import io.grpc.ServerInterceptor;
import io.grpc.ServerInterceptors;
import io.qraft.ops.auth.AuditLog;
import io.qraft.ops.auth.AuthInterceptor;
import io.qraft.ops.auth.HttpAccess;
import io.qraft.ops.auth.Authenticator;
import io.qraft.ops.auth.NodeCredentials;
import io.grpc.health.v1.HealthCheckResponse;
import io.grpc.netty.shaded.io.grpc.netty.NettyServerBuilder;
import io.grpc.protobuf.services.HealthStatusManager;
import io.grpc.protobuf.services.ProtoReflectionServiceV1;
import io.qraft.api.v1.AdminServiceGrpc;
import io.qraft.api.v1.QueueServiceGrpc;
import io.qraft.log.LogSettings;
import io.qraft.log.NodeAddress;
import io.qraft.log.ReplicatedLog;
import io.qraft.ops.config.ClusterMember;
import io.qraft.ops.config.NodeConfig;
import io.qraft.ops.config.NodeConfigKeys;
import io.qraft.ops.http.HttpEndpoints;
import io.qraft.ops.metrics.MetricsInterceptor;
import io.qraft.ops.metrics.NodeMetrics;
import io.qraft.ops.tls.NodeTls;
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
  private final NodeTls tls;
  private Server grpc;
  private final HealthStatusManager health = new HealthStatusManager();
  private final NodeMetrics metrics;
  private HttpEndpoints http;

  private static final int MAX_CALLS_PER_CONNECTION = 1024;

  private StuckFollowerWatchdog watchdog;
  private FirstAdministrator firstAdministrator;

  // What a StopNode call does once leadership is handed over; the server's main makes it exit the process.
  private volatile Runnable stopRequest = this::close;
  /** Checks credentials (auth.enabled); one per node, shared by gRPC and HTTP for one cache. */
  private Authenticator authenticator;

  public QraftNode(NodeConfig config) throws IOException {
    this.config = config;
    this.tls = NodeTls.of(config);
    this.log = new ReplicatedLog(logSettings(config), tls.raft());
    this.forwarder = new Forwarder(log.settings().members(), config.nodeId(), tls.forwardingContext());
    // Before the log starts, so that the first elections count as leader changes.
    this.metrics = new NodeMetrics(log, config.metricsPerQueue(), config.metricsPerQueueMax());
  }

  static LogSettings logSettings(NodeConfig c) {
    List<NodeAddress> members = c.clusterNodes().stream()
        .map((ClusterMember m) -> new NodeAddress(m.id(), m.host(), m.grpcPort(), m.raftPort()))
        .toList();
    return new LogSettings(c.nodeId(), c.dataDir().toAbsolutePath(), c.raftListener().host(), members,
        c.raftElectionTimeoutMin(), c.raftElectionTimeoutMax(), c.raftSnapshotThreshold(), c.raftLogKeepEntries(),
        c.raftSegmentSizeBytes(), c.raftMaxEntryBytes(), c.shardsPerReplicaSet(), c.shardsMaxPerNode(),
        c.consumerGetLease(), c.consumerReattachGrace(),
        new io.qraft.log.BatchLimits(c.batchSize(), Math.min(c.batchBytes(), c.raftMaxEntryBytes() / 2),
            c.batchLinger().toMillis()),
        c.batchMaxInFlight(), c.flowMaxPendingBytes(),
        new io.qraft.log.CatalogCaps(c.get(NodeConfigKeys.LIMITS_MAX_QUEUES), c.get(NodeConfigKeys.LIMITS_MAX_POLICIES)),
        c.get(NodeConfigKeys.RAFT_CLOSE_THRESHOLD_MS));
  }

  /**
   * With auth.enabled, the check of every call's user and rights, and the cluster secret on this
   * node's calls to the others; without, an interceptor that lets everything through.
   */
  private ServerInterceptor authInterceptor() {
    authenticator = new Authenticator(log.users());
    if (!config.authEnabled()) {
      return new ServerInterceptor() {
        @Override
        public <Q, R> ServerCall.Listener<Q> interceptCall(ServerCall<Q, R> call, io.grpc.Metadata headers,
            ServerCallHandler<Q, R> next) {
          return next.startCall(call, headers);
        }
      };
    }
    forwarder.credentials(new NodeCredentials(authenticator));
    java.util.Set<java.net.InetAddress> memberAddresses = new java.util.HashSet<>();
    for (ClusterMember m : config.clusterNodes()) {
      try {
        memberAddresses.addAll(java.util.List.of(java.net.InetAddress.getAllByName(m.host())));
      } catch (java.net.UnknownHostException e) {
        // A member whose name does not resolve now cannot be recognised by address; it can
        // still prove itself with the cluster secret once the first user exists.
      }
    }
    return new AuthInterceptor(authenticator, memberAddresses::contains, config.tlsClientAuth().logsIn());
  }

  /** Replaces what a StopNode call does after handing leadership over (by default: close this node). */
  public QraftNode onStopRequested(Runnable action) {
    this.stopRequest = action;
    return this;
  }

  public QraftNode start() throws IOException {
    log.start();
    QueueDescriber describer = new QueueDescriber(log);
    RequestLimits limits = RequestLimits.of(config);
    QueueEndpoint queues = new QueueEndpoint(log, forwarder, describer, limits);
    NodeStatusProbe probe = new NodeStatusProbe(log);
    ClusterStatuses statuses = new ClusterStatuses(log, forwarder, probe);
    AdminEndpoint admin = new AdminEndpoint(log, forwarder, describer, probe, statuses, limits, () -> stopRequest.run());
    InetSocketAddress bind = new InetSocketAddress(config.grpcListener().host(), config.grpcListener().port());
    ForwardedMarker marker = new ForwardedMarker();
    // Outermost (last in the list): nothing of a call runs before it is authenticated.
    ServerInterceptor auth = authInterceptor();
    // Around that, so that refused changes are in the audit lines too.
    AuditLog audit = new AuditLog(config.authEnabled() && config.tlsClientAuth().logsIn());
    NettyServerBuilder server = NettyServerBuilder.forAddress(bind);
    if (tls.enabled()) {
      server.sslContext(tls.serverContext());
    }
    grpc = server
        .addService(ServerInterceptors.intercept(queues, marker, new MetricsInterceptor(metrics), auth, audit))
        .addService(ServerInterceptors.intercept(admin, marker, auth, audit))
        .addService(health.getHealthService())
        .addService(ProtoReflectionServiceV1.newInstance())
        .maxInboundMessageSize(config.raftMaxEntryBytes() + 1024 * 1024)
        // With flow control holding publishes back, this bounds the requests one client
        // connection can park in the heap; more calls wait in the client.
        .maxConcurrentCallsPerConnection(MAX_CALLS_PER_CONNECTION)
        .permitKeepAliveTime(5, TimeUnit.SECONDS)
        // Find dead clients: a consumer cut off by the network holds deliveries until its
        // stream is known to be gone, and only then do they return to the queue.
        .keepAliveTime(10, TimeUnit.SECONDS)
        .keepAliveTimeout(5, TimeUnit.SECONDS)
        .permitKeepAliveWithoutCalls(true)
        .build()
        .start();
    LOG.info("node {} serving clients on {}{}", config.nodeId(), bind,
        tls.enabled() ? " over TLS (certificate " + config.tlsCertFile() + ", client certificates "
            + config.tlsClientAuth().configValue() + "); Raft between nodes over mutual TLS" : "");
    startHttp(admin);
    watchdog = new StuckFollowerWatchdog(log, statuses).start();
    if (config.authEnabled() && config.get(NodeConfigKeys.AUTH_BOOTSTRAP_FILE).isPresent()) {
      firstAdministrator = new FirstAdministrator(log, config.get(NodeConfigKeys.AUTH_BOOTSTRAP_FILE).get()).start();
    }
    health.setStatus("", HealthCheckResponse.ServingStatus.SERVING);
    health.setStatus(QueueServiceGrpc.SERVICE_NAME, HealthCheckResponse.ServingStatus.SERVING);
    health.setStatus(AdminServiceGrpc.SERVICE_NAME, HealthCheckResponse.ServingStatus.SERVING);
    return this;
  }

  /**
   * Starts the HTTP endpoints on listeners.http. A port set in the file that cannot be bound stops
   * the start; the default one, when taken (several nodes on one machine), only costs this node
   * its HTTP endpoints, with a warning.
   */
  private void startHttp(AdminServiceGrpc.AdminServiceImplBase admin) throws IOException {
    InetSocketAddress bind = new InetSocketAddress(config.httpListener().host(), config.httpListener().port());
    HttpEndpoints endpoints = new HttpEndpoints(log, metrics, admin, config.authEnabled()
        ? new HttpAccess(authenticator, new java.util.HashSet<>(config.httpOpenPaths())) : null);
    try {
      http = endpoints.start(bind);
      LOG.info("node {} serving HTTP (/metrics, /health, /ready, /) on {}", config.nodeId(), http.address());
    } catch (IOException e) {
      endpoints.close();
      if (config.lineOf(NodeConfigKeys.LISTENERS_HTTP) > 0) {
        throw new IOException("listeners.http = " + config.httpListener() + " (" + config.source() + ", line "
            + config.lineOf(NodeConfigKeys.LISTENERS_HTTP) + "): cannot bind: " + e.getMessage(), e);
      }
      LOG.warn("node {}: no HTTP endpoints: the default listeners.http {} cannot be bound ({}); set listeners.http",
          config.nodeId(), config.httpListener(), e.toString());
    }
  }

  /** The HTTP endpoints, or null if they are not running. */
  public HttpEndpoints http() {
    return http;
  }

  /** The node's meters. */
  public NodeMetrics metrics() {
    return metrics;
  }

  public ReplicatedLog log() {
    return log;
  }

  public String nodeId() {
    return config.nodeId();
  }

  @Override
  public void close() {
    // Health checkers stop sending new work here first.
    health.enterTerminalState();
    if (watchdog != null) {
      watchdog.close();
    }
    if (firstAdministrator != null) {
      firstAdministrator.close();
    }
    if (http != null) {
      http.close();
    }
    // Clients keep being served while leadership moves; requests that reach this node
    // afterwards are forwarded to the new leaders.
    log.handOverLeadership(log.settings().electionTimeoutMax().toMillis() * 2);
    if (grpc != null) {
      // Let calls under way finish (their entries are with the new leaders by now) before
      // the log under them closes; a call cut off by close() would reach its client as UNKNOWN.
      grpc.shutdown();
      try {
        grpc.awaitTermination(5, TimeUnit.SECONDS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
      grpc.shutdownNow();
    }
    forwarder.close();
    log.close();
    metrics.close();
  }
}
