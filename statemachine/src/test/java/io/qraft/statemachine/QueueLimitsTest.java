package io.qraft.statemachine;

import static io.qraft.statemachine.Cmd.LEADER_TIME_MS;
import static io.qraft.statemachine.Cmd.at;
import static io.qraft.statemachine.Cmd.tag;
import static org.assertj.core.api.Assertions.assertThat;

import io.qraft.api.log.v1.QueueLimits;
import io.qraft.api.log.v1.QueuePublish;
import io.qraft.api.log.v1.QueueRecord;
import io.qraft.api.log.v1.ShardCommand;
import io.qraft.api.log.v1.ShardResult;
import io.qraft.api.log.v1.StoredMessage;
import io.qraft.api.v1.Delivery;
import io.qraft.api.v1.Message;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * What a queue's limits do ({@link QueueRules}): expiry, length limits, the delivery limit,
 * delayed requeues, consumer timeouts, single active consumer and dead-letter marks; each
 * decided on the time stamped into the entries, so that replicas agree (the last tests restart
 * and restore a replica at every point of a scenario).
 */
class QueueLimitsTest {
  private static final long T = LEADER_TIME_MS;
  private TestShard shard;

  @BeforeEach
  void openShard() {
    shard = TestShard.inMemory();
    shard.applyOk(Cmd.create("a"));
    shard.applyOk(Cmd.create("dlq"));
    shard.events.drain();
  }

  @AfterEach
  void closeShard() {
    shard.assertConsistent();
    shard.close();
  }

  private void limits(QueueLimits.Builder limits) {
    shard.applyOk(Cmd.setLimits("a", limits.build()));
  }

  private static QueueLimits.Builder l() {
    return QueueLimits.newBuilder();
  }

  private static ShardCommand publishAt(long time, String queue, String... bodies) {
    return Cmd.enqueueAt(time, Cmd.publishOf(queue, bodies));
  }

  private List<Delivery> deliverAt(long time, String queue, String consumer, int max) {
    return shard.applyOk(at(time, Cmd.deliver(queue, consumer, max))).getDeliveriesList();
  }

  private static List<Long> offsets(List<Delivery> deliveries) {
    return deliveries.stream().map(d -> d.getTag().getOffset()).toList();
  }

  private QueueRecord record() {
    return shard.record("a");
  }

  // ---- message-ttl ----

  @Test
  void aMessageOlderThanTheTtlIsNeverDeliveredAndLeavesTheQueue() {
    limits(l().setMessageTtlMs(1_000));
    shard.applyOk(publishAt(T, "a", "old"));
    shard.applyOk(publishAt(T + 600, "a", "young"));

    List<Delivery> got = deliverAt(T + 1_000, "a", "c1", 10);

    assertThat(offsets(got)).containsExactly(1L);
    assertThat(record().getMessages()).isEqualTo(1);
    assertThat(record().getCounters().getDroppedMap()).containsEntry("expired", 1L);
  }

  @Test
  void anIdleQueueExpiresItsMessagesOnATick() {
    limits(l().setMessageTtlMs(1_000));
    shard.applyOk(publishAt(T, "a", "m0", "m1"));

    shard.applyOk(Cmd.tick(T + 999));
    assertThat(record().getMessages()).isEqualTo(2);
    shard.applyOk(Cmd.tick(T + 1_000));

    assertThat(record().getMessages()).isZero();
    assertThat(record().getBytes()).isZero();
    assertThat(record().getCounters().getDroppedMap()).containsEntry("expired", 2L);
  }

  @Test
  void aMessagesOwnTtlAppliesWhenSmallerThanTheQueues() {
    limits(l().setMessageTtlMs(60_000));
    Message shortLived = Cmd.message("s").toBuilder().putHeaders("ttl-ms", "100").build();
    Message longLived = Cmd.message("l").toBuilder().putHeaders("ttl-ms", "600000").build();
    shard.applyOk(Cmd.enqueueAt(T, QueuePublish.newBuilder().setQueue("a")
        .addMessages(shortLived).addMessages(longLived).build()));

    assertThat(offsets(deliverAt(T + 100, "a", "c1", 10))).containsExactly(1L);
    assertThat(record().getCounters().getDroppedMap()).containsEntry("expired", 1L);
  }

