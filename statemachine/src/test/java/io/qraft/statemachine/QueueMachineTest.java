package io.qraft.statemachine;

import static io.qraft.statemachine.Cmd.tag;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.tuple;

import io.qraft.api.log.v1.PublishResult;
import io.qraft.api.log.v1.QueueRecord;
import io.qraft.api.log.v1.Settle;
import io.qraft.api.log.v1.ShardCommand;
import io.qraft.api.log.v1.ShardResult;
import io.qraft.api.log.v1.StoredMessage;
import io.qraft.api.v1.Delivery;
import io.qraft.api.v1.DeliveryTag;
import io.qraft.storage.RocksQueueStore;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The rules of {@link QueueMachine}, over an in-memory store holding several
 * queues at once, checked through results, the machine's records and the
 * store's content; and a few over RocksDB.
 */
class QueueMachineTest {
  private static final Map<String, String> QUORUM = Map.of("ack-mode", "quorum");
  private static final Map<String, String> LOCAL = Map.of("ack-mode", "local");

  private TestShard shard;

  @BeforeEach
  void openShard() {
    shard = TestShard.inMemory();
    shard.applyOk(Cmd.create("a", QUORUM));
    shard.applyOk(Cmd.create("b"));
    shard.applyOk(Cmd.create("c", Map.of("queue-log", "dedicated")));
    shard.events.drain();
  }

  @AfterEach
  void closeShard() {
    shard.assertConsistent();
    shard.close();
  }

  private static List<Long> offsets(List<Delivery> deliveries) {
    return deliveries.stream().map(d -> d.getTag().getOffset()).toList();
  }

  private static String body(Delivery d) {
    return d.getMessage().getBody().toStringUtf8();
  }

  private static DeliveryTag tagOf(Delivery d) {
    return d.getTag();
  }

  // ---- create ----

  @Test
  void createReportsCreatedAndStartsAnEmptyRecord() {
    assertThat(shard.apply(Cmd.create("d", LOCAL)).getCreated()).isTrue();

    QueueRecord d = shard.record("d");
    assertThat(d.getName()).isEqualTo("d");
    assertThat(d.getArgumentsMap()).isEqualTo(LOCAL);
    assertThat(d.getNextOffset()).isZero();
    assertThat(d.getMessages()).isZero();
    assertThat(d.getUnacked()).isZero();
    assertThat(d.getBytes()).isZero();
    assertThat(d.getOperations()).isEqualTo(1);
    assertThat(shard.storedRecord("d")).isEqualTo(d);
    assertThat(shard.machine.queueCount()).isEqualTo(4);
  }

  @Test
  void aDeliveryAskedWithMessagesFromTheStoreLeavesThemOutAndChangesTheStoreAlike() {
    shard.applyOk(Cmd.publish("a", "x", "y"));
    shard.applyOk(Cmd.publish("b", "x", "y"));
    ShardCommand plain = Cmd.deliver("a", "c1", 2);
    ShardCommand fromStore = Cmd.deliver("b", "c1", 2).toBuilder()
        .setDeliver(Cmd.deliver("b", "c1", 2).getDeliver().toBuilder().setMessagesFromStore(true)).build();

    List<Delivery> withBodies = shard.applyOk(plain).getDeliveriesList();
    List<Delivery> without = shard.applyOk(fromStore).getDeliveriesList();

    assertThat(withBodies).allMatch(Delivery::hasMessage);
    assertThat(without).hasSize(2).noneMatch(Delivery::hasMessage);
    assertThat(without).extracting(d -> d.getTag()).isEqualTo(withBodies.stream().map(Delivery::getTag).toList());
    QueueRecord a = shard.record("a");
    QueueRecord b = shard.record("b");
    assertThat(b.getUnacked()).isEqualTo(a.getUnacked()).isEqualTo(2);
    assertThat(b.getMessages()).isEqualTo(a.getMessages());
    assertThat(b.getBytes()).isEqualTo(a.getBytes());
    // What the leader then reads from its own store is the message the plain delivery carried.
    assertThat(QueueMachine.parseMessage(shard.store.message("b", 0)).getMessage())
        .isEqualTo(withBodies.get(0).getMessage());
  }

  @Test
  void aSettledDeliveryCarriesItsMessagesEvenWhenAskedToLeaveThemToTheStore() {
    shard.applyOk(Cmd.publish("a", "x"));
    ShardCommand settled = Cmd.deliverSettled("a", "c1", 1);
    settled = settled.toBuilder().setDeliver(settled.getDeliver().toBuilder().setMessagesFromStore(true)).build();

    List<Delivery> delivered = shard.applyOk(settled).getDeliveriesList();

    assertThat(delivered).hasSize(1).allMatch(Delivery::hasMessage);
    assertThat(delivered.get(0).getMessage().getBody().toStringUtf8()).isEqualTo("x");
  }

  @Test
  void createWithTheSameArgumentsIsIdempotent() {
    shard.applyOk(Cmd.publish("a", "x"));
    List<String> before = shard.dump();

    ShardResult again = shard.apply(Cmd.create("a", QUORUM));

    assertThat(again.getErrorCode()).isEqualTo(Status.OK);
    assertThat(again.getCreated()).isFalse();
    assertThat(shard.dump()).isEqualTo(before);
    assertThat(shard.record("a").getOperations()).isEqualTo(2);
  }

