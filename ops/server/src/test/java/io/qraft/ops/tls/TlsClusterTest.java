package io.qraft.ops.tls;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.grpc.Grpc;
import io.grpc.ManagedChannel;
import io.grpc.Status;
import io.qraft.api.v1.AdminServiceGrpc;
import io.qraft.api.v1.Delivery;
import io.qraft.api.v1.GroupStatus;
import io.qraft.api.v1.NodeStatusRequest;
import io.qraft.api.v1.NodeStatusResponse;
import io.qraft.client.QraftClient;
import io.qraft.client.QraftException;
import io.qraft.client.TlsCredentials;
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
 * A 3-node cluster of separate processes with the tls.* keys set, certificates made by
 * bin/qraft-certs: clients need the CA; Raft between nodes is mutual TLS, so a node whose
 * certificate another CA signed cannot take part.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
@Timeout(value = 6, unit = TimeUnit.MINUTES)
class TlsClusterTest {

    @TempDir
    static Path dir;

    static Path certs;
    static Path rogue;
    static ProcessCluster cluster;

    /** What a refused TLS handshake leaves in a node's log (JDK and Netty wording). */
    static final String HANDSHAKE_FAILURE =
        "(?i)SSLHandshakeException|PKIX path|bad_certificate|certificate_unknown|unknown_ca|valid certification path";

    @BeforeAll
    static void startCluster() throws Exception {
        certs = TestCerts.make(dir.resolve("certs"), "qraft test CA", "n1", "n2", "n3");
        rogue = TestCerts.make(dir.resolve("rogue"), "another CA", "n3");
        cluster = new ProcessCluster(dir.resolve("cluster"), 3, Map.of(), n -> tlsConfig(certs, n.id),
            certs.resolve("ca.pem"));
        // Ready = every node answers over TLS and sees a metadata leader, elected over mutual TLS.
        cluster.start();
    }

    static Map<String, String> tlsConfig(Path certDir, String node) {
        return Map.of(
            "tls.cert_file", certDir.resolve(node + ".pem").toString(),
            "tls.key_file", certDir.resolve(node + ".key").toString(),
            "tls.ca_file", certDir.resolve("ca.pem").toString());
    }

    @AfterAll
    static void stopCluster() {
        if (cluster != null) {
            cluster.close();
        }
    }

    @Test
    @Order(1)
    void aClientWithTheCaPublishesAndConsumes() {
        try (QraftClient client = QraftClient.builder().addresses(cluster.addresses())
            .tls(certs.resolve("ca.pem")).deadline(Duration.ofSeconds(60)).build()) {
            client.declareQueue("secure");
            client.publish("secure", "hello over TLS".getBytes(StandardCharsets.UTF_8)).join();
            List<Delivery> got = client.get("secure", 10, true);
            assertThat(got).hasSize(1);
            assertThat(got.get(0).getMessage().getBody().toStringUtf8()).isEqualTo("hello over TLS");
            assertThat(client.clusterStatus().getNodesCount()).isEqualTo(3);
        }
    }

    @Test
    @Order(2)
    void aPlaintextClientIsRefused() {
        try (QraftClient client = QraftClient.builder().addresses(cluster.addresses())
            .deadline(Duration.ofSeconds(3)).build()) {
            assertThatThrownBy(() -> client.declareQueue("plain"))
                .isInstanceOf(QraftException.class)
                .satisfies(e -> assertThat(((QraftException) e).code()).isEqualTo(Status.Code.UNAVAILABLE));
        }
    }

    @Test
    @Order(3)
    void aTlsClientWithoutTheCaIsRefused() {
        try (QraftClient client = QraftClient.builder().addresses(cluster.addresses())
            .tls().deadline(Duration.ofSeconds(3)).build()) {
            assertThatThrownBy(() -> client.declareQueue("untrusted"))
                .isInstanceOf(QraftException.class)
                .satisfies(e -> assertThat(((QraftException) e).code()).isEqualTo(Status.Code.UNAVAILABLE))
                .satisfies(e -> assertThat(causes(e)).containsPattern(HANDSHAKE_FAILURE));
        }
        // A client trusting another CA fails the same way.
        try (QraftClient client = QraftClient.builder().addresses(cluster.addresses())
            .tls(rogue.resolve("ca.pem")).deadline(Duration.ofSeconds(3)).build()) {
            assertThatThrownBy(() -> client.declareQueue("untrusted"))
                .isInstanceOf(QraftException.class)
                .satisfies(e -> assertThat(((QraftException) e).code()).isEqualTo(Status.Code.UNAVAILABLE));
        }
    }