  @Test
  void aTtlHeaderThatIsNoNumberIsIgnored() {
    Message odd = Cmd.message("x").toBuilder().putHeaders("ttl-ms", "soon").build();
    shard.applyOk(Cmd.enqueueAt(T, QueuePublish.newBuilder().setQueue("a").addMessages(odd).build()));

    assertThat(offsets(deliverAt(T + 10_000_000, "a", "c1", 10))).containsExactly(0L);
  }

  @Test
  void anExpiredMessageIsNotHandedToAnAttachedConsumer() {
    limits(l().setMessageTtlMs(1_000));
    shard.applyOk(publishAt(T, "a", "old", "older"));
    shard.events.drain();

    shard.applyOk(at(T + 5_000, Cmd.attach("a", "c1", 10)));

    assertThat(shard.events.drain()).noneMatch(e -> e.startsWith("delivered"));
    assertThat(record().getMessages()).isZero();
  }

  @Test
  void aTtlSetClearedAndSetAgainJudgesEveryMessageByItsOwnEnqueueTime() {
    limits(l().setMessageTtlMs(1_000));
    shard.applyOk(publishAt(T, "a", "m0"));
    limits(l());
    shard.applyOk(publishAt(T + 5_000, "a", "m1"));
    limits(l().setMessageTtlMs(1_000));
    shard.applyOk(publishAt(T + 5_500, "a", "m2"));

    assertThat(offsets(deliverAt(T + 5_600, "a", "c1", 10))).containsExactly(1L, 2L);
  }

  @Test
  void aRestartedReplicaExpiresWhatOneThatKeptItsMemoryExpires() {
    limits(l().setMessageTtlMs(1_000));
    shard.applyOk(publishAt(T, "a", "m0"));
    shard.applyOk(publishAt(T + 800, "a", "m1"));
    Delivery first = deliverAt(T + 900, "a", "c1", 1).get(0);
    shard.applyOk(publishAt(T + 950, "a", "m2"));
    shard.applyOk(at(T + 960, Cmd.requeue("a", first.getTag())));
    shard.restart();

    assertThat(offsets(deliverAt(T + 1_000, "a", "c1", 10))).containsExactly(1L, 2L);
  }

  // ---- dead letters ----

  @Test
  void withADeadLetterQueueAnExpiredMessageIsKeptMarkedUntilTheMoveIsDone() {
    limits(l().setMessageTtlMs(1_000).setDeadLetterQueue("dlq"));
    shard.applyOk(publishAt(T, "a", "m0"));
    shard.events.drain();

    shard.applyOk(Cmd.tick(T + 1_000));

    assertThat(shard.events.drain()).contains("dead a");
    StoredMessage mark = shard.marks("a").get(0L);
    assertThat(mark.getDeadReason()).isEqualTo("expired");
    assertThat(mark.getDeadAtMs()).isEqualTo(T + 1_000);
    assertThat(shard.machine.deadLettering()).containsEntry("a", 1);
    assertThat(record().getMessages()).isEqualTo(1);
    assertThat(deliverAt(T + 1_001, "a", "c1", 10)).isEmpty();

    ShardResult done = shard.applyOk(Cmd.deadLetterDone("a", false, 0L));

    assertThat(done.getCount()).isEqualTo(1);
    assertThat(record().getMessages()).isZero();
    assertThat(record().getCounters().getDeadLetteredMap()).containsEntry("expired", 1L);
    assertThat(shard.machine.deadLettering()).isEmpty();

    ShardResult again = shard.applyOk(Cmd.deadLetterDone("a", false, 0L));
    assertThat(again.getCount()).isZero();
    assertThat(record().getCounters().getDeadLetterResends()).isEqualTo(1);
  }

  @Test
  void aDroppedMoveCountsAsDropped() {
    limits(l().setMaxLength(1).setDeadLetterQueue("dlq"));
    shard.applyOk(publishAt(T, "a", "m0", "m1"));

    shard.applyOk(Cmd.deadLetterDone("a", true, 0L));

    assertThat(record().getCounters().getDroppedMap()).containsEntry("maxlen", 1L);
    assertThat(record().getCounters().getDeadLetteredMap()).isEmpty();
  }

