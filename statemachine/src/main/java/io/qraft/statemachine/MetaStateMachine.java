package io.qraft.statemachine;

import io.qraft.api.log.v1.MetaCommand;
import io.qraft.api.log.v1.MetaResult;
import io.qraft.api.log.v1.MetaState;
import io.qraft.api.log.v1.QueueDef;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.util.concurrent.CompletableFuture;
import java.util.function.Consumer;
import org.apache.ratis.proto.RaftProtos.LogEntryProto;
import org.apache.ratis.protocol.Message;
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

/**
 * The Ratis state machine of the metadata group. State is small and kept in
 * memory ({@link MetaMachine}); a snapshot is the whole state in one file,
 * and Ratis replays the log after it on start.
 */
public final class MetaStateMachine extends BaseStateMachine {
  private final MetaMachine machine = new MetaMachine();
  private final CachedSnapshotStorage storage = new CachedSnapshotStorage();
  private final Consumer<MetaCommand> onApplied;
  private final RoleListener roles;

  /** @param onApplied told of every applied command (on the apply thread; must not block) */
  public MetaStateMachine(Consumer<MetaCommand> onApplied, RoleListener roles) {
    this.onApplied = onApplied;
    this.roles = roles;
  }

  public MetaMachine machine() {
    return machine;
  }

  @Override
  public void initialize(RaftServer server, RaftGroupId groupId, RaftStorage raftStorage) throws IOException {
    super.initialize(server, groupId, raftStorage);
    storage.init(raftStorage);
    getLifeCycle().startAndTransition(() -> load(storage.getLatestSnapshot()));
  }

  private void load(SingleFileSnapshotInfo snapshot) throws IOException {
    if (snapshot == null) {
      return;
    }
    SnapshotFiles.verify(snapshot);
    try (InputStream in = Files.newInputStream(snapshot.getFile().getPath())) {
      machine.load(MetaState.parseFrom(in));
    }
    setLastAppliedTermIndex(snapshot.getTermIndex());
  }

  /** CRC32 of the metadata state and the index it is at (see ShardStateMachine#checksum). */
  public long[] checksum() {
    synchronized (machine) {
      java.util.zip.CRC32 crc = new java.util.zip.CRC32();
      crc.update(machine.export().toByteArray());
      TermIndex at = getLastAppliedTermIndex();
      return new long[] {crc.getValue(), at == null ? 0 : at.getIndex()};
    }
  }

  @Override
  public StateMachineStorage getStateMachineStorage() {
    return storage;
  }

  @Override
  public CompletableFuture<Message> applyTransaction(TransactionContext trx) {
    LogEntryProto entry = trx.getLogEntry();
    MetaResult result;
    MetaCommand command = null;
    // State and applied index change together, so a checksum never pairs one entry's state with another's index.
    synchronized (machine) {
      try {
        command = LogCodec.metaCommand(entry.getStateMachineLogEntry().getLogData());
        result = machine.apply(entry.getIndex(), command);
      } catch (com.google.protobuf.InvalidProtocolBufferException e) {
        result = MetaResult.newBuilder().setErrorCode(Status.INVALID_ARGUMENT)
            .setErrorMessage("unreadable metadata command").build();
      }
      updateLastAppliedTermIndex(entry.getTerm(), entry.getIndex());
    }
    if (command != null && result.getErrorCode() == Status.OK) {
      try {
        onApplied.accept(command);
      } catch (RuntimeException e) {
        // A listener's failure is the node's to report, never a reason for the group to stop.
        org.slf4j.LoggerFactory.getLogger(MetaStateMachine.class).error("a listener of the metadata failed", e);
      }
    }
    return CompletableFuture.completedFuture(LogCodec.message(result));
  }

  @Override
  public long takeSnapshot() throws IOException {
    TermIndex last = getLastAppliedTermIndex();
    if (last == null || last.getIndex() <= 0) {
      return -1;
    }
    MetaState state = machine.export();
    SnapshotFiles.write(storage, last, state::writeTo);
    return last.getIndex();
  }

  @Override
  public void pause() {
    Pausing.pause(getLifeCycle());
  }

  @Override
  public void reinitialize() throws IOException {
    Pausing.resume(getLifeCycle(), () -> load(storage.loadLatestSnapshot()));
  }

  /** A read-only query for a queue's definition, answered by {@link #query}. */
  public static Message lookupQuery(String queue) {
    return Message.valueOf(queue);
  }

  /** The answer to {@link #lookupQuery}: the definition, or empty when there is no such queue. */
  public static java.util.Optional<QueueDef> lookupAnswer(Message answer) {
    try {
      if (answer.getContent().isEmpty()) {
        return java.util.Optional.empty();
      }
      return java.util.Optional.of(QueueDef.parseFrom(answer.getContent().asReadOnlyByteBuffer()));
    } catch (com.google.protobuf.InvalidProtocolBufferException e) {
      throw new java.io.UncheckedIOException(e);
    }
  }

  @Override
  public CompletableFuture<Message> query(Message request) {
    QueueDef def = machine.queue(request.getContent().toStringUtf8());
    return CompletableFuture.completedFuture(def == null ? Message.EMPTY : LogCodec.message(def));
  }

  @Override
  public void notifyLeaderChanged(RaftGroupMemberId member, RaftPeerId newLeaderId) {
    roles.leaderChanged(member.getGroupId(), newLeaderId);
  }

  @Override
  public void close() {
    getLifeCycle().checkStateAndClose(() -> {});
  }
}
