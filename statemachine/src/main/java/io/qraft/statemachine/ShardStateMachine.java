package io.qraft.statemachine;

import io.qraft.api.log.v1.QueueRecord;
import io.qraft.api.log.v1.ShardCommand;
import io.qraft.api.log.v1.ShardResult;
import io.qraft.storage.QueueStore;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Function;
import org.apache.ratis.proto.RaftProtos.LogEntryProto;
import org.apache.ratis.protocol.Message;
import org.apache.ratis.protocol.RaftClientRequest;
import org.apache.ratis.protocol.RaftGroupId;
import org.apache.ratis.protocol.RaftGroupMemberId;
import org.apache.ratis.protocol.RaftPeerId;
import org.apache.ratis.server.RaftServer;
import org.apache.ratis.server.protocol.TermIndex;
import org.apache.ratis.server.storage.RaftStorage;
import org.apache.ratis.statemachine.StateMachineStorage;
import org.apache.ratis.statemachine.TransactionContext;
import org.apache.ratis.statemachine.impl.BaseStateMachine;
import org.apache.ratis.statemachine.impl.SingleFileSnapshotInfo;
import org.apache.ratis.util.LifeCycle;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The Ratis state machine of one shard (or dedicated group): decodes each
 * committed entry, applies it to the group's {@link QueueMachine}, snapshots
 * and restores.
 *
 * <p>Recovery: the store records the last applied index in every batch, so on
 * start Ratis replays from the latest snapshot and every entry at or below the
 * store's index is skipped. A snapshot is an export of the whole store, taken
 * on the apply thread between entries, so it is exactly the state at the
 * index its name carries. A replica that fell behind the leader's retained log
 * receives the leader's snapshot file, and {@link #reinitialize} loads it.
 *
 * <p>Thread-safety: Ratis applies on one thread; readers of queue records
 * synchronise on the machine.
 */
public final class ShardStateMachine extends BaseStateMachine {
  private static final Logger LOG = LoggerFactory.getLogger(ShardStateMachine.class);

  private final Function<RaftGroupId, QueueStore> storeOpener;
  private final ShardEvents events;
  private final RoleListener roles;
  private final AppendListener appends;
  private final CachedSnapshotStorage storage = new CachedSnapshotStorage();
  private final AtomicLong snapshotsInstalled = new AtomicLong();
  private volatile QueueStore store;
  private volatile QueueMachine machine;

  /**
   * @param storeOpener opens (creating if needed) the store of a group; the
   *     group's replica owns it until {@link #close}
   */
  public ShardStateMachine(Function<RaftGroupId, QueueStore> storeOpener, ShardEvents events, RoleListener roles,
      AppendListener appends) {
    this.storeOpener = storeOpener;
    this.events = events;
    this.roles = roles;
    this.appends = appends;
  }

  @Override
  public TransactionContext preAppendTransaction(TransactionContext trx) throws IOException {
    RaftClientRequest request = trx.getClientRequest();
    if (request != null) {
      // Under the log's write lock: the next index is the one this entry gets.
      long index = getServer().join().getDivision(getGroupId()).getRaftLog().getNextIndex();
      appends.appending(getGroupId(), request, index);
    }
    return trx;
  }

  @Override
  public void initialize(RaftServer server, RaftGroupId groupId, RaftStorage raftStorage) throws IOException {
    super.initialize(server, groupId, raftStorage);
    storage.init(raftStorage);
    getLifeCycle().startAndTransition(() -> {
      store = storeOpener.apply(groupId);
      loadLatestSnapshot(storage.getLatestSnapshot());
    });
  }

  /** Brings the store up to the snapshot when the snapshot is ahead of it (a lost or older store). */
  private void loadLatestSnapshot(SingleFileSnapshotInfo snapshot) throws IOException {
    if (snapshot != null && snapshot.getIndex() > store.lastAppliedIndex()) {
      SnapshotFiles.verify(snapshot);
      try (InputStream in = new java.io.BufferedInputStream(Files.newInputStream(snapshot.getFile().getPath()), 1 << 16)) {
        store.importFrom(in);
      }
      LOG.info("{}: loaded snapshot {} into the store", getGroupId(), snapshot.getTermIndex());
    }
    synchronized (this) {
      machine = new QueueMachine(store, events);
    }
    if (snapshot != null) {
      setLastAppliedTermIndex(snapshot.getTermIndex());
    }
  }

  @Override
  public StateMachineStorage getStateMachineStorage() {
    return storage;
  }

  @Override
  public CompletableFuture<Message> applyTransaction(TransactionContext trx) {
    LogEntryProto entry = trx.getLogEntry();
    long index = entry.getIndex();
    if (index <= store.lastAppliedIndex()) {
      // Replay after a restart: the store already holds this entry's effect.
      updateLastAppliedTermIndex(entry.getTerm(), index);
      return CompletableFuture.completedFuture(Message.EMPTY);
    }
    ShardCommand command;
    try {
      command = LogCodec.shardCommand(entry.getStateMachineLogEntry().getLogData());
    } catch (com.google.protobuf.InvalidProtocolBufferException e) {
      // A command we cannot read changes nothing, but its index is still applied.
      command = ShardCommand.getDefaultInstance();
    }
    ShardResult result;
    synchronized (this) {
      result = machine.apply(index, command);
      updateLastAppliedTermIndex(entry.getTerm(), index);
    }
    return CompletableFuture.completedFuture(LogCodec.message(result));
  }