  @Test
  void aNackWithoutRequeueDeadLettersWithReasonRejected() {
    limits(l().setDeadLetterQueue("dlq"));
    shard.applyOk(publishAt(T, "a", "m0"));
    Delivery d = deliverAt(T, "a", "c1", 1).get(0);

    shard.applyOk(Cmd.drop("a", d.getTag()));

    assertThat(shard.marks("a").get(0L).getDeadReason()).isEqualTo("rejected");
    assertThat(record().getUnacked()).isZero();
  }

  @Test
  void aDeadLetterQueueThatIsTheQueueItselfDrops() {
    limits(l().setMaxLength(1).setDeadLetterQueue("a"));
    shard.applyOk(publishAt(T, "a", "m0", "m1"));

    assertThat(record().getMessages()).isEqualTo(1);
    assertThat(record().getCounters().getDroppedMap()).containsEntry("maxlen", 1L);
  }

  // ---- length limits ----

  @Test
  void rejectPublishRefusesThePublishThatWouldPassTheLimitAndStoresTheOnesBefore() {
    limits(l().setMaxLength(2).setOverflow(QueueLimits.Overflow.REJECT_PUBLISH));
    shard.applyOk(publishAt(T, "a", "m0"));
    shard.applyOk(publishAt(T, "a", "m1"));

    ShardResult refused = shard.apply(publishAt(T, "a", "m2"));

    assertThat(refused.getPublishes(0).getErrorCode()).isEqualTo(Status.OUT_OF_RANGE);
    assertThat(refused.getPublishes(0).getErrorMessage()).contains("is full").contains("max-length is 2");
    assertThat(record().getMessages()).isEqualTo(2);
    assertThat(record().getCounters().getRejectedPublishes()).isEqualTo(1);
    // A consumed message makes room again.
    Delivery d = deliverAt(T, "a", "c1", 1).get(0);
    shard.applyOk(Cmd.ack("a", d.getTag()));
    assertThat(shard.apply(publishAt(T, "a", "m2")).getPublishes(0).getErrorCode()).isZero();
  }

  @Test
  void rejectPublishCountsBytesAndRefusesABatchWhole() {
    limits(l().setMaxLengthBytes(5).setOverflow(QueueLimits.Overflow.REJECT_PUBLISH));
    shard.applyOk(publishAt(T, "a", "abc"));

    ShardResult refused = shard.apply(publishAt(T, "a", "d", "ef"));

    assertThat(refused.getPublishes(0).getErrorCode()).isEqualTo(Status.OUT_OF_RANGE);
    assertThat(record().getMessages()).isEqualTo(1);
    assertThat(shard.apply(publishAt(T, "a", "de")).getPublishes(0).getErrorCode()).isZero();
  }

  @Test
  void dropHeadRemovesTheOldestReadyMessages() {
    limits(l().setMaxLength(2));
    shard.applyOk(publishAt(T, "a", "m0", "m1", "m2"));

    assertThat(record().getMessages()).isEqualTo(2);
    assertThat(offsets(deliverAt(T, "a", "c1", 10))).containsExactly(1L, 2L);
    assertThat(record().getCounters().getDroppedMap()).containsEntry("maxlen", 1L);
  }

  @Test
  void dropHeadKeepsDeliveredMessagesAndDropsOnlyReadyOnes() {
    shard.applyOk(publishAt(T, "a", "m0", "m1"));
    deliverAt(T, "a", "c1", 2);

    limits(l().setMaxLength(1));

    assertThat(record().getMessages()).isEqualTo(2);
    shard.applyOk(publishAt(T, "a", "m2"));
    assertThat(record().getMessages()).isEqualTo(2);
    assertThat(record().getCounters().getDroppedMap()).containsEntry("maxlen", 1L);
  }

  @Test
  void loweringTheLimitTrimsAtOnceAndDeadLettersWithReasonMaxlen() {
    shard.applyOk(publishAt(T, "a", "m0", "m1", "m2", "m3"));

    limits(l().setMaxLength(1).setDeadLetterQueue("dlq"));

    assertThat(shard.marks("a").values()).extracting(StoredMessage::getDeadReason)
        .containsExactly("maxlen", "maxlen", "maxlen");
    assertThat(offsets(deliverAt(T, "a", "c1", 10))).containsExactly(3L);
  }

