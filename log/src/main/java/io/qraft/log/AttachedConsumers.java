package io.qraft.log;

import io.qraft.api.log.v1.Attach;
import io.qraft.api.log.v1.Detach;
import io.qraft.api.log.v1.ShardCommand;
import io.qraft.api.v1.Delivery;
import io.qraft.statemachine.ShardStateMachine;
import io.qraft.statemachine.Status;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import org.apache.ratis.protocol.RaftGroupId;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Consumers that acknowledge, attached to their queue in the log: an Attach entry makes them
 * part of the shard's state, the shard decides which message goes to which of them as entries
 * apply ({@code Checkout} in the state machine), and this node, when it leads, sends each
 * delivery the moment its entry applies. No entry per delivery.
 *
 * <p>A consumer has an id that outlives its stream. When leadership moves, its stream here is
 * closed and nothing is returned: the consumer subscribes at the new leader with the same id,
 * its Attach there keeps what it holds and has it sent again, and its acks of those deliveries
 * still settle. A consumer that does not come back within the reattach grace is detached by the
 * leader ({@link #sweep}); a stream that the client cancels or that breaks is detached at once.
 *
 * <p>Thread-safety: confined to the consumer hub's dispatcher thread, like the hub.
 */
final class AttachedConsumers {
  private static final Logger LOG = LoggerFactory.getLogger(AttachedConsumers.class);
  private static final long RETRY_MS = 200;
  private static final int DETACH_ATTEMPTS = 30;

  record Key(RaftGroupId group, String queue, String id) {}

  private final ReplicatedLog log;
  private final ScheduledExecutorService dispatcher;
  private final long graceNanos;
  private final Map<Key, Stream> streams = new HashMap<>();
  /** Consumers in a shard this node leads that have no stream here, since when (nanoTime). */
  private final Map<Key, Long> absentSince = new HashMap<>();
  private final Set<Key> detaching = new HashSet<>();

  AttachedConsumers(ReplicatedLog log, ScheduledExecutorService dispatcher) {
    this.log = log;
    this.dispatcher = dispatcher;
    this.graceNanos = log.settings().reattachGrace().toNanos();
  }

  /** One consumer's stream on this node. */
  final class Stream implements ConsumerHub.Subscription {
    final Key key;
    final int prefetch;
    /** The consumer's own consumer timeout in ms; 0: the queue's alone. */
    final long consumerTimeoutMs;
    final ConsumerHub.Sink sink;
    boolean closed;

    Stream(Key key, int prefetch, long consumerTimeoutMs, ConsumerHub.Sink sink) {
      this.key = key;
      this.prefetch = prefetch;
      this.consumerTimeoutMs = consumerTimeoutMs;
      this.sink = sink;
    }

    @Override
    public void cancel() {
      dispatcher.execute(() -> ended(this));
    }
  }

  /** Attaches the consumer (the caller checked that this node leads the group and is ready). */
  ConsumerHub.Subscription subscribe(String queue, RaftGroupId group, int prefetch, long consumerTimeoutMs, String id,
      ConsumerHub.Sink sink) {
    Stream stream = new Stream(new Key(group, queue, id), prefetch, consumerTimeoutMs, sink);
    dispatcher.execute(() -> open(stream));
    return stream;
  }

  private void open(Stream stream) {
    Stream before = streams.put(stream.key, stream);
    absentSince.remove(stream.key);
    if (before != null && !before.closed) {
      // The same consumer opened a second stream (the first is dead and the client knows it
      // before we do): the new one takes over what it holds.
      close(before, new RequestException(Status.FAILED_PRECONDITION, "consumer '" + stream.key.id()
          + "' subscribed again on another stream; this one is replaced"));
    }
    ShardCommand attach = ShardCommand.newBuilder().setAttach(Attach.newBuilder()
        .setQueue(stream.key.queue()).setConsumerId(stream.key.id()).setPrefetch(stream.prefetch)
        .setConsumerTimeoutMs(stream.consumerTimeoutMs)).build();
    log.submitShardLocally(stream.key.group(), attach).whenCompleteAsync((result, error) -> {
      if (stream.closed) {
        return;
      }
      if (error != null) {
        // The outcome is unknown; if the entry applied, the sweep of whoever leads detaches it.
        close(stream, error instanceof RuntimeException r ? r
            : new LogUnavailableException("the consumer could not attach; retry", error));
      } else if (result.getErrorCode() != Status.OK) {
        close(stream, new RequestException(result.getErrorCode(), result.getErrorMessage()));
      } else if (result.getCount() > 0) {
        LOG.debug("consumer {} of {} attached again holding {} deliveries", stream.key.id(), stream.key.queue(),
            result.getCount());
      }
    }, dispatcher);
  }

  /** A delivery the shard decided for one of its consumers; sent if that consumer streams here. */
  void delivered(RaftGroupId group, String consumerId, Delivery delivery) {
    Stream stream = streams.get(new Key(group, delivery.getQueue(), consumerId));
    if (stream == null || stream.closed) {
      // Not here (this node follows, or the consumer has not come back yet): on its Attach
      // the shard announces what it holds again.
      return;
    }
    Delivery full = delivery;
    if (!delivery.hasMessage()) {
      ShardStateMachine shard = log.localShards().get(group);
      io.qraft.api.v1.Message m = shard == null ? null : stored(shard, delivery);
      if (m == null) {
        // Settled or deleted since: nothing to send.
        return;
      }
      full = delivery.toBuilder().setMessage(m).build();
    }
    try {
      stream.sink.deliver(ConsumerHub.fromPart(full, group));
    } catch (RuntimeException e) {
      LOG.debug("consumer {} could not take a delivery: {}", consumerId, e.toString());
      ended(stream);
    }
  }

  private static io.qraft.api.v1.Message stored(ShardStateMachine shard, Delivery d) {
    try {
      return shard.storedMessage(d.getQueue(), d.getTag().getOffset());
    } catch (RuntimeException closed) {
      return null;
    }
  }

  /** The client cancelled or the stream broke: the consumer leaves and what it held returns. */
  private void ended(Stream stream) {
    if (stream.closed) {
      return;
    }
    stream.closed = true;
    if (streams.get(stream.key) == stream) {
      streams.remove(stream.key);
      detach(stream.key, 0);
    }
  }

  /** Ends the stream without detaching: the consumer may come back elsewhere and keep what it holds. */
  private void close(Stream stream, RuntimeException reason) {
    if (stream.closed) {
      return;
    }
    stream.closed = true;
    streams.remove(stream.key, stream);
    try {
      stream.sink.closed(reason);
    } catch (RuntimeException e) {
      LOG.debug("closing consumer {} failed: {}", stream.key.id(), e.toString());
    }
  }

  /** Ends the streams that match, detaching each first when detach is set. */
  void closeAll(Predicate<Key> which, boolean detach, java.util.function.Function<Key, RuntimeException> reason) {
    for (Stream s : List.copyOf(streams.values())) {
      if (which.test(s.key)) {
        if (detach) {
          detach(s.key, 0);
        }
        close(s, reason.apply(s.key));
      }
    }
  }

  /** This node no longer leads the group: its consumers go to the new leader, keeping what they hold. */
  void leaderLost(RaftGroupId group, String leaderId) {
    closeAll(k -> k.group().equals(group), false,
        k -> new LeaderElsewhereException("leadership of queue '" + k.queue() + "' moved", leaderId));
    absentSince.keySet().removeIf(k -> k.group().equals(group));
  }

  /**
   * The shard detached the consumer because a delivery passed its consumer timeout: its stream
   * ends with DEADLINE_EXCEEDED (the client is told why and does not subscribe again as after
   * a failover); what it held is back in the queue already.
   */
  void timedOut(RaftGroupId group, String queue, String id) {
    Stream stream = streams.get(new Key(group, queue, id));
    if (stream != null) {
      close(stream, new RequestException(Status.DEADLINE_EXCEEDED, "consumer '" + id + "' did not ack or nack"
          + " a delivery of queue '" + queue + "' within its consumer-timeout; its deliveries went back to the"
          + " queue and this subscription ended"));
    }
  }

  int count(String queue) {
    int n = 0;
    for (Key k : streams.keySet()) {
      if (k.queue().equals(queue)) {
        n++;
      }
    }
    return n;
  }

  /**
   * Detaches the consumers of the groups this node leads that have had no stream here for the
   * reattach grace (they were on the old leader and did not come back, or their detach was lost).
   */
  void sweep(Set<RaftGroupId> ledGroups) {
    long now = System.nanoTime();
    Set<Key> present = new HashSet<>();
    for (RaftGroupId group : ledGroups) {
      ShardStateMachine shard = log.localShards().get(group);
      if (shard == null) {
        continue;
      }
      shard.attachedConsumers().forEach((queue, ids) -> {
        for (String id : ids) {
          Key key = new Key(group, queue, id);
          if (streams.containsKey(key)) {
            continue;
          }
          present.add(key);
          long since = absentSince.computeIfAbsent(key, k -> now);
          if (now - since >= graceNanos && detaching.add(key)) {
            LOG.info("consumer {} of queue '{}' did not come back within {} ms; what it held returns to the queue",
                id, queue, TimeUnit.NANOSECONDS.toMillis(graceNanos));
            // Gone with a leader change: what it held returns without counting as failed.
            detach(key, 0, true);
          }
        }
      });
    }
    absentSince.keySet().retainAll(present);
  }

  /**
   * Detaches the consumer, retried while the log does not take it: a consumer left attached
   * would hold its messages until the next leader's sweep.
   */
  private void detach(Key key, int attempt) {
    detach(key, attempt, false);
  }

  /** As {@link #detach(Key, int)}; afterLeaderChange: its deliveries do not count as failed. */
  private void detach(Key key, int attempt, boolean afterLeaderChange) {
    ShardCommand command = ShardCommand.newBuilder().setDetach(Detach.newBuilder()
        .setQueue(key.queue()).setConsumerId(key.id()).setAfterLeaderChange(afterLeaderChange)).build();
    log.submitShard(key.group(), command).whenCompleteAsync((r, e) -> {
      if (e == null) {
        detaching.remove(key);
        absentSince.remove(key);
        Stream back = streams.get(key);
        if (back != null && !back.closed) {
          // It subscribed again while the detach was in the log, and the detach applied after
          // its Attach: attach it once more, or it would stream and never receive.
          open(back);
        }
        return;
      }
      if (attempt < DETACH_ATTEMPTS && !streams.containsKey(key)) {
        dispatcher.schedule(() -> detach(key, attempt + 1, afterLeaderChange),
            Math.min(5_000, RETRY_MS << Math.min(attempt, 5)), TimeUnit.MILLISECONDS);
      } else {
        detaching.remove(key);
        if (attempt >= DETACH_ATTEMPTS) {
          LOG.warn("could not detach consumer {} of queue '{}': {}; the leader's sweep detaches it",
              key.id(), key.queue(), e.toString());
        }
      }
    }, dispatcher);
  }
}
