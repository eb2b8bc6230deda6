package io.qraft.ops.auth;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.google.protobuf.ByteString;
import io.grpc.ChannelCredentials;
import io.grpc.Grpc;
import io.grpc.ManagedChannel;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.qraft.api.v1.AddUserRequest;
import io.qraft.api.v1.AdminServiceGrpc;
import io.qraft.api.v1.ClusterStatusRequest;
import io.qraft.api.v1.DeclareQueueRequest;
import io.qraft.api.v1.DeleteUserRequest;
import io.qraft.api.v1.ListUsersRequest;
import io.qraft.api.v1.Message;
import io.qraft.api.v1.PublishRequest;
import io.qraft.api.v1.QueueServiceGrpc;
import io.qraft.api.v1.SetPermissionsRequest;
import io.qraft.client.BasicCredentials;
import io.qraft.client.TlsCredentials;
import io.qraft.ops.server.OneNodeServer;
import io.qraft.ops.tls.TestCerts;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.assertj.core.api.ThrowableAssert.ThrowingCallable;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * tls.client_auth = required with auth.enabled on a one-node cluster in this JVM: a client
 * certificate whose CN names a user logs in as that user, without a password. Tests run in order
 * on one node: the bootstrap of the first administrator (by certificate), then who may do what.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
@Timeout(value = 3, unit = TimeUnit.MINUTES)
class ClientCertificateLoginTest {
  @TempDir
  static Path dir;

  static Path certs;
  static OneNodeServer server;
  static final List<ManagedChannel> channels = new ArrayList<>();

  @BeforeAll
  static void startNode() throws Exception {
    certs = TestCerts.make(dir.resolve("certs"), "qraft test CA", "n1");
    for (String user : List.of("root", "app", "mallory")) {
      TestCerts.client(certs, user);
    }
    server = OneNodeServer.start(dir, Map.of(
        "tls.cert_file", certs.resolve("n1.pem").toString(),
        "tls.key_file", certs.resolve("n1.key").toString(),
        "tls.ca_file", certs.resolve("ca.pem").toString(),
        "tls.client_auth", "required",
        "auth.enabled", "true"));
  }

  @AfterAll
  static void stopNode() {
    channels.forEach(ManagedChannel::shutdownNow);
    if (server != null) {
      server.close();
    }
  }

  /** A TLS channel presenting the certificate of {@code user} (null: none). */
  private static ManagedChannel channelAs(String user) {
    ChannelCredentials credentials = user == null ? TlsCredentials.trusting(certs.resolve("ca.pem"))
        : TlsCredentials.of(certs.resolve("ca.pem"), certs.resolve(user + ".pem"), certs.resolve(user + ".key"));
    ManagedChannel channel = Grpc.newChannelBuilderForAddress("127.0.0.1", server.grpcPort(), credentials).build();
    channels.add(channel);
    return channel;
  }

  private static AdminServiceGrpc.AdminServiceBlockingStub admin(ManagedChannel channel) {
    return AdminServiceGrpc.newBlockingStub(channel).withDeadlineAfter(60, TimeUnit.SECONDS);
  }

  private static QueueServiceGrpc.QueueServiceBlockingStub queues(ManagedChannel channel) {
    return QueueServiceGrpc.newBlockingStub(channel).withDeadlineAfter(60, TimeUnit.SECONDS);
  }

  private static void refused(ThrowingCallable call, Status.Code code, String... reason) {
    assertThatThrownBy(call).isInstanceOfSatisfying(StatusRuntimeException.class, e -> {
      assertThat(e.getStatus().getCode()).as(e.getStatus().toString()).isEqualTo(code);
      assertThat(e.getStatus().getDescription()).contains(reason);
    });
  }

  @Test
  @Order(1)
  void theFirstAdministratorIsAddedFromLoopbackPresentingACertificate() throws Exception {
    ManagedChannel root = channelAs("root");
    // No user yet: the node cannot tell a certificate of nobody from one of a user it has not
    // heard of (catching up), so it sends the client to another node; only add_user is taken.
    refused(() -> admin(root).clusterStatus(ClusterStatusRequest.getDefaultInstance()),
        Status.Code.UNAVAILABLE, "knows no users yet");
    OneNodeServer.whenReady(() -> admin(root).addUser(AddUserRequest.newBuilder().setName("root")
        .setPassword("root password").addTags("administrator").build()));
  }