  @Test
  void maxLengthBytesDropsHeadsUntilTheBodiesFit() {
    limits(l().setMaxLengthBytes(4));
    shard.applyOk(publishAt(T, "a", "aa", "bb", "cc"));

    assertThat(record().getBytes()).isEqualTo(4);
    assertThat(offsets(deliverAt(T, "a", "c1", 10))).containsExactly(1L, 2L);
  }

  // ---- delivery-limit ----

  @Test
  void aMessageNackedUpToTheDeliveryLimitIsDeadLettered() {
    limits(l().setDeliveryLimit(3).setDeadLetterQueue("dlq"));
    shard.applyOk(publishAt(T, "a", "poison"));
    for (int i = 1; i <= 3; i++) {
      Delivery d = deliverAt(T, "a", "c1", 1).get(0);
      assertThat(d.getTag().getDeliveryCount()).isEqualTo(i);
      shard.applyOk(Cmd.requeue("a", d.getTag()));
    }

    StoredMessage mark = shard.marks("a").get(0L);
    assertThat(mark.getDeadReason()).isEqualTo("delivery_limit");
    assertThat(mark.getFailedDeliveries()).isEqualTo(3);
    assertThat(deliverAt(T, "a", "c1", 1)).isEmpty();
  }

  @Test
  void aReturnBecauseOfALeaderChangeDoesNotCountTowardTheLimit() {
    limits(l().setDeliveryLimit(2));
    shard.applyOk(publishAt(T, "a", "m0"));
    shard.applyOk(Cmd.attach("a", "c1", 1));
    for (int i = 0; i < 5; i++) {
      shard.applyOk(Cmd.returnAll());
      shard.applyOk(Cmd.detachAfterLeaderChange("a", "c1"));
      shard.applyOk(Cmd.attach("a", "c1", 1));
    }

    assertThat(record().getMessages()).isEqualTo(1);
    assertThat(shard.marks("a").get(0L).getFailedDeliveries()).isZero();
    assertThat(shard.marks("a").get(0L).getDeliveryCount()).isGreaterThan(2);
  }

  @Test
  void aConsumerThatGoesAwayCountsAsAFailedDelivery() {
    limits(l().setDeliveryLimit(2));
    shard.applyOk(publishAt(T, "a", "m0"));
    shard.applyOk(Cmd.attach("a", "c1", 1));
    shard.applyOk(Cmd.detach("a", "c1"));
    shard.applyOk(Cmd.attach("a", "c2", 1));
    assertThat(shard.marks("a").get(0L).getFailedDeliveries()).isEqualTo(1);

    shard.applyOk(Cmd.detach("a", "c2"));

    assertThat(record().getMessages()).isZero();
    assertThat(record().getCounters().getDroppedMap()).containsEntry("delivery_limit", 1L);
  }

  @Test
  void failedDeliveriesSurviveAReturnOfOneConsumer() {
    limits(l().setDeliveryLimit(2));
    shard.applyOk(publishAt(T, "a", "m0"));
    Delivery d = deliverAt(T, "a", "get-1", 1).get(0);
    shard.applyOk(Cmd.requeue("a", d.getTag()));
    deliverAt(T, "a", "get-2", 1);

    shard.applyOk(Cmd.returnOf("get-2"));

    assertThat(record().getMessages()).isZero();
  }

  // ---- delayed requeue ----

  @Test
  void aDelayedRequeueComesBackOnlyAfterItsDelay() {
    shard.applyOk(publishAt(T, "a", "m0", "m1"));
    Delivery d = deliverAt(T, "a", "c1", 1).get(0);

    shard.applyOk(at(T, Cmd.requeueAfter("a", 1_000, d.getTag())));

    assertThat(offsets(deliverAt(T + 999, "a", "c1", 10))).containsExactly(1L);
    shard.applyOk(Cmd.tick(T + 1_000));
    List<Delivery> again = deliverAt(T + 1_000, "a", "c2", 10);
    assertThat(offsets(again)).containsExactly(0L);
    assertThat(again.get(0).getRedelivered()).isTrue();
    assertThat(again.get(0).getTag().getDeliveryCount()).isEqualTo(2);
  }

  @Test
  void purgeTakesDelayedRequeuesToo() {
    shard.applyOk(publishAt(T, "a", "m0"));
    Delivery d = deliverAt(T, "a", "c1", 1).get(0);
    shard.applyOk(at(T, Cmd.requeueAfter("a", 1_000, d.getTag())));

    assertThat(shard.applyOk(Cmd.purge("a")).getCount()).isEqualTo(1);
    assertThat(record().getMessages()).isZero();
  }

