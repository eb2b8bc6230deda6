package io.qraft.statemachine;

import static io.qraft.statemachine.Cmd.carried;
import static io.qraft.statemachine.Cmd.synced;
import static io.qraft.statemachine.Cmd.tag;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.tuple;

import io.qraft.api.log.v1.CarriedSequence;
import io.qraft.api.log.v1.PublishResult;
import io.qraft.api.log.v1.QueuePublish;
import io.qraft.api.log.v1.QueueRecord;
import io.qraft.api.log.v1.SealState;
import io.qraft.api.log.v1.ShardCommand;
import io.qraft.api.log.v1.ShardResult;
import io.qraft.api.log.v1.StoredMessage;
import io.qraft.api.log.v1.SyncedMessage;
import io.qraft.api.v1.Delivery;
import io.qraft.storage.RocksQueueStore;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Moving a queue between shards: the old shard seals it, the new one adopts
 * it from the seal's next offset, and a sync copies the old part's messages
 * over, top down. Two shards here: {@code old} and {@code fresh}.
 */
class QueueMoveTest {
  private static final String TO = "group-2";

  private TestShard old;
  private TestShard fresh;

  @BeforeEach
  void openShards() {
    old = TestShard.inMemory();
    fresh = TestShard.inMemory();
    old.applyOk(Cmd.create("q"));
    old.applyOk(Cmd.create("other"));
  }

  @AfterEach
  void closeShards() {
    old.assertConsistent();
    fresh.assertConsistent();
    old.close();
    fresh.close();
  }

  private static QueuePublish from(String queue, String producer, long sequence, String... bodies) {
    return Cmd.publishOf(queue, bodies).toBuilder().setProducerId(producer).setSequence(sequence).build();
  }

  private static List<Long> offsets(List<Delivery> deliveries) {
    return deliveries.stream().map(d -> d.getTag().getOffset()).toList();
  }

  private static List<Long> syncedOffsets(ShardResult r) {
    return r.getSyncedList().stream().map(SyncedMessage::getOffset).toList();
  }

  private static String[] bodies(int from, int to) {
    List<String> out = new ArrayList<>();
    for (int i = from; i < to; i++) {
      out.add("m" + i);
    }
    return out.toArray(String[]::new);
  }

  // ---- seal ----

  @Test
  void aSealedQueueRefusesPublishesAndStoresNothingWhileOtherPublishesOfTheEntryApply() {
    old.applyOk(Cmd.publish("q", "a", "b"));
    old.applyOk(Cmd.seal("q"));
    List<String> before = old.dump();

    ShardResult r = old.applyOk(Cmd.enqueue(Cmd.publishOf("q", "c"), Cmd.publishOf("other", "d")));

    PublishResult refused = r.getPublishes(0);
    assertThat(refused.getErrorCode()).isEqualTo(Status.UNAVAILABLE);
    assertThat(refused.getErrorMessage()).isEqualTo("queue 'q' is moving to another shard; retry");
    assertThat(refused.getOffsetsList()).isEmpty();
    assertThat(r.getPublishes(1).getErrorCode()).isEqualTo(Status.OK);
    assertThat(r.getPublishes(1).getOffsetsList()).containsExactly(0L);
    assertThat(old.storedOffsets("q")).containsExactly(0L, 1L);
    assertThat(old.record("q").getNextOffset()).isEqualTo(2);
    assertThat(old.dump().stream().filter(line -> line.contains(" q ")).toList())
        .isEqualTo(before.stream().filter(line -> line.contains(" q ")).toList());
    assertThat(old.storedRecord("q").getSealed()).isTrue();
  }

  @Test
  void aRetryOfASequenceStoredBeforeTheSealIsStillAnsweredWithItsOffsets() {
    old.applyOk(Cmd.enqueue(from("q", "p", 1, "a", "b")));
    old.applyOk(Cmd.seal("q"));

    PublishResult retry = old.applyOk(Cmd.enqueue(from("q", "p", 1, "a", "b"))).getPublishes(0);
    PublishResult next = old.applyOk(Cmd.enqueue(from("q", "p", 2, "c"))).getPublishes(0);

    assertThat(retry.getErrorCode()).isEqualTo(Status.OK);
    assertThat(retry.getDuplicate()).isTrue();
    assertThat(retry.getOffsetsList()).containsExactly(0L, 1L);
    assertThat(next.getErrorCode()).isEqualTo(Status.UNAVAILABLE);
    assertThat(old.record("q").getMessages()).isEqualTo(2);
  }

