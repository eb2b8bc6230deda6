package io.qraft.log;

import java.io.IOException;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import org.apache.ratis.protocol.RaftGroupId;
import org.apache.ratis.server.RaftServer;
import org.apache.ratis.util.LifeCycle;

/**
 * Notices when this node stops serving on its own: the Raft server closed
 * (Ratis closes it after a process pause past raft.close_threshold_ms), or a
 * group this node carries closed (Ratis closes a group whose state machine
 * failed, e.g. on a store I/O error). A node in that state stays up with
 * nothing served, and systemd restarts only a process that exits; so the
 * watch tells its listener once, with a sentence saying why, and the node
 * exits (see the server's main).
 *
 * <p>A group counts as closed on its own when it is still listed by the
 * server, still carried by this node according to the metadata, and closed
 * at {@link #CHECKS_BEFORE_DEAD} checks in a row: a group this node is
 * removing is unlisted within that time.
 *
 * <p>Thread-safety: checks run on the watch's own thread.
 */
final class ServingWatch implements AutoCloseable {
  static final long INTERVAL_MS = 1_000;
  static final int CHECKS_BEFORE_DEAD = 3;

  private final ReplicatedLog log;
  private final Consumer<String> onStoppedServing;
  private final ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor(r -> {
    Thread t = new Thread(r, "qraft-serving-watch");
    t.setDaemon(true);
    return t;
  });
  private final Map<RaftGroupId, Integer> closedChecks = new HashMap<>();
  private volatile boolean closing;
  private boolean told;

  ServingWatch(ReplicatedLog log, Consumer<String> onStoppedServing) {
    this.log = log;
    this.onStoppedServing = onStoppedServing;
  }

  void start() {
    timer.scheduleWithFixedDelay(this::check, INTERVAL_MS, INTERVAL_MS, TimeUnit.MILLISECONDS);
  }

  private void check() {
    if (closing || told) {
      return;
    }
    try {
      String why = whyNotServing();
      if (why != null && !closing) {
        told = true;
        onStoppedServing.accept(why);
      }
    } catch (RuntimeException e) {
      // A check that fails says nothing about the server; the next one looks again.
      org.slf4j.LoggerFactory.getLogger(ServingWatch.class).debug("serving check failed", e);
    }
  }

  /** As {@link #whyNotServing}, without waiting for a closed group to stay closed: for status reports. */
  String whyNotServingNow() {
    return reason(true);
  }

  /** Null while the server and every group this node carries run, else why not. */
  String whyNotServing() {
    return reason(false);
  }

  private synchronized String reason(boolean now) {
    RaftServer server = log.server();
    LifeCycle.State state = server.getLifeCycleState();
    if (state.isClosingOrClosed() || state == LifeCycle.State.EXCEPTION) {
      return "the Raft server of node " + log.settings().nodeId() + " closed on its own (state " + state
          + "); see the Raft log lines before this one (a process pause past raft.close_threshold_ms closes it)";
    }
    Map<RaftGroupId, Integer> seen = new HashMap<>();
    for (RaftGroupId group : server.getGroupIds()) {
      RaftServer.Division division;
      try {
        division = server.getDivision(group);
      } catch (IOException e) {
        continue;
      }
      if (division.getInfo().isAlive() || !carried(group)) {
        continue;
      }
      int checks = closedChecks.getOrDefault(group, 0) + 1;
      seen.put(group, checks);
      if (now || checks >= CHECKS_BEFORE_DEAD) {
        return GroupIds.describe(group)
            + " is not running on " + log.settings().nodeId() + ": its Raft group closed on its own (state "
            + division.getInfo().getLifeCycleState() + "; see the Raft log lines before this one)";
      }
    }
    if (!now) {
      closedChecks.clear();
      closedChecks.putAll(seen);
    }
    return null;
  }

  private boolean carried(RaftGroupId group) {
    if (group.equals(GroupIds.METADATA)) {
      return true;
    }
    io.qraft.api.log.v1.ShardDef shard = log.metadata().shard(GroupIds.text(group));
    return shard != null && shard.getReplicasList().contains(log.settings().nodeId());
  }

  @Override
  public void close() {
    closing = true;
    timer.shutdownNow();
  }
}