  // ---- consumer-timeout ----

  @Test
  void aDeliveryPastItsTimeoutGoesToAnotherConsumerRedeliveredAndItsConsumerIsDetached() {
    limits(l().setConsumerTimeoutMs(1_000));
    shard.applyOk(at(T, Cmd.attach("a", "slow", 1)));
    shard.applyOk(publishAt(T, "a", "m0"));
    shard.applyOk(at(T, Cmd.attach("a", "other", 1)));
    shard.events.drain();

    shard.applyOk(Cmd.tick(T + 999));
    assertThat(shard.events.drain()).isEmpty();
    shard.applyOk(Cmd.tick(T + 1_000));

    List<String> events = shard.events.drain();
    assertThat(events).contains("timed out a slow", "delivered other a 0/2 redelivered");
    assertThat(shard.machine.attachedConsumers().get("a")).containsExactly("other");
    assertThat(record().getCounters().getTimedOutDeliveries()).isEqualTo(1);
    assertThat(shard.marks("a").get(0L).getFailedDeliveries()).isEqualTo(1);
  }

  @Test
  void theConsumersOwnTimeoutAppliesWhenSmaller() {
    limits(l().setConsumerTimeoutMs(60_000));
    shard.applyOk(at(T, Cmd.attach("a", "c1", 1, 500)));
    shard.applyOk(publishAt(T, "a", "m0"));
    shard.events.drain();

    shard.applyOk(Cmd.tick(T + 500));

    assertThat(shard.events.drain()).contains("timed out a c1");
  }

  @Test
  void aGetPastTheTimeoutReturnsOnlyThatDelivery() {
    limits(l().setConsumerTimeoutMs(1_000));
    shard.applyOk(publishAt(T, "a", "m0", "m1"));
    deliverAt(T, "a", "get-1", 1);
    deliverAt(T + 500, "a", "get-1", 1);

    shard.applyOk(Cmd.tick(T + 1_000));

    assertThat(record().getUnacked()).isEqualTo(1);
    assertThat(offsets(deliverAt(T + 1_000, "a", "get-2", 10))).containsExactly(0L);
  }

  @Test
  void withoutATickNoDeliveryTimesOut() {
    limits(l().setConsumerTimeoutMs(1_000));
    shard.applyOk(publishAt(T, "a", "m0"));
    deliverAt(T, "a", "get-1", 1);

    shard.applyOk(publishAt(T + 10_000, "a", "m1"));

    assertThat(record().getUnacked()).isEqualTo(1);
    assertThat(shard.machine.wantsTicks()).isTrue();
  }

  // ---- single-active-consumer ----

  @Test
  void onlyTheEarliestAttachedConsumerReceivesAndTheNextTakesOverInOrder() {
    limits(l().setSingleActiveConsumer(true));
    shard.applyOk(Cmd.attach("a", "first", 2));
    shard.applyOk(Cmd.attach("a", "second", 2));
    shard.applyOk(Cmd.attach("a", "third", 2));
    shard.events.drain();

    shard.applyOk(publishAt(T, "a", "m0", "m1", "m2"));
    assertThat(shard.events.drain()).filteredOn(e -> e.startsWith("delivered"))
        .allMatch(e -> e.startsWith("delivered first")).hasSize(2);

    shard.applyOk(Cmd.detach("a", "first"));

    assertThat(shard.events.drain()).filteredOn(e -> e.startsWith("delivered"))
        .allMatch(e -> e.startsWith("delivered second")).hasSize(2);
  }

  // ---- hostile entries ----

