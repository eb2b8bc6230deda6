package io.qraft.ops.config;

import io.qraft.api.HostPort;

import io.qraft.api.HardLimits;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * Every key of the node configuration file, with its typed default and a one-line doc.
 *
 * <p>The file {@code conf/qraft.conf} of the distribution lists the same keys in the same order;
 * a test keeps the two in step. Holds constants only; thread-safe.
 */
public final class NodeConfigKeys {

    private NodeConfigKeys() {
    }

    public static final ConfigKey<String> NODE_ID = ConfigKey.string("node.id", "n1",
        Pattern.compile(ClusterMember.ID_REGEX), "1 to 64 letters, digits, '_' or '-'",
        "This node's id; must be one of the ids in cluster.nodes.");

    public static final ConfigKey<Path> NODE_DATA_DIR = ConfigKey.path("node.data_dir", "./data",
        "Directory for this node's Raft logs, snapshots and queue data; relative to the working directory.");

    public static final ConfigKey<HostPort> LISTENERS_GRPC = ConfigKey.hostPort("listeners.grpc", "0.0.0.0:5691",
        "host:port the gRPC server (applications, qraftctl) binds.");

    public static final ConfigKey<HostPort> LISTENERS_RAFT = ConfigKey.hostPort("listeners.raft", "0.0.0.0:6691",
        "host:port the Raft server (replication between nodes) binds.");

    public static final ConfigKey<HostPort> LISTENERS_HTTP = ConfigKey.hostPort("listeners.http", "0.0.0.0:15691",
        "host:port the HTTP server (/metrics, /health, /ready, the web page) binds; a port other than gRPC's and Raft's.");

    public static final ConfigKey<List<ClusterMember>> CLUSTER_NODES = ConfigKey.members("cluster.nodes",
        "n1@127.0.0.1:5691:6691",
        "All nodes as id@host:grpcPort:raftPort, comma-separated: the addresses other nodes and clients use.");

    public static final ConfigKey<Integer> MESSAGE_MAX_BYTES = ConfigKey.integer("message.max_bytes",
        1_048_576, 1, 16_777_216,
        "Largest message body accepted, in bytes; must be less than raft.max_entry_bytes.");

    public static final ConfigKey<Duration> RAFT_ELECTION_TIMEOUT_MIN = ConfigKey.millis("raft.election_timeout_min",
        1_000, 100, 60_000,
        "Shortest Raft election timeout in ms; leaders send heartbeats every min/2 (cf. RabbitMQ's net_ticktime).");

    public static final ConfigKey<Duration> RAFT_ELECTION_TIMEOUT_MAX = ConfigKey.millis("raft.election_timeout_max",
        2_000, 101, 120_000,
        "Longest Raft election timeout in ms; must be more than raft.election_timeout_min.");

    public static final ConfigKey<Long> RAFT_SNAPSHOT_THRESHOLD = ConfigKey.longInteger("raft.snapshot_threshold",
        10_000, 100, Long.MAX_VALUE,
        "Log entries a Raft group applies between two snapshots.");

    public static final ConfigKey<Long> RAFT_LOG_KEEP_ENTRIES = ConfigKey.longInteger("raft.log_keep_entries",
        1_000, 0, Long.MAX_VALUE,
        "Log entries kept behind a snapshot so that a briefly-down replica catches up from the log.");

    public static final ConfigKey<Duration> RAFT_CLOSE_THRESHOLD_MS = ConfigKey.millis("raft.close_threshold_ms",
        60_000, 1_000, 86_400_000,
        "A node whose process was stopped longer than this (a VM stall, SIGSTOP, a long GC) exits with status 3 when it runs again, so that systemd restarts it clean.");

    public static final ConfigKey<Long> RAFT_SEGMENT_SIZE_BYTES = ConfigKey.longInteger("raft.segment_size_bytes",
        8_388_608, 1_048_576, 1_073_741_824L,
        "Size of one Raft log segment file, in bytes; must be at least raft.max_entry_bytes.");