  @Test
  void createWithOtherArgumentsIsRefusedAndChangesNothing() {
    shard.applyOk(Cmd.publish("a", "x", "y"));
    shard.deliver("a", "c1", 1);
    List<String> before = shard.dump();
    List<QueueRecord> records = shard.machine.records();

    ShardResult conflict = shard.apply(Cmd.create("a", LOCAL));
    ShardResult noArguments = shard.apply(Cmd.create("a"));
    ShardResult moreArguments = shard.apply(Cmd.create("b", Map.of("ack-mode", "quorum")));

    for (ShardResult r : List.of(conflict, noArguments, moreArguments)) {
      assertThat(r.getErrorCode()).isEqualTo(Status.FAILED_PRECONDITION);
      assertThat(r.getCreated()).isFalse();
    }
    assertThat(conflict.getErrorMessage()).contains("'a'", "quorum", "local");
    assertThat(shard.dump()).isEqualTo(before);
    assertThat(shard.machine.records()).isEqualTo(records);
    // The queue goes on as before: next offset, outstanding delivery.
    assertThat(shard.applyOk(Cmd.publish("a", "z")).getPublishes(0).getOffsetsList()).containsExactly(2L);
    assertThat(shard.applyOk(Cmd.ack("a", tag(0, 1))).getCount()).isEqualTo(1);
  }

  // ---- enqueue ----

  @Test
  void enqueueAssignsOffsetsFromZeroIndependentlyPerQueue() {
    assertThat(shard.applyOk(Cmd.publish("a", "a0", "a1")).getPublishes(0).getOffsetsList())
        .containsExactly(0L, 1L);
    assertThat(shard.applyOk(Cmd.publish("b", "b0")).getPublishes(0).getOffsetsList())
        .containsExactly(0L);
    assertThat(shard.applyOk(Cmd.publish("a", "a2")).getPublishes(0).getOffsetsList())
        .containsExactly(2L);
    ShardResult both = shard.applyOk(Cmd.enqueue(
        Cmd.publishOf("c", "c0", "c1"), Cmd.publishOf("a", "a3"), Cmd.publishOf("b", "b1")));

    assertThat(both.getPublishesList()).extracting(PublishResult::getOffsetsList)
        .containsExactly(List.of(0L, 1L), List.of(3L), List.of(1L));
    assertThat(shard.record("a").getNextOffset()).isEqualTo(4);
    assertThat(shard.record("b").getNextOffset()).isEqualTo(2);
    assertThat(shard.record("c").getNextOffset()).isEqualTo(2);
    assertThat(shard.storedOffsets("a")).containsExactly(0L, 1L, 2L, 3L);
    assertThat(shard.storedMessage("a", 3).getMessage().getBody().toStringUtf8()).isEqualTo("a3");
    assertThat(shard.storedMessage("a", 3).getEnqueuedAtMs()).isEqualTo(Cmd.LEADER_TIME_MS);
  }

  @Test
  void twoPublishesToOneQueueInOneEntryTakeConsecutiveOffsets() {
    ShardResult r = shard.applyOk(Cmd.enqueue(Cmd.publishOf("a", "1", "2"), Cmd.publishOf("a", "3")));

    assertThat(r.getPublishesList()).extracting(PublishResult::getOffsetsList)
        .containsExactly(List.of(0L, 1L), List.of(2L));
    assertThat(shard.record("a").getMessages()).isEqualTo(3);
    assertThat(shard.record("a").getOperations()).isEqualTo(3);
  }

  @Test
  void multiMessagePublishLandsWholeInOneEntry() {
    ShardResult r = shard.applyOk(Cmd.enqueueAt(42L, Cmd.publishOf("b", "one", "two", "three")));

    assertThat(r.getPublishes(0).getErrorCode()).isEqualTo(Status.OK);
    assertThat(r.getPublishes(0).getOffsetsList()).containsExactly(0L, 1L, 2L);
    QueueRecord b = shard.record("b");
    assertThat(b.getMessages()).isEqualTo(3);
    assertThat(b.getBytes()).isEqualTo(3 + 3 + 5);
    assertThat(b.getOperations()).as("one operation for the whole publish").isEqualTo(2);
    assertThat(shard.storedOffsets("b")).containsExactly(0L, 1L, 2L);
    assertThat(shard.storedMessage("b", 2).getEnqueuedAtMs()).isEqualTo(42L);
    assertThat(shard.store.lastAppliedIndex()).isEqualTo(shard.index);
  }

  @Test
  void multiMessagePublishWhoseEntryIsRefusedByTheStoreLeavesNoMessageInTheStore() {
    List<String> before = shard.dump();
    long applied = shard.store.lastAppliedIndex();

    // An index the store already holds: the batch is refused whole.
    assertThatThrownBy(() -> shard.machine.apply(applied, Cmd.publish("a", "x", "y", "z")))
        .isInstanceOf(IllegalStateException.class);

    assertThat(shard.dump()).isEqualTo(before);
    assertThat(shard.store.lastAppliedIndex()).isEqualTo(applied);
    // Rebuild the machine from the store: this test is about the store only.
    shard.restart();
  }