  @Test
  void sealReportsTheNextOffsetTheMessagesAndTheStoredSequencesInIndexOrder() {
    old.applyOk(Cmd.enqueue(from("q", "p", 1, "a", "b")));
    old.applyOk(Cmd.enqueue(from("q", "z", 9, "c"), from("q", "a", 4, "d"), from("other", "p", 3, "x")));
    old.applyOk(Cmd.enqueue(from("q", "", 5, "no producer")));
    old.deliver("q", "c1", 1);
    old.applyOk(Cmd.enqueue(from("q", "p", 2, "e")));

    SealState sealed = old.applyOk(Cmd.seal("q")).getSealed();

    assertThat(sealed.getNextOffset()).isEqualTo(6);
    assertThat(sealed.getMessages()).isEqualTo(6);
    // By the index that stored them; one entry's by producer, then sequence. No other queue's.
    assertThat(sealed.getSequencesList()).containsExactly(
        carried("p", 1, 0L, 1L), carried("a", 4, 3L), carried("z", 9, 2L), carried("p", 2, 5L));
  }

  @Test
  void sealAppliedAgainOnlyReports() {
    old.applyOk(Cmd.enqueue(from("q", "p", 1, "a")));
    ShardResult first = old.applyOk(Cmd.seal("q"));
    List<String> dump = old.dump();
    QueueRecord record = old.record("q");

    ShardResult again = old.applyOk(Cmd.seal("q"));

    assertThat(again).isEqualTo(first);
    assertThat(old.dump()).isEqualTo(dump);
    assertThat(old.record("q")).isEqualTo(record);
    assertThat(old.apply(Cmd.seal("missing")).getErrorCode()).isEqualTo(Status.NOT_FOUND);
  }

  @Test
  void sealCarriesOnlyTheSequencesOfTheHighestIndexes() {
    int stored = Producers.MAX_CARRIED + 3;
    for (int s = 1; s <= stored; s++) {
      old.applyOk(Cmd.enqueue(from("q", "p", s, "m")));
    }

    List<CarriedSequence> carried = old.applyOk(Cmd.seal("q")).getSealed().getSequencesList();

    assertThat(carried).hasSize(Producers.MAX_CARRIED);
    assertThat(carried.get(0)).isEqualTo(carried("p", 4, 3L));
    assertThat(carried.get(carried.size() - 1)).isEqualTo(carried("p", stored, stored - 1L));
  }

  // ---- adopt ----

  @Test
  void adoptContinuesTheOffsetsAndRecognisesACarriedSequenceAsADuplicate() {
    ShardResult adopted = fresh.applyOk(Cmd.adopt("q", Map.of("ack-mode", "quorum"), 10,
        List.of(carried("p", 7, 8L, 9L), carried("", 1, 3L))));

    assertThat(adopted.getCreated()).isTrue();
    QueueRecord r = fresh.record("q");
    assertThat(r.getNextOffset()).isEqualTo(10);
    assertThat(r.getSyncFloor()).isEqualTo(10);
    assertThat(r.getOperations()).isEqualTo(1);
    assertThat(r.getArgumentsMap()).isEqualTo(Map.of("ack-mode", "quorum"));
    assertThat(r.getSealed()).isFalse();
    assertThat(fresh.storedRecord("q")).isEqualTo(r);

    PublishResult retry = fresh.applyOk(Cmd.enqueue(from("q", "p", 7, "a", "b"))).getPublishes(0);
    assertThat(retry.getDuplicate()).isTrue();
    assertThat(retry.getOffsetsList()).containsExactly(8L, 9L);
    assertThat(fresh.applyOk(Cmd.enqueue(from("q", "p", 8, "c"))).getPublishes(0).getOffsetsList())
        .containsExactly(10L);
    assertThat(fresh.applyOk(Cmd.publish("q", "d")).getPublishes(0).getOffsetsList()).containsExactly(11L);
    assertThat(fresh.record("q").getMessages()).isEqualTo(2);
  }

