package io.qraft.client;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.grpc.InsecureServerCredentials;
import io.grpc.Metadata;
import io.grpc.Server;
import io.grpc.ServerCall;
import io.grpc.ServerCallHandler;
import io.grpc.ServerInterceptor;
import io.grpc.ServerInterceptors;
import io.grpc.Status;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import io.grpc.netty.shaded.io.grpc.netty.NettyServerBuilder;
import io.grpc.stub.StreamObserver;
import io.qraft.api.v1.AdminServiceGrpc;
import io.qraft.api.v1.ClusterStatusRequest;
import io.qraft.api.v1.ClusterStatusResponse;
import io.qraft.api.v1.Delivery;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Base64;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class BasicCredentialsTest {

  private static final long WAIT_SECONDS = 30;
  private static final String PASSWORD = "s3cret:£";
  private static final String HEADER = "Basic " + Base64.getEncoder()
      .encodeToString(("alice:" + PASSWORD).getBytes(StandardCharsets.UTF_8));

  private final InProcessCluster cluster = new InProcessCluster();

  @AfterEach
  void closeCluster() throws Exception {
    cluster.close();
  }

  // An in-process channel reports PRIVACY_AND_INTEGRITY, as TLS does, and its authority is the
  // node's name, not a loopback address: these calls go the way of calls over TLS.
  @Test
  void the_header_goes_with_every_unary_call_and_the_consume_stream() throws Exception {
    FakeNode leader = cluster.leader("b");
    leader.nextStream((request, stream) -> stream.onNext(FakeNode.delivery(request.getQueue(), 7)));
    QraftClient client = cluster.track(
        cluster.builder(leader.name).credentials("alice", PASSWORD).build());
    BlockingQueue<Delivery> handled = new LinkedBlockingQueue<>();

    client.declareQueue("orders");
    client.publish("orders", new byte[] {1}).get(WAIT_SECONDS, TimeUnit.SECONDS);
    client.clusterStatus();
    client.consume("orders", 10, handled::add);

    assertThat(handled.poll(WAIT_SECONDS, TimeUnit.SECONDS)).isNotNull();
    assertThat(BasicCredentials.isLoopback(leader.name)).isFalse();
    assertThat(leader.calls("Consume")).isEqualTo(1);
    assertThat(leader.authorizations()).hasSize(4).containsOnly(HEADER);
  }

  @Test
  void a_client_without_credentials_sends_no_header() {
    FakeNode leader = cluster.leader("b");

    cluster.client(leader.name).declareQueue("orders");

    assertThat(leader.authorizations()).containsExactly((String) null);
  }

  @Test
  void the_header_value_is_rfc_7617s() {
    // The examples of RFC 7617, sections 2 and 2.1.
    assertThat(BasicCredentials.headerValue("Aladdin", "open sesame"))
        .isEqualTo("Basic QWxhZGRpbjpvcGVuIHNlc2FtZQ==");
    assertThat(BasicCredentials.headerValue("test", "123£")).isEqualTo("Basic dGVzdDoxMjPCow==");
  }

  @Test
  void build_refuses_credentials_that_cannot_be_sent_and_never_names_the_password() {
    assertThat(refusal("", "pw")).contains("user name is empty");
    assertThat(refusal("al:ice", "pw")).contains("cannot contain ':'");
    assertThat(refusal("al\tice", "pw")).contains("user name cannot contain control characters");
    assertThat(refusal("alice", "")).contains("password is empty");
    assertThat(refusal("alice", "hunter2\r")).contains("password cannot contain control characters")
        .doesNotContain("hunter2");
    assertThat(new BasicCredentials("alice", "hunter2").toString())
        .contains("alice").doesNotContain("hunter2");
  }

  private static String refusal(String user, String password) {
    QraftClient.Builder builder =
        QraftClient.builder().addresses("127.0.0.1:5691").credentials(user, password);
    return assertThatThrownBy(builder::build)
        .isInstanceOf(IllegalArgumentException.class)
        .actual().getMessage();
  }

  @Test
  void loopback_means_127_slash_8_or_ipv6_1_or_localhost_by_name() {
    assertThat(List.of("127.0.0.1:5691", "[::1]:5691", "localhost:5691", "LocalHost:1", "::1",
        "127.0.0.1", "[0:0:0:0:0:0:0:1]:5691", "127.0.0.11:5691", "127.255.1.2"))
        .allMatch(BasicCredentials::isLoopback);
    assertThat(List.of("node1:5691", "10.0.0.1:5691", "localhost.example.com:5691", "[::2]:1",
        "127.0.0.1.example.com:1", "127.0.0.256:1", "127.0.0:1", "128.0.0.1:1", ""))
        .noneMatch(BasicCredentials::isLoopback);
    assertThat(BasicCredentials.isLoopback(null)).isFalse();
  }

  @Test
  void over_plaintext_the_password_goes_to_a_loopback_address_only() throws Exception {
    List<String> received = new CopyOnWriteArrayList<>();
    Server server = plaintextNode(received);
    int port = server.getPort();
    try (QraftClient local = QraftClient.builder()
            .addresses("127.0.0.1:" + port).credentials("alice", PASSWORD).build();
        // The same node, but named as a remote host would be: the channel's authority is what counts.
        QraftClient remote = QraftClient.builder()
            .addresses("node1.example.com:" + port).credentials("alice", PASSWORD)
            .channelFactory(authority -> NettyChannelBuilder
                .forAddress(new InetSocketAddress("127.0.0.1", port))
                .overrideAuthority(authority).usePlaintext().build())
            .build()) {

      assertThat(local.clusterStatus().getNode()).isEqualTo("plain");
      assertThat(received).containsExactly(HEADER);

      assertThatThrownBy(remote::clusterStatus)
          .isInstanceOfSatisfying(QraftException.class, e -> {
            assertThat(e.code()).isEqualTo(Status.Code.UNAUTHENTICATED);
            assertThat(e.serverMessage()).isEqualTo(BasicCredentials.CLEARTEXT_REFUSED);
          });
      Consumer consumer = remote.consume("orders", 10, delivery -> { });
      assertThatThrownBy(() -> consumer.terminated().get(WAIT_SECONDS, TimeUnit.SECONDS))
          .cause()
          .isInstanceOfSatisfying(QraftException.class,
              e -> assertThat(e.code()).isEqualTo(Status.Code.UNAUTHENTICATED));
      assertThat(received).hasSize(1);
    } finally {
      server.shutdownNow();
    }
  }

  /** A node on 127.0.0.1 over plaintext answering ClusterStatus, recording each call's header. */
  private static Server plaintextNode(List<String> received) throws Exception {
    ServerInterceptor record = new ServerInterceptor() {
      @Override
      public <Q, R> ServerCall.Listener<Q> interceptCall(ServerCall<Q, R> call, Metadata headers,
          ServerCallHandler<Q, R> next) {
        received.add(String.valueOf(headers.get(BasicCredentials.AUTHORIZATION)));
        return next.startCall(call, headers);
      }
    };
    AdminServiceGrpc.AdminServiceImplBase admin = new AdminServiceGrpc.AdminServiceImplBase() {
      @Override
      public void clusterStatus(ClusterStatusRequest request,
          StreamObserver<ClusterStatusResponse> observer) {
        observer.onNext(ClusterStatusResponse.newBuilder().setNode("plain").build());
        observer.onCompleted();
      }
    };
    return NettyServerBuilder
        .forAddress(new InetSocketAddress("127.0.0.1", 0), InsecureServerCredentials.create())
        .addService(ServerInterceptors.intercept(admin, record))
        .build()
        .start();
  }

  @Test
  void a_password_file_gives_its_first_line_without_the_line_end(@TempDir Path dir)
      throws Exception {
    Path unix = Files.writeString(dir.resolve("unix"), "pässword\nignored\n");
    Path windows = Files.writeString(dir.resolve("windows"), "password\r\n");
    Path bare = Files.writeString(dir.resolve("bare"), "password");
    Path empty = Files.writeString(dir.resolve("empty"), "");

    assertThat(BasicCredentials.readPassword(unix)).isEqualTo("pässword");
    assertThat(BasicCredentials.readPassword(windows)).isEqualTo("password");
    assertThat(BasicCredentials.readPassword(bare)).isEqualTo("password");
    assertThat(BasicCredentials.readPassword(empty)).isEmpty();
  }

  @Test
  void aHeaderIsReadBackAndAnythingElseIsNothing() {
    assertThat(BasicCredentials.parse(BasicCredentials.headerValue("Aladdin", "open: sesame")))
        .isEqualTo(new BasicCredentials.Pair("Aladdin", "open: sesame"));
    assertThat(BasicCredentials.parse("basic " + java.util.Base64.getEncoder().encodeToString("u:p".getBytes())))
        .as("the scheme in any case").isEqualTo(new BasicCredentials.Pair("u", "p"));
    assertThat(BasicCredentials.parse(null)).isNull();
    assertThat(BasicCredentials.parse("Bearer abc")).isNull();
    assertThat(BasicCredentials.parse("Basic not base64!")).isNull();
    assertThat(BasicCredentials.parse("Basic " + java.util.Base64.getEncoder().encodeToString(":p".getBytes())))
        .as("an empty user name").isNull();
    assertThat(BasicCredentials.parse("Basic " + "A".repeat(BasicCredentials.MAX_HEADER_CHARS))).as("too long").isNull();
  }
}