  @Test
  void enqueueToAnUnknownQueueIsNotFoundAndTheOtherPublishesOfTheEntryStillApply() {
    shard.applyOk(Cmd.publish("b", "b0"));
    List<String> cBefore = shard.dump().stream().filter(l -> l.startsWith("Q c") || l.contains(" c ")).toList();

    ShardResult r = shard.applyOk(Cmd.enqueue(
        Cmd.publishOf("a", "a0", "a1"), Cmd.publishOf("nope", "n0", "n1"), Cmd.publishOf("b", "b1")));

    assertThat(r.getPublishesCount()).isEqualTo(3);
    assertThat(r.getPublishes(0).getErrorCode()).isEqualTo(Status.OK);
    assertThat(r.getPublishes(0).getOffsetsList()).containsExactly(0L, 1L);
    assertThat(r.getPublishes(1).getErrorCode()).isEqualTo(Status.NOT_FOUND);
    assertThat(r.getPublishes(1).getErrorMessage()).contains("'nope'");
    assertThat(r.getPublishes(1).getOffsetsList()).isEmpty();
    assertThat(r.getPublishes(2).getErrorCode()).isEqualTo(Status.OK);
    assertThat(r.getPublishes(2).getOffsetsList()).containsExactly(1L);

    assertThat(shard.record("nope")).isNull();
    assertThat(shard.storedRecord("nope")).isNull();
    assertThat(shard.storedOffsets("nope")).isEmpty();
    assertThat(shard.machine.queueCount()).isEqualTo(3);
    assertThat(shard.record("a").getMessages()).isEqualTo(2);
    assertThat(shard.record("b").getMessages()).isEqualTo(2);
    assertThat(shard.dump().stream().filter(l -> l.startsWith("Q c") || l.contains(" c ")).toList())
        .isEqualTo(cBefore);
    assertThat(shard.events.drain()).containsExactly("ready b", "ready a", "ready b");
  }

  @Test
  void enqueueWithOnlyAnUnknownQueueChangesNothingButTheIndex() {
    List<String> before = shard.dump();

    ShardResult r = shard.apply(Cmd.publish("nope", "x"));

    assertThat(r.getErrorCode()).as("the entry itself is fine").isEqualTo(Status.OK);
    assertThat(r.getPublishes(0).getErrorCode()).isEqualTo(Status.NOT_FOUND);
    assertThat(shard.dump()).isEqualTo(before);
    assertThat(shard.store.lastAppliedIndex()).isEqualTo(shard.index);
    assertThat(shard.events.drain()).isEmpty();
  }

  // ---- deliver ----

  @Test
  void deliverHandsLowestOffsetsFirstUpToMaxCount() {
    shard.applyOk(Cmd.publish("a", "m0", "m1", "m2", "m3", "m4"));
    shard.applyOk(Cmd.publish("b", "other"));

    List<Delivery> first = shard.deliver("a", "c1", 2);
    List<Delivery> second = shard.deliver("a", "c2", 10);
    List<Delivery> third = shard.deliver("a", "c1", 10);

    assertThat(offsets(first)).containsExactly(0L, 1L);
    assertThat(first).extracting(QueueMachineTest::body).containsExactly("m0", "m1");
    assertThat(first).allSatisfy(d -> {
      assertThat(d.getQueue()).isEqualTo("a");
      assertThat(d.getTag().getDeliveryCount()).isEqualTo(1);
      assertThat(d.getRedelivered()).isFalse();
    });
    assertThat(offsets(second)).containsExactly(2L, 3L, 4L);
    assertThat(third).isEmpty();
    assertThat(shard.record("a").getUnacked()).isEqualTo(5);
    assertThat(shard.record("a").getMessages()).isEqualTo(5);
    assertThat(shard.record("b").getUnacked()).isZero();
    assertThat(shard.machine.hasReady("a")).isFalse();
    assertThat(shard.machine.hasReady("b")).isTrue();
  }

  @Test
  void deliverWithMaxCountZeroHandsOneMessage() {
    shard.applyOk(Cmd.publish("a", "m0", "m1"));

    assertThat(offsets(shard.deliver("a", "c1", 0))).containsExactly(0L);
  }

  @Test
  void deliverRecordsTheConsumerAndDeliveryCountInTheStore() {
    shard.applyOk(Cmd.publish("a", "m0", "m1", "m2"));

    shard.deliver("a", "c1", 1);
    shard.deliver("a", "c2", 1);

    Map<Long, StoredMessage> marks = shard.marks("a");
    assertThat(marks).containsOnlyKeys(0L, 1L);
    assertThat(marks.get(0L).getConsumerId()).isEqualTo("c1");
    assertThat(marks.get(0L).getDeliveryCount()).isEqualTo(1);
    assertThat(marks.get(1L).getConsumerId()).isEqualTo("c2");
    assertThat(shard.storedOffsets("a")).as("delivered messages stay until settled").containsExactly(0L, 1L, 2L);
    assertThat(shard.record("a").getOperations()).isEqualTo(1 + 1 + 2);
  }

  @Test
  void deliverOfAnEmptyOrUnknownQueue() {
    assertThat(shard.deliver("b", "c1", 5)).isEmpty();
    assertThat(shard.record("b").getOperations()).isEqualTo(2);

    ShardResult unknown = shard.apply(Cmd.deliver("nope", "c1", 5));
    assertThat(unknown.getErrorCode()).isEqualTo(Status.NOT_FOUND);
    assertThat(unknown.getDeliveriesList()).isEmpty();
  }

  @Test
  void settledDeliverRemovesTheMessagesAtOnce() {
    shard.applyOk(Cmd.publish("a", "m0", "m1", "m2"));

    List<Delivery> got = shard.applyOk(Cmd.deliverSettled("a", "getter", 2)).getDeliveriesList();

    assertThat(offsets(got)).containsExactly(0L, 1L);
    assertThat(shard.storedOffsets("a")).containsExactly(2L);
    assertThat(shard.marks("a")).isEmpty();
    assertThat(shard.record("a").getMessages()).isEqualTo(1);
    assertThat(shard.record("a").getUnacked()).isZero();
    assertThat(shard.record("a").getBytes()).isEqualTo(2);
  }