  @Test
  void aCarriedSequenceExpiresAWindowAfterTheAdopt() {
    fresh.applyOk(Cmd.adopt("q", 10, carried("p", 7, 8L)));

    long inside = Cmd.LEADER_TIME_MS + Producers.WINDOW_MS;
    assertThat(fresh.applyOk(Cmd.enqueueAt(inside, from("q", "p", 7, "a"))).getPublishes(0).getDuplicate())
        .isTrue();
    fresh.applyOk(Cmd.enqueueAt(inside + 1, Cmd.publishOf("q", "x")));
    assertThat(Producers.remembered(fresh.store, "q", "p", 7)).isNull();
    assertThat(fresh.applyOk(Cmd.enqueueAt(inside + 1, from("q", "p", 7, "a"))).getPublishes(0).getDuplicate())
        .isFalse();
  }

  @Test
  void adoptAppliedAgainIsANoOp() {
    fresh.applyOk(Cmd.adopt("q", 10, carried("p", 7, 8L)));
    fresh.applyOk(Cmd.publish("q", "a"));
    List<String> dump = fresh.dump();
    QueueRecord record = fresh.record("q");
    byte[] before = fresh.export();

    ShardResult again = fresh.applyOk(Cmd.adopt("q", 10, carried("p", 7, 8L)));
    ShardResult lower = fresh.applyOk(Cmd.adopt("q", 3));

    assertThat(again.getCreated()).isFalse();
    assertThat(lower.getCreated()).isFalse();
    assertThat(fresh.dump()).isEqualTo(dump);
    assertThat(fresh.record("q")).isEqualTo(record);
    // Only the applied index differs in the export: no sequence or expiry record was written.
    try (TestShard a = TestShard.restoredFrom(before); TestShard b = TestShard.restoredFrom(fresh.export())) {
      assertThat(b.dump()).isEqualTo(a.dump());
      List<Long> expiries = new ArrayList<>();
      b.store.scanSequenceExpiries(0, (index, value) -> expiries.add(index));
      assertThat(expiries).hasSize(1);
    }
  }

  @Test
  void adoptOfAQueueThatIsSealedHasOtherArgumentsOrLowerOffsetsIsRefused() {
    fresh.applyOk(Cmd.create("sealed"));
    fresh.applyOk(Cmd.seal("sealed"));
    fresh.applyOk(Cmd.create("quorum", Map.of("ack-mode", "quorum")));
    fresh.applyOk(Cmd.create("plain"));
    List<String> dump = fresh.dump();

    ShardResult sealed = fresh.apply(Cmd.adopt("sealed", 0));
    ShardResult arguments = fresh.apply(Cmd.adopt("quorum", 0));
    ShardResult behind = fresh.apply(Cmd.adopt("plain", 5));

    assertThat(List.of(sealed, arguments, behind)).extracting(ShardResult::getErrorCode)
        .containsOnly(Status.FAILED_PRECONDITION);
    assertThat(sealed.getErrorMessage()).contains("'sealed'", "sealed");
    assertThat(arguments.getErrorMessage()).contains("'quorum'", "arguments");
    assertThat(behind.getErrorMessage()).contains("'plain'", "next offset 0", "5");
    assertThat(fresh.dump()).isEqualTo(dump);
  }

  // ---- sync ----

