package io.qraft.statemachine;

import io.qraft.api.HardLimits;
import io.qraft.api.QueueNames;
import io.qraft.api.log.v1.AdoptQueue;
import io.qraft.api.log.v1.CarriedSequence;
import io.qraft.api.log.v1.QueuePublish;
import io.qraft.api.log.v1.ShardCommand;
import io.qraft.api.log.v1.SyncedMessage;
import io.qraft.api.v1.Message;
import java.util.Map;

/**
 * What a shard refuses in a committed entry before it touches the store: the
 * checks of the client endpoints, made again against {@link HardLimits}, so
 * that an entry that reached the log some other way (an older node, a raw Raft
 * client, a bug) is a rejected result instead of an exception that closes the
 * group. Decides from the command alone: every replica refuses the same
 * entries with the same words.
 *
 * <p>Public for the benchmark of its cost (bench's ChecksBenchmark). Stateless; thread-safe.
 */
public final class ShardCommandCheck {
  private ShardCommandCheck() {}

  /** Null when the command may be applied, else why it is refused (the whole entry changes nothing). */
  public static String problem(ShardCommand command) {
    return switch (command.getKindCase()) {
      case CREATE_QUEUE -> firstOf(queue(command.getCreateQueue().getQueue()),
          arguments(command.getCreateQueue().getArgumentsMap()), limits(command.getCreateQueue().getLimits()));
      case DELETE_QUEUE -> queue(command.getDeleteQueue().getQueue());
      // Each publish of a batch is checked on its own (publishProblem): one bad publish does not sink the rest.
      case ENQUEUE -> null;
      // A max_count past the ceiling is taken as the ceiling (QueueMachine#deliver): it is a bound, not a demand.
      case DELIVER -> firstOf(queue(command.getDeliver().getQueue()), consumerId(command.getDeliver().getConsumerId()));
      case SETTLE -> firstOf(queue(command.getSettle().getQueue()), requeueDelay(command.getSettle()));
      case PURGE -> queue(command.getPurge().getQueue());
      case RETURN_DELIVERIES -> consumerId(command.getReturnDeliveries().getConsumerId());
      case SEAL_QUEUE -> queue(command.getSealQueue().getQueue());
      case ADOPT_QUEUE -> adopt(command.getAdoptQueue());
      case SYNC_OUT -> firstOf(queue(command.getSyncOut().getQueue()), internalName("group", command.getSyncOut().getToGroup()));
      case SYNC_IN -> syncIn(command.getSyncIn().getQueue(), command.getSyncIn().getMessagesList());
      case SYNC_DONE -> firstOf(queue(command.getSyncDone().getQueue()), internalName("group", command.getSyncDone().getToGroup()));
      case ATTACH -> firstOf(queue(command.getAttach().getQueue()), attachedId(command.getAttach().getConsumerId()),
          prefetch(command.getAttach().getPrefetch()),
          atMost("consumer timeout", command.getAttach().getConsumerTimeoutMs(), MAX_MS));
      case DETACH -> firstOf(queue(command.getDetach().getQueue()), attachedId(command.getDetach().getConsumerId()));
      case SET_LIMITS -> firstOf(queue(command.getSetLimits().getQueue()), limits(command.getSetLimits().getLimits()));
      case TICK -> command.getTick().getUsedQueuesCount() > MAX_DEAD_LETTER_OFFSETS
          ? "a tick names " + command.getTick().getUsedQueuesCount() + " queues; the most is " + MAX_DEAD_LETTER_OFFSETS
          : command.getTick().getUsedQueuesList().stream().map(ShardCommandCheck::queue)
              .filter(java.util.Objects::nonNull).findFirst().orElse(null);
      case DEAD_LETTER_DONE -> firstOf(queue(command.getDeadLetterDone().getQueue()),
          command.getDeadLetterDone().getOffsetsCount() > MAX_DEAD_LETTER_OFFSETS
              ? "a dead-letter move names " + command.getDeadLetterDone().getOffsetsCount()
                  + " messages; the most is " + MAX_DEAD_LETTER_OFFSETS : null);
      case KIND_NOT_SET -> "empty shard command";
    };
  }

