package io.qraft.log;

import io.qraft.api.log.v1.DeadLetterDone;
import io.qraft.api.log.v1.PublishResult;
import io.qraft.api.log.v1.QueueDef;
import io.qraft.api.log.v1.QueuePublish;
import io.qraft.api.log.v1.QueueRecord;
import io.qraft.api.log.v1.ShardCommand;
import io.qraft.api.v1.Message;
import io.qraft.statemachine.DeadLetter;
import io.qraft.statemachine.ShardStateMachine;
import io.qraft.statemachine.Status;
import java.net.URLDecoder;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.apache.ratis.protocol.RaftGroupId;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Moves dead-lettered messages to their queue's dead-letter queue, at least once: the shard
 * keeps a dead message (marked with its reason) until this node, leading the shard, has had it
 * confirmed by the dead-letter queue and recorded that with {@code DeadLetterDone}. A leader
 * that dies halfway leaves the marks to the next one, which sends them again.
 *
 * <p>Each message is published under a producer id of its source queue (its name and
 * incarnation) with its offset as sequence, so a resend within the deduplication window is
 * recognised by the dead-letter queue and stored once; later it is stored twice (counted by the
 * source as a resend when the second move is recorded).
 *
 * <p>The message keeps its body and headers, loses {@code ttl-ms} (it would expire again at
 * once), and gains {@code x-death-reason}, {@code x-death-queue}, {@code x-death-count},
 * {@code x-death-time} and {@code x-death-queues} (every queue it died in, URL-encoded, comma
 * separated). A message whose dead-letter queue is one it died in before is dropped: a loop of
 * dead-letter queues is cut after one round. A message whose dead-letter queue does not exist,
 * or that the dead-letter queue refuses as malformed, is dropped too (counted as dropped).
 *
 * <p>Thread-safety: runs on the keeper's scheduler; completions come back to it.
 */
class DeadLetterMover {
  private static final Logger LOG = LoggerFactory.getLogger(DeadLetterMover.class);
  static final String REASON = "x-death-reason";
  static final String QUEUE = "x-death-queue";
  static final String COUNT = "x-death-count";
  static final String TIME = "x-death-time";
  static final String QUEUES = "x-death-queues";
  static final String PRODUCER_PREFIX = "dead-letter:";
  /** Messages moved per queue per round: one round's publishes stay a bounded burst. */
  static final int PER_ROUND = 256;

  /** A mover that moves nothing, until the log has built the real one. */
  static final DeadLetterMover NONE = new DeadLetterMover();

  private final ReplicatedLog log;
  private final ScheduledExecutorService scheduler;
  private final Set<String> inFlight = ConcurrentHashMap.newKeySet();
  private final AtomicBoolean nudged = new AtomicBoolean();

  private DeadLetterMover() {
    this.log = null;
    this.scheduler = null;
  }

  DeadLetterMover(ReplicatedLog log, ScheduledExecutorService scheduler) {
    this.log = log;
    this.scheduler = scheduler;
    scheduler.scheduleWithFixedDelay(this::runSafely, QueueKeeper.PERIOD_MS, QueueKeeper.PERIOD_MS, TimeUnit.MILLISECONDS);
  }

  /** A shard dead-lettered messages: move them soon rather than at the next round. */
  void nudge() {
    if (scheduler != null && nudged.compareAndSet(false, true)) {
      scheduler.schedule(() -> {
        nudged.set(false);
        runSafely();
      }, 20, TimeUnit.MILLISECONDS);
    }
  }

  private void runSafely() {
    try {
      for (Map.Entry<RaftGroupId, ShardStateMachine> e : log.localShards().entrySet()) {
        if (!log.isLeader(e.getKey())) {
          continue;
        }
        for (String queue : e.getValue().deadLettering().keySet()) {
          String key = e.getKey() + "/" + queue;
          if (inFlight.add(key)) {
            move(e.getKey(), e.getValue(), queue).whenComplete((r, t) -> inFlight.remove(key));
          }
        }
      }
    } catch (RuntimeException e) {
      LOG.warn("moving dead letters failed: {}", e.toString());
    }
  }

