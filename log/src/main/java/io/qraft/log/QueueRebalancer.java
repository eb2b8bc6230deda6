package io.qraft.log;

import io.qraft.api.log.v1.BeginMove;
import io.qraft.api.log.v1.MetaCommand;
import io.qraft.api.log.v1.QueueDef;
import io.qraft.api.log.v1.StalePart;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The queue half of {@code rebalance}: plans with {@link QueueBalance} and records each move
 * (BeginMove) for {@link QueueMover} to carry out. Runs on the metadata leader under the
 * catalog's lock, so the plan sees the placement that declares, deletes and the mover's own
 * moves leave, and none of them slips in between the plan and its BeginMoves.
 *
 * <p>A queue whose head does not have the replica set its policy (or pin) asks for is left
 * out: the mover takes it to another replica set, where it no longer counts here. A
 * rebalance move keeps the replica set, so it leaves {@link QueueCatalog#satisfied} true
 * and the mover does not take the queue back; a pin stays, since BeginMove does not touch it.
 */
public final class QueueRebalancer {
  private final ReplicatedLog log;
  private final QueueMover mover;

  QueueRebalancer(ReplicatedLog log, QueueMover mover) {
    this.log = log;
    this.mover = mover;
  }

  /** A planned move, and why it was not begun (null when it was). */
  public record Begun(QueueBalance.Move move, String error) {}

  /**
   * Begins the moves that even out the queues per shard. Stops at the first move the log
   * refuses or does not answer: the log is then unlikely to take the next ones, and a move
   * that was planned but not begun is not listed.
   */
  public List<Begun> rebalance() {
    if (!log.isLeader(GroupIds.METADATA)) {
      throw new LeaderElsewhereException("rebalance runs on the metadata leader", log.leaderOf(GroupIds.METADATA));
    }
    List<Begun> out = new ArrayList<>();
    QueueCatalog catalog = log.catalog();
    synchronized (catalog) {
      List<QueueDef> settled = new ArrayList<>();
      for (QueueDef q : log.metadata().queues()) {
        if (!q.getMovingTo().isEmpty() || catalog.satisfied(q)) {
          settled.add(q);
        }
      }
      Map<String, Set<String>> stale = new HashMap<>();
      for (StalePart p : log.metadata().staleParts()) {
        stale.computeIfAbsent(p.getQueue(), k -> new HashSet<>()).add(p.getGroup());
      }
      for (QueueBalance.Move m : QueueBalance.plan(log.metadata().shards(), settled, stale)) {
        try {
          Answers.ok(Answers.await(log.submitMeta(MetaCommand.newBuilder()
              .setBeginMove(BeginMove.newBuilder().setQueue(m.queue()).setToGroup(m.to())).build())));
          out.add(new Begun(m, null));
        } catch (RuntimeException e) {
          out.add(new Begun(m, e.getMessage() == null ? e.toString() : e.getMessage()));
          break;
        }
      }
    }
    if (!out.isEmpty()) {
      mover.nudge();
    }
    return out;
  }
}
