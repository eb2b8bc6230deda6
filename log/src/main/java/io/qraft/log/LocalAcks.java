package io.qraft.log;

import io.qraft.statemachine.AppendListener;
import io.qraft.statemachine.RoleListener;
import java.util.Iterator;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.apache.ratis.protocol.RaftClientRequest;
import org.apache.ratis.protocol.RaftGroupId;
import org.apache.ratis.protocol.RaftPeerId;
import org.apache.ratis.server.RaftServer;

/**
 * The {@code local} ack mode: a publish is confirmed once the leader's own
 * log has fsynced its entry, before any follower holds it. Ratis has no
 * callback for that, so the leader learns each request's index as it is
 * appended ({@link AppendListener}) and a watcher compares it with the
 * leader's flush index, polling every half millisecond while anything waits (and not at all
 * while nothing does: an idle node has no reason to wake two thousand times a second).
 *
 * <p>Loss window: an entry confirmed this way and not yet on a majority is
 * lost if the leader's node dies before replicating it; a new leader never
 * had it. A leadership change fails every pending local confirm with a
 * retryable error, since the entry may or may not survive.
 *
 * <p>Thread-safe.
 */
final class LocalAcks implements AppendListener, RoleListener, AutoCloseable {
  private static final org.slf4j.Logger LOG = org.slf4j.LoggerFactory.getLogger(LocalAcks.class);
  private static final long POLL_MICROS = 500;

  private final ReplicatedLog log;
  /** callId of a request this node submitted to its own division -> its waiter. */
  private final Map<Long, Waiter> byCall = new ConcurrentHashMap<>();
  /** Whether a poll is scheduled; set by the first waiter, cleared by the poll that finds none. */
  private final java.util.concurrent.atomic.AtomicBoolean polling = new java.util.concurrent.atomic.AtomicBoolean();
  private final ScheduledExecutorService watcher = Executors.newSingleThreadScheduledExecutor(r -> {
    Thread t = new Thread(r, "qraft-local-acks");
    t.setDaemon(true);
    return t;
  });

  private static final class Waiter {
    final RaftGroupId group;
    final long term;
    final CompletableFuture<Void> flushed = new CompletableFuture<>();
    volatile long index = -1;

    Waiter(RaftGroupId group, long term) {
      this.group = group;
      this.term = term;
    }
  }

  LocalAcks(ReplicatedLog log) {
    this.log = log;
  }

  /**
   * Registers a request about to be submitted to the local leader division;
   * the future completes when the leader's log has flushed its entry.
   */
  CompletableFuture<Void> expect(RaftGroupId group, long callId, long term) {
    Waiter w = new Waiter(group, term);
    byCall.put(callId, w);
    if (polling.compareAndSet(false, true)) {
      schedulePoll();
    }
    return w.flushed;
  }

  private void schedulePoll() {
    try {
      watcher.schedule(this::pollAndReschedule, POLL_MICROS, TimeUnit.MICROSECONDS);
    } catch (java.util.concurrent.RejectedExecutionException closed) {
      polling.set(false);
    }
  }

  private void pollAndReschedule() {
    try {
      poll();
    } catch (RuntimeException e) {
      // One bad look at a division must not end the polling: every later local confirm would
      // then wait for its entry to be applied, which with the followers gone never happens.
      LOG.warn("local-ack poll failed; polling goes on", e);
    }
    if (!byCall.isEmpty()) {
      schedulePoll();
      return;
    }
    polling.set(false);
    // A waiter registered between the emptiness check and the reset would have found a poll
    // still scheduled and not started one: start it here.
    if (!byCall.isEmpty() && polling.compareAndSet(false, true)) {
      schedulePoll();
    }
  }

  /** The request was answered (or failed) before its flush was seen. */
  void forget(long callId) {
    byCall.remove(callId);
  }

  @Override
  public void appending(RaftGroupId group, RaftClientRequest request, long index) {
    if (request.getClientId().equals(log.clientId())) {
      Waiter w = byCall.get(request.getCallId());
      if (w != null) {
        w.index = index;
      }
    }
  }

  private void poll() {
    if (byCall.isEmpty()) {
      return;
    }
    for (Iterator<Map.Entry<Long, Waiter>> it = byCall.entrySet().iterator(); it.hasNext(); ) {
      Waiter w = it.next().getValue();
      if (w.index < 0) {
        continue;
      }
      RaftServer.Division d = log.division(w.group).orElse(null);
      if (d == null || !d.getInfo().isLeader() || d.getInfo().getCurrentTerm() != w.term) {
        it.remove();
        w.flushed.completeExceptionally(new LogUnavailableException(
            "leadership changed before the publish was durable on the leader; it may or may not be kept: retry", null));
      } else if (d.getRaftLog().getFlushIndex() >= w.index) {
        it.remove();
        w.flushed.complete(null);
      }
    }
  }

  @Override
  public void leaderChanged(RaftGroupId group, RaftPeerId leader) {
    if (leader == null || !leader.toString().equals(log.settings().nodeId())) {
      for (Iterator<Map.Entry<Long, Waiter>> it = byCall.entrySet().iterator(); it.hasNext(); ) {
        Waiter w = it.next().getValue();
        if (w.group.equals(group)) {
          it.remove();
          w.flushed.completeExceptionally(new LeaderElsewhereException(
              "leadership moved before the publish was durable on the leader; retry there",
              leader == null ? null : leader.toString()));
        }
      }
    }
  }

  @Override
  public void close() {
    watcher.shutdownNow();
  }
}