  /** Most of a time limit in ms (message-ttl, expires, consumer-timeout): RabbitMQ's 32-bit range. */
  static final long MAX_MS = 0xFFFF_FFFFL;
  /** Most of a requeue delay: a day. */
  public static final long MAX_REQUEUE_DELAY_MS = 86_400_000L;
  static final long MAX_LENGTH = 1_000_000_000_000L;
  static final long MAX_LENGTH_BYTES = 1_000_000_000_000_000L;
  static final long MAX_DELIVERY_LIMIT = 1_000_000L;
  static final int MAX_DEAD_LETTER_OFFSETS = 10_000;

  /** Null when the limits may be a queue's, else why not. */
  static String limits(io.qraft.api.log.v1.QueueLimits l) {
    if (l.getOverflow() == io.qraft.api.log.v1.QueueLimits.Overflow.UNRECOGNIZED) {
      return "unknown overflow " + l.getOverflowValue() + ": drop-head or reject-publish";
    }
    return firstOf(atMost("message-ttl", l.getMessageTtlMs(), MAX_MS),
        atMost("expires", l.getExpiresMs(), MAX_MS),
        atMost("consumer-timeout", l.getConsumerTimeoutMs(), MAX_MS),
        atMost("max-length", l.getMaxLength(), MAX_LENGTH),
        atMost("max-length-bytes", l.getMaxLengthBytes(), MAX_LENGTH_BYTES),
        atMost("delivery-limit", Integer.toUnsignedLong(l.getDeliveryLimit()), MAX_DELIVERY_LIMIT),
        l.getDeadLetterQueue().isEmpty() ? null : queue(l.getDeadLetterQueue()));
  }

  /** Null when value, read as unsigned, is at most max. */
  static String atMost(String what, long value, long max) {
    return Long.compareUnsigned(value, max) > 0
        ? what + " " + Long.toUnsignedString(value) + " is out of range: at most " + max : null;
  }

  private static String requeueDelay(io.qraft.api.log.v1.Settle s) {
    if (s.getRequeueAfterMs() == 0) {
      return null;
    }
    if (s.getOutcome() != io.qraft.api.log.v1.Settle.Outcome.REQUEUE) {
      return "a requeue delay goes only with a requeue";
    }
    return atMost("requeue delay (ms)", s.getRequeueAfterMs(), MAX_REQUEUE_DELAY_MS);
  }

  /** Null when one publish of an Enqueue may be stored, else why it is refused. */
  public static String publishProblem(QueuePublish p) {
    String problem = queue(p.getQueue());
    if (problem != null) {
      return problem;
    }
    if (p.getMessagesCount() == 0) {
      return "publish carries no message: give at least one";
    }
    problem = producerId(p.getProducerId());
    if (problem != null) {
      return problem;
    }
    for (int i = 0; i < p.getMessagesCount(); i++) {
      problem = message(i, p.getMessages(i));
      if (problem != null) {
        return problem;
      }
    }
    return null;
  }

  static String queue(String name) {
    return QueueNames.problem(name);
  }

  static String producerId(String id) {
    return text("producer id", id, HardLimits.PRODUCER_ID_BYTES);
  }

  static String consumerId(String id) {
    return text("consumer id", id, HardLimits.CONSUMER_TAG_BYTES);
  }

  /** An attached consumer's id: not empty (that marks a returned delivery), not a copy's mark. */
  static String attachedId(String id) {
    if (id.isEmpty()) {
      return "an attached consumer needs an id";
    }
    if (id.startsWith(QueueMachine.SYNC_PREFIX)) {
      return "consumer id '" + id + "' is reserved: ids starting with '" + QueueMachine.SYNC_PREFIX
          + "' mark copies to other shards";
    }
    return consumerId(id);
  }