    @Test
    @Order(3)
    void aRaftClientThatIsNoMemberCannotAppendToAnyGroup() {
        io.qraft.api.log.v1.MetaCommand notice = io.qraft.api.log.v1.MetaCommand.newBuilder()
            .setCommitNotice(io.qraft.api.log.v1.CommitNotice.getDefaultInstance()).build();
        io.qraft.log.TlsSettings rogueMaterial = io.qraft.log.TlsSettings.of(
            io.qraft.api.PemFiles.keyManager(io.qraft.api.PemFiles.privateKey(rogue.resolve("n3.key")),
                io.qraft.api.PemFiles.certificates(rogue.resolve("n3.pem"))),
            io.qraft.api.PemFiles.trustManager(io.qraft.api.PemFiles.certificates(certs.resolve("ca.pem"))));
        for (io.qraft.log.TlsSettings tls : List.of(io.qraft.log.TlsSettings.NONE, rogueMaterial)) {
            java.util.List<org.apache.ratis.protocol.RaftPeer> peers = new java.util.ArrayList<>();
            for (ProcessCluster.Node n : cluster.nodes()) {
                peers.add(org.apache.ratis.protocol.RaftPeer.newBuilder().setId(io.qraft.log.GroupIds.peer(n.id))
                    .setAddress("127.0.0.1:" + n.raftPort).build());
            }
            try (org.apache.ratis.client.RaftClient raw = org.apache.ratis.client.RaftClient.newBuilder()
                .setProperties(new org.apache.ratis.conf.RaftProperties()).setParameters(tls.parameters())
                .setRaftGroup(org.apache.ratis.protocol.RaftGroup.valueOf(io.qraft.log.GroupIds.METADATA, peers))
                .setRetryPolicy(org.apache.ratis.retry.RetryPolicies.retryUpToMaximumCountWithFixedSleep(3,
                    org.apache.ratis.util.TimeDuration.valueOf(200, TimeUnit.MILLISECONDS)))
                .build()) {
                assertThatThrownBy(() -> raw.io().send(io.qraft.statemachine.LogCodec.message(notice)))
                    .as(tls.enabled() ? "a client whose certificate another CA signed" : "a plaintext client")
                    .isInstanceOf(java.io.IOException.class);
            } catch (java.io.IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
        }
    }

    @Test
    @Order(4)
    void aNodeWithACertificateOfAnotherCaCannotJoin() throws Exception {
        ProcessCluster.Node n3 = cluster.node("n3");
        cluster.stop(n3);
        cluster.perNodeConfig(n -> n.id.equals("n3") ? tlsConfig(rogue, n.id) : tlsConfig(certs, n.id));
        cluster.start(n3);

        ManagedChannel rogueChannel = Grpc.newChannelBuilderForAddress("127.0.0.1", n3.grpcPort,
            TlsCredentials.trusting(rogue.resolve("ca.pem"))).build();
        try (QraftClient client = QraftClient.builder().addresses(cluster.node("n1").address(),
            cluster.node("n2").address()).tls(certs.resolve("ca.pem")).deadline(Duration.ofSeconds(60)).build()) {
            // The two good nodes keep committing: new metadata entries, new messages.
            for (int i = 0; i < 5; i++) {
                client.declareQueue("after-" + i);
                client.publish("secure", ("m" + i).getBytes(StandardCharsets.UTF_8)).join();
            }
            long goodApplied = metadata(cluster.nodeStatus(cluster.node("n1"))).getAppliedIndex();
            // Several election timeouts (2 s max): n3 would have heard from the leader by now.
            long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(12);
            while (System.nanoTime() < until) {
                NodeStatusResponse s = nodeStatus(rogueChannel);
                if (s != null) {
                    GroupStatus meta = metadata(s);
                    assertThat(meta == null ? "" : meta.getLeader()).as("metadata leader seen by the rogue n3")
                        .isEmpty();
                    assertThat(meta == null ? 0 : meta.getAppliedIndex()).as("n3's applied metadata index")
                        .isLessThan(goodApplied);
                }
                Thread.sleep(500);
            }
            // Whether n3 serves clients before joining is not the point; if it does, it showed no leader.
            assertThat(cluster.log(n3) + cluster.log(cluster.node("n1")))
                .as("the handshake between n3 and the others failed")
                .containsPattern(HANDSHAKE_FAILURE);
        } finally {
            rogueChannel.shutdownNow();
        }

        // With a certificate of the cluster's CA again, n3 catches up: the refusal was the certificate.
        cluster.stop(n3);
        cluster.perNodeConfig(n -> tlsConfig(certs, n.id));
        cluster.start(n3);
        cluster.awaitReady(Duration.ofSeconds(90));
        long target = metadata(cluster.nodeStatus(cluster.node("n1"))).getAppliedIndex();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        long applied = -1;
        while (System.nanoTime() < deadline) {
            try {
                GroupStatus meta = metadata(cluster.nodeStatus(n3));
                applied = meta == null ? -1 : meta.getAppliedIndex();
            } catch (RuntimeException e) {
                // A node still opening its groups may fail a status call; ask again.
            }
            if (applied >= target) {
                break;
            }
            Thread.sleep(200);
        }
        assertThat(applied).isGreaterThanOrEqualTo(target);
    }

    private static NodeStatusResponse nodeStatus(ManagedChannel channel) {
        try {
            return AdminServiceGrpc.newBlockingStub(channel).withDeadlineAfter(2, TimeUnit.SECONDS)
                .nodeStatus(NodeStatusRequest.getDefaultInstance());
        } catch (RuntimeException e) {
            return null;
        }
    }

    private static GroupStatus metadata(NodeStatusResponse s) {
        return s.getLocalGroupsList().stream().filter(g -> g.getKind().equals("metadata")).findFirst().orElse(null);
    }

    private static String causes(Throwable e) {
        StringBuilder s = new StringBuilder();
        for (Throwable t = e; t != null; t = t.getCause()) {
            s.append(t).append(" | ");
        }
        return s.toString();
    }
}