  @Test
  void limitsOutOfRangeAreRefusedAndChangeNothing() {
    byte[] before = shard.export();
    for (QueueLimits bad : List.of(l().setDeliveryLimit(2_000_000).build(), l().setMessageTtlMs(-1).build(),
        l().setMaxLength(-5).build(), l().setDeadLetterQueue("").setConsumerTimeoutMs(1L << 40).build(),
        l().setOverflowValue(7).build(), l().setDeadLetterQueue("x".repeat(300)).build())) {
      ShardResult r = shard.apply(Cmd.setLimits("a", bad));
      assertThat(r.getErrorCode()).as("%s", bad).isEqualTo(Status.INVALID_ARGUMENT);
      assertThat(r.getErrorMessage()).doesNotContain("Exception");
    }
    assertThat(shard.apply(Cmd.requeueAfter("a", 86_400_001, tag(0, 1))).getErrorCode()).isEqualTo(Status.INVALID_ARGUMENT);
    ShardCommand ackWithDelay = Cmd.ack("a", tag(0, 1)).toBuilder()
        .setSettle(Cmd.ack("a", tag(0, 1)).getSettle().toBuilder().setRequeueAfterMs(5)).build();
    assertThat(shard.apply(ackWithDelay).getErrorMessage()).contains("only with a requeue");
    assertThat(shard.record("a").getLimits()).isEqualTo(QueueLimits.getDefaultInstance());
    assertThat(shard.dump()).isEqualTo(TestShard.restoredFrom(before).dump());
  }

  // ---- replicas agree ----

  private static final QueueLimits SCENARIO_LIMITS = QueueLimits.newBuilder().setMessageTtlMs(5_000)
      .setMaxLength(4).setDeliveryLimit(2).setDeadLetterQueue("dlq").setConsumerTimeoutMs(2_000).build();

  private static final List<ShardCommand> SCENARIO = List.of(
      Cmd.create("q"),
      Cmd.setLimits("q", SCENARIO_LIMITS),
      at(T, Cmd.attach("q", "c1", 2)),
      publishAt(T, "q", "a0", "a1", "a2"),
      at(T + 100, Cmd.requeue("q", tag(0, 1))),
      Cmd.enqueueAt(T + 200, QueuePublish.newBuilder().setQueue("q")
          .addMessages(Cmd.message("short").toBuilder().putHeaders("ttl-ms", "50")).build()),
      publishAt(T + 300, "q", "a4", "a5", "a6", "a7"),
      at(T + 400, Cmd.requeueAfter("q", 1_000, tag(1, 1))),
      Cmd.tick(T + 1_000),
      Cmd.tick(T + 1_500),
      at(T + 1_600, Cmd.attach("q", "c2", 1, 300)),
      Cmd.tick(T + 2_100),
      at(T + 2_200, Cmd.deliver("q", "get-1", 2)),
      Cmd.tick(T + 2_600),
      Cmd.deadLetterDone("q", false, 2L, 3L),
      at(T + 3_000, Cmd.detach("q", "c1")),
      Cmd.tick(T + 4_500),
      Cmd.setLimits("q", SCENARIO_LIMITS.toBuilder().setSingleActiveConsumer(true).setMaxLength(2).build()),
      at(T + 4_600, Cmd.attach("q", "c3", 3)),
      publishAt(T + 4_700, "q", "b0", "b1"),
      Cmd.tick(T + 9_000),
      Cmd.tick(T + 12_000),
      Cmd.deadLetterDone("q", true, 0L, 1L, 4L, 5L, 6L, 7L, 8L, 9L),
      Cmd.tick(T + 20_000));

  @Test
  void theScenarioExercisesEveryRule() {
    Replays.Run run = Replays.straight(SCENARIO);
    assertThat(run.results()).allMatch(r -> r.getErrorCode() == Status.OK, "every entry applies");
    assertThat(run.events()).anyMatch(e -> e.startsWith("timed out")).anyMatch(e -> e.startsWith("dead q"))
        .anyMatch(e -> e.contains("redelivered"));
    try (TestShard s = TestShard.inMemory()) {
      SCENARIO.forEach(s::apply);
      Map<String, Long> reasons = new java.util.TreeMap<>(s.record("q").getCounters().getDeadLetteredMap());
      s.record("q").getCounters().getDroppedMap().forEach((k, v) -> reasons.merge(k, v, Long::sum));
      assertThat(reasons).containsKeys("expired", "maxlen");
      assertThat(s.record("q").getCounters().getTimedOutDeliveries()).isPositive();
    }
  }

  @Test
  void aReplicaRestartedAnywhereDecidesExactlyAsOneThatDidNot() {
    Replays.assertRestartAnywhereAgrees(SCENARIO);
  }

  @Test
  void aReplicaThatInstalledASnapshotAnywhereDecidesExactlyAsOneThatDidNot() {
    Replays.assertSnapshotAnywhereAgrees(SCENARIO);
  }
}
