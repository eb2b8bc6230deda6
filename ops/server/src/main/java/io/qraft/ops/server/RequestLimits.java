package io.qraft.ops.server;

import io.qraft.api.HardLimits;
import io.qraft.api.MessageTtl;
import io.qraft.api.QueueNames;
import io.qraft.api.v1.ConsumeRequest;
import io.qraft.api.v1.DeclareQueueRequest;
import io.qraft.api.v1.GetRequest;
import io.qraft.api.v1.Message;
import io.qraft.api.v1.NackRequest;
import io.qraft.api.v1.PublishRequest;
import io.qraft.api.v1.SetPolicyRequest;
import io.qraft.ops.config.NodeConfig;
import io.qraft.ops.config.NodeConfigKeys;
import io.qraft.statemachine.ShardCommandCheck;

/**
 * The limits a node checks on every request before anything reaches a log
 * (qraft.conf's {@code limits.*}, {@code message.max_bytes} and the consumer
 * caps). Each check answers null or a sentence naming the field, its size and
 * the key that bounds it; the endpoint refuses with INVALID_ARGUMENT and
 * nothing changes. The replicas check the same fields again in apply against
 * {@link HardLimits}, which these can only be lower than.
 *
 * <p>Unsigned fields ({@code prefetch}, {@code count}, the {@code _ms} durations) are read as
 * unsigned: 2^31 (2^63) and above are large numbers, not negative ones.
 *
 * <p>Immutable; thread-safe.
 */