  @Test
  void settledDeliverOfARedeliveredMessageRemovesItsMark() {
    shard.applyOk(Cmd.publish("a", "m0"));
    shard.deliver("a", "c1", 1);
    shard.applyOk(Cmd.requeue("a", tag(0, 1)));

    List<Delivery> got = shard.applyOk(Cmd.deliverSettled("a", "getter", 1)).getDeliveriesList();

    assertThat(got).singleElement().satisfies(d -> {
      assertThat(d.getRedelivered()).isTrue();
      assertThat(d.getTag().getDeliveryCount()).isEqualTo(2);
    });
    assertThat(shard.storedOffsets("a")).isEmpty();
    assertThat(shard.marks("a")).isEmpty();
  }

  // ---- settle ----

  @Test
  void ackedMessageIsNeverDeliveredAgain() {
    shard.applyOk(Cmd.publish("a", "m0", "m1"));
    List<Delivery> got = shard.deliver("a", "c1", 2);

    ShardResult acked = shard.applyOk(Cmd.ack("a", tagOf(got.get(0))));

    assertThat(acked.getCount()).isEqualTo(1);
    assertThat(shard.storedOffsets("a")).containsExactly(1L);
    assertThat(shard.marks("a")).containsOnlyKeys(1L);
    assertThat(shard.record("a").getMessages()).isEqualTo(1);
    assertThat(shard.record("a").getUnacked()).isEqualTo(1);
    assertThat(shard.record("a").getBytes()).isEqualTo(2);

    assertThat(shard.applyOk(Cmd.returnAll()).getCount()).isEqualTo(1);
    assertThat(offsets(shard.deliver("a", "c2", 10))).containsExactly(1L);
    assertThat(shard.deliver("a", "c2", 10)).isEmpty();
  }

  @Test
  void requeuedMessageComesBackRedeliveredWithDeliveryCountTwo() {
    shard.applyOk(Cmd.publish("a", "m0", "m1"));
    List<Delivery> got = shard.deliver("a", "c1", 1);
    shard.events.drain();

    ShardResult requeued = shard.applyOk(Cmd.requeue("a", tagOf(got.get(0))));

    assertThat(requeued.getCount()).isEqualTo(1);
    assertThat(shard.events.drain()).containsExactly("settled a c1 1", "ready a");
    assertThat(shard.record("a").getUnacked()).isZero();
    assertThat(shard.record("a").getMessages()).isEqualTo(2);
    assertThat(shard.marks("a").get(0L).getConsumerId()).as("returned: held by no one").isEmpty();
    assertThat(shard.marks("a").get(0L).getDeliveryCount()).isEqualTo(1);

    List<Delivery> again = shard.deliver("a", "c2", 10);
    assertThat(again).extracting(d -> d.getTag().getOffset(), d -> d.getTag().getDeliveryCount(),
            Delivery::getRedelivered)
        .containsExactly(tuple(0L, 2, true), tuple(1L, 1, false));
    assertThat(body(again.get(0))).isEqualTo("m0");
    assertThat(shard.marks("a").get(0L).getConsumerId()).isEqualTo("c2");
    assertThat(shard.marks("a").get(0L).getDeliveryCount()).isEqualTo(2);
  }

  @Test
  void droppedMessageIsRemoved() {
    shard.applyOk(Cmd.publish("a", "m0", "m1"));
    List<Delivery> got = shard.deliver("a", "c1", 2);

    assertThat(shard.applyOk(Cmd.drop("a", tagOf(got.get(1)))).getCount()).isEqualTo(1);

    assertThat(shard.storedOffsets("a")).containsExactly(0L);
    assertThat(shard.record("a").getMessages()).isEqualTo(1);
    assertThat(shard.record("a").getBytes()).isEqualTo(2);
    shard.applyOk(Cmd.returnAll());
    assertThat(offsets(shard.deliver("a", "c1", 10))).containsExactly(0L);
  }

  @Test
  void settleOfSeveralTagsSettlesThemAllInOneEntry() {
    shard.applyOk(Cmd.publish("a", "m0", "m1", "m2"));
    List<Delivery> c1 = shard.deliver("a", "c1", 2);
    List<Delivery> c2 = shard.deliver("a", "c2", 1);
    shard.events.drain();

    ShardResult r = shard.applyOk(Cmd.ack("a", tagOf(c2.get(0)), tagOf(c1.get(0)), tagOf(c1.get(1))));

    assertThat(r.getCount()).isEqualTo(3);
    assertThat(shard.storedOffsets("a")).isEmpty();
    assertThat(shard.record("a").getMessages()).isZero();
    assertThat(shard.record("a").getBytes()).isZero();
    assertThat(shard.events.drain()).containsExactly("settled a c1 2", "settled a c2 1");
  }

