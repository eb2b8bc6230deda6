package io.qraft.ops.config;

import io.qraft.api.HostPort;

import java.io.IOException;
import java.nio.charset.MalformedInputException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;

/**
 * The configuration of one node, read from a {@code key = value} file in the style of
 * rabbitmq.conf; the keys are listed in {@link NodeConfigKeys}.
 *
 * <p>Guarantees: every key has a value (the file's, or the default); every value is within its
 * key's range; the keys agree with each other (this node is one of {@code cluster.nodes}, the
 * election timeouts are ordered, a message fits in a Raft entry, an entry fits in a segment, ...).
 * Anything else is refused with a {@link ConfigException} that names the file, line and key, so a
 * node never starts on a configuration it misread.
 *
 * <p>Immutable and thread-safe.
 */
public final class NodeConfig {

    private final String source;
    private final Map<ConfigKey<?>, Object> values;
    private final Map<ConfigKey<?>, Integer> lines;
    private final ClusterMember self;

    private NodeConfig(String source, Map<ConfigKey<?>, Object> values, Map<ConfigKey<?>, Integer> lines) {
        this.source = source;
        this.values = Collections.unmodifiableMap(values);
        this.lines = Collections.unmodifiableMap(lines);
        // Null only until ConsistencyRules has refused the configuration; parse() never returns such a one.
        this.self = clusterNodes().stream().filter(m -> m.id().equals(nodeId())).findFirst().orElse(null);
    }

    /**
     * Reads and checks a configuration file (UTF-8).
     *
     * @throws ConfigException when the file cannot be read or is not a valid configuration
     */
    public static NodeConfig load(Path file) {
        String name = file.toString();
        String text;
        try {
            text = Files.readString(file, StandardCharsets.UTF_8);
        } catch (NoSuchFileException e) {
            throw new ConfigException(name, 0, null, "a configuration file", "no such file");
        } catch (MalformedInputException e) {
            throw new ConfigException(name, 0, null, "UTF-8 text", "bytes that are not UTF-8");
        } catch (IOException e) {
            throw new ConfigException(name, 0, null, "a readable configuration file", "an error: " + e);
        }
        return parse(text, name);
    }

    /**
     * Reads and checks configuration text.
     *
     * @param sourceName names the text in error messages, normally the file name
     * @throws ConfigException when the text is not a valid configuration
     */
    public static NodeConfig parse(String text, String sourceName) {
        Map<String, ConfigFileReader.Setting> settings = ConfigFileReader.read(text, sourceName);
        Map<ConfigKey<?>, Object> values = new IdentityHashMap<>();
        Map<ConfigKey<?>, Integer> lines = new IdentityHashMap<>();
        // File order, so that the first bad line is the one reported.
        for (ConfigFileReader.Setting s : settings.values()) {
            ConfigKey<?> key = NodeConfigKeys.find(s.key()).orElseThrow();
            values.put(key, parseValue(key, s, sourceName));
            lines.put(key, s.line());
        }
        for (ConfigKey<?> key : NodeConfigKeys.ALL) {
            values.putIfAbsent(key, key.defaultValue());
        }
        NodeConfig config = new NodeConfig(sourceName, values, lines);
        new ConsistencyRules(config).check();
        config.httpListenerDoesNotCollide();
        // Last: only a configuration otherwise valid has its files read.
        io.qraft.ops.tls.TlsFiles.check(config);
        return config;
    }

    /** The configuration in which every key has its default. */
    public static NodeConfig defaults() {
        return parse("", "defaults");
    }

    private static Object parseValue(ConfigKey<?> key, ConfigFileReader.Setting s, String source) {
        try {
            return key.parse(s.value());
        } catch (IllegalArgumentException e) {
            throw new ConfigException(source, s.line(), key.name(), key.expected(),
                ConfigFileReader.quote(s.value()), e.getMessage());
        }
    }

    /** The value of any key. */
    @SuppressWarnings("unchecked")
    public <T> T get(ConfigKey<T> key) {
        return (T) values.get(key);
    }

    /** The line that set the key, or 0 when the default is in use. */
    public int lineOf(ConfigKey<?> key) {
        return lines.getOrDefault(key, 0);
    }

    /** The name of the file (or text) this configuration was read from. */
    public String source() {
        return source;
    }

