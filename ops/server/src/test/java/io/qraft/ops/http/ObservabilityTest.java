package io.qraft.ops.http;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.google.protobuf.ByteString;
import io.grpc.ManagedChannel;
import io.grpc.health.v1.HealthCheckRequest;
import io.grpc.health.v1.HealthCheckResponse;
import io.grpc.health.v1.HealthGrpc;
import io.grpc.reflection.v1.ServerReflectionGrpc;
import io.grpc.reflection.v1.ServerReflectionRequest;
import io.grpc.reflection.v1.ServerReflectionResponse;
import io.grpc.reflection.v1.ServiceResponse;
import io.grpc.stub.StreamObserver;
import io.qraft.api.StatusJson;
import io.qraft.api.v1.AckRequest;
import io.qraft.api.v1.DeclareQueueRequest;
import io.qraft.api.v1.Delivery;
import io.qraft.api.v1.GetRequest;
import io.qraft.api.v1.GetResponse;
import io.qraft.api.v1.Message;
import io.qraft.api.v1.PublishRequest;
import io.qraft.api.v1.QueueInfo;
import io.qraft.api.v1.QueueServiceGrpc;
import io.qraft.ops.metrics.PrometheusTextCheck;
import io.qraft.ops.server.OneNodeServer;
import java.io.File;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