  @Test
  void settleWithOneStaleDeliveryCountIsRefusedAndChangesNothing() {
    shard.applyOk(Cmd.publish("a", "m0", "m1"));
    shard.deliver("a", "c1", 2);
    shard.applyOk(Cmd.requeue("a", tag(1, 1)));
    assertThat(shard.deliver("a", "c1", 1)).singleElement()
        .satisfies(d -> assertThat(d.getTag()).isEqualTo(tag(1, 2)));
    List<String> before = shard.dump();
    List<QueueRecord> records = shard.machine.records();
    shard.events.drain();

    // (1, 1) is the first delivery of offset 1: outstanding now is (1, 2).
    ShardResult r = shard.apply(Cmd.ack("a", tag(0, 1), tag(1, 1)));

    assertThat(r.getErrorCode()).isEqualTo(Status.FAILED_PRECONDITION);
    assertThat(r.getErrorMessage()).contains("offset 1", "delivery 1");
    assertThat(r.getCount()).isZero();
    assertThat(shard.dump()).isEqualTo(before);
    assertThat(shard.machine.records()).isEqualTo(records);
    assertThat(shard.events.drain()).isEmpty();
    assertThat(shard.record("a").getUnacked()).isEqualTo(2);

    // Both deliveries are still outstanding: returned, they come back redelivered.
    shard.applyOk(Cmd.returnOf("c1"));
    assertThat(shard.deliver("a", "c2", 10))
        .extracting(d -> d.getTag().getOffset(), d -> d.getTag().getDeliveryCount())
        .containsExactly(tuple(0L, 2), tuple(1L, 3));
  }

  @Test
  void settleOfAnAlreadyAckedTagIsDoneAndSettlesOnlyWhatIsStillOut() {
    shard.applyOk(Cmd.publish("a", "m0", "m1"));
    shard.deliver("a", "c1", 2);
    shard.applyOk(Cmd.ack("a", tag(0, 1)));
    List<String> before = shard.dump();

    // The same ack again, as the SDK sends it when the reply to the first was lost in a failover:
    // nothing is left to settle, so it is answered as done and changes nothing.
    for (var outcome : List.of(Settle.Outcome.ACK, Settle.Outcome.REQUEUE, Settle.Outcome.DROP)) {
      ShardResult r = shard.applyOk(Cmd.settle("a", outcome, tag(0, 1)));
      assertThat(r.getCount()).as("%s", outcome).isZero();
    }
    assertThat(shard.dump()).isEqualTo(before);

    // With a delivery still out beside it, only that one is settled.
    assertThat(shard.applyOk(Cmd.ack("a", tag(1, 1), tag(0, 1))).getCount()).isEqualTo(1);
    assertThat(shard.storedOffsets("a")).isEmpty();
    assertThat(shard.record("a").getUnacked()).isZero();
  }

  @Test
  void settleOfAReturnedTagIsRefusedWhileItsMessageIsInTheQueue() {
    shard.applyOk(Cmd.publish("a", "m0", "m1"));
    shard.deliver("a", "c1", 2);
    shard.applyOk(Cmd.returnOf("c1"));
    shard.deliver("a", "c2", 1); // m0 again, as delivery 2; m1 is ready
    List<String> before = shard.dump();

    for (var outcome : List.of(Settle.Outcome.ACK, Settle.Outcome.REQUEUE, Settle.Outcome.DROP)) {
      for (DeliveryTag stale : List.of(tag(0, 1), tag(1, 1))) {
        ShardResult r = shard.apply(Cmd.settle("a", outcome, stale));
        assertThat(r.getErrorCode()).as("%s %s", outcome, stale).isEqualTo(Status.FAILED_PRECONDITION);
      }
    }
    // Never delivered (at or past the next offset): refused too.
    assertThat(shard.apply(Cmd.ack("a", tag(2, 1))).getErrorCode()).isEqualTo(Status.FAILED_PRECONDITION);
    assertThat(shard.dump()).isEqualTo(before);
    assertThat(shard.applyOk(Cmd.ack("a", tag(0, 2))).getCount()).isEqualTo(1);
  }

  @Test
  void settleOfTheSameTagTwiceInOneRequestIsRefused() {
    shard.applyOk(Cmd.publish("a", "m0"));
    shard.deliver("a", "c1", 1);
    List<String> before = shard.dump();

    ShardResult r = shard.apply(Cmd.ack("a", tag(0, 1), tag(0, 1)));

    assertThat(r.getErrorCode()).isEqualTo(Status.FAILED_PRECONDITION);
    assertThat(shard.dump()).isEqualTo(before);
  }

  @Test
  void settleOfAReadyOrNeverDeliveredOffsetIsRefused() {
    shard.applyOk(Cmd.publish("a", "m0", "m1"));
    shard.deliver("a", "c1", 1);
    shard.applyOk(Cmd.requeue("a", tag(0, 1)));

    assertThat(shard.apply(Cmd.ack("a", tag(0, 1))).getErrorCode()).as("requeued").isEqualTo(Status.FAILED_PRECONDITION);
    assertThat(shard.apply(Cmd.ack("a", tag(1, 1))).getErrorCode()).as("never delivered").isEqualTo(Status.FAILED_PRECONDITION);
    assertThat(shard.apply(Cmd.ack("a", tag(7, 1))).getErrorCode()).as("no such offset").isEqualTo(Status.FAILED_PRECONDITION);
    assertThat(shard.apply(Cmd.ack("b", tag(0, 1))).getErrorCode()).as("other queue").isEqualTo(Status.FAILED_PRECONDITION);
    assertThat(shard.apply(Cmd.ack("nope", tag(0, 1))).getErrorCode()).isEqualTo(Status.NOT_FOUND);
    assertThat(shard.storedOffsets("a")).containsExactly(0L, 1L);
  }

  // ---- return, purge, delete ----

