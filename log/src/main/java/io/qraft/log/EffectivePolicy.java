package io.qraft.log;

import io.qraft.api.Policy;
import io.qraft.api.PolicyDefinition;
import io.qraft.api.QueueArguments;
import io.qraft.api.log.v1.QueueLimits;
import java.util.Collection;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.SortedMap;
import java.util.TreeMap;

/**
 * What a queue runs with: its declare arguments over the definition of the
 * policy that applies to it ({@link PolicyMatcher}); a key set by neither
 * takes the default its accessor documents (or, for batching, the node's
 * setting). A declare argument wins over the same key of the policy.
 *
 * <p>Placement reads {@link #haMode()}, {@link #replicaCount}, {@link #nodes()},
 * {@link #leaderLocator()} and {@link #dedicated()}; publishing reads
 * {@link #ackMode()} and {@link #batchLimits}; the shard enforces {@link #limits()}.
 *
 * <p>Immutable; thread-safe.
 */
public final class EffectivePolicy {
  /** Replicas of a queue that no policy sizes: a majority survives the loss of one node. */
  public static final int DEFAULT_REPLICAS = 3;
  /** RabbitMQ's default chunk when a mirror catches up. */
  public static final int DEFAULT_SYNC_BATCH_SIZE = 4096;

  // The limits' defaults. A queue that nothing limits keeps every message until it is consumed,
  // as queues did before limits existed: no default may remove messages behind a user's back.
  // The one default that acts is the consumer timeout, and it only returns a message to the queue.
  // Length limits have no default either: unset, the queue holds what the disk holds.

  /** 0: messages never expire. A TTL is a decision about the data, the application's to make. */
  public static final long DEFAULT_MESSAGE_TTL_MS = 0;
  /** 0: a queue is never deleted for being unused; deleting it would delete its messages. */
  public static final long DEFAULT_EXPIRES_MS = 0;
  /** RabbitMQ's default; it only matters once a length limit is set. */
  public static final String DEFAULT_OVERFLOW = QueueArguments.OVERFLOW_DROP_HEAD;
  /**
   * 0: no limit, a message may be requeued forever. Applications that retry by requeueing rely on
   * that, and a default limit would silently drop or dead-letter their messages (RabbitMQ 4's
   * default of 20 surprised exactly them). Set one with a policy.
   */
  public static final int DEFAULT_DELIVERY_LIMIT = 0;
  /**
   * 30 minutes, RabbitMQ's default: a consumer that holds a delivery that long has most likely
   * hung, and the message should go to another. A timed-out delivery returns to the queue.
   */
  public static final long DEFAULT_CONSUMER_TIMEOUT_MS = 1_800_000;
  /** RabbitMQ's default: the queue's consumers share its messages. */
  public static final boolean DEFAULT_SINGLE_ACTIVE_CONSUMER = false;

  private static final EffectivePolicy NONE = new EffectivePolicy("", new TreeMap<>());

  /** Name of the applying policy; "" when none applies. */
  private final String policy;
  private final SortedMap<String, String> settings;

  private EffectivePolicy(String policy, SortedMap<String, String> settings) {
    this.policy = policy;
    this.settings = Collections.unmodifiableSortedMap(settings);
  }

  /** A queue with no declare arguments and no policy: every default. */
  public static EffectivePolicy none() {
    return NONE;
  }

  /** What the queue runs with, given every policy of the cluster. */
  public static EffectivePolicy of(String queue, Map<String, String> arguments, Collection<Policy> policies) {
    return of(arguments, PolicyMatcher.applying(queue, policies));
  }

  /** The declare arguments over the applying policy's definition, if a policy applies. */
  public static EffectivePolicy of(Map<String, String> arguments, Optional<Policy> applying) {
    SortedMap<String, String> merged = new TreeMap<>();
    applying.ifPresent(p -> merged.putAll(p.definition().values()));
    merged.putAll(arguments);
    return new EffectivePolicy(applying.map(Policy::name).orElse(""), merged);
  }

