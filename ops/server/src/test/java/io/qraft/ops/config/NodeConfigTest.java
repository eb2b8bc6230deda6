package io.qraft.ops.config;

import io.qraft.api.HostPort;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class NodeConfigTest {

    private static final String FILE = "qraft.conf";

    private static NodeConfig parse(String... lines) {
        return NodeConfig.parse(String.join("\n", lines), FILE);
    }

    private static ConfigException refused(String... lines) {
        try {
            parse(lines);
        } catch (ConfigException e) {
            return e;
        }
        throw new AssertionError("the configuration was accepted");
    }

    @Test
    void anEmptyFileGivesEveryDefault() {
        NodeConfig config = parse("");

        assertThat(config.nodeId()).isEqualTo("n1");
        assertThat(config.dataDir()).isEqualTo(Path.of("./data"));
        assertThat(config.grpcListener()).isEqualTo(new HostPort("0.0.0.0", 5691));
        assertThat(config.raftListener()).isEqualTo(new HostPort("0.0.0.0", 6691));
        assertThat(config.clusterNodes()).containsExactly(new ClusterMember("n1", "127.0.0.1", 5691, 6691));
        assertThat(config.self()).isEqualTo(new ClusterMember("n1", "127.0.0.1", 5691, 6691));
        assertThat(config.peers()).isEmpty();
        assertThat(config.messageMaxBytes()).isEqualTo(1_048_576);
        assertThat(config.raftElectionTimeoutMin()).isEqualTo(Duration.ofMillis(1000));
        assertThat(config.raftElectionTimeoutMax()).isEqualTo(Duration.ofMillis(2000));
        assertThat(config.raftHeartbeatInterval()).isEqualTo(Duration.ofMillis(500));
        assertThat(config.raftSnapshotThreshold()).isEqualTo(10_000);
        assertThat(config.raftLogKeepEntries()).isEqualTo(1_000);
        assertThat(config.raftSegmentSizeBytes()).isEqualTo(8_388_608);
        assertThat(config.raftMaxEntryBytes()).isEqualTo(4_194_304);
        assertThat(config.shardsPerReplicaSet()).isEqualTo(3);
        assertThat(config.shardsMaxPerNode()).isEqualTo(64);
        assertThat(config.consumerGetLease()).isEqualTo(Duration.ofSeconds(30));
        assertThat(config.consumerDefaultPrefetch()).isEqualTo(100);
        assertThat(config).isEqualTo(NodeConfig.defaults());
    }

    @Test
    void everyKeyIsReadFromAFullFileWithCommentsBlankLinesAndStrayWhitespace() {
        NodeConfig config = parse(
            "# a three-node cluster",
            "",
            "  node.id=n2  ",
            "node.data_dir = /var/lib/qraft",
            "listeners.grpc = 10.0.0.2:7001",
            "\tlisteners.raft\t=\t[::]:7002",
            "cluster.nodes = n1@10.0.0.1:7001:7002, n2@10.0.0.2:7001:7002 ,n3@[fd00::3]:7001:7002",
            "   # indented comment",
            "message.max_bytes = 65536",
            "raft.election_timeout_min = 300",
            "raft.election_timeout_max = 600",
            "raft.snapshot_threshold = 500",
            "raft.log_keep_entries = 0",
            "raft.segment_size_bytes = 1048576",
            "raft.max_entry_bytes = 131072",
            "shards.per_replica_set = 8",
            "shards.max_per_node = 8",
            "consumer.get_lease_ms = 5000",
            "consumer.default_prefetch = 10",
            "");

        assertThat(config.nodeId()).isEqualTo("n2");
        assertThat(config.dataDir()).isEqualTo(Path.of("/var/lib/qraft"));
        assertThat(config.grpcListener()).isEqualTo(new HostPort("10.0.0.2", 7001));
        assertThat(config.raftListener()).isEqualTo(new HostPort("::", 7002));
        assertThat(config.clusterNodes()).extracting(ClusterMember::id).containsExactly("n1", "n2", "n3");
        assertThat(config.clusterNodes().get(2)).isEqualTo(new ClusterMember("n3", "fd00::3", 7001, 7002));
        assertThat(config.self().grpcAddress()).isEqualTo(new HostPort("10.0.0.2", 7001));
        assertThat(config.peers()).extracting(ClusterMember::id).containsExactly("n1", "n3");
        assertThat(config.messageMaxBytes()).isEqualTo(65_536);
        assertThat(config.raftElectionTimeoutMin()).isEqualTo(Duration.ofMillis(300));
        assertThat(config.raftElectionTimeoutMax()).isEqualTo(Duration.ofMillis(600));
        assertThat(config.raftHeartbeatInterval()).isEqualTo(Duration.ofMillis(150));
        assertThat(config.raftSnapshotThreshold()).isEqualTo(500);
        assertThat(config.raftLogKeepEntries()).isZero();
        assertThat(config.raftSegmentSizeBytes()).isEqualTo(1_048_576);
        assertThat(config.raftMaxEntryBytes()).isEqualTo(131_072);
        assertThat(config.shardsPerReplicaSet()).isEqualTo(8);
        assertThat(config.shardsMaxPerNode()).isEqualTo(8);
        assertThat(config.consumerGetLease()).isEqualTo(Duration.ofSeconds(5));
        assertThat(config.consumerDefaultPrefetch()).isEqualTo(10);
        assertThat(config.lineOf(NodeConfigKeys.NODE_ID)).isEqualTo(3);
        assertThat(config.source()).isEqualTo(FILE);
    }

    @Test
    void windowsLineEndingsAndAByteOrderMarkAreAccepted() {
        NodeConfig config = NodeConfig.parse("\uFEFFnode.id = a\r\ncluster.nodes = a@h:1:2\r\n", FILE);

        assertThat(config.self()).isEqualTo(new ClusterMember("a", "h", 1, 2));
    }

    @Test
    void printingAConfigurationGivesTextThatParsesBackToTheSameConfiguration() {
        NodeConfig config = parse("node.id = n2", "cluster.nodes = n1@a:1:2,n2@b:1:2", "raft.log_keep_entries = 7");

        assertThat(NodeConfig.parse(config.toString(), "printed")).isEqualTo(config);
    }

    @Test
    void anUnknownKeyIsRefusedWithTheClosestKnownKeySuggested() {
        ConfigException e = refused("node.id = n1", "", "raft.election_timout_min = 500");

        assertThat(e.getMessage())
            .startsWith("qraft.conf, line 3, key 'raft.election_timout_min': ")
            .contains("expected a known key")
            .contains("found an unknown key")
            .endsWith("did you mean 'raft.election_timeout_min'?");
        assertThat(e.line()).isEqualTo(3);
        assertThat(e.key()).isEqualTo("raft.election_timout_min");
    }

    @Test
    void aValueThatIsNotANumberIsRefusedWithTheExpectedRange() {
        ConfigException e = refused("message.max_bytes = 1MB");

        assertThat(e.getMessage()).isEqualTo(
            "qraft.conf, line 1, key 'message.max_bytes': expected an integer in 1..16777216, found '1MB'");
    }

    @Test
    void aNumberOutOfRangeIsRefused() {
        assertThat(refused("", "shards.per_replica_set = 65").getMessage()).isEqualTo(
            "qraft.conf, line 2, key 'shards.per_replica_set': expected an integer in 1..64, found '65'");
        assertThat(refused("raft.election_timeout_min = 99").getMessage())
            .contains("expected a number of milliseconds in 100..60000, found '99'");
        assertThat(refused("raft.log_keep_entries = -1").getMessage())
            .contains("expected an integer in 0.., found '-1'");
    }

    @Test
    void anAddressWithoutAPortIsRefused() {
        ConfigException e = refused("listeners.grpc = 0.0.0.0");

        assertThat(e.getMessage())
            .startsWith("qraft.conf, line 1, key 'listeners.grpc': expected host:port")
            .contains("found '0.0.0.0'")
            .contains("has no port");
    }

    @Test
    void anAddressWithAPortOutOfRangeIsRefused() {
        assertThat(refused("listeners.raft = localhost:70000").getMessage())
            .contains("key 'listeners.raft'")
            .contains("found 'localhost:70000'")
            .contains("not in 1..65535");
    }

    @Test
    void aClusterEntryWithoutItsRaftPortIsRefused() {
        assertThat(refused("cluster.nodes = n1@127.0.0.1:5691").getMessage())
            .startsWith("qraft.conf, line 1, key 'cluster.nodes': expected 1 to 7 comma-separated "
                + "id@host:grpcPort:raftPort entries with unique ids, found 'n1@127.0.0.1:5691'");
    }

    @Test
    void aNodeIdListedTwiceInClusterNodesIsRefused() {
        ConfigException e = refused("cluster.nodes = n1@a:5691:6691, n2@b:5691:6691, n1@c:5691:6691");

        assertThat(e.getMessage())
            .contains("line 1, key 'cluster.nodes'")
            .contains("found 'n1@a:5691:6691, n2@b:5691:6691, n1@c:5691:6691'")
            .endsWith("the node id 'n1' appears twice");
    }

    @Test
    void twoNodesOnTheSameEndpointAreRefused() {
        assertThat(refused("cluster.nodes = n1@a:5691:6691, n2@a:5691:6692").getMessage())
            .endsWith("nodes 'n1' and 'n2' both use a:5691");
    }

    @Test
    void moreThanSevenNodesAreRefused() {
        StringBuilder nodes = new StringBuilder("cluster.nodes = ");
        for (int i = 1; i <= 8; i++) {
            nodes.append(i > 1 ? "," : "").append("n").append(i).append("@h").append(i).append(":1:2");
        }
        assertThat(refused(nodes.toString()).getMessage()).endsWith("8 nodes, more than 7");
    }

    @Test
    void aNodeIdThatIsNotInClusterNodesIsRefusedOnTheNodeIdLine() {
        ConfigException e = refused("cluster.nodes = n1@a:1:2,n2@b:1:2", "node.id = n4");

        assertThat(e.getMessage()).isEqualTo("qraft.conf, line 2, key 'node.id': expected one of the ids in "
            + "cluster.nodes (n1, n2, line 1), found 'n4'");
    }

    @Test
    void aClusterWithoutTheDefaultNodeIdIsRefusedOnTheClusterNodesLine() {
        ConfigException e = refused("cluster.nodes = a@h:1:2");

        assertThat(e.getMessage()).isEqualTo("qraft.conf, line 1, key 'cluster.nodes': expected an entry for "
            + "node.id (n1, default), found only the ids a");
    }

    @Test
    void anElectionTimeoutMinimumNotBelowTheMaximumIsRefused() {
        assertThat(refused("raft.election_timeout_min = 2000").getMessage()).isEqualTo(
            "qraft.conf, line 1, key 'raft.election_timeout_min': expected less than "
                + "raft.election_timeout_max (2000, default), found '2000'");
        assertThat(refused("raft.election_timeout_min = 500", "raft.election_timeout_max = 400").getMessage())
            .isEqualTo("qraft.conf, line 2, key 'raft.election_timeout_max': expected more than "
                + "raft.election_timeout_min (500, line 1), found '400'");
    }

    @Test
    void aMessageLimitThatDoesNotFitInARaftEntryIsRefused() {
        assertThat(refused("raft.max_entry_bytes = 65536", "message.max_bytes = 65536").getMessage())
            .isEqualTo("qraft.conf, line 2, key 'message.max_bytes': expected less than "
                + "raft.max_entry_bytes (65536, line 1), found '65536'");
    }

    @Test
    void aRaftEntryLargerThanASegmentIsRefused() {
        assertThat(refused("raft.segment_size_bytes = 2097152").getMessage())
            .isEqualTo("qraft.conf, line 1, key 'raft.segment_size_bytes': expected at least "
                + "raft.max_entry_bytes (4194304, default), found '2097152'");
    }

    @Test
    void fewerShardsPerNodeThanPerReplicaSetAreRefused() {
        assertThat(refused("shards.per_replica_set = 10", "shards.max_per_node = 9").getMessage())
            .contains("line 2, key 'shards.max_per_node': expected at least shards.per_replica_set (10, line 1)");
    }

    @Test
    void gRpcAndRaftListenersOnTheSamePortAreRefused() {
        assertThat(refused("listeners.raft = 127.0.0.1:5691").getMessage())
            .isEqualTo("qraft.conf, line 1, key 'listeners.raft': expected a port other than that of "
                + "listeners.grpc (0.0.0.0:5691, default), found '127.0.0.1:5691'");
    }

    @Test
    void aKeySetTwiceIsRefusedOnItsSecondLine() {
        ConfigException e = refused("node.id = n1", "consumer.default_prefetch = 5", "node.id = n1");

        assertThat(e.getMessage()).isEqualTo(
            "qraft.conf, line 3, key 'node.id': expected each key set at most once, found it set again "
                + "(first set on line 1)");
    }

    @Test
    void aLineWithoutAnEqualsSignIsRefused() {
        ConfigException e = refused("node.id = n1", "raft.snapshot_threshold 500");

        assertThat(e.getMessage()).isEqualTo(
            "qraft.conf, line 2: expected 'key = value', found 'raft.snapshot_threshold 500'");
        assertThat(e.key()).isNull();
    }

    @Test
    void anEmptyValueIsRefused() {
        assertThat(refused("node.data_dir =").getMessage())
            .isEqualTo("qraft.conf, line 1, key 'node.data_dir': expected a file system path, found an empty value");
    }

    @Test
    void aNodeIdWithForbiddenCharactersIsRefused() {
        assertThat(refused("node.id = node one").getMessage())
            .contains("key 'node.id': expected 1 to 64 letters, digits, '_' or '-', found 'node one'");
    }

    @Test
    void theFirstBadLineInTheFileIsTheOneReported() {
        assertThat(refused("consumer.default_prefetch = x", "message.max_bytes = y").line()).isEqualTo(1);
    }

    @Test
    void aFileIsLoadedAndNamedInErrors(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("node.conf");
        Files.writeString(file, "node.id = n2\ncluster.nodes = n1@a:1:2,n2@b:1:2\n");
        assertThat(NodeConfig.load(file).self().host()).isEqualTo("b");

        Files.writeString(file, "node.id = n2\n");
        assertThatThrownBy(() -> NodeConfig.load(file))
            .isInstanceOf(ConfigException.class)
            .hasMessageStartingWith(file + ", line 1, key 'node.id'");
    }

    @Test
    void aMissingFileIsRefusedWithItsName(@TempDir Path dir) {
        Path missing = dir.resolve("absent.conf");

        assertThatThrownBy(() -> NodeConfig.load(missing))
            .isInstanceOf(ConfigException.class)
            .hasMessage(missing + ": expected a configuration file, found no such file");
    }

    @Test
    void theClosestKeyIsTheOneWithFewestEdits() {
        assertThat(NodeConfigKeys.closest("NODE.ID").name()).isEqualTo("node.id");
        assertThat(NodeConfigKeys.closest("consumer.defaultprefetch").name()).isEqualTo("consumer.default_prefetch");
        assertThat(NodeConfigKeys.closest("consumer.prefetch").name()).isEqualTo("consumer.max_prefetch");
        assertThat(NodeConfigKeys.closest("listeners.gprc").name()).isEqualTo("listeners.grpc");
    }

    @Test
    void authIsTrueOrFalseAndOpenPathsArePaths() {
        assertThat(NodeConfigKeys.AUTH_ENABLED.parse("true")).isTrue();
        assertThatThrownBy(() -> NodeConfigKeys.AUTH_ENABLED.parse("yes")).isInstanceOf(IllegalArgumentException.class);
        assertThat(NodeConfigKeys.HTTP_OPEN_PATHS.parse("/metrics,/health")).isEqualTo("/metrics,/health");
        assertThat(NodeConfigKeys.HTTP_OPEN_PATHS.parse("")).isEmpty();
        assertThatThrownBy(() -> NodeConfigKeys.HTTP_OPEN_PATHS.parse("metrics")).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void everyKeyNameIsUniqueAndEveryDefaultParsesBackToItself() {
        assertThat(NodeConfigKeys.ALL).extracting(ConfigKey::name).doesNotHaveDuplicates();
        for (ConfigKey<?> key : NodeConfigKeys.ALL) {
            assertThat(key.parse(key.defaultText())).as(key.name()).isEqualTo(key.defaultValue());
            assertThat(key.doc()).as(key.name()).doesNotContain("\n");
        }
        assertThat(List.copyOf(NodeConfigKeys.ALL)).hasSize(45);
    }
}