    /** {@code node.id}. */
    public String nodeId() {
        return get(NodeConfigKeys.NODE_ID);
    }

    /** {@code node.data_dir}, as written (relative paths stay relative). */
    public Path dataDir() {
        return get(NodeConfigKeys.NODE_DATA_DIR);
    }

    /** {@code listeners.grpc}: where the gRPC server binds. */
    public HostPort grpcListener() {
        return get(NodeConfigKeys.LISTENERS_GRPC);
    }

    /** {@code listeners.raft}: where the Raft server binds. */
    public HostPort raftListener() {
        return get(NodeConfigKeys.LISTENERS_RAFT);
    }

    /** {@code listeners.http}: where the HTTP server (metrics, health, web page) binds. */
    public HostPort httpListener() {
        return get(NodeConfigKeys.LISTENERS_HTTP);
    }

    /** True when {@code tls.cert_file}, {@code tls.key_file} and {@code tls.ca_file} are set (they go together). */
    public boolean tlsEnabled() {
        return get(NodeConfigKeys.TLS_CERT_FILE).isPresent();
    }

    /** {@code tls.cert_file}, or null when TLS is off. */
    public Path tlsCertFile() {
        return get(NodeConfigKeys.TLS_CERT_FILE).orElse(null);
    }

    /** {@code tls.key_file}, or null when TLS is off. */
    public Path tlsKeyFile() {
        return get(NodeConfigKeys.TLS_KEY_FILE).orElse(null);
    }

    /** {@code tls.ca_file}, or null when TLS is off. */
    public Path tlsCaFile() {
        return get(NodeConfigKeys.TLS_CA_FILE).orElse(null);
    }

    /** {@code tls.client_auth}: whether clients present certificates and whether those log in. */
    public io.qraft.ops.tls.ClientAuthMode tlsClientAuth() {
        return io.qraft.ops.tls.ClientAuthMode.of(get(NodeConfigKeys.TLS_CLIENT_AUTH));
    }

    public boolean authEnabled() {
        return get(NodeConfigKeys.AUTH_ENABLED);
    }

    /** The HTTP paths open to anyone with auth.enabled. */
    public java.util.List<String> httpOpenPaths() {
        String text = get(NodeConfigKeys.HTTP_OPEN_PATHS);
        return text.isEmpty() ? java.util.List.of() : java.util.List.of(text.split(","));
    }

    /** {@code metrics.per_queue}. */
    public boolean metricsPerQueue() {
        return Boolean.parseBoolean(get(NodeConfigKeys.METRICS_PER_QUEUE));
    }

    /** {@code metrics.per_queue_max}. */
    public int metricsPerQueueMax() {
        return get(NodeConfigKeys.METRICS_PER_QUEUE_MAX);
    }

    /**
     * Refuses a {@code listeners.http} on the port of {@code listeners.grpc} or {@code listeners.raft}
     * (on the same interface, or either on every interface). Names the key set later in the file.
     */
    private void httpListenerDoesNotCollide() {
        HostPort http = httpListener();
        for (ConfigKey<HostPort> otherKey : List.of(NodeConfigKeys.LISTENERS_GRPC, NodeConfigKeys.LISTENERS_RAFT)) {
            HostPort other = get(otherKey);
            boolean sameInterface = http.host().equals(other.host()) || http.isWildcard() || other.isWildcard();
            if (http.port() != other.port() || !sameInterface) {
                continue;
            }
            int httpLine = lineOf(NodeConfigKeys.LISTENERS_HTTP);
            int otherLine = lineOf(otherKey);
            boolean blameHttp = httpLine >= otherLine && httpLine > 0 || httpLine == 0 && otherLine == 0;
            ConfigKey<HostPort> blamed = blameHttp ? NodeConfigKeys.LISTENERS_HTTP : otherKey;
            ConfigKey<HostPort> kept = blameHttp ? otherKey : NodeConfigKeys.LISTENERS_HTTP;
            int keptLine = lineOf(kept);
            throw new ConfigException(source, lineOf(blamed), blamed.name(),
                "a port other than that of " + kept.name() + " (" + formatted(kept) + ", "
                    + (keptLine > 0 ? "line " + keptLine : "default") + ")",
                ConfigFileReader.quote(formatted(blamed)));
        }
    }