  /** The applying policy's name, or "" when none applies. */
  public String policyName() {
    return policy;
  }

  /** The keys set for this queue, by its arguments or its policy, sorted; defaults are not included. */
  public SortedMap<String, String> settings() {
    return settings;
  }

  /** {@code all}, {@code exactly} or {@code nodes}; empty when nothing sets it. */
  public Optional<String> haMode() {
    return Optional.ofNullable(settings.get(PolicyDefinition.HA_MODE));
  }

  /**
   * How many replicas the queue should have in a cluster of these members: all of them for
   * {@code all}; N but at most the cluster for {@code exactly N}; the named nodes that are
   * members for {@code nodes}; {@value #DEFAULT_REPLICAS} (at most the cluster) otherwise.
   */
  public int replicaCount(Collection<String> members) {
    String mode = haMode().orElse("");
    return switch (mode) {
      case PolicyDefinition.MODE_ALL -> members.size();
      case PolicyDefinition.MODE_EXACTLY ->
          (int) Math.min(Long.parseLong(settings.get(PolicyDefinition.HA_PARAMS)), members.size());
      case PolicyDefinition.MODE_NODES -> (int) nodes().stream().filter(members::contains).count();
      default -> Math.min(DEFAULT_REPLICAS, members.size());
    };
  }

  /** The node ids named by {@code ha-mode nodes}, as given (some may not be members); else empty. */
  public List<String> nodes() {
    if (!PolicyDefinition.MODE_NODES.equals(settings.get(PolicyDefinition.HA_MODE))) {
      return List.of();
    }
    return List.of(settings.get(PolicyDefinition.HA_PARAMS).split(","));
  }

  /**
   * {@code balanced} (the default) or {@code client-local}. Balanced by default, unlike
   * RabbitMQ: clients often reach a cluster through one address, and client-local would then
   * put every leader, and all the leader work, on that one node.
   */
  public String leaderLocator() {
    return settings.getOrDefault(PolicyDefinition.QUEUE_LEADER_LOCATOR, PolicyDefinition.LOCATOR_BALANCED);
  }

  public boolean clientLocal() {
    return PolicyDefinition.LOCATOR_CLIENT_LOCAL.equals(leaderLocator());
  }

  /** True when the queue's log is a Raft group of its own ({@code queue-log dedicated}); default shared. */
  public boolean dedicated() {
    return QueueArguments.LOG_DEDICATED.equals(settings.get(QueueArguments.QUEUE_LOG));
  }

  /**
   * The settings that decide the queue's replica set ({@code ha-mode}, {@code ha-params},
   * {@code queue-log}), as one string: a replica set an operator gave the queue holds while
   * this stays the same, whatever else of the policy changes.
   */
  public String replicaSettings() {
    SortedMap<String, String> keys = new TreeMap<>();
    for (String key : List.of(PolicyDefinition.HA_MODE, PolicyDefinition.HA_PARAMS, QueueArguments.QUEUE_LOG)) {
      if (settings.containsKey(key)) {
        keys.put(key, settings.get(key));
      }
    }
    return keys.toString();
  }

  /**
   * {@code quorum} (the default) or {@code local}. A queue that refuses publishes past a length
   * limit ({@code overflow reject-publish}) runs {@code quorum} whatever it asks: a local ack
   * confirms before the shard applies the publish, and the shard may then refuse it, so a
   * confirmed message would be dropped.
   */
  public String ackMode() {
    boolean mayRefuse = QueueArguments.OVERFLOW_REJECT_PUBLISH.equals(settings.get(QueueArguments.OVERFLOW))
        && (settings.containsKey(QueueArguments.MAX_LENGTH) || settings.containsKey(QueueArguments.MAX_LENGTH_BYTES));
    return mayRefuse ? QueueArguments.ACK_QUORUM
        : settings.getOrDefault(QueueArguments.ACK_MODE, QueueArguments.ACK_QUORUM);
  }

