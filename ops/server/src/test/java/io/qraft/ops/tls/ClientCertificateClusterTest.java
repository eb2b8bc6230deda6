package io.qraft.ops.tls;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.grpc.Status;
import io.qraft.api.v1.AddUserRequest;
import io.qraft.api.v1.AdminServiceGrpc;
import io.qraft.api.v1.ListUsersRequest;
import io.qraft.api.v1.SetPermissionsRequest;
import io.qraft.client.QraftClient;
import io.qraft.client.QraftException;
import io.qraft.ops.launch.ProcessCluster;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Three node processes over TLS with tls.client_auth = required and auth.enabled: clients log in
 * by the CN of their certificate on any node; a follower that forwards a call to the metadata
 * leader passes the user on, so the leader applies that user's rights; the nodes' own calls to
 * each other (forwarding, cluster status) keep working with every connection demanding a
 * certificate.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
@Timeout(value = 6, unit = TimeUnit.MINUTES)
class ClientCertificateClusterTest {

    @TempDir
    static Path dir;

    static Path certs;
    static ProcessCluster cluster;

    @BeforeAll
    static void startCluster() throws Exception {
        certs = TestCerts.make(dir.resolve("certs"), "qraft test CA", "n1", "n2", "n3");
        for (String user : List.of("root", "app", "mallory")) {
            TestCerts.client(certs, user);
        }
        cluster = new ProcessCluster(dir.resolve("cluster"), 3,
            Map.of("auth.enabled", "true", "tls.client_auth", "required"),
            n -> TlsClusterTest.tlsConfig(certs, n.id),
            certs.resolve("ca.pem"))
            // The cluster's own channels present root's certificate; the bootstrap add_user of
            // root goes from loopback, as an operator's first qraftctl add_user would.
            .clientCertificate(certs.resolve("root.pem"), certs.resolve("root.key"))
            .administrator("root", "root password");
        cluster.start();
    }

    @AfterAll
    static void stopCluster() {
        if (cluster != null) {
            cluster.close();
        }
    }

    /** An SDK client presenting {@code user}'s certificate and no password. */
    private static QraftClient clientAs(String user, List<String> addresses) {
        return QraftClient.builder().addresses(addresses)
            .tls(certs.resolve("ca.pem"), certs.resolve(user + ".pem"), certs.resolve(user + ".key"))
            .deadline(Duration.ofSeconds(60)).build();
    }

    @Test
    @Order(1)
    void anAdministratorLogsInByCertificateOnEveryNode() throws Exception {
        for (ProcessCluster.Node n : cluster.nodes()) {
            try (QraftClient root = clientAs("root", List.of(n.address()))) {
                // ClusterStatus asks the other nodes too: node-to-node calls under mutual TLS.
                assertThat(root.clusterStatus().getNodesCount()).as("cluster status through " + n.id).isEqualTo(3);
            }
        }
        io.grpc.ManagedChannel channel = io.grpc.Grpc.newChannelBuilderForAddress("127.0.0.1",
            cluster.node("n1").grpcPort, io.qraft.client.TlsCredentials.of(certs.resolve("ca.pem"),
                certs.resolve("root.pem"), certs.resolve("root.key"))).build();
        try {
            AdminServiceGrpc.AdminServiceBlockingStub admin = AdminServiceGrpc.newBlockingStub(channel)
                .withDeadlineAfter(60, TimeUnit.SECONDS);
            admin.addUser(AddUserRequest.newBuilder().setName("app").setPassword("app password").build());
            admin.setPermissions(SetPermissionsRequest.newBuilder().setUser("app").setConfigure("^app\\.")
                .setWrite("^app\\.").setRead("^app\\.").build());
            assertThat(AdminServiceGrpc.newBlockingStub(channel).withDeadlineAfter(60, TimeUnit.SECONDS)
                .listUsers(ListUsersRequest.getDefaultInstance()).getUsersList())
                .extracting(u -> u.getName()).contains("root", "app");
        } finally {
            channel.shutdownNow();
        }
    }

    @Test
    @Order(2)
    void aFollowerForwardsTheCertificatesUserToTheLeader() throws Exception {
        ProcessCluster.Node leader = cluster.metadataLeader(Duration.ofSeconds(60));
        ProcessCluster.Node follower = cluster.nodes().stream().filter(n -> n != leader).findFirst().orElseThrow();
        cluster.awaitMetadataApplied(follower, Duration.ofSeconds(60));
        try (QraftClient app = clientAs("app", List.of(follower.address()))) {
            // Declare goes to the metadata leader through the follower: had the user been lost on
            // the way, the leader would see a node acting for itself, which may not declare.
            app.declareQueue("app.orders");
            app.publish("app.orders", "by certificate".getBytes(StandardCharsets.UTF_8)).join();
            assertThat(app.get("app.orders", 10, true)).hasSize(1);
            assertThatThrownBy(() -> app.declareQueue("billing"))
                .isInstanceOfSatisfying(QraftException.class, e -> {
                    assertThat(e.code()).isEqualTo(Status.Code.PERMISSION_DENIED);
                    assertThat(e.getMessage()).contains("user 'app'", "'billing'");
                });
        }
    }

    @Test
    @Order(3)
    void aCertificateOfAnUnknownUserIsRefused() {
        try (QraftClient mallory = clientAs("mallory", cluster.addresses())) {
            assertThatThrownBy(mallory::clusterStatus)
                .isInstanceOfSatisfying(QraftException.class, e -> {
                    assertThat(e.code()).isEqualTo(Status.Code.UNAUTHENTICATED);
                    assertThat(e.getMessage()).contains("no user 'mallory'");
                });
        }
    }

    @Test
    @Order(3)
    void aClientWithoutACertificateCannotConnect() {
        try (QraftClient none = QraftClient.builder().addresses(cluster.addresses()).tls(certs.resolve("ca.pem"))
            .credentials("root", "root password").deadline(Duration.ofSeconds(3)).build()) {
            assertThatThrownBy(none::clusterStatus)
                .isInstanceOfSatisfying(QraftException.class,
                    e -> assertThat(e.code()).isEqualTo(Status.Code.UNAVAILABLE));
        }
    }
}