    public static final ConfigKey<Integer> RAFT_MAX_ENTRY_BYTES = ConfigKey.integer("raft.max_entry_bytes",
        4_194_304, 1_024, 67_108_864,
        "Largest Raft log entry, in bytes; must be more than message.max_bytes.");

    public static final ConfigKey<Integer> SHARDS_PER_REPLICA_SET = ConfigKey.integer("shards.per_replica_set",
        3, 1, 64,
        "Shards created per replica set before queues start sharing them.");

    public static final ConfigKey<Integer> SHARDS_MAX_PER_NODE = ConfigKey.integer("shards.max_per_node",
        64, 1, 4_096,
        "Most shard replicas one node carries; at least shards.per_replica_set.");

    public static final ConfigKey<Duration> CONSUMER_GET_LEASE_MS = ConfigKey.millis("consumer.get_lease_ms",
        30_000, 100, 86_400_000,
        "How long a message fetched by Get without ack stays outstanding before it returns to the queue.");

    public static final ConfigKey<Duration> CONSUMER_REATTACH_GRACE_MS = ConfigKey.millis("consumer.reattach_grace_ms",
        15_000, 0, 3_600_000,
        "How long a consumer's outstanding deliveries wait for it to subscribe again (same consumer id) after a"
            + " leader change before they return to the queue.");

    public static final ConfigKey<Integer> CONSUMER_DEFAULT_PREFETCH = ConfigKey.integer("consumer.default_prefetch",
        100, 1, 65_535,
        "Deliveries outstanding per consumer when the consumer asks for prefetch 0.");

    public static final ConfigKey<Integer> CONSUMER_MAX_PREFETCH = ConfigKey.integer("consumer.max_prefetch",
        10_000, 1, HardLimits.PREFETCH,
        "Most deliveries a consumer may ask to have outstanding (Consume.prefetch); more is refused.");

    public static final ConfigKey<Integer> CONSUMER_MAX_GET_COUNT = ConfigKey.integer("consumer.max_get_count",
        10_000, 1, HardLimits.PREFETCH,
        "Most messages one Get may ask for (Get.count); more is refused.");

    public static final ConfigKey<Integer> LIMITS_PRODUCER_ID_BYTES = ConfigKey.integer("limits.producer_id_bytes",
        256, 1, HardLimits.PRODUCER_ID_BYTES,
        "Longest producer id of a publish, in bytes of UTF-8.");

    public static final ConfigKey<Integer> LIMITS_CONSUMER_TAG_BYTES = ConfigKey.integer("limits.consumer_tag_bytes",
        256, 1, HardLimits.CONSUMER_TAG_BYTES,
        "Longest consumer tag of a consume, in bytes of UTF-8.");

    public static final ConfigKey<Integer> LIMITS_HEADERS_PER_MESSAGE = ConfigKey.integer("limits.headers_per_message",
        64, 0, HardLimits.HEADERS_PER_MESSAGE,
        "Most headers on one message.");

    public static final ConfigKey<Integer> LIMITS_HEADER_BYTES = ConfigKey.integer("limits.header_bytes",
        16_384, 0, HardLimits.HEADER_BYTES_PER_MESSAGE,
        "Most bytes of UTF-8 in all header names and values of one message together.");

    public static final ConfigKey<Integer> LIMITS_ARGUMENT_BYTES = ConfigKey.integer("limits.argument_bytes",
        4_096, 64, HardLimits.ARGUMENT_BYTES,
        "Most bytes of UTF-8 in all declare-argument names and values of one queue together.");

    public static final ConfigKey<Integer> LIMITS_POLICY_NAME_BYTES = ConfigKey.integer("limits.policy_name_bytes",
        255, 1, HardLimits.POLICY_NAME_BYTES,
        "Longest policy name, in bytes of UTF-8.");

    public static final ConfigKey<Integer> LIMITS_POLICY_PATTERN_BYTES = ConfigKey.integer("limits.policy_pattern_bytes",
        1_024, 1, HardLimits.POLICY_PATTERN_BYTES,
        "Longest policy pattern, in bytes of UTF-8.");

