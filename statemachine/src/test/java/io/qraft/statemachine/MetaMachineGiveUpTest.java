package io.qraft.statemachine;

import static io.qraft.statemachine.MetaMachineTest.add;
import static io.qraft.statemachine.MetaMachineTest.bind;
import static io.qraft.statemachine.MetaMachineTest.remove;
import static io.qraft.statemachine.MetaMachineTest.shard;
import static org.assertj.core.api.Assertions.assertThat;

import io.qraft.api.log.v1.BeginMove;
import io.qraft.api.log.v1.ClearStalePart;
import io.qraft.api.log.v1.DropPart;
import io.qraft.api.log.v1.FinishMove;
import io.qraft.api.log.v1.MetaCommand;
import io.qraft.api.log.v1.QueueDef;
import io.qraft.api.log.v1.StalePart;
import io.qraft.api.log.v1.UnbindQueue;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * ha-promote-on-shutdown always in the metadata: an old part given up is no longer delivered
 * from, its messages are counted, and the shard that kept its records never takes the queue's
 * name again until those records are deleted.
 */
class MetaMachineGiveUpTest {
  private static final String G1 = "00000000-0000-0000-0000-000000000001";
  private static final String G2 = "00000000-0000-0000-0000-000000000002";
  private static final String G3 = "00000000-0000-0000-0000-000000000003";

  private MetaMachine meta;

  /** q moved from G1 to G2 and left 40 messages behind in G1. */
  @BeforeEach
  void queueWithAnOldPart() {
    meta = new MetaMachine();
    for (String g : List.of(G1, G2, G3)) {
      assertThat(meta.apply(add(shard(g, "n1", false))).getErrorCode()).isZero();
    }
    assertThat(meta.apply(bind("q", Map.of(), G1)).getErrorCode()).isZero();
    ok(MetaCommand.newBuilder().setBeginMove(BeginMove.newBuilder().setQueue("q").setToGroup(G2)).build());
    ok(MetaCommand.newBuilder().setFinishMove(FinishMove.newBuilder().setQueue("q").setToGroup(G2)
        .setOldPartHasMessages(true).setOldPartMessages(40)).build());
    assertThat(meta.queue("q").getOldPartsList()).containsExactly(G1);
  }

  private void ok(MetaCommand c) {
    assertThat(meta.apply(c).getErrorCode()).isZero();
  }

  private static MetaCommand giveUp(String group, long seen) {
    return MetaCommand.newBuilder().setDropPart(DropPart.newBuilder().setQueue("q").setGroup(group)
        .setGivenUp(true).setMessagesSeen(seen)).build();
  }

  private static MetaCommand cleared(String group, long messages) {
    return MetaCommand.newBuilder().setClearStalePart(ClearStalePart.newBuilder().setQueue("q").setGroup(group)
        .setMessages(messages)).build();
  }

  @Test
  void aGivenUpPartLeavesTheQueueAndIsCountedAndRemembered() {
    QueueDef after = meta.apply(giveUp(G1, 40)).getQueue();

    assertThat(after.getOldPartsList()).isEmpty();
    assertThat(after.getGroup()).isEqualTo(G2);
    assertThat(after.getGivenUpMessages()).isEqualTo(40);
    assertThat(meta.staleParts()).containsExactly(
        StalePart.newBuilder().setQueue("q").setGroup(G1).setEstimated(40).build());
    assertThat(meta.staleGroups("q")).containsExactly(G1);
    assertThat(meta.staleGroups("other")).isEmpty();
    // Applied again (a new metadata leader repeating the step): counted once.
    assertThat(meta.apply(giveUp(G1, 40)).getCreated()).isFalse();
    assertThat(meta.queue("q").getGivenUpMessages()).isEqualTo(40);
  }