  public boolean localAcks() {
    return QueueArguments.ACK_LOCAL.equals(ackMode());
  }

  /** {@code manual} (the default, as in RabbitMQ) or {@code automatic}. */
  public String syncMode() {
    return settings.getOrDefault(PolicyDefinition.HA_SYNC_MODE, PolicyDefinition.SYNC_MANUAL);
  }

  /** Messages per chunk when a replica catches up; {@value #DEFAULT_SYNC_BATCH_SIZE} by default. */
  public int syncBatchSize() {
    String size = settings.get(PolicyDefinition.HA_SYNC_BATCH_SIZE);
    return size == null ? DEFAULT_SYNC_BATCH_SIZE : Integer.parseInt(size);
  }

  /** {@code when-synced} (the default, as in RabbitMQ) or {@code always}. */
  public String promoteOnShutdown() {
    return settings.getOrDefault(PolicyDefinition.HA_PROMOTE_ON_SHUTDOWN, PolicyDefinition.PROMOTE_WHEN_SYNCED);
  }

  /**
   * What the shard enforces for this queue: each limit key (declare argument over policy), else
   * its default ({@link #DEFAULT_MESSAGE_TTL_MS} and the constants beside it). Length limits are
   * left unset when nothing sets them, and 0 is a limit.
   */
  public QueueLimits limits() {
    QueueLimits.Builder limits = QueueLimits.newBuilder()
        .setMessageTtlMs(number(QueueArguments.MESSAGE_TTL, DEFAULT_MESSAGE_TTL_MS))
        .setOverflow(QueueArguments.OVERFLOW_REJECT_PUBLISH.equals(
            settings.getOrDefault(QueueArguments.OVERFLOW, DEFAULT_OVERFLOW))
            ? QueueLimits.Overflow.REJECT_PUBLISH : QueueLimits.Overflow.DROP_HEAD)
        .setDeliveryLimit((int) number(QueueArguments.DELIVERY_LIMIT, DEFAULT_DELIVERY_LIMIT))
        .setDeadLetterQueue(settings.getOrDefault(QueueArguments.DEAD_LETTER_QUEUE, ""))
        .setConsumerTimeoutMs(number(QueueArguments.CONSUMER_TIMEOUT, DEFAULT_CONSUMER_TIMEOUT_MS))
        .setSingleActiveConsumer(settings.containsKey(QueueArguments.SINGLE_ACTIVE_CONSUMER)
            ? Boolean.parseBoolean(settings.get(QueueArguments.SINGLE_ACTIVE_CONSUMER))
            : DEFAULT_SINGLE_ACTIVE_CONSUMER)
        .setExpiresMs(number(QueueArguments.EXPIRES, DEFAULT_EXPIRES_MS));
    if (settings.containsKey(QueueArguments.MAX_LENGTH)) {
      limits.setMaxLength(number(QueueArguments.MAX_LENGTH, 0));
    }
    if (settings.containsKey(QueueArguments.MAX_LENGTH_BYTES)) {
      limits.setMaxLengthBytes(number(QueueArguments.MAX_LENGTH_BYTES, 0));
    }
    return limits.build();
  }

  /** A whole-number setting (validated when it was declared or set), or the default. */
  private long number(String key, long byDefault) {
    String value = settings.get(key);
    return value == null ? byDefault : Long.parseLong(value);
  }

  /** The node's batch limits with this queue's batch-size, batch-bytes and batch-linger-ms over them. */
  public BatchLimits batchLimits(BatchLimits node) {
    return node.forQueue(settings);
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof EffectivePolicy other && policy.equals(other.policy) && settings.equals(other.settings);
  }

  @Override
  public int hashCode() {
    return policy.hashCode() * 31 + settings.hashCode();
  }

  @Override
  public String toString() {
    return (policy.isEmpty() ? "no policy" : "policy " + policy) + " " + settings;
  }
}