  @Test
  void returnDeliveriesOfOneConsumerReturnsOnlyItsDeliveriesInEveryQueue() {
    shard.applyOk(Cmd.publish("a", "a0", "a1", "a2"));
    shard.applyOk(Cmd.publish("b", "b0", "b1"));
    shard.deliver("a", "c1", 1);
    shard.deliver("a", "c2", 1);
    shard.deliver("b", "c1", 2);
    shard.events.drain();

    ShardResult r = shard.applyOk(Cmd.returnOf("c1"));

    assertThat(r.getCount()).isEqualTo(3);
    assertThat(shard.events.drain())
        .containsExactly("settled a c1 1", "ready a", "settled b c1 2", "ready b");
    assertThat(shard.record("a").getUnacked()).isEqualTo(1);
    assertThat(shard.record("b").getUnacked()).isZero();
    assertThat(shard.marks("a").get(0L).getConsumerId()).isEmpty();
    assertThat(shard.marks("a").get(1L).getConsumerId()).isEqualTo("c2");
    // c2's delivery is still outstanding and its tag still settles it.
    assertThat(shard.applyOk(Cmd.ack("a", tag(1, 1))).getCount()).isEqualTo(1);
    assertThat(shard.deliver("a", "c3", 10))
        .extracting(d -> d.getTag().getOffset(), Delivery::getRedelivered)
        .containsExactly(tuple(0L, true), tuple(2L, false));
    assertThat(shard.deliver("b", "c3", 10)).extracting(Delivery::getRedelivered).containsExactly(true, true);
    assertThat(shard.applyOk(Cmd.returnOf("nobody")).getCount()).isZero();
  }

  @Test
  void returnDeliveriesAllReturnsEveryOutstandingDelivery() {
    shard.applyOk(Cmd.publish("a", "a0", "a1"));
    shard.applyOk(Cmd.publish("c", "c0"));
    shard.deliver("a", "c1", 1);
    shard.deliver("a", "c2", 1);
    shard.deliver("c", "c3", 1);
    long operationsOfB = shard.record("b").getOperations();

    ShardResult r = shard.applyOk(Cmd.returnAll());

    assertThat(r.getCount()).isEqualTo(3);
    assertThat(shard.record("a").getUnacked()).isZero();
    assertThat(shard.record("c").getUnacked()).isZero();
    assertThat(shard.record("b").getOperations()).as("untouched queue").isEqualTo(operationsOfB);
    assertThat(shard.apply(Cmd.ack("a", tag(0, 1))).getErrorCode()).isEqualTo(Status.FAILED_PRECONDITION);
    assertThat(shard.deliver("a", "c9", 10)).extracting(d -> d.getTag().getDeliveryCount())
        .containsExactly(2, 2);
    assertThat(shard.applyOk(Cmd.returnAll()).getCount()).isEqualTo(2);
  }

  @Test
  void purgeRemovesOnlyReadyMessages() {
    shard.applyOk(Cmd.publish("a", "m0", "m1", "m2", "m3", "m4"));
    shard.applyOk(Cmd.publish("b", "keep"));
    shard.deliver("a", "c1", 2);
    shard.applyOk(Cmd.requeue("a", tag(0, 1))); // ready again, with a mark
    List<String> bBefore = shard.dump().stream().filter(l -> l.contains(" b ")).toList();

    ShardResult r = shard.applyOk(Cmd.purge("a"));

    assertThat(r.getCount()).isEqualTo(4);
    assertThat(shard.storedOffsets("a")).containsExactly(1L);
    assertThat(shard.marks("a")).containsOnlyKeys(1L);
    QueueRecord a = shard.record("a");
    assertThat(a.getMessages()).isEqualTo(1);
    assertThat(a.getUnacked()).isEqualTo(1);
    assertThat(a.getBytes()).isEqualTo(2);
    assertThat(a.getNextOffset()).as("offsets are never reused").isEqualTo(5);
    assertThat(shard.dump().stream().filter(l -> l.contains(" b ")).toList()).isEqualTo(bBefore);
    assertThat(shard.deliver("a", "c1", 10)).isEmpty();
    assertThat(shard.applyOk(Cmd.ack("a", tag(1, 1))).getCount()).isEqualTo(1);
    assertThat(shard.applyOk(Cmd.publish("a", "m5")).getPublishes(0).getOffsetsList()).containsExactly(5L);
    assertThat(shard.deliver("a", "c1", 10)).singleElement()
        .satisfies(d -> assertThat(d.getRedelivered()).isFalse());
    assertThat(shard.applyOk(Cmd.purge("b")).getCount()).isEqualTo(1);
    assertThat(shard.apply(Cmd.purge("nope")).getErrorCode()).isEqualTo(Status.NOT_FOUND);
  }