    public static final ConfigKey<Integer> LIMITS_POLICY_DEFINITION_BYTES = ConfigKey.integer("limits.policy_definition_bytes",
        4_096, 64, HardLimits.POLICY_DEFINITION_BYTES,
        "Longest policy definition (its JSON text), in bytes of UTF-8.");

    public static final ConfigKey<Integer> LIMITS_MAX_QUEUES = ConfigKey.integer("limits.max_queues",
        100_000, 1, 10_000_000,
        "Most queues in the cluster; a declare past it is refused with RESOURCE_EXHAUSTED (the metadata leader's value counts).");

    public static final ConfigKey<Integer> LIMITS_MAX_POLICIES = ConfigKey.integer("limits.max_policies",
        1_000, 1, 100_000,
        "Most policies in the cluster; a set_policy of a new name past it is refused with RESOURCE_EXHAUSTED.");

    public static final ConfigKey<Integer> BATCH_SIZE = ConfigKey.integer("batch.size",
        1_000, 1, 100_000,
        "Most messages in one log entry; a queue's batch-size argument can lower it.");

    public static final ConfigKey<Long> BATCH_BYTES = ConfigKey.longInteger("batch.bytes",
        1_048_576, 1, 67_108_864,
        "Most message bytes in one log entry (capped by raft.max_entry_bytes); a queue's batch-bytes argument can lower it.");

    public static final ConfigKey<Duration> BATCH_LINGER_MS = ConfigKey.millis("batch.linger_ms",
        0, 0, 1_000,
        "How long a batch waits for more messages; 0 sends at once when the log can take another entry.");

    public static final ConfigKey<Integer> BATCH_MAX_IN_FLIGHT = ConfigKey.integer("batch.max_in_flight",
        1, 1, 64,
        "Log entries of publishes per group and ack mode being replicated at once; publishes arriving meanwhile gather into the next batch (1 measured best: bench/RESULTS.md).");

    public static final ConfigKey<Long> FLOW_MAX_PENDING_BYTES = ConfigKey.longInteger("flow.max_pending_bytes",
        67_108_864, 1_048_576, 4_294_967_296L,
        "Publish bytes per group accepted but not yet confirmed before streaming publishers are slowed down.");

    public static final ConfigKey<String> METRICS_PER_QUEUE = ConfigKey.string("metrics.per_queue", "true",
        Pattern.compile("true|false"), "true or false",
        "Whether /metrics has series per queue (rates, messages, bytes) besides the per-node ones.");

    public static final ConfigKey<Integer> METRICS_PER_QUEUE_MAX = ConfigKey.integer("metrics.per_queue_max",
        1_000, 0, 100_000,
        "Most queues with series of their own in /metrics; further queues count in the per-node series only.");

    public static final ConfigKey<Optional<Path>> TLS_CERT_FILE = ConfigKey.optionalPath("tls.cert_file",
        "PEM certificate chain of this node, for clients and peers; with tls.key_file and tls.ca_file, none = no TLS.");

    public static final ConfigKey<Optional<Path>> TLS_KEY_FILE = ConfigKey.optionalPath("tls.key_file",
        "PEM PKCS#8 private key (BEGIN PRIVATE KEY) of tls.cert_file; set with tls.cert_file and tls.ca_file.");

    public static final ConfigKey<Optional<Path>> TLS_CA_FILE = ConfigKey.optionalPath("tls.ca_file",
        "PEM CA bundle a peer's certificate must chain to (Raft between nodes is mutual TLS); clients verify with it too.");

    public static final ConfigKey<String> TLS_CLIENT_AUTH = ConfigKey.string("tls.client_auth", "none",
        Pattern.compile("none|optional|required"), "none, optional or required",
        "Client certificates (chaining to tls.ca_file): required = no connection without one; with auth.enabled, optional or required = its subject CN names the user; needs the tls.* files.");

    public static final ConfigKey<Boolean> AUTH_ENABLED = ConfigKey.bool("auth.enabled", true,
        "true: every call of the client port needs a user (qraftctl add_user) and a permission; false: none does (trusted networks only).");

    public static final ConfigKey<Optional<Path>> AUTH_BOOTSTRAP_FILE = ConfigKey.optionalPath("auth.bootstrap_file",
        "A file of one line USER:PASSWORD: while the cluster has no user, its metadata leader adds it as the first administrator, with every permission.");