    /** {@code cluster.nodes}, in file order; unmodifiable. */
    public List<ClusterMember> clusterNodes() {
        return get(NodeConfigKeys.CLUSTER_NODES);
    }

    /** The entry of {@code cluster.nodes} whose id is {@code node.id}. */
    public ClusterMember self() {
        return self;
    }

    /** {@code cluster.nodes} without this node; unmodifiable. */
    public List<ClusterMember> peers() {
        return clusterNodes().stream().filter(m -> !m.id().equals(nodeId())).toList();
    }

    /** {@code message.max_bytes}. */
    public int messageMaxBytes() {
        return get(NodeConfigKeys.MESSAGE_MAX_BYTES);
    }

    /** {@code raft.election_timeout_min}. */
    public Duration raftElectionTimeoutMin() {
        return get(NodeConfigKeys.RAFT_ELECTION_TIMEOUT_MIN);
    }

    /** {@code raft.election_timeout_max}. */
    public Duration raftElectionTimeoutMax() {
        return get(NodeConfigKeys.RAFT_ELECTION_TIMEOUT_MAX);
    }

    /** Half of {@code raft.election_timeout_min}: a follower hears from its leader twice before it may give up. */
    public Duration raftHeartbeatInterval() {
        return raftElectionTimeoutMin().dividedBy(2);
    }

    /** {@code raft.snapshot_threshold}. */
    public long raftSnapshotThreshold() {
        return get(NodeConfigKeys.RAFT_SNAPSHOT_THRESHOLD);
    }

    /** {@code raft.log_keep_entries}. */
    public long raftLogKeepEntries() {
        return get(NodeConfigKeys.RAFT_LOG_KEEP_ENTRIES);
    }

    /** {@code raft.segment_size_bytes}. */
    public long raftSegmentSizeBytes() {
        return get(NodeConfigKeys.RAFT_SEGMENT_SIZE_BYTES);
    }

    /** {@code raft.max_entry_bytes}. */
    public int raftMaxEntryBytes() {
        return get(NodeConfigKeys.RAFT_MAX_ENTRY_BYTES);
    }

    /** {@code shards.per_replica_set}. */
    public int shardsPerReplicaSet() {
        return get(NodeConfigKeys.SHARDS_PER_REPLICA_SET);
    }

    /** {@code shards.max_per_node}. */
    public int shardsMaxPerNode() {
        return get(NodeConfigKeys.SHARDS_MAX_PER_NODE);
    }

    /** {@code consumer.get_lease_ms}. */
    public Duration consumerGetLease() {
        return get(NodeConfigKeys.CONSUMER_GET_LEASE_MS);
    }

    /** {@code consumer.reattach_grace_ms}. */
    public Duration consumerReattachGrace() {
        return get(NodeConfigKeys.CONSUMER_REATTACH_GRACE_MS);
    }

    /** {@code consumer.default_prefetch}. */
    public int consumerDefaultPrefetch() {
        return get(NodeConfigKeys.CONSUMER_DEFAULT_PREFETCH);
    }

    public int batchSize() {
        return get(NodeConfigKeys.BATCH_SIZE);
    }

    public long batchBytes() {
        return get(NodeConfigKeys.BATCH_BYTES);
    }

    public Duration batchLinger() {
        return get(NodeConfigKeys.BATCH_LINGER_MS);
    }

    public int batchMaxInFlight() {
        return get(NodeConfigKeys.BATCH_MAX_IN_FLIGHT);
    }

    public long flowMaxPendingBytes() {
        return get(NodeConfigKeys.FLOW_MAX_PENDING_BYTES);
    }

    /** Every key with its value, one {@code key = value} per line, in the order of {@link NodeConfigKeys#ALL}. */
    @Override
    public String toString() {
        StringBuilder s = new StringBuilder();
        for (ConfigKey<?> key : NodeConfigKeys.ALL) {
            s.append(key.name()).append(" = ").append(formatted(key)).append('\n');
        }
        return s.toString();
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof NodeConfig other && toString().equals(other.toString());
    }

    @Override
    public int hashCode() {
        return toString().hashCode();
    }

    <T> String formatted(ConfigKey<T> key) {
        return key.format(get(key));
    }
}