record RequestLimits(int maxMessageBytes, int maxEntryBytes, int producerIdBytes, int consumerTagBytes,
    int headersPerMessage, int headerBytes, int argumentBytes, int policyNameBytes, int policyPatternBytes,
    int policyDefinitionBytes, int defaultPrefetch, int maxPrefetch, int maxGetCount) {
  /** Room left in a log entry for the command around the message bodies. */
  static final int ENTRY_OVERHEAD = 64 * 1024;

  static RequestLimits of(NodeConfig c) {
    return new RequestLimits(c.messageMaxBytes(), c.raftMaxEntryBytes(),
        c.get(NodeConfigKeys.LIMITS_PRODUCER_ID_BYTES), c.get(NodeConfigKeys.LIMITS_CONSUMER_TAG_BYTES),
        c.get(NodeConfigKeys.LIMITS_HEADERS_PER_MESSAGE), c.get(NodeConfigKeys.LIMITS_HEADER_BYTES),
        c.get(NodeConfigKeys.LIMITS_ARGUMENT_BYTES), c.get(NodeConfigKeys.LIMITS_POLICY_NAME_BYTES),
        c.get(NodeConfigKeys.LIMITS_POLICY_PATTERN_BYTES), c.get(NodeConfigKeys.LIMITS_POLICY_DEFINITION_BYTES),
        c.consumerDefaultPrefetch(), c.get(NodeConfigKeys.CONSUMER_MAX_PREFETCH),
        c.get(NodeConfigKeys.CONSUMER_MAX_GET_COUNT));
  }

  String publishProblem(PublishRequest request) {
    String problem = QueueNames.problem(request.getQueue());
    if (problem != null) {
      return problem;
    }
    if (request.getMessagesCount() == 0) {
      return "publish carries no message: give at least one";
    }
    problem = text("producer id", request.getProducerId(), producerIdBytes, "limits.producer_id_bytes");
    if (problem != null) {
      return problem;
    }
    long total = 0;
    for (int i = 0; i < request.getMessagesCount(); i++) {
      Message m = request.getMessages(i);
      int size = m.getBody().size();
      if (size > maxMessageBytes) {
        return "message " + i + " is " + size + " bytes; the most this cluster accepts is " + maxMessageBytes
            + " (message.max_bytes)";
      }
      if (m.getHeadersCount() > headersPerMessage) {
        return "message " + i + " has " + m.getHeadersCount() + " headers; the most is " + headersPerMessage
            + " (limits.headers_per_message)";
      }
      long headers = HardLimits.utf8Bytes(m.getHeadersMap());
      if (headers > headerBytes) {
        return "message " + i + " has " + headers + " bytes of header names and values; the most is " + headerBytes
            + " (limits.header_bytes)";
      }
      problem = MessageTtl.problem(i, m.getHeadersMap());
      if (problem != null) {
        return problem;
      }
      total += m.getSerializedSize();
    }
    if (total > maxEntryBytes - ENTRY_OVERHEAD) {
      return "batch is " + total + " bytes; a batch must fit one log entry of " + (maxEntryBytes - ENTRY_OVERHEAD)
          + " bytes: split it";
    }
    return null;
  }

  String declareProblem(DeclareQueueRequest request) {
    String problem = QueueNames.problem(request.getQueue());
    if (problem != null) {
      return problem;
    }
    // Before the arguments are read: their names and values are quoted back in refusals.
    long bytes = HardLimits.utf8Bytes(request.getArgumentsMap());
    if (bytes > argumentBytes) {
      return "declare arguments are " + bytes + " bytes of names and values; the most is " + argumentBytes
          + " (limits.argument_bytes)";
    }
    return null;
  }

  String consumeProblem(ConsumeRequest request) {
    String problem = QueueNames.problem(request.getQueue());
    if (problem != null) {
      return problem;
    }
    long prefetch = Integer.toUnsignedLong(request.getPrefetch());
    if (prefetch > maxPrefetch) {
      return "prefetch " + prefetch + " is too large; the most is " + maxPrefetch + " (consumer.max_prefetch)";
    }
    problem = consumerIdProblem(request.getConsumerId());
    if (problem != null) {
      return problem;
    }
    // Unsigned: 2^63 and above arrive as negative longs and are large numbers all the same.
    if (Long.compareUnsigned(request.getConsumerTimeoutMs(), HardLimits.CONSUMER_TIMEOUT_MS) > 0) {
      return "consumer timeout " + Long.toUnsignedString(request.getConsumerTimeoutMs()) + " ms is too long; the most"
          + " is " + HardLimits.CONSUMER_TIMEOUT_MS + " ms, and 0 leaves the queue's consumer-timeout";
    }
    return text("consumer tag", request.getConsumerTag(), consumerTagBytes, "limits.consumer_tag_bytes");
  }

  /** Null when the nack's requeue delay may be applied, else why not. */
  static String nackProblem(NackRequest request) {
    long delay = request.getRequeueAfterMs();
    if (delay != 0 && !request.getRequeue()) {
      return "a requeue delay (requeue_after_ms " + Long.toUnsignedString(delay) + ") applies only to messages that"
          + " go back to the queue: set requeue, or leave the delay at 0 to drop or dead-letter them";
    }
    if (Long.compareUnsigned(delay, HardLimits.REQUEUE_AFTER_MS) > 0) {
      return "requeue delay " + Long.toUnsignedString(delay) + " ms is too long; the most is "
          + HardLimits.REQUEUE_AFTER_MS + " ms (a day)";
    }
    return null;
  }

  /** The most bytes of a consumer id: the SDK's are 36 (a UUID). */
  static final int CONSUMER_ID_BYTES = 128;

  /**
   * Null for an empty id or up to 128 of letters, digits, '.', '_', ':' and '-' (a UUID fits),
   * else why not. No '/': the node scopes an id by its user as USER/ID.
   */
  static String consumerIdProblem(String id) {
    if (id.length() > CONSUMER_ID_BYTES) {
      return "consumer id is " + id.length() + " characters; the most is " + CONSUMER_ID_BYTES;
    }
    for (int i = 0; i < id.length(); i++) {
      char ch = id.charAt(i);
      boolean allowed = ch >= 'a' && ch <= 'z' || ch >= 'A' && ch <= 'Z' || ch >= '0' && ch <= '9'
          || ch == '.' || ch == '_' || ch == ':' || ch == '-';
      if (!allowed) {
        return "consumer id may hold letters, digits, '.', '_', ':' and '-' only; character " + (i + 1)
            + " is not one";
      }
    }
    return null;
  }

  /** The prefetch the consumer gets: its own (checked by {@link #consumeProblem}), or the node's default for 0. */
  int prefetch(ConsumeRequest request) {
    return request.getPrefetch() == 0 ? defaultPrefetch : request.getPrefetch();
  }

  String getProblem(GetRequest request) {
    String problem = QueueNames.problem(request.getQueue());
    if (problem != null) {
      return problem;
    }
    long count = Integer.toUnsignedLong(request.getCount());
    return count > maxGetCount
        ? "count " + count + " is too large; the most is " + maxGetCount + " (consumer.max_get_count)"
        : null;
  }

  /** The number of messages a get takes: its count (checked by {@link #getProblem}), 1 for 0. */
  static int getCount(GetRequest request) {
    return request.getCount() == 0 ? 1 : request.getCount();
  }

  String setPolicyProblem(SetPolicyRequest request) {
    String problem = text("policy name", request.getName(), policyNameBytes, "limits.policy_name_bytes");
    if (problem == null) {
      problem = text("policy pattern", request.getPattern(), policyPatternBytes, "limits.policy_pattern_bytes");
    }
    if (problem == null) {
      problem = text("policy definition", request.getDefinition(), policyDefinitionBytes,
          "limits.policy_definition_bytes");
    }
    return problem;
  }

  String clearPolicyProblem(String name) {
    return text("policy name", name, policyNameBytes, "limits.policy_name_bytes");
  }

  /** Null when the queue name (if required or given) and the node id (if given) are well formed, else why not. */
  static String namesProblem(String queue, boolean queueRequired, String node) {
    if (queueRequired || !queue.isEmpty()) {
      String problem = QueueNames.problem(queue);
      if (problem != null) {
        return problem;
      }
    }
    if (!node.isEmpty() && !NODE_ID.matcher(node).matches()) {
      return "node id " + io.qraft.api.Quoted.of(node) + " is not a node id: ids are 1 to 64"
          + " letters, digits, '_' or '-'";
    }
    return null;
  }

  /** The rule node.id follows (a bounded character class: linear in any input). */
  private static final java.util.regex.Pattern NODE_ID = java.util.regex.Pattern.compile(
      io.qraft.ops.config.ClusterMember.ID_REGEX);

  private static String text(String what, String value, int limit, String key) {
    return ShardCommandCheck.text(what, value, limit, key);
  }
}