  @Test
  void aFullCopyRoundMovesTheOldPartTopDown() {
    old.applyOk(Cmd.publish("q", bodies(0, 10)));
    assertThat(offsets(old.deliver("q", "c1", 2))).containsExactly(0L, 1L);
    SealState sealed = old.applyOk(Cmd.seal("q")).getSealed();
    assertThat(sealed.getNextOffset()).isEqualTo(10);
    assertThat(sealed.getMessages()).isEqualTo(10);
    fresh.applyOk(Cmd.adopt("q", sealed.getNextOffset()));

    // Old shard: the three highest ready messages are marked for the copy.
    ShardResult out = old.applyOk(Cmd.syncOut("q", TO, 3));
    assertThat(out.getSyncedList()).extracting(SyncedMessage::getOffset,
            m -> m.getStored().getMessage().getBody().toStringUtf8(), m -> m.getStored().getDeliveryCount(),
            m -> m.getStored().getEnqueuedAtMs(), m -> m.getStored().getConsumerId())
        .containsExactly(tuple(7L, "m7", 0, Cmd.LEADER_TIME_MS, ""), tuple(8L, "m8", 0, Cmd.LEADER_TIME_MS, ""),
            tuple(9L, "m9", 0, Cmd.LEADER_TIME_MS, ""));
    assertThat(old.marks("q").get(8L).getConsumerId()).isEqualTo("sync:" + TO);
    assertThat(old.record("q").getUnacked()).isEqualTo(5);
    old.assertConsistent();

    // No consumer gets them, a new leader does not return them, no consumer settles them.
    assertThat(offsets(old.deliver("q", "c2", 10))).containsExactly(2L, 3L, 4L, 5L, 6L);
    assertThat(old.applyOk(Cmd.returnAll()).getCount()).isEqualTo(7);
    assertThat(old.apply(Cmd.ack("q", tag(7, 0))).getErrorCode()).isEqualTo(Status.FAILED_PRECONDITION);
    assertThat(old.apply(Cmd.requeue("q", tag(8, 0))).getErrorCode()).isEqualTo(Status.FAILED_PRECONDITION);
    assertThat(old.marks("q").get(9L).getConsumerId()).isEqualTo("sync:" + TO);

    // Asked again (the copier lost the answer): the same messages, nothing new marked.
    List<String> dump = old.dump();
    assertThat(old.applyOk(Cmd.syncOut("q", TO, 5))).isEqualTo(out);
    assertThat(old.dump()).isEqualTo(dump);

    // New shard: stored at their own offsets; the same chunk again is skipped.
    fresh.events.drain();
    assertThat(fresh.applyOk(Cmd.syncIn("q", out.getSyncedList())).getCount()).isEqualTo(3);
    assertThat(fresh.events.drain()).containsExactly("ready q");
    assertThat(fresh.storedOffsets("q")).containsExactly(7L, 8L, 9L);
    assertThat(fresh.record("q").getSyncFloor()).isEqualTo(7);
    assertThat(fresh.record("q").getMessages()).isEqualTo(3);
    assertThat(fresh.storedMessage("q", 8)).isEqualTo(StoredMessage.newBuilder()
        .setMessage(Cmd.message("m8")).setEnqueuedAtMs(Cmd.LEADER_TIME_MS).build());
    List<String> freshDump = fresh.dump();
    assertThat(fresh.applyOk(Cmd.syncIn("q", out.getSyncedList())).getCount()).isZero();
    assertThat(fresh.dump()).isEqualTo(freshDump);

    // Old shard: the copied messages go; done again removes nothing.
    assertThat(old.applyOk(Cmd.syncDone("q", TO)).getCount()).isEqualTo(3);
    assertThat(old.storedOffsets("q")).containsExactly(0L, 1L, 2L, 3L, 4L, 5L, 6L);
    assertThat(old.marks("q").values()).allSatisfy(m -> assertThat(m.getConsumerId()).isEmpty());
    assertThat(old.record("q").getMessages()).isEqualTo(7);
    assertThat(old.record("q").getUnacked()).isZero();
    assertThat(old.applyOk(Cmd.syncDone("q", TO)).getCount()).isZero();

    // The next chunk is the next highest; then the rest.
    ShardResult second = old.applyOk(Cmd.syncOut("q", TO, 3));
    assertThat(syncedOffsets(second)).containsExactly(4L, 5L, 6L);
    assertThat(fresh.applyOk(Cmd.syncIn("q", second.getSyncedList())).getCount()).isEqualTo(3);
    assertThat(fresh.applyOk(Cmd.syncIn("q", out.getSyncedList())).getCount()).isZero();
    old.applyOk(Cmd.syncDone("q", TO));
    ShardResult third = old.applyOk(Cmd.syncOut("q", TO, 100));
    assertThat(syncedOffsets(third)).containsExactly(0L, 1L, 2L, 3L);
    assertThat(fresh.applyOk(Cmd.syncIn("q", third.getSyncedList())).getCount()).isEqualTo(4);
    assertThat(old.applyOk(Cmd.syncDone("q", TO)).getCount()).isEqualTo(4);
    assertThat(old.record("q").getMessages()).isZero();
    assertThat(old.applyOk(Cmd.syncOut("q", TO, 3)).getSyncedList()).isEmpty();

    // New shard: the copies come first, lowest offset first, then what was published there.
    fresh.applyOk(Cmd.publish("q", "m10"));
    assertThat(fresh.deliver("q", "c9", 100))
        .extracting(d -> d.getTag().getOffset(), d -> d.getMessage().getBody().toStringUtf8(),
            Delivery::getRedelivered)
        .containsExactly(tuple(0L, "m0", true), tuple(1L, "m1", true), tuple(2L, "m2", true),
            tuple(3L, "m3", true), tuple(4L, "m4", true), tuple(5L, "m5", true), tuple(6L, "m6", true),
            tuple(7L, "m7", false), tuple(8L, "m8", false), tuple(9L, "m9", false), tuple(10L, "m10", false));
    assertThat(fresh.record("q").getSyncFloor()).isZero();
  }