    public static final ConfigKey<String> HTTP_OPEN_PATHS = ConfigKey.string("http.open_paths", "/metrics,/health,/ready",
        java.util.regex.Pattern.compile("(/[A-Za-z0-9._/-]*)?(,/[A-Za-z0-9._/-]*)*"), "paths such as /metrics,/health, comma-separated",
        "With auth.enabled, the HTTP paths anyone may read (comma-separated); the rest needs a monitoring user.");

    /** Every key, in the order of the distribution's qraft.conf. */
    public static final List<ConfigKey<?>> ALL = List.of(
        NODE_ID, NODE_DATA_DIR, LISTENERS_GRPC, LISTENERS_RAFT, LISTENERS_HTTP, CLUSTER_NODES, MESSAGE_MAX_BYTES,
        RAFT_ELECTION_TIMEOUT_MIN, RAFT_ELECTION_TIMEOUT_MAX, RAFT_SNAPSHOT_THRESHOLD, RAFT_LOG_KEEP_ENTRIES,
        RAFT_CLOSE_THRESHOLD_MS, RAFT_SEGMENT_SIZE_BYTES, RAFT_MAX_ENTRY_BYTES, SHARDS_PER_REPLICA_SET,
        SHARDS_MAX_PER_NODE, CONSUMER_GET_LEASE_MS, CONSUMER_REATTACH_GRACE_MS, CONSUMER_DEFAULT_PREFETCH, CONSUMER_MAX_PREFETCH,
        CONSUMER_MAX_GET_COUNT, LIMITS_PRODUCER_ID_BYTES, LIMITS_CONSUMER_TAG_BYTES, LIMITS_HEADERS_PER_MESSAGE,
        LIMITS_HEADER_BYTES, LIMITS_ARGUMENT_BYTES, LIMITS_POLICY_NAME_BYTES, LIMITS_POLICY_PATTERN_BYTES,
        LIMITS_POLICY_DEFINITION_BYTES, LIMITS_MAX_QUEUES, LIMITS_MAX_POLICIES, BATCH_SIZE, BATCH_BYTES, BATCH_LINGER_MS,
        BATCH_MAX_IN_FLIGHT, FLOW_MAX_PENDING_BYTES, METRICS_PER_QUEUE, METRICS_PER_QUEUE_MAX,
        TLS_CERT_FILE, TLS_KEY_FILE, TLS_CA_FILE, TLS_CLIENT_AUTH, AUTH_ENABLED, AUTH_BOOTSTRAP_FILE, HTTP_OPEN_PATHS);

    /** The key with this exact name, if there is one. */
    public static Optional<ConfigKey<?>> find(String name) {
        return ALL.stream().filter(k -> k.name().equals(name)).findFirst();
    }

    /** The known key whose name is closest to {@code name} (fewest edits, ignoring case). */
    public static ConfigKey<?> closest(String name) {
        String wanted = name.toLowerCase(Locale.ROOT);
        ConfigKey<?> best = ALL.get(0);
        int bestDistance = Integer.MAX_VALUE;
        for (ConfigKey<?> key : ALL) {
            int d = editDistance(wanted, key.name());
            if (d < bestDistance) {
                best = key;
                bestDistance = d;
            }
        }
        return best;
    }

    // Levenshtein distance; keys are short, so the quadratic table is cheap.
    static int editDistance(String a, String b) {
        int[] previous = new int[b.length() + 1];
        int[] current = new int[b.length() + 1];
        for (int j = 0; j <= b.length(); j++) {
            previous[j] = j;
        }
        for (int i = 1; i <= a.length(); i++) {
            current[0] = i;
            for (int j = 1; j <= b.length(); j++) {
                int substitution = previous[j - 1] + (a.charAt(i - 1) == b.charAt(j - 1) ? 0 : 1);
                current[j] = Math.min(substitution, Math.min(previous[j], current[j - 1]) + 1);
            }
            int[] swap = previous;
            previous = current;
            current = swap;
        }
        return previous[b.length()];
    }
}