  @Test
  void deleteQueueDropsItsMessagesAndLeavesOtherQueuesUntouched() {
    shard.applyOk(Cmd.publish("a", "a0", "a1", "a2"));
    shard.applyOk(Cmd.publish("b", "b0"));
    shard.deliver("a", "c1", 1);
    shard.deliver("b", "c1", 1);
    shard.applyOk(Cmd.requeue("a", tag(0, 1)));
    shard.deliver("a", "c1", 1);
    List<String> others = shard.dump().stream().filter(l -> !l.startsWith("Q a ") && !l.contains(" a ")).toList();
    shard.events.drain();

    ShardResult r = shard.applyOk(Cmd.delete("a"));

    assertThat(r.getCount()).as("ready and unacked").isEqualTo(3);
    assertThat(shard.events.drain()).containsExactly("deleted a");
    assertThat(shard.record("a")).isNull();
    assertThat(shard.storedRecord("a")).isNull();
    assertThat(shard.storedOffsets("a")).isEmpty();
    assertThat(shard.marks("a")).isEmpty();
    assertThat(shard.dump()).isEqualTo(others);
    assertThat(shard.machine.queueCount()).isEqualTo(2);
    assertThat(shard.apply(Cmd.ack("a", tag(0, 2))).getErrorCode()).isEqualTo(Status.NOT_FOUND);
    assertThat(shard.apply(Cmd.delete("a")).getErrorCode()).isEqualTo(Status.NOT_FOUND);
    // ReturnDeliveries all no longer sees the deleted queue's deliveries.
    assertThat(shard.applyOk(Cmd.returnAll()).getCount()).isEqualTo(1);

    // A queue declared again under the name starts over.
    shard.applyOk(Cmd.create("a", LOCAL));
    assertThat(shard.applyOk(Cmd.publish("a", "new")).getPublishes(0).getOffsetsList()).containsExactly(0L);
    assertThat(shard.deliver("a", "c1", 10)).singleElement()
        .satisfies(d -> assertThat(d.getRedelivered()).isFalse());
  }

  // ---- counters and index ----

  @Test
  void countersStayConsistentThroughEveryKindOfCommand() {
    shard.applyOk(Cmd.publish("a", "x", "yy", "zzz", "wwww"));
    shard.assertConsistent();
    shard.deliver("a", "c1", 3);
    shard.assertConsistent();
    shard.applyOk(Cmd.ack("a", tag(0, 1)));
    shard.assertConsistent();
    shard.applyOk(Cmd.requeue("a", tag(1, 1)));
    shard.assertConsistent();
    shard.applyOk(Cmd.drop("a", tag(2, 1)));
    shard.assertConsistent();
    shard.applyOk(Cmd.deliverSettled("a", "c2", 1));
    shard.assertConsistent();
    shard.applyOk(Cmd.publish("a", "vvvvv"));
    shard.deliver("a", "c1", 1);
    shard.applyOk(Cmd.returnOf("c1"));
    shard.assertConsistent();
    shard.applyOk(Cmd.purge("a"));
    shard.assertConsistent();

    QueueRecord a = shard.record("a");
    assertThat(a.getMessages()).isZero();
    assertThat(a.getBytes()).isZero();
    assertThat(a.getNextOffset()).isEqualTo(5);
    // create, 2 enqueues, 3 delivers (one settled), ack, requeue, drop, return, purge
    assertThat(a.getOperations()).isEqualTo(1 + 2 + 3 + 1 + 1 + 1 + 1 + 1);
  }

  @Test
  void refusedCommandsDoNotCountAsOperations() {
    long before = shard.record("a").getOperations();

    shard.apply(Cmd.create("a", LOCAL));
    shard.apply(Cmd.create("a", QUORUM));
    shard.apply(Cmd.ack("a", tag(0, 1)));
    shard.apply(Cmd.empty());

    assertThat(shard.record("a").getOperations()).isEqualTo(before);
  }

  @Test
  void storeAppliedIndexIsTheIndexOfTheLastApply() {
    QueueMachine m = shard.machine;
    long start = shard.index;

    m.apply(start + 5, Cmd.publish("a", "x"));
    assertThat(shard.store.lastAppliedIndex()).isEqualTo(start + 5);
    m.apply(start + 9, Cmd.create("a", LOCAL)); // refused: only the index moves
    assertThat(shard.store.lastAppliedIndex()).isEqualTo(start + 9);
    ShardResult empty = m.apply(start + 10, Cmd.empty());
    assertThat(empty.getErrorCode()).isEqualTo(Status.INVALID_ARGUMENT);
    assertThat(shard.store.lastAppliedIndex()).isEqualTo(start + 10);
    assertThat(m.lastAppliedIndex()).isEqualTo(start + 10);

    assertThatThrownBy(() -> m.apply(start + 10, Cmd.create("z")))
        .isInstanceOf(IllegalStateException.class);
    assertThat(shard.record("z")).isNull();
    assertThat(shard.store.lastAppliedIndex()).isEqualTo(start + 10);
    shard.index = start + 10;
  }

  // ---- restart ----

  @Test
  void reloadedMachineHasTheSameRecordsAndOutstandingState() {
    shard.applyOk(Cmd.publish("a", "a0", "a1", "a2", "a3"));
    shard.applyOk(Cmd.publish("b", "b0", "b1"));
    shard.deliver("a", "c1", 2);
    shard.deliver("b", "c2", 1);
    shard.applyOk(Cmd.requeue("a", tag(1, 1)));
    shard.deliver("a", "c3", 1); // offset 1, second delivery
    List<QueueRecord> records = shard.machine.records();
    List<String> dump = shard.dump();

    shard.restart();

    assertThat(shard.machine.records()).isEqualTo(records);
    assertThat(shard.dump()).isEqualTo(dump);
    assertThat(shard.machine.queueCount()).isEqualTo(3);
    assertThat(shard.machine.lastAppliedIndex()).isEqualTo(shard.index);
    shard.assertConsistent();
    // Outstanding deliveries survived with their tags: a stale tag is still refused...
    assertThat(shard.apply(Cmd.ack("a", tag(1, 1))).getErrorCode()).isEqualTo(Status.FAILED_PRECONDITION);
    // ...and the ready ones come next, lowest first.
    assertThat(offsets(shard.deliver("a", "c1", 10))).containsExactly(2L, 3L);

    // A new leader returns everything: the next deliveries say they may have been seen.
    shard.restart();
    assertThat(shard.applyOk(Cmd.returnAll()).getCount()).isEqualTo(5);
    shard.restart();
    assertThat(shard.deliver("a", "c9", 10))
        .extracting(d -> d.getTag().getOffset(), d -> d.getTag().getDeliveryCount(), Delivery::getRedelivered)
        .containsExactly(tuple(0L, 2, true), tuple(1L, 3, true), tuple(2L, 2, true), tuple(3L, 2, true));
    assertThat(shard.deliver("b", "c9", 10))
        .extracting(d -> d.getTag().getOffset(), d -> d.getTag().getDeliveryCount(), Delivery::getRedelivered)
        .containsExactly(tuple(0L, 2, true), tuple(1L, 1, false));
  }