  @Test
  void eachOldPartKeepsItsCountAtSealUntilItIsDropped() {
    assertThat(meta.queue("q").getOldPartSealedMessagesMap()).containsExactly(Map.entry(G1, 40L));
    ok(MetaCommand.newBuilder().setBeginMove(BeginMove.newBuilder().setQueue("q").setToGroup(G3)).build());
    ok(MetaCommand.newBuilder().setFinishMove(FinishMove.newBuilder().setQueue("q").setToGroup(G3)
        .setOldPartHasMessages(true).setOldPartMessages(3)).build());
    assertThat(meta.queue("q").getOldPartSealedMessagesMap()).containsOnly(Map.entry(G1, 40L), Map.entry(G2, 3L));

    ok(giveUp(G1, 40));
    assertThat(meta.queue("q").getOldPartSealedMessagesMap()).containsOnly(Map.entry(G2, 3L));
    ok(MetaCommand.newBuilder().setDropPart(DropPart.newBuilder().setQueue("q").setGroup(G2)).build());
    assertThat(meta.queue("q").getOldPartSealedMessagesMap()).isEmpty();
  }

  @Test
  void theCountBecomesExactWhenTheRecordsAreDeleted() {
    ok(giveUp(G1, 40));
    // Consumers had settled three more before the part stopped answering.
    assertThat(meta.apply(cleared(G1, 37)).getCreated()).isTrue();

    assertThat(meta.queue("q").getGivenUpMessages()).isEqualTo(37);
    assertThat(meta.staleParts()).isEmpty();
    assertThat(meta.apply(cleared(G1, 37)).getCreated()).isFalse();
    assertThat(meta.queue("q").getGivenUpMessages()).isEqualTo(37);
  }

  @Test
  void aShardWithStaleRecordsNeverTakesTheQueueAgain() {
    ok(giveUp(G1, 40));

    io.qraft.api.log.v1.MetaResult back = meta.apply(MetaCommand.newBuilder().setBeginMove(BeginMove.newBuilder()
        .setQueue("q").setToGroup(G1)).build());
    assertThat(back.getErrorCode()).isEqualTo(Status.FAILED_PRECONDITION);
    assertThat(back.getErrorMessage()).contains("gave up").contains(G1);
    assertThat(meta.queue("q").getMovingTo()).as("a refused move changes nothing").isEmpty();
    // Deleted and declared again: the stale records outlive the queue, so the shard still refuses it.
    ok(MetaCommand.newBuilder().setUnbindQueue(UnbindQueue.newBuilder().setQueue("q")).build());
    assertThat(meta.staleGroups("q")).containsExactly(G1);
    io.qraft.api.log.v1.MetaResult rebound = meta.apply(bind("q", Map.of(), G1));
    assertThat(rebound.getErrorCode()).isEqualTo(Status.FAILED_PRECONDITION);
    assertThat(rebound.getErrorMessage()).contains("given up");
    assertThat(meta.queue("q")).as("a refused bind stores nothing").isNull();
    assertThat(meta.apply(bind("q", Map.of(), G3)).getErrorCode()).isZero();
    // Cleared after the queue came back elsewhere: its new count is not touched by the old part.
    ok(cleared(G1, 37));
    assertThat(meta.queue("q").getGivenUpMessages()).isZero();
    assertThat(meta.apply(bind("q2", Map.of(), G1)).getErrorCode()).isZero();
  }

  @Test
  void aStaleShardCanBeRemovedAndTakesItsRecordsWithIt() {
    ok(giveUp(G1, 40));
    assertThat(meta.queueUsing(G1)).isNull();

    ok(remove(G1));

    assertThat(meta.staleParts()).isEmpty();
    assertThat(meta.queue("q").getGivenUpMessages()).isEqualTo(40);
  }

  @Test
  void staleRecordsAndCountsAreInSnapshots() {
    ok(giveUp(G1, 40));
    MetaMachine restored = new MetaMachine();
    restored.load(meta.export());

    assertThat(restored.export()).isEqualTo(meta.export());
    assertThat(restored.staleGroups("q")).containsExactly(G1);
    assertThat(restored.queue("q").getGivenUpMessages()).isEqualTo(40);
  }
}