  @Test
  void aCopiedMessageKeepsItsDeliveryCountAndTheRedeliveredFlag() {
    old.applyOk(Cmd.publish("q", "m0", "m1", "m2"));
    old.deliver("q", "c1", 1);
    old.applyOk(Cmd.requeue("q", tag(0, 1)));
    old.applyOk(Cmd.seal("q"));

    ShardResult out = old.applyOk(Cmd.syncOut("q", TO, 10));
    assertThat(out.getSyncedList()).extracting(SyncedMessage::getOffset, m -> m.getStored().getDeliveryCount())
        .containsExactly(tuple(0L, 1), tuple(1L, 0), tuple(2L, 0));
    fresh.applyOk(Cmd.adopt("q", 3));
    fresh.applyOk(Cmd.syncIn("q", out.getSyncedList()));

    assertThat(fresh.storedMessage("q", 0).getDeliveryCount()).isZero();
    assertThat(fresh.marks("q")).containsOnlyKeys(0L);
    assertThat(fresh.marks("q").get(0L).getConsumerId()).isEmpty();
    assertThat(fresh.marks("q").get(0L).getDeliveryCount()).isEqualTo(1);
    fresh.restart();
    assertThat(fresh.deliver("q", "c1", 10))
        .extracting(d -> d.getTag().getOffset(), d -> d.getTag().getDeliveryCount(), Delivery::getRedelivered)
        .containsExactly(tuple(0L, 2, true), tuple(1L, 1, false), tuple(2L, 1, false));
  }

  /**
   * A message out with a consumer above the copied ones could come back and
   * then sit above the new shard's floor, where SyncIn skips it as copied: the
   * copy takes nothing below an outstanding delivery, so nothing is lost.
   */
  @Test
  void theCopyTakesNothingBelowAnOffsetThatIsOutWithAConsumer() {
    old.applyOk(Cmd.publish("q", bodies(0, 10)));
    old.deliver("q", "c1", 9);
    old.applyOk(Cmd.ack("q", tag(0, 1), tag(1, 1), tag(2, 1), tag(3, 1), tag(4, 1)));
    old.applyOk(Cmd.requeue("q", tag(5, 1), tag(6, 1), tag(7, 1)));
    old.applyOk(Cmd.seal("q"));
    fresh.applyOk(Cmd.adopt("q", 10));

    ShardResult first = old.applyOk(Cmd.syncOut("q", TO, 3));
    assertThat(syncedOffsets(first)).containsExactly(9L);
    fresh.applyOk(Cmd.syncIn("q", first.getSyncedList()));
    old.applyOk(Cmd.syncDone("q", TO));
    assertThat(old.applyOk(Cmd.syncOut("q", TO, 3)).getSyncedList()).isEmpty();

    old.applyOk(Cmd.returnOf("c1"));
    ShardResult second = old.applyOk(Cmd.syncOut("q", TO, 3));
    assertThat(syncedOffsets(second)).containsExactly(6L, 7L, 8L);
    assertThat(fresh.applyOk(Cmd.syncIn("q", second.getSyncedList())).getCount()).isEqualTo(3);
    old.applyOk(Cmd.syncDone("q", TO));

    TreeSet<Long> everywhere = new TreeSet<>(old.storedOffsets("q"));
    everywhere.addAll(fresh.storedOffsets("q"));
    assertThat(everywhere).containsExactly(5L, 6L, 7L, 8L, 9L);
  }