  @Override
  public long takeSnapshot() throws IOException {
    TermIndex last = getLastAppliedTermIndex();
    if (last == null || last.getIndex() <= 0) {
      return -1;
    }
    SingleFileSnapshotInfo current = storage.getLatestSnapshot();
    if (current != null && current.getIndex() >= last.getIndex()) {
      return current.getIndex();
    }
    QueueStore s = store;
    SnapshotFiles.write(storage, last, s::exportTo);
    LOG.debug("{}: snapshot at {}", getGroupId(), last);
    return last.getIndex();
  }

  @Override
  public void pause() {
    Pausing.pause(getLifeCycle());
  }

  /** Called after a snapshot from the leader was installed: the store becomes that snapshot. */
  @Override
  public void reinitialize() throws IOException {
    Pausing.resume(getLifeCycle(), () -> {
      SingleFileSnapshotInfo snapshot = storage.loadLatestSnapshot();
      loadLatestSnapshot(snapshot);
      snapshotsInstalled.incrementAndGet();
      LOG.info("{}: installed snapshot {} from the leader", getGroupId(), snapshot == null ? null : snapshot.getTermIndex());
    });
  }

  @Override
  public void notifyLeaderChanged(RaftGroupMemberId member, RaftPeerId newLeaderId) {
    roles.leaderChanged(member.getGroupId(), newLeaderId);
  }

  @Override
  public void notifyLeaderReady() {
    roles.leaderReady(getGroupId());
  }

  @Override
  public void close() throws IOException {
    getLifeCycle().checkStateAndClose(() -> {
      QueueStore s = store;
      if (s != null) {
        s.close();
      }
    });
  }

  /** Queue records as of the last applied entry. */
  public synchronized List<QueueRecord> queueRecords() {
    return machine == null ? List.of() : machine.records();
  }

  public synchronized QueueRecord queueRecord(String queue) {
    return machine == null ? null : machine.snapshotOf(queue);
  }

  /**
   * The stored message at the offset, or null when the store no longer has it (acked,
   * dropped, or its queue deleted). Reads the store as it is, not under the apply lock: a
   * message once delivered stays until it is settled.
   */
  public io.qraft.api.v1.Message storedMessage(String queue, long offset) {
    QueueStore s = store;
    byte[] bytes = s == null ? null : s.message(queue, offset);
    return bytes == null ? null : QueueMachine.parseMessage(bytes).getMessage();
  }

  /**
   * The consumers attached to each queue of this shard (Attach entries applied and not detached).
   * Not synchronized: it reads a published copy, so the dispatch thread never waits on apply.
   */
  public java.util.Map<String, List<String>> attachedConsumers() {
    QueueMachine m = machine;
    return m == null ? java.util.Map.of() : m.attachedConsumers();
  }

  /** Whether a Tick entry would do anything now (see QueueMachine#wantsTicks). Any thread. */
  public boolean wantsTicks() {
    QueueMachine m = machine;
    return m != null && m.wantsTicks();
  }

  /** Dead-lettered messages waiting to be moved, by queue. Any thread. */
  public java.util.Map<String, Integer> deadLettering() {
    QueueMachine m = machine;
    return m == null ? java.util.Map.of() : m.deadLettering();
  }

  /** Up to max dead-lettered messages of the queue, read from the store; empty when closed. */
  public List<DeadLetter> deadLetters(String queue, int max) {
    QueueMachine m = machine;
    try {
      return m == null ? List.of() : m.deadLetters(queue, max);
    } catch (RuntimeException closed) {
      return List.of();
    }
  }

  public synchronized boolean hasReady(String queue) {
    return machine != null && machine.hasReady(queue);
  }

  public synchronized int queueCount() {
    return machine == null ? 0 : machine.queueCount();
  }

  /**
   * CRC32 of this replica's whole state and the index it is at, read between
   * two applies: replicas at the same index must give the same checksum.
   */
  public synchronized long[] checksum() throws IOException {
    java.util.zip.CRC32 crc = new java.util.zip.CRC32();
    try (java.util.zip.CheckedOutputStream out = new java.util.zip.CheckedOutputStream(java.io.OutputStream.nullOutputStream(), crc)) {
      store.exportTo(out);
    }
    return new long[] {crc.getValue(), store.lastAppliedIndex()};
  }

  /** The log index the store's state is at. */
  public long storeAppliedIndex() {
    QueueStore s = store;
    return s == null ? 0 : s.lastAppliedIndex();
  }

  /** Snapshots this replica installed from a leader since the process started. */
  public long snapshotsInstalled() {
    return snapshotsInstalled.get();
  }

  public long snapshotIndex() {
    SingleFileSnapshotInfo s = storage.getLatestSnapshot();
    return s == null ? 0 : s.getIndex();
  }
}
