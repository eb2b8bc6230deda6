package io.qraft.log;

import io.qraft.api.PolicyDefinition;
import io.qraft.api.log.v1.AdoptQueue;
import io.qraft.api.log.v1.BeginMove;
import io.qraft.api.log.v1.ClearStalePart;
import io.qraft.api.log.v1.DeleteQueue;
import io.qraft.api.log.v1.DropPart;
import io.qraft.api.log.v1.FinishMove;
import io.qraft.api.log.v1.MetaCommand;
import io.qraft.api.log.v1.QueueDef;
import io.qraft.api.log.v1.SealQueue;
import io.qraft.api.log.v1.SealState;
import io.qraft.api.log.v1.ShardCommand;
import io.qraft.api.log.v1.ShardResult;
import io.qraft.api.log.v1.StalePart;
import io.qraft.api.log.v1.SyncDone;
import io.qraft.api.log.v1.SyncIn;
import io.qraft.api.log.v1.SyncOut;
import io.qraft.api.log.v1.SyncedMessage;
import io.qraft.statemachine.Status;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Keeps every queue on the replica set its policy asks for, and tends the
 * old parts that moves leave behind. Runs on the metadata leader only, one
 * step at a time under the catalog's lock, so moves and declares see each
 * other's placement.
 *
 * <p>A move is fenced, never copied: the old shard seals the queue (its
 * next offset X and producer sequences come back), the new shard adopts it
 * from X, the metadata group switches publishes over. Each step is
 * idempotent and the move is recorded (BeginMove) before the first one, so
 * a new metadata leader simply finishes a move its predecessor started.
 *
 * <p>Old parts: with {@code ha-sync-mode: automatic} or after
 * {@code sync_queue}, their ready messages are copied into the head, newest
 * part first and highest offsets first, so that whatever a consumer sees next
 * is still in offset order (consumers take from the bottom of the oldest
 * part). A part with no message left is dropped from the queue.
 *
 * <p>Every old part is probed once a tick, outside the catalog's lock, and a probe
 * (or a clean-up of a given-up part) that its shard does not answer at once is left
 * to finish in the background, never sent again while it is out: a part whose shard
 * lost its majority holds up neither declares nor the other queues' moves. Such
 * a part keeps its queue's consumers waiting ({@code ha-promote-on-shutdown:
 * when-synced}, the default) or, with {@code always}, is given up once it has not
 * answered for {@link #PROMOTE_AFTER_ELECTION_TIMEOUTS} election timeouts: the
 * queue carries on from its head, the part's messages are counted as given up and
 * never delivered, and its records are deleted from its shard once that shard
 * answers again.
 */
final class QueueMover implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(QueueMover.class);
  /** How often the metadata leader looks for work. */
  static final long TICK_MS = 1_000;
  /** Sync chunks copied per old part per tick, so one big copy does not hold up other queues. */
  private static final int CHUNKS_PER_TICK = 16;
  /** How long (in maximum election timeouts) an old part goes unanswered before {@code always} gives it up. */
  static final int PROMOTE_AFTER_ELECTION_TIMEOUTS = 5;
  /** How long (in maximum election timeouts) a tick waits for an old part to answer a probe. */
  private static final int PROBE_WAIT_ELECTION_TIMEOUTS = 1;
  /** How often the records of a given-up part are tried again while its shard does not answer. */
  private static final long STALE_RETRY_MS = 10_000;

  private final ReplicatedLog log;
  private final PartWatch watch = new PartWatch(System::currentTimeMillis);
  private final Map<String, Long> staleNextTryMs = new HashMap<>();
  /** Probes and clean-ups still out, by {@link PartWatch#key}: one at a time per part. */
  private final Set<String> outstanding = new HashSet<>();
  private final ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor(r -> {
    Thread t = new Thread(r, "qraft-mover");
    t.setDaemon(true);
    return t;
  });

  QueueMover(ReplicatedLog log) {
    this.log = log;
  }

  void start() {
    timer.scheduleWithFixedDelay(this::tick, TICK_MS, TICK_MS, TimeUnit.MILLISECONDS);
  }

  /** Asks for a pass now (after a policy or pin change) instead of at the next tick. */
  void nudge() {
    timer.execute(this::tick);
  }

  private void tick() {
    if (!log.isLeader(GroupIds.METADATA)) {
      return;
    }
    Set<String> watched = new HashSet<>();
    for (QueueDef def : log.metadata().queues()) {
      if (!log.isLeader(GroupIds.METADATA)) {
        return;
      }
      def.getOldPartsList().forEach(part -> watched.add(PartWatch.key(def.getName(), part)));
      try {
        tend(def.getName());
      } catch (RuntimeException e) {
        LOG.info("queue '{}': move or sync step failed, retried next tick: {}", def.getName(), e.toString());
      }
    }
    watch.retain(watched);
    cleanStaleParts();
  }

  private void tend(String queue) {
    QueueCatalog catalog = log.catalog();
    synchronized (catalog) {
      QueueDef def = log.metadata().queue(queue);
      if (def == null) {
        return;
      }
      if (def.getMovingTo().isEmpty() && !catalog.satisfied(def)) {
        String target = catalog.placeForMove(def);
        LOG.info("queue '{}' moves from {} to {} ({})", queue, def.getGroup(), target, log.effectivePolicy(def));
        Answers.ok(Answers.await(log.submitMeta(MetaCommand.newBuilder()
            .setBeginMove(BeginMove.newBuilder().setQueue(queue).setToGroup(target)).build())));
        def = log.metadata().queue(queue);
      }
      if (def != null && !def.getMovingTo().isEmpty()) {
        finishMove(def);
      }
    }
    QueueDef moved = log.metadata().queue(queue);
    if (moved == null || moved.getOldPartsCount() == 0) {
      return;
    }
    for (String part : moved.getOldPartsList()) {
      probe(queue, part);
    }
    if (PolicyDefinition.PROMOTE_ALWAYS.equals(log.effectivePolicy(moved).promoteOnShutdown())) {
      giveUpUnavailable(moved);
      moved = log.metadata().queue(queue);
      if (moved == null || moved.getOldPartsCount() == 0) {
        return;
      }
    }
    if (watch.failing(queue, moved.getOldParts(moved.getOldPartsCount() - 1))) {
      return;   // Copying or dropping waits until the newest part answers.
    }
    for (int i = 0; i < CHUNKS_PER_TICK; i++) {
      synchronized (catalog) {
        QueueDef def = log.metadata().queue(queue);
        if (def == null || def.getOldPartsCount() == 0 || !tendNewestPart(def)) {
          return;
        }
      }
    }
  }

  private void finishMove(QueueDef def) {
    String queue = def.getName();
    SealState sealed;
    ShardResult seal = shard(def.getGroup(), ShardCommand.newBuilder()
        .setSealQueue(SealQueue.newBuilder().setQueue(queue)).build());
    if (seal.getErrorCode() == Status.NOT_FOUND) {
      // A declare cut short before its shard held the queue: nothing to carry over.
      sealed = SealState.getDefaultInstance();
    } else {
      sealed = Answers.ok(seal).getSealed();
    }
    Answers.ok(shard(def.getMovingTo(), ShardCommand.newBuilder().setAdoptQueue(AdoptQueue.newBuilder()
        .setQueue(queue).putAllArguments(def.getArgumentsMap()).setNextOffset(sealed.getNextOffset())
        .setLimits(log.effectivePolicy(def).limits())
        .addAllSequences(sealed.getSequencesList())).build()));
    boolean oldPart = sealed.getMessages() > 0;
    Answers.ok(Answers.await(log.submitMeta(MetaCommand.newBuilder().setFinishMove(FinishMove.newBuilder()
        .setQueue(queue).setToGroup(def.getMovingTo()).setOldPartHasMessages(oldPart)
        .setOldPartMessages(sealed.getMessages())).build())));
    LOG.info("queue '{}' now takes publishes on {} from offset {}{}", queue, def.getMovingTo(),
        sealed.getNextOffset(), oldPart ? "; " + sealed.getMessages() + " older messages stay on " + def.getGroup() : "");
    if (!oldPart) {
      dropSealed(queue, def.getGroup());
    }
  }

  /**
   * One step on the newest old part: copy a chunk when syncing, or drop the part once it is
   * empty. Only the newest: the head accepts copies strictly below what it was given so far.
   *
   * @return true when there is more to do on this queue now
   */
  private boolean tendNewestPart(QueueDef def) {
    String queue = def.getName();
    String part = def.getOldParts(def.getOldPartsCount() - 1);
    EffectivePolicy policy = log.effectivePolicy(def);
    boolean syncing = def.getSyncRequested() || PolicyDefinition.SYNC_AUTOMATIC.equals(policy.syncMode());
    if (syncing) {
      ShardResult out = Answers.ok(shard(part, ShardCommand.newBuilder().setSyncOut(SyncOut.newBuilder()
          .setQueue(queue).setToGroup(def.getGroup()).setMaxCount(policy.syncBatchSize())
          .setMaxBytes(log.settings().maxEntryBytes() / 2)).build()));
      if (out.getSyncedCount() > 0) {
        copy(queue, def.getGroup(), out.getSyncedList());
        Answers.ok(shard(part, ShardCommand.newBuilder()
            .setSyncDone(SyncDone.newBuilder().setQueue(queue).setToGroup(def.getGroup())).build()));
        return true;
      }
    }
    ShardResult probe = shard(part, ShardCommand.newBuilder().setSealQueue(SealQueue.newBuilder().setQueue(queue)).build());
    if (probe.getErrorCode() == Status.NOT_FOUND || Answers.ok(probe).getSealed().getMessages() == 0) {
      Answers.ok(Answers.await(log.submitMeta(MetaCommand.newBuilder()
          .setDropPart(DropPart.newBuilder().setQueue(queue).setGroup(part)).build())));
      LOG.info("queue '{}': its old part on {} is empty and was dropped", queue, part);
      dropSealed(queue, part);
      return true;
    }
    return false;
  }

  /**
   * Asks the part for the queue's state (a seal again changes nothing), waiting at most
   * {@link #PROBE_WAIT_ELECTION_TIMEOUTS} election timeouts. An unanswered probe is left to
   * finish (the forwarding client gives up after a few election timeouts); until it does the
   * part counts as not answering since the probe was sent, and no other probe is sent to it.
   */
  private void probe(String queue, String part) {
    String key = PartWatch.key(queue, part);
    if (!outstanding.add(key)) {
      return;
    }
    long started = watch.now();
    CompletableFuture<ShardResult> reply = log.submitShard(GroupIds.parse(part),
        ShardCommand.newBuilder().setSealQueue(SealQueue.newBuilder().setQueue(queue)).build());
    try {
      ShardResult r = reply.get(log.settings().electionTimeoutMax().toMillis() * PROBE_WAIT_ELECTION_TIMEOUTS,
          TimeUnit.MILLISECONDS);
      outstanding.remove(key);
      probed(queue, part, started, r, null);
    } catch (TimeoutException e) {
      watch.failed(queue, part, started);
      // The watch is the mover thread's alone: the late answer is recorded there.
      reply.whenCompleteAsync((r, error) -> {
        outstanding.remove(key);
        probed(queue, part, started, r, error);
      }, timer);
    } catch (ExecutionException e) {
      outstanding.remove(key);
      probed(queue, part, started, null, e);
    } catch (InterruptedException e) {
      outstanding.remove(key);
      Thread.currentThread().interrupt();
    }
  }

  private void probed(String queue, String part, long started, ShardResult r, Throwable error) {
    if (error != null) {
      watch.failed(queue, part, started);
    } else if (r.getErrorCode() == Status.NOT_FOUND) {
      watch.answered(queue, part, 0);
    } else if (r.getErrorCode() == Status.OK) {
      watch.answered(queue, part, r.getSealed().getMessages());
    } else {
      watch.answeredWithoutCount(queue, part);
    }
  }

  /** ha-promote-on-shutdown always: the parts that have not answered for long enough are given up. */
  private void giveUpUnavailable(QueueDef def) {
    String queue = def.getName();
    long after = log.settings().electionTimeoutMax().toMillis() * PROMOTE_AFTER_ELECTION_TIMEOUTS;
    for (String part : def.getOldPartsList()) {
      long down = watch.unavailableForMs(queue, part);
      if (down < after) {
        continue;
      }
      // A leader elected after the part went away never heard its count: the count at its
      // seal bounds what is lost, and the deletion corrects it once the shard is back.
      long seen = watch.lastSeenMessages(queue, part, def.getOldPartSealedMessagesOrDefault(part, 0));
      synchronized (log.catalog()) {
        Answers.ok(Answers.await(log.submitMeta(MetaCommand.newBuilder().setDropPart(DropPart.newBuilder()
            .setQueue(queue).setGroup(part).setGivenUp(true).setMessagesSeen(seen)).build())));
      }
      LOG.warn("queue '{}': its old part on {} has not answered for {} ms and ha-promote-on-shutdown is always: "
          + "the part is given up with the {} message(s) it held when last seen; the queue carries on from {}",
          queue, part, down, seen, def.getGroup());
    }
  }

  /**
   * Deletes what given-up parts left in their shards, once those answer again: one delete
   * out per part at a time, sent again {@link #STALE_RETRY_MS} after the last, answered in
   * the background so that a shard that never comes back costs the mover nothing.
   */
  private void cleanStaleParts() {
    long now = System.currentTimeMillis();
    Set<String> current = new HashSet<>();
    for (StalePart stale : log.metadata().staleParts()) {
      String key = PartWatch.key(stale.getQueue(), stale.getGroup());
      current.add(key);
      if (now < staleNextTryMs.getOrDefault(key, 0L) || !outstanding.add(key)) {
        continue;
      }
      staleNextTryMs.put(key, now + STALE_RETRY_MS);
      log.submitShard(GroupIds.parse(stale.getGroup()), ShardCommand.newBuilder()
          .setDeleteQueue(DeleteQueue.newBuilder().setQueue(stale.getQueue())).build())
          .whenCompleteAsync((deleted, error) -> {
            outstanding.remove(key);
            if (error == null) {
              staleDeleted(stale, deleted);
            } else {
              LOG.debug("queue '{}': given-up part on {} still does not answer: {}", stale.getQueue(),
                  stale.getGroup(), error.toString());
            }
          }, timer);
    }
    staleNextTryMs.keySet().retainAll(current);
  }

  private void staleDeleted(StalePart stale, ShardResult deleted) {
    if (!log.isLeader(GroupIds.METADATA)
        || (deleted.getErrorCode() != Status.OK && deleted.getErrorCode() != Status.NOT_FOUND)) {
      return;
    }
    try {
      synchronized (log.catalog()) {
        Answers.ok(Answers.await(log.submitMeta(MetaCommand.newBuilder().setClearStalePart(ClearStalePart.newBuilder()
            .setQueue(stale.getQueue()).setGroup(stale.getGroup()).setMessages(deleted.getCount())).build())));
        log.catalog().removeShardIfUnused(stale.getGroup());
      }
      LOG.info("queue '{}': the given-up part on {} answered again; its {} message(s) were deleted there",
          stale.getQueue(), stale.getGroup(), deleted.getCount());
    } catch (RuntimeException e) {
      LOG.info("queue '{}': recording the clean-up of the given-up part on {} failed, retried: {}",
          stale.getQueue(), stale.getGroup(), e.toString());
    }
  }

  /** Stores a chunk in the head, highest offsets first, in pieces that fit a log entry. */
  private void copy(String queue, String head, List<SyncedMessage> chunk) {
    long limit = log.settings().maxEntryBytes() / 2;
    List<SyncedMessage> piece = new ArrayList<>();
    long bytes = 0;
    for (int i = chunk.size() - 1; i >= 0; i--) {
      SyncedMessage m = chunk.get(i);
      if (!piece.isEmpty() && bytes + m.getSerializedSize() > limit) {
        syncIn(queue, head, piece);
        piece = new ArrayList<>();
        bytes = 0;
      }
      piece.add(m);
      bytes += m.getSerializedSize();
    }
    if (!piece.isEmpty()) {
      syncIn(queue, head, piece);
    }
  }

  private void syncIn(String queue, String head, List<SyncedMessage> piece) {
    List<SyncedMessage> ascending = new ArrayList<>(piece);
    ascending.sort(java.util.Comparator.comparingLong(SyncedMessage::getOffset));
    Answers.ok(shard(head, ShardCommand.newBuilder()
        .setSyncIn(SyncIn.newBuilder().setQueue(queue).addAllMessages(ascending)).build()));
  }

  /** The queue's state in a shard that no longer carries any part of it. */
  private void dropSealed(String queue, String group) {
    ShardResult deleted = shard(group, ShardCommand.newBuilder()
        .setDeleteQueue(DeleteQueue.newBuilder().setQueue(queue)).build());
    if (deleted.getErrorCode() != Status.OK && deleted.getErrorCode() != Status.NOT_FOUND) {
      LOG.info("queue '{}': could not remove its sealed state from {}: {}", queue, group, deleted.getErrorMessage());
      return;
    }
    log.catalog().removeShardIfUnused(group);
  }

  private ShardResult shard(String group, ShardCommand command) {
    return Answers.await(log.submitShard(GroupIds.parse(group), command));
  }

  @Override
  public void close() {
    timer.shutdownNow();
  }
}
