package io.qraft.ops.auth;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.google.protobuf.ByteString;
import io.grpc.CallCredentials;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.qraft.api.v1.AddUserRequest;
import io.qraft.api.v1.AdminServiceGrpc;
import io.qraft.api.v1.ClusterStatusRequest;
import io.qraft.api.v1.DeclareQueueRequest;
import io.qraft.api.v1.DeleteUserRequest;
import io.qraft.api.v1.ChangePasswordRequest;
import io.qraft.api.v1.GetRequest;
import io.qraft.api.v1.ListQueuesRequest;
import io.qraft.api.v1.Message;
import io.qraft.api.v1.PublishRequest;
import io.qraft.api.v1.QueueServiceGrpc;
import io.qraft.api.v1.SetPermissionsRequest;
import io.qraft.api.v1.SetPolicyRequest;
import io.qraft.client.BasicCredentials;
import io.qraft.ops.server.OnOneNode;
import io.qraft.ops.server.OneNodeServer;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.assertj.core.api.ThrowableAssert.ThrowingCallable;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.Timeout;

/**
 * auth.enabled on a one-node cluster in this JVM, over gRPC from loopback: the bootstrap of the
 * first administrator, then who may do what. Tests run in order on one node.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
@Timeout(value = 3, unit = TimeUnit.MINUTES)
class AuthenticationTest extends OnOneNode {
  @Override
  protected Map<String, String> config() {
    return Map.of("auth.enabled", "true");
  }

  private AdminServiceGrpc.AdminServiceBlockingStub admin(CallCredentials as) {
    AdminServiceGrpc.AdminServiceBlockingStub stub = server.admin();
    return as == null ? stub : stub.withCallCredentials(as);
  }

  private QueueServiceGrpc.QueueServiceBlockingStub queues(CallCredentials as) {
    return server.queues().withCallCredentials(as);
  }

  private static void refused(ThrowingCallable call, Status.Code code, String... reason) {
    assertThatThrownBy(call).isInstanceOfSatisfying(StatusRuntimeException.class, e -> {
      assertThat(e.getStatus().getCode()).as(e.getStatus().toString()).isEqualTo(code);
      assertThat(e.getStatus().getDescription()).contains(reason);
    });
  }

  private static final BasicCredentials ROOT = new BasicCredentials("root", "root password");
  private static final BasicCredentials APP = new BasicCredentials("app", "app password");
  private static final BasicCredentials WATCHER = new BasicCredentials("watcher", "watcher password");

  @Test
  @Order(1)
  void aClusterWithoutUsersTakesOnlyItsFirstAdministrator() throws Exception {
    refused(() -> OneNodeServer.whenReady(() -> admin(null).clusterStatus(ClusterStatusRequest.getDefaultInstance())),
        Status.Code.UNAUTHENTICATED, "no users yet", "add_user");
    refused(() -> OneNodeServer.whenReady(() -> admin(null).addUser(AddUserRequest.newBuilder().setName("root")
        .setPassword("root password").build())), Status.Code.INVALID_ARGUMENT, "must be an administrator");
    OneNodeServer.whenReady(() -> admin(null).addUser(AddUserRequest.newBuilder().setName("root")
        .setPassword("root password").addTags("administrator").build()));
    refused(() -> admin(null).addUser(AddUserRequest.newBuilder().setName("intruder").setPassword("x")
        .addTags("administrator").build()), Status.Code.UNAUTHENTICATED, "user name and password");
  }

  @Test
  @Order(2)
  void wrongPasswordUnknownUserAndNoCredentialsGetOneAnswer() {
    refused(() -> admin(new BasicCredentials("root", "guess")).clusterStatus(ClusterStatusRequest.getDefaultInstance()),
        Status.Code.UNAUTHENTICATED, "wrong user name or password");
    refused(() -> admin(new BasicCredentials("nobody", "root password"))
        .clusterStatus(ClusterStatusRequest.getDefaultInstance()), Status.Code.UNAUTHENTICATED,
        "wrong user name or password");
    assertThat(admin(ROOT).clusterStatus(ClusterStatusRequest.getDefaultInstance()).getNode()).isEqualTo("n1");
  }

  @Test
  @Order(3)
  void eachPermissionAllowsExactlyItsOperations() {
    admin(ROOT).addUser(AddUserRequest.newBuilder().setName("app").setPassword("app password").build());
    admin(ROOT).setPermissions(SetPermissionsRequest.newBuilder().setUser("app").setConfigure("^app\\.")
        .setWrite("^app\\.in$").setRead("^app\\.out$").build());
    queues(APP).declareQueue(DeclareQueueRequest.newBuilder().setQueue("app.in").build());
    queues(APP).declareQueue(DeclareQueueRequest.newBuilder().setQueue("app.out").build());
    refused(() -> queues(APP).declareQueue(DeclareQueueRequest.newBuilder().setQueue("billing").build()),
        Status.Code.PERMISSION_DENIED, "user 'app'", "declare", "'billing'", "configure");

    queues(APP).publish(PublishRequest.newBuilder().setQueue("app.in")
        .addMessages(Message.newBuilder().setBody(ByteString.copyFromUtf8("m"))).build());
    refused(() -> queues(APP).publish(PublishRequest.newBuilder().setQueue("app.out")
        .addMessages(Message.newBuilder().setBody(ByteString.copyFromUtf8("m"))).build()),
        Status.Code.PERMISSION_DENIED, "publish to", "'app.out'", "write");
    refused(() -> queues(APP).get(GetRequest.newBuilder().setQueue("app.in").build()),
        Status.Code.PERMISSION_DENIED, "get from", "'app.in'", "read");
    assertThat(queues(APP).get(GetRequest.newBuilder().setQueue("app.out").build()).getDeliveriesCount()).isZero();

    assertThat(admin(ROOT).listQueues(ListQueuesRequest.getDefaultInstance()).getQueuesList())
        .as("the denied publish stored nothing").filteredOn(q -> q.getName().equals("app.out"))
        .allSatisfy(q -> assertThat(q.getMessages()).isZero());
    refused(() -> admin(APP).clusterStatus(ClusterStatusRequest.getDefaultInstance()),
        Status.Code.PERMISSION_DENIED, "user 'app'", "ClusterStatus", "monitoring");
  }

  @Test
  @Order(4)
  void everyChangeAndRefusalHasAnAuditLineWithoutPasswords() {
    ch.qos.logback.classic.Logger audit = (ch.qos.logback.classic.Logger) org.slf4j.LoggerFactory.getLogger("io.qraft.audit");
    ch.qos.logback.core.read.ListAppender<ch.qos.logback.classic.spi.ILoggingEvent> lines =
        new ch.qos.logback.core.read.ListAppender<>();
    lines.start();
    audit.addAppender(lines);
    audit.setLevel(ch.qos.logback.classic.Level.INFO);
    try {
      admin(ROOT).addUser(AddUserRequest.newBuilder().setName("audited").setPassword("audited secret").build());
      refused(() -> queues(APP).declareQueue(DeclareQueueRequest.newBuilder().setQueue("audit.q").build()),
          Status.Code.PERMISSION_DENIED, "audit.q");
      admin(ROOT).deleteUser(DeleteUserRequest.newBuilder().setName("audited").build());
      admin(ROOT).listQueues(ListQueuesRequest.getDefaultInstance());
    } finally {
      audit.detachAppender(lines);
    }
    List<String> text = lines.list.stream().map(e -> e.getFormattedMessage()).toList();
    assertThat(text).anySatisfy(l -> assertThat(l).contains("user='root'", "call=AddUser", "name='audited'", "result=OK",
        "from=/127.0.0.1:"));
    assertThat(text).anySatisfy(l -> assertThat(l).contains("user='app'", "call=DeclareQueue",
        "queue='audit.q'", "result=PERMISSION_DENIED: user 'app' may not declare queue 'audit.q'"));
    assertThat(text).anySatisfy(l -> assertThat(l).contains("user='root'", "call=DeleteUser", "name='audited'"));
    assertThat(text).as("read-only calls are not audited").noneMatch(l -> l.contains("ListQueues"));
    assertThat(text).as("no password, no header").noneMatch(l -> l.contains("secret") || l.contains("Basic"));
  }

  @Test
  @Order(5)
  void aMonitoringUserReadsStatusButChangesNothing() {
    admin(ROOT).addUser(AddUserRequest.newBuilder().setName("watcher").setPassword("watcher password")
        .addTags("monitoring").build());
    assertThat(admin(WATCHER).listQueues(ListQueuesRequest.getDefaultInstance()).getQueuesCount()).isEqualTo(2);
    refused(() -> admin(WATCHER).setPolicy(SetPolicyRequest.newBuilder().setName("p").setPattern(".*")
        .setDefinition("{}").build()), Status.Code.PERMISSION_DENIED, "user 'watcher'", "SetPolicy", "administrator");
    refused(() -> queues(WATCHER).declareQueue(DeclareQueueRequest.newBuilder().setQueue("w").build()),
        Status.Code.PERMISSION_DENIED, "user 'watcher'", "configure");
  }

  @Test
  @Order(6)
  void theHttpPagesAskForAMonitoringUserAndTheProbesStayOpen() throws Exception {
    java.net.http.HttpClient http = java.net.http.HttpClient.newHttpClient();
    java.util.function.BiFunction<String, String, java.net.http.HttpResponse<String>> get = (path, authorization) -> {
      java.net.http.HttpRequest.Builder b = java.net.http.HttpRequest.newBuilder(
          java.net.URI.create("http://127.0.0.1:" + server.httpPort() + path));
      if (authorization != null) {
        b.header("Authorization", authorization);
      }
      try {
        return http.send(b.build(), java.net.http.HttpResponse.BodyHandlers.ofString());
      } catch (Exception e) {
        throw new IllegalStateException(e);
      }
    };
    assertThat(get.apply("/metrics", null).statusCode()).isEqualTo(200);
    assertThat(get.apply("/health", null).statusCode()).isEqualTo(200);
    java.net.http.HttpResponse<String> anonymous = get.apply("/api/overview", null);
    assertThat(anonymous.statusCode()).isEqualTo(401);
    assertThat(anonymous.headers().firstValue("WWW-Authenticate")).hasValueSatisfying(v -> assertThat(v).startsWith("Basic"));
    assertThat(get.apply("/", null).statusCode()).isEqualTo(401);
    assertThat(get.apply("/api/overview", BasicCredentials.headerValue("root", "guess")).statusCode()).isEqualTo(401);
    assertThat(get.apply("/api/overview", BasicCredentials.headerValue("root", "root password")).statusCode())
        .isEqualTo(200);
    assertThat(get.apply("/api/queues", BasicCredentials.headerValue("watcher", "watcher password")).statusCode())
        .isEqualTo(200);
    java.net.http.HttpResponse<String> app = get.apply("/api/queues", BasicCredentials.headerValue("app", "app password"));
    assertThat(app.statusCode()).isEqualTo(403);
    assertThat(app.body()).contains("user 'app'", "monitoring");
  }

  @Test
  @Order(7)
  void aChangedPasswordOrADeletedUserIsRefusedOnTheNextCall() {
    assertThat(queues(APP).get(GetRequest.newBuilder().setQueue("app.out").build())).isNotNull();
    admin(ROOT).changePassword(ChangePasswordRequest.newBuilder().setName("app").setPassword("new app password")
        .build());
    refused(() -> queues(APP).get(GetRequest.newBuilder().setQueue("app.out").build()),
        Status.Code.UNAUTHENTICATED, "wrong user name or password");
    BasicCredentials renewed = new BasicCredentials("app", "new app password");
    assertThat(queues(renewed).get(GetRequest.newBuilder().setQueue("app.out").build())).isNotNull();
    admin(ROOT).deleteUser(DeleteUserRequest.newBuilder().setName("app").build());
    refused(() -> queues(renewed).get(GetRequest.newBuilder().setQueue("app.out").build()),
        Status.Code.UNAUTHENTICATED, "wrong user name or password");
    assertThat(admin(ROOT).listUsers(io.qraft.api.v1.ListUsersRequest.getDefaultInstance()).getUsersList())
        .extracting(u -> u.getName()).containsExactly("root", "watcher");
  }
}