  @Test
  void aCopyIsReturnedOnlyByItsOwnIdAndNoConsumerCanTakeThatId() {
    old.applyOk(Cmd.publish("q", "m0", "m1"));
    old.deliver("q", "c1", 1);
    old.applyOk(Cmd.requeue("q", tag(0, 1)));
    old.applyOk(Cmd.seal("q"));
    old.applyOk(Cmd.syncOut("q", TO, 5));

    assertThat(old.applyOk(Cmd.returnOf("sync:other")).getCount()).isZero();
    assertThat(old.applyOk(Cmd.returnAll()).getCount()).isZero();
    assertThat(old.apply(Cmd.deliver("q", "sync:" + TO, 1)).getErrorCode()).isEqualTo(Status.INVALID_ARGUMENT);

    assertThat(old.applyOk(Cmd.returnOf("sync:" + TO)).getCount()).isEqualTo(2);
    // Back as they were: a prior delivery is remembered, a never-delivered message has no mark.
    assertThat(old.marks("q")).containsOnlyKeys(0L);
    assertThat(old.marks("q").get(0L).getDeliveryCount()).isEqualTo(1);
    assertThat(old.deliver("q", "c2", 5))
        .extracting(d -> d.getTag().getOffset(), d -> d.getTag().getDeliveryCount(), Delivery::getRedelivered)
        .containsExactly(tuple(0L, 2, true), tuple(1L, 1, false));
    assertThat(old.applyOk(Cmd.syncDone("q", TO)).getCount()).isZero();
  }

  @Test
  void copiesToTwoGroupsAreKeptApart() {
    old.applyOk(Cmd.publish("q", bodies(0, 4)));
    old.applyOk(Cmd.seal("q"));
    assertThat(syncedOffsets(old.applyOk(Cmd.syncOut("q", "g1", 1)))).containsExactly(3L);
    // Below the other copy's mark: it could come back.
    assertThat(old.applyOk(Cmd.syncOut("q", "g2", 1)).getSyncedList()).isEmpty();
    assertThat(old.applyOk(Cmd.syncDone("q", "g2")).getCount()).isZero();
    assertThat(old.applyOk(Cmd.syncDone("q", "g1")).getCount()).isEqualTo(1);
    assertThat(syncedOffsets(old.applyOk(Cmd.syncOut("q", "g2", 1)))).containsExactly(2L);
  }

  @Test
  void aChunkSplitOtherwiseOnARetryStoresOnlyWhatIsBelowTheFloor() {
    fresh.applyOk(Cmd.adopt("q", 10));
    fresh.applyOk(Cmd.syncIn("q", List.of(synced(8, "m8", 1, 0), synced(9, "m9", 1, 0))));
    fresh.deliver("q", "c1", 1);
    fresh.applyOk(Cmd.ack("q", tag(8, 1)));

    // 8 and 9 were copied before (8 consumed since): only 6 and 7 are new.
    ShardResult r = fresh.applyOk(Cmd.syncIn("q",
        List.of(synced(6, "m6", 1, 0), synced(7, "m7", 1, 1), synced(8, "m8", 1, 0), synced(9, "m9", 1, 0))));

    assertThat(r.getCount()).isEqualTo(2);
    assertThat(fresh.storedOffsets("q")).containsExactly(6L, 7L, 9L);
    assertThat(fresh.record("q").getSyncFloor()).isEqualTo(6);
    assertThat(fresh.marks("q")).containsOnlyKeys(7L);
  }

  @Test
  void syncOutStopsBeforeTheBodiesPassMaxBytesButTakesAtLeastOne() {
    old.applyOk(Cmd.publish("q", "aaaa", "bbbb", "cccc", "dddddddddd"));
    old.applyOk(Cmd.seal("q"));

    assertThat(syncedOffsets(old.applyOk(withMaxBytes(Cmd.syncOut("q", TO, 10), 4)))).containsExactly(3L);
    old.applyOk(Cmd.syncDone("q", TO));
    assertThat(syncedOffsets(old.applyOk(withMaxBytes(Cmd.syncOut("q", TO, 10), 9)))).containsExactly(1L, 2L);
    old.applyOk(Cmd.syncDone("q", TO));
    assertThat(syncedOffsets(old.applyOk(withMaxBytes(Cmd.syncOut("q", TO, 10), 0)))).containsExactly(0L);
  }

  private static ShardCommand withMaxBytes(ShardCommand syncOut, long maxBytes) {
    return syncOut.toBuilder().setSyncOut(syncOut.getSyncOut().toBuilder().setMaxBytes(maxBytes)).build();
  }