  private CompletableFuture<Void> move(RaftGroupId group, ShardStateMachine shard, String queue) {
    QueueRecord record = shard.queueRecord(queue);
    if (record == null) {
      return CompletableFuture.completedFuture(null);
    }
    String target = record.getLimits().getDeadLetterQueue();
    QueueDef targetDef = target.isEmpty() ? null : log.metadata().queue(target);
    List<Long> dropped = new ArrayList<>();
    List<Long> moved = java.util.Collections.synchronizedList(new ArrayList<>());
    List<CompletableFuture<?>> publishes = new ArrayList<>();
    String producer = PRODUCER_PREFIX + queue + ":" + record.getIncarnation();
    for (DeadLetter letter : shard.deadLetters(queue, PER_ROUND)) {
      List<String> path = diedIn(letter.message());
      if (targetDef == null || path.contains(target)) {
        dropped.add(letter.offset());
        continue;
      }
      QueuePublish publish = QueuePublish.newBuilder().setQueue(target)
          .addMessages(deadLettered(letter, queue, path))
          .setProducerId(producer).setSequence(letter.offset()).build();
      publishes.add(log.publish(targetDef, publish).handle((PublishResult r, Throwable t) -> {
        if (t == null && r.getErrorCode() == Status.OK) {
          moved.add(letter.offset());
        } else if (t == null && (r.getErrorCode() == Status.INVALID_ARGUMENT || r.getErrorCode() == Status.NOT_FOUND)) {
          // It will never be taken: kept, it would be tried forever.
          LOG.warn("dead letter {} of queue '{}' was refused by '{}' and is dropped: {}", letter.offset(), queue,
              target, r.getErrorMessage());
          synchronized (dropped) {
            dropped.add(letter.offset());
          }
        } else {
          LOG.debug("dead letter {} of queue '{}' not moved yet: {}", letter.offset(), queue,
              t != null ? t.toString() : r.getErrorMessage());
        }
        return null;
      }));
    }
    return CompletableFuture.allOf(publishes.toArray(CompletableFuture[]::new)).thenCompose(v -> {
      CompletableFuture<?> a = done(group, queue, moved, false);
      CompletableFuture<?> b;
      synchronized (dropped) {
        b = done(group, queue, dropped, true);
      }
      return CompletableFuture.allOf(a, b);
    });
  }

  private CompletableFuture<?> done(RaftGroupId group, String queue, List<Long> offsets, boolean dropped) {
    if (offsets.isEmpty()) {
      return CompletableFuture.completedFuture(null);
    }
    List<Long> sorted = new ArrayList<>(offsets);
    sorted.sort(null);
    return log.submitShardLocally(group, ShardCommand.newBuilder().setDeadLetterDone(DeadLetterDone.newBuilder()
        .setQueue(queue).addAllOffsets(sorted).setDropped(dropped)).build())
        .handle((r, t) -> {
          if (t != null) {
            // The next leader (or the next round) moves them again: a duplicate at worst.
            LOG.debug("recording dead letters of '{}' failed: {}", queue, t.toString());
          }
          return null;
        });
  }

  /** The message as the dead-letter queue stores it: why, from where, how often, when. */
  static Message deadLettered(DeadLetter letter, String queue, List<String> diedIn) {
    Message m = letter.message();
    long count = 1;
    try {
      count = Long.parseLong(m.getHeadersOrDefault(COUNT, "0").trim()) + 1;
    } catch (NumberFormatException e) {
      // A header the application set itself: counted from here.
    }
    List<String> path = new ArrayList<>(diedIn);
    path.add(queue);
    StringBuilder queues = new StringBuilder();
    for (String q : path) {
      if (queues.length() > 0) {
        queues.append(',');
      }
      queues.append(URLEncoder.encode(q, StandardCharsets.UTF_8));
    }
    return m.toBuilder().removeHeaders("ttl-ms")
        .putHeaders(REASON, letter.reason())
        .putHeaders(QUEUE, queue)
        .putHeaders(COUNT, Long.toString(Math.max(1, count)))
        .putHeaders(TIME, Long.toString(letter.deadAtMs()))
        .putHeaders(QUEUES, queues.toString())
        .build();
  }

  /** The queues the message died in before, from its x-death-queues header. */
  static List<String> diedIn(Message m) {
    String header = m.getHeadersOrDefault(QUEUES, "");
    if (header.isEmpty()) {
      return List.of();
    }
    List<String> out = new ArrayList<>();
    for (String part : Arrays.asList(header.split(",", -1))) {
      try {
        out.add(URLDecoder.decode(part, StandardCharsets.UTF_8));
      } catch (IllegalArgumentException e) {
        out.add(part);
      }
    }
    return out;
  }
}
