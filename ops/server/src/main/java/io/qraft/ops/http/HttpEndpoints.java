package io.qraft.ops.http;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import io.grpc.StatusRuntimeException;
import io.grpc.stub.StreamObserver;
import io.qraft.api.QueueArguments;
import io.qraft.api.StatusJson;
import io.qraft.api.v1.AdminServiceGrpc;
import io.qraft.api.v1.ClusterStatusRequest;
import io.qraft.api.v1.ClusterStatusResponse;
import io.qraft.api.v1.ListQueuesRequest;
import io.qraft.api.v1.ListQueuesResponse;
import io.qraft.api.v1.NodeStatusResponse;
import io.qraft.log.GroupIds;
import io.qraft.log.ReplicatedLog;
import io.qraft.ops.metrics.NodeMetrics;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.BindException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.ratis.protocol.RaftGroupId;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The HTTP side of a node ({@code listeners.http}), on the JDK's HTTP server with two threads:
 *
 * <ul>
 *   <li>{@code /metrics}: every series in the Prometheus text format;</li>
 *   <li>{@code /health}: 200 when this node runs and its metadata group has a leader, else 503;</li>
 *   <li>{@code /ready}: 200 when, in addition, every group hosted here has a leader, else 503;</li>
 *   <li>{@code /api/overview}, {@code /api/nodes}, {@code /api/queues}: JSON for the web page,
 *       built by the AdminService's own logic; its messages in {@link StatusJson}'s shape, as
 *       qraftctl prints them; {@code /api/queues} adds {@code limit_keys}, the keys of
 *       {@code effective_arguments} that are limits, so that the page need not know them;</li>
 *   <li>{@code /}: the management web page (static files under {@code qraft-web/} on the class path).</li>
 * </ul>
 *
 * <p>With auth.enabled, {@link io.qraft.ops.auth.HttpAccess} decides who may read what.
 *
 * <p>Read-only: nothing here changes the cluster. Thread-safe.
 */