  static String prefetch(int prefetch) {
    long value = Integer.toUnsignedLong(prefetch);
    return value < 1 || value > HardLimits.PREFETCH
        ? "prefetch " + value + " is out of range: 1 to " + HardLimits.PREFETCH : null;
  }

  /** Null when the text is UTF-8 of at most limit bytes, else why not. */
  static String text(String what, String value, int limit) {
    return text(what, value, limit, null);
  }

  /**
   * As {@link #text(String, String, int)}, naming the setting the limit comes from (null: none);
   * the endpoints check their configured limits with it, the replicas the hard ones.
   */
  public static String text(String what, String value, int limit, String setting) {
    if (HardLimits.hasLoneSurrogate(value)) {
      return what + " is not valid UTF-8";
    }
    int bytes = HardLimits.utf8Bytes(value);
    return bytes > limit ? what + " is " + bytes + " bytes of UTF-8; the most is " + limit
        + (setting == null ? "" : " (" + setting + ")") : null;
  }


  /** The header limits of one message (its body is bounded by the log entry that carries it). */
  static String message(int i, Message m) {
    if (m.getHeadersCount() > HardLimits.HEADERS_PER_MESSAGE) {
      return "message " + i + " has " + m.getHeadersCount() + " headers; the most is " + HardLimits.HEADERS_PER_MESSAGE;
    }
    long bytes = HardLimits.utf8Bytes(m.getHeadersMap());
    if (bytes > HardLimits.HEADER_BYTES_PER_MESSAGE) {
      return "message " + i + " has " + bytes + " bytes of headers; the most is " + HardLimits.HEADER_BYTES_PER_MESSAGE;
    }
    return null;
  }

  /**
   * Declare arguments within the size ceiling. Their keys and values are the endpoints' and the
   * catalog's to judge: the shard stores them without reading them, and a replica of an older
   * version must not refuse a key a newer one knows.
   */
  static String arguments(Map<String, String> arguments) {
    long bytes = HardLimits.utf8Bytes(arguments);
    if (bytes > HardLimits.ARGUMENT_BYTES) {
      return "declare arguments are " + bytes + " bytes; the most is " + HardLimits.ARGUMENT_BYTES;
    }
    for (Map.Entry<String, String> e : arguments.entrySet()) {
      // Kept in memory as given and stored as UTF-8: a lone surrogate would make the two differ.
      if (HardLimits.hasLoneSurrogate(e.getKey()) || HardLimits.hasLoneSurrogate(e.getValue())) {
        return "declare arguments are not valid UTF-8";
      }
    }
    return null;
  }

  static String internalName(String what, String name) {
    return name.isEmpty() || HardLimits.utf8Bytes(name) > HardLimits.INTERNAL_NAME_BYTES
        || HardLimits.hasLoneSurrogate(name)
        ? what + " name must be 1 to " + HardLimits.INTERNAL_NAME_BYTES + " bytes of UTF-8"
        : null;
  }

  private static String adopt(AdoptQueue c) {
    String problem = firstOf(queue(c.getQueue()), arguments(c.getArgumentsMap()), limits(c.getLimits()));
    if (problem != null) {
      return problem;
    }
    for (CarriedSequence s : c.getSequencesList()) {
      problem = producerId(s.getProducerId());
      if (problem != null) {
        return problem;
      }
    }
    return null;
  }

  private static String syncIn(String queue, java.util.List<SyncedMessage> messages) {
    String problem = queue(queue);
    if (problem != null) {
      return problem;
    }
    for (int i = 0; i < messages.size(); i++) {
      SyncedMessage m = messages.get(i);
      problem = firstOf(message(i, m.getStored().getMessage()), consumerId(m.getStored().getConsumerId()));
      if (problem != null) {
        return problem;
      }
    }
    return null;
  }

  static String firstOf(String... problems) {
    for (String p : problems) {
      if (p != null) {
        return p;
      }
    }
    return null;
  }
}
