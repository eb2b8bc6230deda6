package io.qraft.ops.config;

import io.qraft.api.HostPort;

import java.util.stream.Collectors;

/**
 * The rules that tie keys of a {@link NodeConfig} together; each value has already been checked
 * on its own.
 *
 * <p>When two keys disagree, the error names the one set later in the file (a key left at its
 * default counts as earliest), because that is usually the edit that broke the pair. Used once
 * per configuration, by one thread.
 */
final class ConsistencyRules {

    private final NodeConfig config;

    ConsistencyRules(NodeConfig config) {
        this.config = config;
    }

    /** @throws ConfigException for the first rule broken */
    void check() {
        nodeIsAClusterMember();
        ordered(NodeConfigKeys.RAFT_ELECTION_TIMEOUT_MIN, config.raftElectionTimeoutMin().toMillis(),
            NodeConfigKeys.RAFT_ELECTION_TIMEOUT_MAX, config.raftElectionTimeoutMax().toMillis(), true);
        ordered(NodeConfigKeys.MESSAGE_MAX_BYTES, config.messageMaxBytes(),
            NodeConfigKeys.RAFT_MAX_ENTRY_BYTES, config.raftMaxEntryBytes(), true);
        ordered(NodeConfigKeys.RAFT_MAX_ENTRY_BYTES, config.raftMaxEntryBytes(),
            NodeConfigKeys.RAFT_SEGMENT_SIZE_BYTES, config.raftSegmentSizeBytes(), false);
        ordered(NodeConfigKeys.CONSUMER_DEFAULT_PREFETCH, config.consumerDefaultPrefetch(),
            NodeConfigKeys.CONSUMER_MAX_PREFETCH, config.get(NodeConfigKeys.CONSUMER_MAX_PREFETCH), false);
        ordered(NodeConfigKeys.RAFT_ELECTION_TIMEOUT_MAX, config.raftElectionTimeoutMax().toMillis(),
            NodeConfigKeys.RAFT_CLOSE_THRESHOLD_MS, config.get(NodeConfigKeys.RAFT_CLOSE_THRESHOLD_MS).toMillis(), true);
        ordered(NodeConfigKeys.SHARDS_PER_REPLICA_SET, config.shardsPerReplicaSet(),
            NodeConfigKeys.SHARDS_MAX_PER_NODE, config.shardsMaxPerNode(), false);
        listenersDoNotCollide();
    }

    private void nodeIsAClusterMember() {
        String id = config.nodeId();
        if (config.clusterNodes().stream().anyMatch(m -> m.id().equals(id))) {
            return;
        }
        String ids = config.clusterNodes().stream().map(ClusterMember::id).collect(Collectors.joining(", "));
        if (blameSecond(NodeConfigKeys.CLUSTER_NODES, NodeConfigKeys.NODE_ID)) {
            throw error(NodeConfigKeys.NODE_ID,
                "one of the ids in " + describe(NodeConfigKeys.CLUSTER_NODES, ids), quote(id));
        }
        throw error(NodeConfigKeys.CLUSTER_NODES,
            "an entry for " + describe(NodeConfigKeys.NODE_ID, id), "only the ids " + ids);
    }

    /** Requires {@code low < high} ({@code strict}) or {@code low <= high}. */
    private void ordered(ConfigKey<?> lowKey, long low, ConfigKey<?> highKey, long high, boolean strict) {
        if (strict ? low < high : low <= high) {
            return;
        }
        if (blameSecond(lowKey, highKey)) {
            throw error(highKey, (strict ? "more than " : "at least ") + describe(lowKey, config.formatted(lowKey)),
                quote(config.formatted(highKey)));
        }
        throw error(lowKey, (strict ? "less than " : "at most ") + describe(highKey, config.formatted(highKey)),
            quote(config.formatted(lowKey)));
    }

    private void listenersDoNotCollide() {
        HostPort grpc = config.grpcListener();
        HostPort raft = config.raftListener();
        boolean sameInterface = grpc.host().equals(raft.host()) || grpc.isWildcard() || raft.isWildcard();
        if (grpc.port() != raft.port() || !sameInterface) {
            return;
        }
        ConfigKey<HostPort> blamed = blameSecond(NodeConfigKeys.LISTENERS_GRPC, NodeConfigKeys.LISTENERS_RAFT)
            ? NodeConfigKeys.LISTENERS_RAFT : NodeConfigKeys.LISTENERS_GRPC;
        ConfigKey<HostPort> other = blamed == NodeConfigKeys.LISTENERS_RAFT
            ? NodeConfigKeys.LISTENERS_GRPC : NodeConfigKeys.LISTENERS_RAFT;
        throw error(blamed, "a port other than that of " + describe(other, config.formatted(other)),
            quote(config.formatted(blamed)));
    }

    /** True when {@code second} was set after {@code first}, so that {@code second} is the one to report. */
    private boolean blameSecond(ConfigKey<?> first, ConfigKey<?> second) {
        return config.lineOf(second) >= config.lineOf(first) && config.lineOf(second) > 0
            || config.lineOf(first) == 0 && config.lineOf(second) == 0;
    }

    private String describe(ConfigKey<?> key, String value) {
        int line = config.lineOf(key);
        return key.name() + " (" + value + ", " + (line > 0 ? "line " + line : "default") + ")";
    }

    private ConfigException error(ConfigKey<?> key, String expected, String found) {
        return new ConfigException(config.source(), config.lineOf(key), key.name(), expected, found);
    }

    private static String quote(String s) {
        return ConfigFileReader.quote(s);
    }
}