public final class HttpEndpoints implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(HttpEndpoints.class);
  private static final long ADMIN_TIMEOUT_MS = 10_000;
  private static final String WEB_ROOT = "qraft-web/";
  private static final Map<String, String> CONTENT_TYPES = Map.of(
      "html", "text/html; charset=utf-8", "js", "text/javascript; charset=utf-8",
      "css", "text/css; charset=utf-8", "svg", "image/svg+xml", "ico", "image/x-icon");

  private final ReplicatedLog log;
  private final NodeMetrics metrics;
  private final AdminServiceGrpc.AdminServiceImplBase admin;
  private final ObjectMapper json = new ObjectMapper();
  private HttpServer server;
  private ExecutorService executor;
  private final io.qraft.ops.auth.HttpAccess access;

  public HttpEndpoints(ReplicatedLog log, NodeMetrics metrics, AdminServiceGrpc.AdminServiceImplBase admin) {
    this(log, metrics, admin, null);
  }

  /** @param access who may read what (auth.enabled), or null: everything is open */
  public HttpEndpoints(ReplicatedLog log, NodeMetrics metrics, AdminServiceGrpc.AdminServiceImplBase admin,
      io.qraft.ops.auth.HttpAccess access) {
    this.log = log;
    this.metrics = metrics;
    this.admin = admin;
    this.access = access;
  }

  /**
   * Binds and starts serving.
   *
   * @throws BindException when the address is in use or cannot be bound
   */
  public HttpEndpoints start(InetSocketAddress bind) throws IOException {
    server = HttpServer.create(bind, 16);
    AtomicInteger threads = new AtomicInteger();
    executor = Executors.newFixedThreadPool(2, r -> {
      Thread t = new Thread(r, "qraft-http-" + threads.incrementAndGet());
      t.setDaemon(true);
      return t;
    });
    server.setExecutor(executor);
    server.createContext("/metrics", ex -> handle(ex, this::metrics));
    server.createContext("/health", ex -> handle(ex, this::health));
    server.createContext("/ready", ex -> handle(ex, this::ready));
    server.createContext("/api/overview", ex -> handle(ex, this::overview));
    server.createContext("/api/nodes", ex -> handle(ex, this::nodes));
    server.createContext("/api/queues", ex -> handle(ex, this::queues));
    server.createContext("/", ex -> handle(ex, this::staticFile));
    server.start();
    return this;
  }

  /** The address actually bound. */
  public InetSocketAddress address() {
    return server.getAddress();
  }

  private record Response(int status, String contentType, byte[] body) {
    static Response json(int status, String text) {
      return new Response(status, "application/json; charset=utf-8", text.getBytes(StandardCharsets.UTF_8));
    }

    static Response text(int status, String text) {
      return new Response(status, "text/plain; charset=utf-8", text.getBytes(StandardCharsets.UTF_8));
    }
  }

  @FunctionalInterface
  private interface Handler {
    Response handle(HttpExchange exchange) throws Exception;
  }

  private void handle(HttpExchange ex, Handler handler) {
    try (ex) {
      Response r;
      String method = ex.getRequestMethod();
      io.qraft.ops.auth.HttpAccess.Refusal refusal = access == null ? null : access.check(ex);
      if (!"GET".equals(method) && !"HEAD".equals(method)) {
        ex.getResponseHeaders().set("Allow", "GET, HEAD");
        r = Response.text(405, "only GET and HEAD\n");
      } else if (refusal != null) {
        if (refusal.askForCredentials()) {
          ex.getResponseHeaders().set("WWW-Authenticate", "Basic realm=\"qraft\", charset=\"UTF-8\"");
        }
        r = Response.text(refusal.status(), refusal.message() + "\n");
      } else {
        try {
          r = handler.handle(ex);
        } catch (Exception e) {
          LOG.debug("HTTP {} failed", ex.getRequestURI(), e);
          r = Response.json(503, errorJson(e));
        }
      }
      ex.getResponseHeaders().set("Content-Type", r.contentType());
      ex.getResponseHeaders().set("Cache-Control", "no-store");
      boolean head = "HEAD".equals(method);
      ex.sendResponseHeaders(r.status(), head ? -1 : r.body().length == 0 ? -1 : r.body().length);
      if (!head && r.body().length > 0) {
        try (OutputStream out = ex.getResponseBody()) {
          out.write(r.body());
        }
      }
    } catch (IOException e) {
      LOG.debug("HTTP {}: the client went away: {}", ex.getRequestURI(), e.toString());
    }
  }

  private String errorJson(Exception e) {
    Throwable t = e instanceof ExecutionException && e.getCause() != null ? e.getCause() : e;
    String message = t instanceof StatusRuntimeException s
        ? s.getStatus().getCode() + ": " + s.getStatus().getDescription() : String.valueOf(t.getMessage());
    ObjectNode o = json.createObjectNode().put("error", message);
    return o.toString();
  }

  private Response metrics(HttpExchange ex) {
    return new Response(200, "text/plain; version=0.0.4; charset=utf-8",
        metrics.scrape().getBytes(StandardCharsets.UTF_8));
  }

  private Response health(HttpExchange ex) {
    String metaLeader = log.leaderOf(GroupIds.METADATA);
    ObjectNode o = json.createObjectNode().put("node", log.settings().nodeId())
        .put("status", metaLeader != null ? "up" : "down");
    o.put("metadata_leader", metaLeader);
    if (metaLeader == null) {
      o.put("reason", "the metadata group has no leader this node knows of");
    }
    return Response.json(metaLeader != null ? 200 : 503, o.toString());
  }

  private Response ready(HttpExchange ex) {
    String metaLeader = log.leaderOf(GroupIds.METADATA);
    List<String> leaderless = new ArrayList<>();
    int groups = 0;
    for (RaftGroupId id : log.server().getGroupIds()) {
      if (id.equals(GroupIds.METADATA)) {
        continue;
      }
      groups++;
      if (log.leaderOf(id) == null) {
        leaderless.add(GroupIds.text(id));
      }
    }
    boolean ready = metaLeader != null && leaderless.isEmpty();
    ObjectNode o = json.createObjectNode().put("node", log.settings().nodeId())
        .put("status", ready ? "ready" : "not_ready");
    o.put("metadata_leader", metaLeader);
    o.put("shards", groups);
    ArrayNode missing = o.putArray("shards_without_leader");
    leaderless.forEach(missing::add);
    return Response.json(ready ? 200 : 503, o.toString());
  }

  private <T> T call(java.util.function.BiConsumer<StreamObserver<T>, Object> invoker) throws Exception {
    CompletableFuture<T> result = new CompletableFuture<>();
    invoker.accept(new StreamObserver<>() {
      @Override
      public void onNext(T value) {
        result.complete(value);
      }

      @Override
      public void onError(Throwable t) {
        result.completeExceptionally(t);
      }

      @Override
      public void onCompleted() {}
    }, null);
    try {
      return result.get(ADMIN_TIMEOUT_MS, TimeUnit.MILLISECONDS);
    } catch (TimeoutException e) {
      throw new IOException("the admin request took more than " + ADMIN_TIMEOUT_MS + " ms", e);
    }
  }

  private ClusterStatusResponse clusterStatus() throws Exception {
    return this.<ClusterStatusResponse>call((obs, x) ->
        admin.clusterStatus(ClusterStatusRequest.getDefaultInstance(), obs));
  }

  private ListQueuesResponse listQueues() throws Exception {
    return this.<ListQueuesResponse>call((obs, x) -> admin.listQueues(ListQueuesRequest.getDefaultInstance(), obs));
  }

  private Response overview(HttpExchange ex) throws Exception {
    ClusterStatusResponse status = clusterStatus();
    ObjectNode o = json.createObjectNode().put("node", status.getNode());
    o.put("metadata_leader", log.leaderOf(GroupIds.METADATA));
    o.put("nodes", status.getNodesCount());
    o.put("nodes_running", status.getNodesList().stream().filter(NodeStatusResponse::getRunning).count());
    o.put("queues", log.metadata().queues().size());
    long shards = status.getGroupsList().stream().filter(g -> !"metadata".equals(g.getKind())).count();
    o.put("shards", shards);
    o.put("groups_without_leader", status.getGroupsList().stream().filter(g -> g.getLeader().isEmpty()).count());
    o.set("groups", json.valueToTree(status.getGroupsList().stream().map(StatusJson::fields).toList()));
    return Response.json(200, o.toString());
  }

  private Response nodes(HttpExchange ex) throws Exception {
    ClusterStatusResponse status = clusterStatus();
    ObjectNode o = json.createObjectNode().put("node", status.getNode());
    o.set("nodes", json.valueToTree(status.getNodesList().stream().map(StatusJson::fields).toList()));
    return Response.json(200, o.toString());
  }

  private Response queues(HttpExchange ex) throws Exception {
    ListQueuesResponse list = listQueues();
    ObjectNode o = json.createObjectNode().put("node", log.settings().nodeId());
    o.set("queues", json.valueToTree(list.getQueuesList().stream().map(StatusJson::fields).toList()));
    o.set("limit_keys", json.valueToTree(new TreeSet<>(QueueArguments.LIMIT_KEYS)));
    return Response.json(200, o.toString());
  }

  private Response staticFile(HttpExchange ex) throws IOException {
    String path = ex.getRequestURI().getPath();
    if (path.equals("/")) {
      path = "/index.html";
    }
    String name = path.substring(1);
    // Only plain file names of the web directory: no "..", no sub-directories.
    if (!name.matches("[A-Za-z0-9_-]+\\.[a-z]+")) {
      return Response.text(404, "not found\n");
    }
    String ext = name.substring(name.lastIndexOf('.') + 1);
    String type = CONTENT_TYPES.get(ext);
    try (InputStream in = HttpEndpoints.class.getClassLoader().getResourceAsStream(WEB_ROOT + name)) {
      if (in == null || type == null) {
        return Response.text(404, "not found\n");
      }
      return new Response(200, type, in.readAllBytes());
    }
  }

  @Override
  public void close() {
    if (server != null) {
      server.stop(0);
    }
    if (executor != null) {
      executor.shutdownNow();
    }
  }
}
