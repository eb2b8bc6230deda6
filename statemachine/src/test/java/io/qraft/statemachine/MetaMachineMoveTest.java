package io.qraft.statemachine;

import static io.qraft.statemachine.MetaMachineTest.add;
import static io.qraft.statemachine.MetaMachineTest.bind;
import static io.qraft.statemachine.MetaMachineTest.remove;
import static io.qraft.statemachine.MetaMachineTest.shard;
import static org.assertj.core.api.Assertions.assertThat;

import io.qraft.api.log.v1.BeginMove;
import io.qraft.api.log.v1.DropPart;
import io.qraft.api.log.v1.FinishMove;
import io.qraft.api.log.v1.MetaCommand;
import io.qraft.api.log.v1.MetaResult;
import io.qraft.api.log.v1.MetaState;
import io.qraft.api.log.v1.PinReplicas;
import io.qraft.api.log.v1.QueueDef;
import io.qraft.api.log.v1.SetQueueSync;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Moves in the metadata: begin, finish, old parts, sync requests and pinned replica sets. */
class MetaMachineMoveTest {
  private static final String G1 = "00000000-0000-0000-0000-000000000001";
  private static final String G2 = "00000000-0000-0000-0000-000000000002";
  private static final String G3 = "00000000-0000-0000-0000-000000000003";

  private MetaMachine meta;

  @BeforeEach
  void queueOnG1() {
    meta = new MetaMachine();
    for (String g : List.of(G1, G2, G3)) {
      assertThat(meta.apply(add(shard(g, "n1", false))).getErrorCode()).isZero();
    }
    assertThat(meta.apply(bind("q", Map.of(), G1)).getErrorCode()).isZero();
  }

  private static MetaCommand begin(String to) {
    return MetaCommand.newBuilder().setBeginMove(BeginMove.newBuilder().setQueue("q").setToGroup(to)).build();
  }

  private static MetaCommand finish(String to, boolean oldPart) {
    return MetaCommand.newBuilder().setFinishMove(FinishMove.newBuilder().setQueue("q").setToGroup(to)
        .setOldPartHasMessages(oldPart)).build();
  }

  private static MetaCommand drop(String group) {
    return MetaCommand.newBuilder().setDropPart(DropPart.newBuilder().setQueue("q").setGroup(group)).build();
  }

  @Test
  void aMoveSwitchesTheHeadAndKeepsAnOldPartWithMessages() {
    assertThat(meta.apply(begin(G2)).getQueue().getMovingTo()).isEqualTo(G2);
    QueueDef moved = meta.apply(finish(G2, true)).getQueue();
    assertThat(moved.getGroup()).isEqualTo(G2);
    assertThat(moved.getMovingTo()).isEmpty();
    assertThat(moved.getOldPartsList()).containsExactly(G1);
    // Applied again (a new metadata leader finishing the same move): nothing changes.
    assertThat(meta.apply(finish(G2, true)).getErrorCode()).isZero();
    assertThat(meta.queue("q")).isEqualTo(moved);
  }

  @Test
  void anEmptyOldShardLeavesNoPart() {
    meta.apply(begin(G2));
    assertThat(meta.apply(finish(G2, false)).getQueue().getOldPartsList()).isEmpty();
  }

  @Test
  void oneMoveAtATimeAndNeverIntoAShardHoldingAPart() {
    meta.apply(begin(G2));
    MetaResult second = meta.apply(begin(G3));
    assertThat(second.getErrorCode()).isEqualTo(Status.FAILED_PRECONDITION);
    assertThat(second.getErrorMessage()).contains("already moving");
    meta.apply(finish(G2, true));
    MetaResult back = meta.apply(begin(G1));
    assertThat(back.getErrorCode()).isEqualTo(Status.FAILED_PRECONDITION);
    assertThat(back.getErrorMessage()).contains("already has a part");
    assertThat(meta.apply(begin(G2)).getErrorCode()).as("onto its own head").isEqualTo(Status.FAILED_PRECONDITION);
    assertThat(meta.queue("q").getMovingTo()).isEmpty();
  }

  @Test
  void aShardHoldingAPartOrMoveTargetIsNotRemoved() {
    meta.apply(begin(G2));
    assertThat(meta.apply(remove(G2)).getErrorCode()).isEqualTo(Status.FAILED_PRECONDITION);
    meta.apply(finish(G2, true));
    assertThat(meta.apply(remove(G1)).getErrorCode()).isEqualTo(Status.FAILED_PRECONDITION);
    meta.apply(drop(G1));
    assertThat(meta.apply(remove(G1)).getErrorCode()).isZero();
  }

  @Test
  void droppingAPartEndsTheSyncRequestAndIsIdempotent() {
    meta.apply(begin(G2));
    meta.apply(finish(G2, true));
    meta.apply(MetaCommand.newBuilder().setSetQueueSync(SetQueueSync.newBuilder().setQueue("q").setSync(true)).build());
    assertThat(meta.queue("q").getSyncRequested()).isTrue();
    assertThat(meta.apply(drop(G1)).getQueue().getOldPartsList()).isEmpty();
    assertThat(meta.queue("q").getSyncRequested()).isFalse();
    assertThat(meta.apply(drop(G1)).getCreated()).isFalse();
  }

  @Test
  void aSyncRequestWithoutOldPartsIsNothing() {
    QueueDef q = meta.apply(MetaCommand.newBuilder()
        .setSetQueueSync(SetQueueSync.newBuilder().setQueue("q").setSync(true)).build()).getQueue();
    assertThat(q.getSyncRequested()).isFalse();
    assertThat(meta.apply(MetaCommand.newBuilder()
        .setSetQueueSync(SetQueueSync.newBuilder().setQueue("nope").setSync(true)).build()).getErrorCode())
        .isEqualTo(Status.NOT_FOUND);
  }

  @Test
  void pinnedReplicasAreSortedAndClearedByAnEmptySet() {
    QueueDef pinned = meta.apply(MetaCommand.newBuilder().setPinReplicas(PinReplicas.newBuilder().setQueue("q")
        .addAllReplicas(List.of("n3", "n1")).setPinnedFor("policy x")).build()).getQueue();
    assertThat(pinned.getPinnedReplicasList()).containsExactly("n1", "n3");
    assertThat(pinned.getPinnedFor()).isEqualTo("policy x");
    QueueDef cleared = meta.apply(MetaCommand.newBuilder().setPinReplicas(PinReplicas.newBuilder().setQueue("q")
        .setPinnedFor("policy x")).build()).getQueue();
    assertThat(cleared.getPinnedReplicasList()).isEmpty();
    assertThat(cleared.getPinnedFor()).isEmpty();
  }

  @Test
  void movesSurviveASnapshot() {
    meta.apply(begin(G2));
    meta.apply(finish(G2, true));
    meta.apply(begin(G3));
    MetaState state = meta.export();
    MetaMachine restored = new MetaMachine();
    restored.load(state);
    assertThat(restored.export()).isEqualTo(state);
    assertThat(restored.queue("q").getOldPartsList()).containsExactly(G1);
    assertThat(restored.queue("q").getMovingTo()).isEqualTo(G3);
  }
}