  @Test
  void refusedSyncCommandsChangeNothing() {
    old.applyOk(Cmd.publish("q", "a"));
    fresh.applyOk(Cmd.adopt("q", 5));
    fresh.applyOk(Cmd.create("created"));
    List<String> oldDump = old.dump();

    assertThat(old.apply(Cmd.syncOut("missing", TO, 1)).getErrorCode()).isEqualTo(Status.NOT_FOUND);
    ShardResult unsealed = old.apply(Cmd.syncOut("q", TO, 1));
    assertThat(unsealed.getErrorCode()).isEqualTo(Status.FAILED_PRECONDITION);
    assertThat(unsealed.getErrorMessage()).contains("'q'", "not sealed");
    assertThat(old.apply(Cmd.syncDone("missing", TO)).getErrorCode()).isEqualTo(Status.NOT_FOUND);
    assertThat(old.applyOk(Cmd.syncDone("q", TO)).getCount()).isZero();

    assertThat(fresh.apply(Cmd.syncIn("missing", List.of(synced(0, "x", 1, 0)))).getErrorCode())
        .isEqualTo(Status.NOT_FOUND);
    ShardResult beyond = fresh.apply(Cmd.syncIn("q", List.of(synced(1, "x", 1, 0), synced(5, "y", 1, 0))));
    assertThat(beyond.getErrorCode()).isEqualTo(Status.INVALID_ARGUMENT);
    assertThat(beyond.getErrorMessage()).contains("offset 5", "'q'");
    assertThat(fresh.apply(Cmd.syncIn("q", List.of(synced(1, "x", 1, 0), synced(1, "x", 1, 0)))).getErrorCode())
        .isEqualTo(Status.INVALID_ARGUMENT);
    assertThat(fresh.applyOk(Cmd.syncIn("q", List.of())).getCount()).isZero();
    assertThat(fresh.applyOk(Cmd.syncIn("q", List.of(synced(4, "x", 1, 0), synced(3, "y", 1, 0)))).getCount())
        .isEqualTo(2);
    List<String> freshDump = fresh.dump();
    assertThat(fresh.applyOk(Cmd.syncIn("q", List.of(synced(3, "y", 1, 0), synced(4, "x", 1, 0)))).getCount())
        .isZero();
    assertThat(fresh.apply(Cmd.syncIn("q", List.of(synced(-1, "x", 1, 0)))).getErrorCode())
        .isEqualTo(Status.INVALID_ARGUMENT);
    assertThat(fresh.apply(Cmd.adopt("huge", -1)).getErrorCode()).isEqualTo(Status.INVALID_ARGUMENT);
    // A queue that was created, not adopted, has nothing below it to copy in.
    fresh.applyOk(Cmd.publish("created", "c"));
    assertThat(fresh.applyOk(Cmd.syncIn("created", List.of(synced(0, "x", 1, 0)))).getCount()).isZero();
    freshDump.removeIf(line -> line.contains(" created "));
    List<String> now = new ArrayList<>(fresh.dump());
    now.removeIf(line -> line.contains(" created "));
    assertThat(now).isEqualTo(freshDump);
    assertThat(old.dump()).isEqualTo(oldDump);
  }

  // ---- replicas ----

  /** One shard that is the old one of queue "q" and the new one of queue "moved". */
  static final List<ShardCommand> MOVES = List.of(
      Cmd.create("q"),
      Cmd.enqueue(from("q", "p", 1, bodies(0, 6))),
      Cmd.deliver("q", "c1", 2),
      Cmd.requeue("q", tag(1, 1)),
      Cmd.seal("q"),
      Cmd.enqueue(from("q", "p", 1, "retry"), from("q", "p", 2, "refused")),
      Cmd.adopt("moved", Map.of("ack-mode", "quorum"), 20, List.of(carried("p", 4, 18L, 19L))),
      Cmd.syncOut("q", TO, 2),
      Cmd.deliver("q", "c2", 10),
      Cmd.returnAll(),
      Cmd.syncOut("q", TO, 2),
      Cmd.syncIn("moved", List.of(synced(17, "s17", 5, 2), synced(16, "s16", 6, 0))),
      Cmd.syncIn("moved", List.of(synced(17, "s17", 5, 2), synced(16, "s16", 6, 0))),
      Cmd.syncDone("q", TO),
      Cmd.syncOut("q", TO, 3),
      Cmd.enqueue(from("moved", "p", 4, "dup"), from("moved", "p", 5, "new")),
      Cmd.ack("q", tag(4, 0)),
      Cmd.seal("q"),
      Cmd.adopt("moved", Map.of("ack-mode", "quorum"), 20, List.of()),
      Cmd.syncIn("moved", List.of(synced(3, "s3", 7, 1))),
      Cmd.deliver("moved", "c3", 2),
      Cmd.returnOf("sync:" + TO),
      Cmd.syncOut("q", TO, 1),
      Cmd.deliver("moved", "c3", 10));