  @Test
  @Order(2)
  void aCertificateLogsInAsTheUserItsCnNames() {
    ManagedChannel root = channelAs("root");
    assertThat(admin(root).clusterStatus(ClusterStatusRequest.getDefaultInstance()).getNode()).isEqualTo("n1");
    admin(root).addUser(AddUserRequest.newBuilder().setName("app").setPassword("app password").build());
    admin(root).setPermissions(SetPermissionsRequest.newBuilder().setUser("app").setConfigure("^app\\.")
        .setWrite("^app\\.").setRead("^app\\.").build());

    // app has its permissions and no tag, as with a password.
    ManagedChannel app = channelAs("app");
    queues(app).declareQueue(DeclareQueueRequest.newBuilder().setQueue("app.orders").build());
    queues(app).publish(PublishRequest.newBuilder().setQueue("app.orders")
        .addMessages(Message.newBuilder().setBody(ByteString.copyFromUtf8("m"))).build());
    refused(() -> queues(app).declareQueue(DeclareQueueRequest.newBuilder().setQueue("billing").build()),
        Status.Code.PERMISSION_DENIED, "user 'app'", "'billing'", "configure");
    refused(() -> admin(app).listUsers(ListUsersRequest.getDefaultInstance()),
        Status.Code.PERMISSION_DENIED, "user 'app'", "ListUsers", "monitoring");
  }

  @Test
  @Order(3)
  void aCertificateOfAnUnknownUserIsRefused() {
    ManagedChannel mallory = channelAs("mallory");
    assertThatThrownBy(() -> admin(mallory).clusterStatus(ClusterStatusRequest.getDefaultInstance()))
        .isInstanceOfSatisfying(StatusRuntimeException.class, e -> {
          assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.UNAUTHENTICATED);
          assertThat(e.getStatus().getDescription()).contains("no user 'mallory'", "CN")
              .doesNotContainPattern("[a-z]+\\.[a-z]+\\.[A-Z]|Exception");
        });
  }

  @Test
  @Order(3)
  void aBasicHeaderOverACertificateIsTheUserItNames() {
    // Explicit credentials win: mallory's certificate names nobody, the header names root.
    assertThat(admin(channelAs("mallory")).withCallCredentials(new BasicCredentials("root", "root password"))
        .listUsers(ListUsersRequest.getDefaultInstance()).getUsersCount()).isEqualTo(2);
    refused(() -> admin(channelAs("app")).withCallCredentials(new BasicCredentials("root", "guess"))
        .clusterStatus(ClusterStatusRequest.getDefaultInstance()), Status.Code.UNAUTHENTICATED,
        "wrong user name or password");
  }

  @Test
  @Order(3)
  void aClientWithoutACertificateCannotConnect() {
    ManagedChannel none = channelAs(null);
    // Not even with a password: the handshake fails before any call.
    assertThatThrownBy(() -> admin(none).withCallCredentials(new BasicCredentials("root", "root password"))
        .clusterStatus(ClusterStatusRequest.getDefaultInstance()))
        .isInstanceOfSatisfying(StatusRuntimeException.class,
            e -> assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.UNAVAILABLE));
  }

  @Test
  @Order(4)
  void aDeletedUsersCertificateIsRefusedOnTheNextCall() {
    ManagedChannel app = channelAs("app");
    queues(app).declareQueue(DeclareQueueRequest.newBuilder().setQueue("app.before").build());
    admin(channelAs("root")).deleteUser(DeleteUserRequest.newBuilder().setName("app").build());
    // The same connection, the same verified certificate: the user is looked up on every call.
    refused(() -> queues(app).declareQueue(DeclareQueueRequest.newBuilder().setQueue("app.after").build()),
        Status.Code.UNAUTHENTICATED, "no user 'app'");
  }
}