/**
 * One node in this JVM, with its HTTP listener: /metrics (checked by promtool when installed,
 * and always by {@link PrometheusTextCheck}), /health, /ready, the web page and its JSON, and the
 * gRPC health and reflection services, after a publish / get / ack through the node.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class ObservabilityTest {
  private static final String QUEUE = "obs-orders";

  @TempDir
  static Path dir;

  private OneNodeServer node;
  private ManagedChannel channel;
  private int httpPort;
  private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
  private final ObjectMapper json = new ObjectMapper();

  @BeforeAll
  void startNodeAndUseAQueue() throws Exception {
    node = OneNodeServer.start(dir);
    try {
      httpPort = node.httpPort();
      channel = node.channel();
      QueueServiceGrpc.QueueServiceBlockingStub queues = QueueServiceGrpc.newBlockingStub(channel);
      OneNodeServer.whenReady(() -> queues.withDeadlineAfter(5, TimeUnit.SECONDS)
          .declareQueue(DeclareQueueRequest.newBuilder().setQueue(QUEUE)
              // A limit far above what the test publishes, in RabbitMQ's spelling: the page shows it.
              .putArguments("x-max-length", "1000").build()));
      for (int i = 0; i < 3; i++) {
        int n = i;
        OneNodeServer.whenReady(() -> queues.withDeadlineAfter(5, TimeUnit.SECONDS).publish(PublishRequest.newBuilder()
            .setQueue(QUEUE).setCorrelationId(n).setProducerId("obs").setSequence(n + 1)
            .addMessages(Message.newBuilder().setBody(ByteString.copyFromUtf8("m" + n))).build()));
      }
      GetResponse got = OneNodeServer.whenReady(() -> queues.withDeadlineAfter(5, TimeUnit.SECONDS)
          .get(GetRequest.newBuilder().setQueue(QUEUE).setCount(2).build()));
      assertThat(got.getDeliveriesCount()).isEqualTo(2);
      AckRequest.Builder ack = AckRequest.newBuilder().setQueue(QUEUE);
      got.getDeliveriesList().stream().map(Delivery::getTag).forEach(ack::addTags);
      assertThat(queues.withDeadlineAfter(5, TimeUnit.SECONDS).ack(ack.build()).getAcked()).isEqualTo(2);
    } catch (Exception | Error e) {
      stop();
      throw e;
    }
  }

  @AfterAll
  void stop() {
    if (node != null) {
      node.close();
      node = null;
    }
  }

  @Test
  void metricsHaveTheNamedSeries() throws Exception {
    HttpResponse<String> r = get("/metrics");
    assertThat(r.statusCode()).isEqualTo(200);
    assertThat(r.headers().firstValue("Content-Type").orElse("")).startsWith("text/plain; version=0.0.4");
    String text = r.body();
    assertThat(text).contains(
        "qraft_messages_published_total{node=\"n1\"} 3.0",
        "qraft_messages_confirmed_total{node=\"n1\"} 3.0",
        "qraft_messages_delivered_total{node=\"n1\"} 2.0",
        "qraft_messages_acked_total{node=\"n1\"} 2.0",
        "qraft_queue_messages_published_total{node=\"n1\",queue=\"" + QUEUE + "\"} 3.0",
        "qraft_queue_messages_confirmed_total{node=\"n1\",queue=\"" + QUEUE + "\"} 3.0",
        "qraft_queue_messages_delivered_total{node=\"n1\",queue=\"" + QUEUE + "\"} 2.0",
        "qraft_queue_messages_acked_total{node=\"n1\",queue=\"" + QUEUE + "\"} 2.0",
        "qraft_confirm_latency_seconds_count{ack_mode=\"quorum\",node=\"n1\"} 3",
        "qraft_confirm_latency_seconds_bucket{ack_mode=\"quorum\",node=\"n1\",le=\"+Inf\"} 3",
        "qraft_queue_messages{node=\"n1\",queue=\"" + QUEUE + "\"} 1.0",
        "qraft_queue_bytes{node=\"n1\",queue=\"" + QUEUE + "\"}",
        "qraft_queue_messages_unacked{node=\"n1\",queue=\"" + QUEUE + "\"} 0.0",
        "qraft_queue_messages_expired_total{node=\"n1\",queue=\"" + QUEUE + "\"} 0.0",
        "qraft_queue_messages_dead_lettered_total{node=\"n1\",queue=\"" + QUEUE + "\",reason=\"maxlen\"} 0.0",
        "qraft_queue_messages_dropped_total{node=\"n1\",queue=\"" + QUEUE + "\",reason=\"delivery_limit\"} 0.0",
        "qraft_queue_publishes_rejected_total{node=\"n1\",queue=\"" + QUEUE + "\"} 0.0",
        "qraft_queue_deliveries_timed_out_total{node=\"n1\",queue=\"" + QUEUE + "\"} 0.0",
        "qraft_raft_commit_index{group=",
        "qraft_raft_applied_index{group=",
        "qraft_raft_leader{group=",
        "qraft_raft_leader_changes_total{group=",
        "qraft_raft_groups{node=\"n1\"} 2.0",
        "process_cpu_seconds_total{node=\"n1\"}",
        "qraft_store_size_bytes{node=\"n1\"}",
        "jvm_memory_used_bytes{",
        "jvm_threads_live_threads{",
        "jvm_gc_",
        "process_cpu_usage{",
        "system_cpus{");
    // Every group this node hosts was elected once, after the metrics began to count.
    assertThat(text.lines().filter(l -> l.startsWith("qraft_raft_leader_changes_total{")))
        .hasSize(2).allMatch(l -> l.endsWith(" 1.0") || l.endsWith(" 2.0"))
        .anyMatch(l -> l.contains("kind=\"metadata\"")).anyMatch(l -> l.contains("kind=\"shard\""));
  }

  @Test
  void metricsPassTheFallbackFormatCheck() throws Exception {
    String text = get("/metrics").body();
    assertThat(PrometheusTextCheck.problems(text)).isEmpty();
  }

  @Test
  void metricsPassPromtool() throws Exception {
    String promtool = onPath("promtool");
    assumeTrue(promtool != null,
        "promtool is not installed (Debian: apt-get install prometheus); the fallback format check still runs");
    Path file = dir.resolve("metrics.txt");
    Files.writeString(file, get("/metrics").body());
    Process p = new ProcessBuilder(promtool, "check", "metrics").redirectInput(file.toFile())
        .redirectErrorStream(true).start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertThat(p.waitFor(30, TimeUnit.SECONDS)).isTrue();
    assertThat(p.exitValue()).as("promtool check metrics said: %s", out).isZero();
  }

  @Test
  void healthAndReadyAnswer() throws Exception {
    HttpResponse<String> health = get("/health");
    assertThat(health.statusCode()).isEqualTo(200);
    JsonNode h = json.readTree(health.body());
    assertThat(h.get("status").asText()).isEqualTo("up");
    assertThat(h.get("metadata_leader").asText()).isEqualTo("n1");
    HttpResponse<String> ready = get("/ready");
    assertThat(ready.statusCode()).as(ready.body()).isEqualTo(200);
    assertThat(json.readTree(ready.body()).get("status").asText()).isEqualTo("ready");
  }

  @Test
  void webPageAndItsJsonAnswer() throws Exception {
    HttpResponse<String> page = get("/");
    assertThat(page.statusCode()).isEqualTo(200);
    assertThat(page.headers().firstValue("Content-Type").orElse("")).startsWith("text/html");
    assertThat(page.body()).contains("<title>qraft</title>", "app.js").doesNotContain("https://")
        .contains("<th>limits</th>", "<th>expired</th>", "<th>dead-lettered</th>", "<th>dropped</th>");
    assertThat(get("/app.js").statusCode()).isEqualTo(200);
    assertThat(get("/style.css").statusCode()).isEqualTo(200);
    assertThat(get("/../pom.xml").statusCode()).isEqualTo(404);

    HttpResponse<String> queues = get("/api/queues");
    assertThat(queues.statusCode()).isEqualTo(200);
    JsonNode q = json.readTree(queues.body()).get("queues");
    assertThat(q.isArray()).isTrue();
    JsonNode mine = null;
    for (JsonNode e : q) {
      if (QUEUE.equals(e.get("name").asText())) {
        mine = e;
      }
    }
    assertThat(mine).as(queues.body()).isNotNull();
    assertThat(mine.get("leader").asText()).isEqualTo("n1");
    assertThat(mine.get("messages").asLong()).isEqualTo(1);
    assertThat(mine.get("replicas").get(0).asText()).isEqualTo("n1");
    assertThat(mine.get("effective_arguments").get("max-length").asText()).isEqualTo("1000");
    assertThat(mine.get("dead_lettered").isObject()).isTrue();
    assertThat(mine.get("messages_expired").asLong()).isZero();
    assertThat(json.readTree(queues.body()).get("limit_keys")).extracting(JsonNode::asText)
        .contains("max-length", "message-ttl", "dead-letter-queue").doesNotContain("ack-mode");
    // The shape qraftctl prints too: every QueueInfo field under its .proto name.
    assertThat(mine.fieldNames()).toIterable()
        .containsExactlyElementsOf(StatusJson.fields(QueueInfo.getDefaultInstance()).keySet());

    JsonNode overview = json.readTree(get("/api/overview").body());
    assertThat(overview.get("queues").asInt()).isEqualTo(1);
    assertThat(overview.get("nodes_running").asInt()).isEqualTo(1);
    assertThat(overview.get("groups").size()).isGreaterThanOrEqualTo(2);
    JsonNode nodes = json.readTree(get("/api/nodes").body()).get("nodes");
    assertThat(nodes.get(0).get("node").asText()).isEqualTo("n1");
    assertThat(nodes.get(0).get("running").asBoolean()).isTrue();
    assertThat(nodes.get(0).get("heap_used_bytes").isNumber()).isTrue();
    assertThat(nodes.get(0).get("local_groups").get(0).has("commit_index")).isTrue();
  }

  @Test
  void grpcHealthIsServingAndReflectionListsTheServices() throws Exception {
    HealthCheckResponse health = HealthGrpc.newBlockingStub(channel).withDeadlineAfter(5, TimeUnit.SECONDS)
        .check(HealthCheckRequest.newBuilder().setService("").build());
    assertThat(health.getStatus()).isEqualTo(HealthCheckResponse.ServingStatus.SERVING);
    assertThat(HealthGrpc.newBlockingStub(channel).check(HealthCheckRequest.newBuilder()
        .setService("qraft.v1.QueueService").build()).getStatus()).isEqualTo(HealthCheckResponse.ServingStatus.SERVING);

    CompletableFuture<List<String>> services = new CompletableFuture<>();
    StreamObserver<ServerReflectionRequest> requests = ServerReflectionGrpc.newStub(channel)
        .serverReflectionInfo(new StreamObserver<>() {
          @Override
          public void onNext(ServerReflectionResponse r) {
            List<String> names = new ArrayList<>();
            for (ServiceResponse s : r.getListServicesResponse().getServiceList()) {
              names.add(s.getName());
            }
            services.complete(names);
          }

          @Override
          public void onError(Throwable t) {
            services.completeExceptionally(t);
          }

          @Override
          public void onCompleted() {}
        });
    requests.onNext(ServerReflectionRequest.newBuilder().setListServices("").build());
    List<String> names = services.get(10, TimeUnit.SECONDS);
    requests.onCompleted();
    assertThat(names).contains("qraft.v1.QueueService", "qraft.v1.AdminService", "grpc.health.v1.Health");
  }

  private HttpResponse<String> get(String path) throws Exception {
    return http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + httpPort + path))
        .timeout(Duration.ofSeconds(15)).build(), HttpResponse.BodyHandlers.ofString());
  }

  private static String onPath(String program) {
    for (String d : System.getenv().getOrDefault("PATH", "").split(File.pathSeparator)) {
      File f = new File(d, program);
      if (f.canExecute()) {
        return f.getPath();
      }
    }
    return null;
  }
}