  @Test
  void reloadedMachineSettlesDeliveriesMadeBeforeTheRestart() {
    shard.applyOk(Cmd.publish("c", "c0", "c1"));
    List<Delivery> got = shard.deliver("c", "c1", 2);

    shard.restart();

    assertThat(shard.applyOk(Cmd.ack("c", tagOf(got.get(0)), tagOf(got.get(1)))).getCount()).isEqualTo(2);
    assertThat(shard.record("c").getMessages()).isZero();
  }

  @Test
  void replayingOnTwoMachinesGivesTheSameResults() {
    List<io.qraft.api.log.v1.ShardCommand> commands = List.of(
        Cmd.publish("a", "1", "2", "3"), Cmd.deliver("a", "c1", 2), Cmd.requeue("a", tag(0, 1)),
        Cmd.deliver("a", "c2", 5), Cmd.ack("a", tag(1, 1), tag(0, 2)), Cmd.purge("a"));
    try (TestShard other = TestShard.inMemory()) {
      other.applyOk(Cmd.create("a", QUORUM));
      other.applyOk(Cmd.create("b"));
      other.applyOk(Cmd.create("c", Map.of("queue-log", "dedicated")));
      for (var c : commands) {
        assertThat(other.apply(c)).isEqualTo(shard.apply(c));
      }
      assertThat(other.export()).isEqualTo(shard.export());
    }
  }

  /** The same rules over RocksDB: what survives closing the database. */
  @Nested
  class OverRocksDb {
    @TempDir Path dir;

    @Test
    void rocksStoreKeepsRecordsAndOutstandingDeliveriesAcrossReopen() throws Exception {
      List<QueueRecord> records;
      List<String> dump;
      long index;
      try (TestShard rocks = new TestShard(RocksQueueStore.open(dir.resolve("store")))) {
        rocks.applyOk(Cmd.create("a", QUORUM));
        rocks.applyOk(Cmd.create("b"));
        rocks.applyOk(Cmd.publish("a", "a0", "a1", "a2"));
        rocks.applyOk(Cmd.publish("b", "b0"));
        rocks.deliver("a", "c1", 2);
        rocks.applyOk(Cmd.requeue("a", tag(0, 1)));
        rocks.deliver("b", "c2", 1);
        rocks.applyOk(Cmd.ack("b", tag(0, 1)));
        rocks.assertConsistent();
        records = rocks.machine.records();
        dump = rocks.dump();
        index = rocks.index;
      }

      try (TestShard reopened = new TestShard(RocksQueueStore.open(dir.resolve("store")))) {
        assertThat(reopened.store.lastAppliedIndex()).isEqualTo(index);
        assertThat(reopened.index).isEqualTo(index);
        assertThat(reopened.machine.records()).isEqualTo(records);
        assertThat(reopened.dump()).isEqualTo(dump);
        reopened.assertConsistent();
        assertThat(reopened.applyOk(Cmd.returnAll()).getCount()).isEqualTo(1);
        assertThat(reopened.deliver("a", "c3", 10))
            .extracting(d -> d.getTag().getOffset(), d -> d.getTag().getDeliveryCount(), Delivery::getRedelivered)
            .containsExactly(tuple(0L, 2, true), tuple(1L, 2, true), tuple(2L, 1, false));
        assertThat(reopened.deliver("b", "c3", 10)).isEmpty();
        reopened.assertConsistent();
      }
    }

    @Test
    void rocksAndInMemoryStoresEndInByteIdenticalExports() throws Exception {
      try (TestShard rocks = new TestShard(RocksQueueStore.open(dir.resolve("store")));
          TestShard memory = TestShard.inMemory()) {
        List<io.qraft.api.log.v1.ShardCommand> commands = List.of(
            Cmd.create("a"), Cmd.create("bb", QUORUM), Cmd.create("ä"),
            Cmd.enqueue(Cmd.publishOf("a", "1", "2"), Cmd.publishOf("bb", "3"), Cmd.publishOf("ä", "4")),
            Cmd.deliver("a", "c1", 1), Cmd.deliver("bb", "c1", 1), Cmd.requeue("a", tag(0, 1)),
            Cmd.returnAll(), Cmd.deliver("ä", "c2", 1), Cmd.delete("bb"), Cmd.purge("a"));
        for (var c : commands) {
          assertThat(rocks.apply(c)).isEqualTo(memory.apply(c));
        }
        rocks.assertConsistent();
        assertThat(rocks.export()).isEqualTo(memory.export());
      }
    }
  }
}