  @Test
  void replicasApplyingTheMoveCommandsExportTheSameBytesWhateverTheirHistory() {
    List<ShardResult> results = new ArrayList<>();
    byte[] export;
    try (TestShard a = TestShard.inMemory(); TestShard b = TestShard.inMemory()) {
      for (ShardCommand c : MOVES) {
        ShardResult r = a.apply(c);
        assertThat(b.apply(c)).isEqualTo(r);
        results.add(r);
        a.assertConsistent();
      }
      export = a.export();
      assertThat(b.export()).isEqualTo(export);
      assertThat(a.record("q").getSealed()).isTrue();
      assertThat(a.record("moved").getSyncFloor()).isEqualTo(3);
    }
    assertThat(results.get(5).getPublishes(0).getDuplicate()).isTrue();
    assertThat(results.get(5).getPublishes(1).getErrorCode()).isEqualTo(Status.UNAVAILABLE);
    assertThat(results.get(15).getPublishes(0).getOffsetsList()).containsExactly(18L, 19L);

    for (int split = 0; split <= MOVES.size(); split++) {
      byte[] snapshot;
      try (TestShard prefix = TestShard.inMemory()) {
        MOVES.subList(0, split).forEach(prefix::apply);
        snapshot = prefix.export();
      }
      try (TestShard restored = TestShard.restoredFrom(snapshot); TestShard restarted = TestShard.inMemory()) {
        MOVES.subList(0, split).forEach(restarted::apply);
        restarted.restart();
        for (int i = split; i < MOVES.size(); i++) {
          assertThat(restored.apply(MOVES.get(i))).as("entry %d after a snapshot at %d", i + 1, split)
              .isEqualTo(results.get(i));
          assertThat(restarted.apply(MOVES.get(i))).as("entry %d after a restart at %d", i + 1, split)
              .isEqualTo(results.get(i));
        }
        assertThat(restored.export()).as("snapshot at %d", split).isEqualTo(export);
        assertThat(restarted.export()).as("restart at %d", split).isEqualTo(export);
      }
    }
  }

  @Test
  void copyMarksAndTheSealSurviveAReopenOfRocksDb(@TempDir Path dir) throws Exception {
    ShardResult out;
    try (TestShard rocks = new TestShard(RocksQueueStore.open(dir.resolve("store")))) {
      rocks.applyOk(Cmd.create("q"));
      rocks.applyOk(Cmd.publish("q", bodies(0, 5)));
      rocks.deliver("q", "c1", 1);
      rocks.applyOk(Cmd.seal("q"));
      out = rocks.applyOk(Cmd.syncOut("q", TO, 2));
      assertThat(syncedOffsets(out)).containsExactly(3L, 4L);
    }
    try (TestShard reopened = new TestShard(RocksQueueStore.open(dir.resolve("store")))) {
      reopened.assertConsistent();
      assertThat(reopened.record("q").getSealed()).isTrue();
      assertThat(reopened.apply(Cmd.publish("q", "x")).getPublishes(0).getErrorCode()).isEqualTo(Status.UNAVAILABLE);
      assertThat(reopened.applyOk(Cmd.syncOut("q", TO, 2))).isEqualTo(out);
      assertThat(offsets(reopened.deliver("q", "c2", 10))).containsExactly(1L, 2L);
      assertThat(reopened.applyOk(Cmd.returnAll()).getCount()).isEqualTo(3);
      assertThat(reopened.apply(Cmd.ack("q", tag(3, 0))).getErrorCode()).isEqualTo(Status.FAILED_PRECONDITION);
      assertThat(reopened.applyOk(Cmd.syncDone("q", TO)).getCount()).isEqualTo(2);
      assertThat(reopened.storedOffsets("q")).containsExactly(0L, 1L, 2L);
      reopened.assertConsistent();
    }
  }
}
