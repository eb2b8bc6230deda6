package io.qraft.statemachine;

import static io.qraft.statemachine.Cmd.tag;
import static org.assertj.core.api.Assertions.assertThat;

import io.qraft.api.HardLimits;
import io.qraft.api.log.v1.AttachedConsumer;
import io.qraft.api.log.v1.QueueRecord;
import io.qraft.api.log.v1.ShardCommand;
import io.qraft.api.log.v1.ShardResult;
import io.qraft.api.log.v1.StoredMessage;
import io.qraft.api.v1.Delivery;
import io.qraft.storage.InMemoryQueueStore;
import io.qraft.storage.RocksQueueStore;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Consumers attached with Attach and the deliveries {@link Checkout} hands them as entries
 * apply: who gets what, the marks and counters it writes, what reattach, detach, settles and
 * returns do to it, and that a replica that restarted or installed a snapshot decides the same.
 */
class CheckoutTest {
  private TestShard shard;

  @BeforeEach
  void openShard() {
    shard = TestShard.inMemory();
    shard.applyOk(Cmd.create("a"));
    shard.applyOk(Cmd.create("b"));
    shard.events.drain();
  }

  @AfterEach
  void closeShard() {
    shard.assertConsistent();
    shard.close();
  }

  /**
   * The deliveries to attached consumers since the last call, as
   * "CONSUMER QUEUE offset/count[ redelivered][ body=BODY]"; other events are dropped.
   */
  private List<String> handed() {
    return handed(shard);
  }

  private static List<String> handed(TestShard s) {
    s.events.drainDelivered();
    return s.events.drain().stream().filter(e -> e.startsWith("delivered "))
        .map(e -> e.substring("delivered ".length())).toList();
  }

  /** The queue's unacked marks as "offset:consumer/count" (an empty consumer: returned). */
  private static List<String> marks(TestShard s, String queue) {
    List<String> out = new ArrayList<>();
    s.marks(queue).forEach((offset, m) -> out.add(offset + ":" + m.getConsumerId() + "/" + m.getDeliveryCount()));
    return out;
  }

  private List<String> marks(String queue) {
    return marks(shard, queue);
  }

  private static ShardResult refused(TestShard s, ShardCommand command, int code) {
    List<String> before = s.dump();
    Map<String, List<String>> consumers = s.machine.attachedConsumers();
    ShardResult result = s.apply(command);
    assertThat(result.getErrorCode()).as("code of %s: %s", Cmd.describe(command), result.getErrorMessage())
        .isEqualTo(code);
    assertThat(result.getErrorMessage()).isNotBlank();
    assertThat(s.dump()).as("store after refusing %s", Cmd.describe(command)).isEqualTo(before);
    assertThat(s.machine.attachedConsumers()).isEqualTo(consumers);
    assertThat(handed(s)).as("deliveries after refusing %s", Cmd.describe(command)).isEmpty();
    return result;
  }

  // ---- attach and hand out ----

  @Test
  void attachedConsumerGetsPublishedMessagesWithTheirBodiesInTheSameEntry() {
    assertThat(shard.applyOk(Cmd.attach("a", "c1", 10)).getCount()).isZero();
    assertThat(handed()).isEmpty();

    shard.applyOk(Cmd.publish("a", "x", "y"));

    assertThat(handed()).containsExactly("c1 a 0/1 body=x", "c1 a 1/1 body=y");
    assertThat(marks("a")).containsExactly("0:c1/1", "1:c1/1");
    QueueRecord a = shard.record("a");
    assertThat(a.getUnacked()).isEqualTo(2);
    assertThat(a.getMessages()).isEqualTo(2);
    assertThat(shard.storedRecord("a")).isEqualTo(a);
    assertThat(a.getConsumersList()).extracting(AttachedConsumer::getId, AttachedConsumer::getPrefetch)
        .containsExactly(org.assertj.core.api.Assertions.tuple("c1", 10));
    assertThat(shard.machine.hasReady("a")).isFalse();
    assertThat(shard.machine.attachedConsumers()).isEqualTo(Map.of("a", List.of("c1")));
    // Other queues are not its business.
    shard.applyOk(Cmd.publish("b", "z"));
    assertThat(handed()).isEmpty();
  }

  @Test
  void theDeliveryEventCarriesFullTagsAndTheMessageOfTheEntry() {
    shard.applyOk(Cmd.attach("a", "c1", 10));
    shard.events.drain();
    shard.applyOk(Cmd.publish("a", "x"));

    List<TestShard.Handed> got = shard.events.drainDelivered();
    assertThat(got).singleElement().satisfies(h -> {
      assertThat(h.consumerId()).isEqualTo("c1");
      Delivery d = h.delivery();
      assertThat(d.getQueue()).isEqualTo("a");
      assertThat(d.getTag().getOffset()).isZero();
      assertThat(d.getTag().getDeliveryCount()).isEqualTo(1);
      assertThat(d.getRedelivered()).isFalse();
      assertThat(d.getMessage()).isEqualTo(Cmd.message("x"));
    });
  }

  @Test
  void messagesReadyBeforeTheAttachAreHandedOutByItWithoutBodies() {
    shard.applyOk(Cmd.publish("a", "x", "y", "z"));

    assertThat(shard.applyOk(Cmd.attach("a", "c1", 2)).getCount()).isZero();

    assertThat(handed()).containsExactly("c1 a 0/1", "c1 a 1/1");
    assertThat(marks("a")).containsExactly("0:c1/1", "1:c1/1");
    assertThat(shard.record("a").getUnacked()).isEqualTo(2);
    // What the leader reads from its store for them.
    assertThat(shard.storedMessage("a", 0).getMessage()).isEqualTo(Cmd.message("x"));
  }

  @Test
  void prefetchBoundsWhatAConsumerHolds() {
    shard.applyOk(Cmd.attach("a", "c1", 2));

    shard.applyOk(Cmd.publish("a", "m0", "m1", "m2", "m3", "m4"));

    assertThat(handed()).containsExactly("c1 a 0/1 body=m0", "c1 a 1/1 body=m1");
    assertThat(shard.record("a").getUnacked()).isEqualTo(2);
    assertThat(shard.record("a").getMessages()).isEqualTo(5);
    assertThat(shard.machine.hasReady("a")).isTrue();
    shard.applyOk(Cmd.publish("a", "m5"));
    assertThat(handed()).isEmpty();
  }

  @Test
  void anAckGivesCreditBackAndTheNextReadyMessageGoesInTheSameEntry() {
    shard.applyOk(Cmd.attach("a", "c1", 1));
    shard.applyOk(Cmd.publish("a", "m0", "m1", "m2"));
    assertThat(handed()).containsExactly("c1 a 0/1 body=m0");

    shard.applyOk(Cmd.ack("a", tag(0, 1)));

    // The ack did not carry the message: the leader reads it from the store.
    assertThat(handed()).containsExactly("c1 a 1/1");
    assertThat(marks("a")).containsExactly("1:c1/1");
    assertThat(shard.storedOffsets("a")).containsExactly(1L, 2L);
    assertThat(shard.record("a").getUnacked()).isEqualTo(1);

    shard.applyOk(Cmd.drop("a", tag(1, 1)));
    assertThat(handed()).containsExactly("c1 a 2/1");
    shard.applyOk(Cmd.ack("a", tag(2, 1)));
    assertThat(handed()).isEmpty();
    assertThat(shard.record("a").getUnacked()).isZero();
    assertThat(shard.record("a").getMessages()).isZero();
  }

  @Test
  void aRequeuedMessageIsRedeliveredAtOnceWithTheNextCount() {
    shard.applyOk(Cmd.attach("a", "c1", 1));
    shard.applyOk(Cmd.publish("a", "x"));
    handed();

    shard.applyOk(Cmd.requeue("a", tag(0, 1)));

    assertThat(handed()).containsExactly("c1 a 0/2 redelivered");
    assertThat(marks("a")).containsExactly("0:c1/2");
    assertThat(shard.record("a").getUnacked()).isEqualTo(1);
    // The old tag is stale now.
    refused(shard, Cmd.ack("a", tag(0, 1)), Status.FAILED_PRECONDITION);
    shard.applyOk(Cmd.ack("a", tag(0, 2)));
    assertThat(shard.record("a").getMessages()).isZero();
  }

  @Test
  void aRequeuedDeliverMadeMessageGoesToTheAttachedConsumerWithTheNextCount() {
    shard.applyOk(Cmd.publish("a", "x"));
    assertThat(shard.deliver("a", "get-1", 1)).hasSize(1);
    shard.applyOk(Cmd.attach("a", "c1", 5));
    assertThat(handed()).isEmpty();

    shard.applyOk(Cmd.requeue("a", tag(0, 1)));

    assertThat(handed()).containsExactly("c1 a 0/2 redelivered");
    assertThat(marks("a")).containsExactly("0:c1/2");
  }

  // ---- several consumers ----

  @Test
  void theConsumerWithTheMostCreditGetsTheNextMessageTheEarlierAttachOnATie() {
    shard.applyOk(Cmd.attach("a", "c1", 2));
    shard.applyOk(Cmd.attach("a", "c2", 2));

    shard.applyOk(Cmd.publish("a", "m0", "m1", "m2", "m3", "m4"));

    // 2/2: c1 (earlier); 1/2: c2; 1/1: c1; 0/1: c2; then nobody has credit.
    assertThat(handed()).containsExactly("c1 a 0/1 body=m0", "c2 a 1/1 body=m1", "c1 a 2/1 body=m2",
        "c2 a 3/1 body=m3");
    assertThat(marks("a")).containsExactly("0:c1/1", "1:c2/1", "2:c1/1", "3:c2/1");
    assertThat(shard.record("a").getUnacked()).isEqualTo(4);
    assertThat(shard.machine.attachedConsumers()).isEqualTo(Map.of("a", List.of("c1", "c2")));

    // The one that got credit back takes the next.
    shard.applyOk(Cmd.ack("a", tag(1, 1)));
    assertThat(handed()).containsExactly("c2 a 4/1");
  }

  @Test
  void moreCreditBeatsAnEarlierAttach() {
    shard.applyOk(Cmd.attach("a", "c1", 1));
    shard.applyOk(Cmd.attach("a", "c2", 3));

    shard.applyOk(Cmd.publish("a", "m0", "m1", "m2", "m3"));

    assertThat(handed()).containsExactly("c2 a 0/1 body=m0", "c2 a 1/1 body=m1", "c1 a 2/1 body=m2",
        "c2 a 3/1 body=m3");
  }

  @Test
  void aReattachKeepsItsPlaceInTiesButADetachAndAttachStartsAnew() {
    shard.applyOk(Cmd.attach("a", "c1", 1));
    shard.applyOk(Cmd.attach("a", "c2", 1));
    long c1At = shard.record("a").getConsumers(0).getAttachedAt();
    shard.applyOk(Cmd.attach("a", "c1", 1)); // reattach: still the earlier

    assertThat(shard.record("a").getConsumersList()).extracting(AttachedConsumer::getId)
        .containsExactly("c1", "c2");
    assertThat(shard.record("a").getConsumers(0).getAttachedAt()).isEqualTo(c1At);
    shard.applyOk(Cmd.publish("a", "m0"));
    assertThat(handed()).containsExactly("c1 a 0/1 body=m0");
    shard.applyOk(Cmd.ack("a", tag(0, 1)));

    shard.applyOk(Cmd.detach("a", "c1"));
    long again = shard.index + 1;
    shard.applyOk(Cmd.attach("a", "c1", 1));
    assertThat(shard.record("a").getConsumersList()).extracting(AttachedConsumer::getId, AttachedConsumer::getAttachedAt)
        .containsExactly(org.assertj.core.api.Assertions.tuple("c2", shard.record("a").getConsumers(0).getAttachedAt()),
            org.assertj.core.api.Assertions.tuple("c1", again));
    shard.applyOk(Cmd.publish("a", "m1"));
    assertThat(handed()).containsExactly("c2 a 1/1 body=m1");
  }

  // ---- reattach ----

  @Test
  void aReattachAnnouncesWhatItHoldsAgainUnderTheSameTagsAndKeepsItsCredit() {
    shard.applyOk(Cmd.attach("a", "c1", 3));
    shard.applyOk(Cmd.publish("a", "x", "y"));
    handed();
    List<String> marksBefore = marks("a");
    long unacked = shard.record("a").getUnacked();

    ShardResult again = shard.applyOk(Cmd.attach("a", "c1", 3));

    assertThat(again.getCount()).isEqualTo(2);
    assertThat(handed()).containsExactly("c1 a 0/1 redelivered", "c1 a 1/1 redelivered");
    assertThat(marks("a")).isEqualTo(marksBefore);
    assertThat(shard.record("a").getUnacked()).isEqualTo(unacked);
    assertThat(shard.record("a").getConsumersCount()).isEqualTo(1);
    // Its tags are unchanged: an ack of the first delivery's tag is taken.
    shard.applyOk(Cmd.ack("a", tag(0, 1)));
    // It holds 1 of 3: two more fit, the third waits.
    shard.applyOk(Cmd.publish("a", "z", "w", "v"));
    assertThat(handed()).containsExactly("c1 a 2/1 body=z", "c1 a 3/1 body=w");
  }

  @Test
  void aReattachWithMorePrefetchTakesMoreInTheSameEntryAndWithLessWaits() {
    shard.applyOk(Cmd.attach("a", "c1", 1));
    shard.applyOk(Cmd.publish("a", "m0", "m1", "m2", "m3"));
    handed();

    assertThat(shard.applyOk(Cmd.attach("a", "c1", 3)).getCount()).isEqualTo(1);

    assertThat(handed()).containsExactly("c1 a 0/1 redelivered", "c1 a 1/1", "c1 a 2/1");
    assertThat(shard.record("a").getConsumers(0).getPrefetch()).isEqualTo(3);

    // Down to 1 while holding 3: nothing more until it holds less than 1.
    assertThat(shard.applyOk(Cmd.attach("a", "c1", 1)).getCount()).isEqualTo(3);
    handed();
    shard.applyOk(Cmd.ack("a", tag(0, 1)));
    shard.applyOk(Cmd.ack("a", tag(1, 1)));
    assertThat(handed()).isEmpty();
    shard.applyOk(Cmd.ack("a", tag(2, 1)));
    assertThat(handed()).containsExactly("c1 a 3/1");
  }

  // ---- detach ----

  @Test
  void aDetachReturnsWhatItHeldAndAnotherConsumerGetsItWithTheNextCount() {
    shard.applyOk(Cmd.attach("a", "c1", 2));
    shard.applyOk(Cmd.publish("a", "x", "y"));
    shard.applyOk(Cmd.attach("a", "c2", 1));
    handed();

    ShardResult detached = shard.applyOk(Cmd.detach("a", "c1"));

    assertThat(detached.getCount()).isEqualTo(2);
    List<String> events = shard.events.drain();
    assertThat(events).contains("settled a c1 2", "ready a", "delivered c2 a 0/2 redelivered");
    assertThat(events.stream().filter(e -> e.startsWith("delivered"))).hasSize(1);
    assertThat(marks("a")).containsExactly("0:c2/2", "1:/1");
    assertThat(shard.record("a").getUnacked()).isEqualTo(1);
    assertThat(shard.record("a").getConsumersList()).extracting(AttachedConsumer::getId).containsExactly("c2");
    assertThat(shard.machine.attachedConsumers()).isEqualTo(Map.of("a", List.of("c2")));

    // Its old tags are stale: while the message is out again, an ack under the old tag is refused.
    refused(shard, Cmd.ack("a", tag(0, 1)), Status.FAILED_PRECONDITION);

    shard.applyOk(Cmd.ack("a", tag(0, 2)));
    assertThat(handed()).containsExactly("c2 a 1/2 redelivered");

    // Once the message is gone, the old tag has nothing left to settle: done, and nothing changes.
    List<String> before = shard.dump();
    assertThat(shard.applyOk(Cmd.ack("a", tag(0, 1))).getCount()).isZero();
    assertThat(shard.dump()).isEqualTo(before);
  }

  @Test
  void theLastDetachLeavesTheMessagesReadyForDeliver() {
    shard.applyOk(Cmd.attach("a", "c1", 5));
    shard.applyOk(Cmd.publish("a", "x"));
    handed();

    shard.applyOk(Cmd.detach("a", "c1"));

    assertThat(handed()).isEmpty();
    assertThat(shard.record("a").getConsumersList()).isEmpty();
    assertThat(shard.machine.attachedConsumers()).isEmpty();
    assertThat(shard.deliver("a", "c1", 5)).singleElement()
        .satisfies(d -> assertThat(d.getTag()).isEqualTo(tag(0, 2)));
  }

  @Test
  void aDetachOfAnUnknownConsumerDoesNothingAndOfAMissingQueueIsNotFound() {
    shard.applyOk(Cmd.attach("a", "c1", 5));
    shard.applyOk(Cmd.publish("a", "x"));
    handed();
    List<String> before = shard.dump();

    assertThat(shard.applyOk(Cmd.detach("a", "c2")).getCount()).isZero();
    assertThat(shard.applyOk(Cmd.detach("b", "c1")).getCount()).isZero();

    assertThat(shard.dump()).isEqualTo(before);
    assertThat(handed()).isEmpty();
    refused(shard, Cmd.detach("missing", "c1"), Status.NOT_FOUND);
  }

  // ---- Deliver and returns ----

  @Test
  void deliverUnderAnAttachedIdIsRefusedAndChangesNothing() {
    shard.applyOk(Cmd.attach("a", "c1", 1));
    shard.applyOk(Cmd.publish("a", "x", "y"));
    handed();

    refused(shard, Cmd.deliver("a", "c1", 5), Status.INVALID_ARGUMENT);
    refused(shard, Cmd.deliverSettled("a", "c1", 5), Status.INVALID_ARGUMENT);

    // Another id may still take what is ready; the id is attached to a only.
    assertThat(shard.deliver("a", "get-1", 5)).singleElement()
        .satisfies(d -> assertThat(d.getTag()).isEqualTo(tag(1, 1)));
    shard.applyOk(Cmd.publish("b", "z"));
    assertThat(shard.deliver("b", "c1", 5)).hasSize(1);
  }

  @Test
  void returnAllKeepingAttachedLeavesTheAttachedConsumersMarksAndReturnsTheRest() {
    shard.applyOk(Cmd.attach("a", "c1", 1));
    shard.applyOk(Cmd.publish("a", "x", "y"));
    shard.deliver("a", "get-1", 1);
    handed();
    assertThat(marks("a")).containsExactly("0:c1/1", "1:get-1/1");

    assertThat(shard.applyOk(Cmd.returnAllKeepAttached()).getCount()).isEqualTo(1);

    assertThat(marks("a")).containsExactly("0:c1/1", "1:/1");
    assertThat(shard.record("a").getUnacked()).isEqualTo(1);
    assertThat(handed()).as("c1 has no credit").isEmpty();
    // c1 settles and gets the returned one, as a redelivery.
    shard.applyOk(Cmd.ack("a", tag(0, 1)));
    assertThat(handed()).containsExactly("c1 a 1/2 redelivered");
  }

  @Test
  void returnAllWithoutKeepingTakesTheAttachedConsumersDeliveriesTooAndHandsThemOutAgain() {
    shard.applyOk(Cmd.attach("a", "c1", 1));
    shard.applyOk(Cmd.publish("a", "x", "y"));
    shard.deliver("a", "get-1", 1);
    handed();

    assertThat(shard.applyOk(Cmd.returnAll()).getCount()).isEqualTo(2);

    // c1's credit came back in the entry: the lowest ready offset is its again, counted again.
    assertThat(handed()).containsExactly("c1 a 0/2 redelivered");
    assertThat(marks("a")).containsExactly("0:c1/2", "1:/1");
    assertThat(shard.record("a").getUnacked()).isEqualTo(1);
  }

  @Test
  void returnOfOneAttachedConsumerGivesItsCreditBack() {
    shard.applyOk(Cmd.attach("a", "c1", 1));
    shard.applyOk(Cmd.attach("a", "c2", 1));
    shard.applyOk(Cmd.publish("a", "x", "y", "z"));
    handed();

    assertThat(shard.applyOk(Cmd.returnOf("c1")).getCount()).isEqualTo(1);

    assertThat(handed()).containsExactly("c1 a 0/2 redelivered");
    assertThat(marks("a")).containsExactly("0:c1/2", "1:c2/1");
  }

  // ---- refusals ----

  @Test
  void anAttachToAMissingQueueIsNotFound() {
    refused(shard, Cmd.attach("missing", "c1", 5), Status.NOT_FOUND);
    assertThat(shard.machine.attachedConsumers()).isEmpty();
  }

  @Test
  void attachAndDetachWithBadFieldsAreRefusedAndChangeNothing() {
    shard.applyOk(Cmd.attach("a", "c1", 1));
    shard.applyOk(Cmd.publish("a", "x", "y"));
    handed();
    String tooLong = "c".repeat(HardLimits.CONSUMER_TAG_BYTES + 1);
    String sync = QueueMoves.SYNC_PREFIX + "g1";

    List<ShardCommand> bad = List.of(
        Cmd.attach("a", "", 5),
        Cmd.attach("a", sync, 5),
        Cmd.attach("a", QueueMoves.SYNC_PREFIX, 5),
        Cmd.attach("a", tooLong, 5),
        Cmd.attach("a", "bad\uD800", 5),
        Cmd.attach("a", "c2", 0),
        Cmd.attach("a", "c1", 0), // even for one attached already
        Cmd.attach("a", "c2", HardLimits.PREFETCH + 1),
        Cmd.attach("a", "c2", -1), // 2^32 - 1 unsigned
        Cmd.attach("a", "c2", Integer.MIN_VALUE),
        Cmd.attach("", "c2", 5),
        Cmd.attach("q".repeat(300), "c2", 5),
        Cmd.detach("a", ""),
        Cmd.detach("a", sync),
        Cmd.detach("a", tooLong),
        Cmd.detach("", "c1"));
    for (ShardCommand c : bad) {
      refused(shard, c, Status.INVALID_ARGUMENT);
    }
    assertThat(shard.record("a").getConsumersList()).extracting(AttachedConsumer::getId, AttachedConsumer::getPrefetch)
        .containsExactly(org.assertj.core.api.Assertions.tuple("c1", 1));

    // The edges are taken.
    shard.applyOk(Cmd.attach("a", "c".repeat(HardLimits.CONSUMER_TAG_BYTES), HardLimits.PREFETCH));
    assertThat(handed()).containsExactly("c".repeat(HardLimits.CONSUMER_TAG_BYTES) + " a 1/1");
  }

  @Test
  void aQueueTakesAtMostMaxConsumersAndAReattachAtTheLimitIsTaken() {
    for (int i = 0; i < QueueMachine.MAX_CONSUMERS; i++) {
      shard.applyOk(Cmd.attach("a", "c" + i, 1));
    }

    refused(shard, Cmd.attach("a", "one-more", 1), Status.RESOURCE_EXHAUSTED);

    assertThat(shard.applyOk(Cmd.attach("a", "c7", 2)).getCount()).isZero();
    assertThat(shard.record("a").getConsumersCount()).isEqualTo(QueueMachine.MAX_CONSUMERS);
    // Other queues have their own limit; after a detach there is room again.
    shard.applyOk(Cmd.attach("b", "one-more", 1));
    shard.applyOk(Cmd.detach("a", "c0"));
    shard.applyOk(Cmd.attach("a", "one-more", 1));
    assertThat(shard.machine.attachedConsumers().get("a")).hasSize(QueueMachine.MAX_CONSUMERS)
        .doesNotContain("c0").endsWith("one-more");
  }

  // ---- delete ----

  @Test
  void deletingAQueueDropsItsConsumers() {
    shard.applyOk(Cmd.attach("a", "c1", 5));
    shard.applyOk(Cmd.attach("b", "c1", 5));
    shard.applyOk(Cmd.publish("a", "x"));
    handed();

    shard.applyOk(Cmd.delete("a"));

    assertThat(shard.machine.attachedConsumers()).isEqualTo(Map.of("b", List.of("c1")));
    shard.applyOk(Cmd.create("a"));
    assertThat(shard.record("a").getConsumersList()).isEmpty();
    shard.applyOk(Cmd.publish("a", "y"));
    assertThat(handed()).isEmpty();
    assertThat(shard.deliver("a", "c1", 5)).hasSize(1);
  }

  // ---- events follow the commit ----

  @Test
  void deliveryEventsComeOnlyOnceTheEntryIsDurable() {
    InMemoryQueueStore store = new InMemoryQueueStore();
    List<String> checked = new ArrayList<>();
    QueueMachine[] machine = new QueueMachine[1];
    long[] index = {0};
    ShardEvents events = new ShardEvents() {
      @Override
      public void delivered(String consumerId, Delivery delivery) {
        // The leader reads the message and the mark from its store when told.
        assertThat(store.lastAppliedIndex()).isEqualTo(index[0]);
        boolean[] marked = {false};
        store.scanUnacked("a", (offset, value) -> {
          marked[0] |= offset == delivery.getTag().getOffset();
          return true;
        });
        assertThat(marked[0]).as("mark of %s", delivery.getTag()).isTrue();
        assertThat(store.message("a", delivery.getTag().getOffset())).isNotNull();
        assertThat(machine[0].attachedConsumers()).containsKey("a");
        checked.add(consumerId + " " + delivery.getTag().getOffset());
      }
    };
    machine[0] = new QueueMachine(store, events);
    for (ShardCommand c : List.of(Cmd.create("a"), Cmd.publish("a", "x"), Cmd.attach("a", "c1", 1),
        Cmd.publish("a", "y"), Cmd.ack("a", tag(0, 1)), Cmd.attach("a", "c1", 1))) {
      index[0]++;
      assertThat(machine[0].apply(index[0], c).getErrorCode()).isEqualTo(Status.OK);
    }
    assertThat(checked).containsExactly("c1 0", "c1 1", "c1 1");
    store.close();
  }

  // ---- restart and snapshot ----

  /** Consumers come and go over two queues, with Deliver, settles and returns mixed in. */
  private static final List<ShardCommand> SCENARIO = List.of(
      Cmd.create("orders"),
      Cmd.create("audit"),
      Cmd.publish("orders", "o0", "o1", "o2"),
      Cmd.attach("orders", "c1", 2),
      Cmd.attach("orders", "c2", 1),
      Cmd.deliver("audit", "get-1", 1),
      Cmd.publish("audit", "a0", "a1"),
      Cmd.attach("audit", "c1", 3),
      Cmd.publish("orders", "o3", "o4"),
      Cmd.requeue("orders", tag(0, 1)),
      Cmd.ack("orders", tag(1, 1)),
      Cmd.attach("orders", "c3", 2),
      Cmd.deliver("orders", "get-1", 2),
      Cmd.attach("orders", "c1", 1),
      Cmd.detach("orders", "c2"),
      Cmd.returnAllKeepAttached(),
      Cmd.publish("orders", "o5", "o6", "o7"),
      Cmd.ack("orders", tag(2, 1), tag(3, 1)),
      Cmd.drop("orders", tag(0, 2)),
      Cmd.returnAll(),
      Cmd.attach("orders", "c2", 4),
      Cmd.detach("audit", "c1"),
      Cmd.publish("audit", "a2"),
      Cmd.attach("audit", "c4", 1),
      Cmd.ack("orders", tag(4, 1), tag(5, 1), tag(6, 1)),
      Cmd.attach("orders", "c3", 3),
      Cmd.detach("orders", "c1"),
      Cmd.delete("audit"),
      Cmd.publish("orders", "o8"),
      Cmd.returnOf("c3"),
      Cmd.attach("orders", "c1", 2),
      Cmd.publish("orders", "o9", "o10"));

  @Test
  void theScenarioExercisesCheckout() {
    Replays.Run run = Replays.straight(SCENARIO);
    assertThat(run.events().stream().filter(e -> e.startsWith("delivered"))).hasSizeGreaterThan(15)
        .anyMatch(e -> e.contains("redelivered")).anyMatch(e -> e.contains("body="));
    assertThat(run.results().stream().filter(r -> r.getErrorCode() == Status.OK)).hasSizeGreaterThan(SCENARIO.size() - 4);
  }

  @Test
  void aReplicaRestartedAnywhereHandsOutExactlyWhatOneThatDidNotHandsOut() {
    Replays.assertRestartAnywhereAgrees(SCENARIO);
  }


  @Test
  void aReplicaThatInstalledASnapshotAnywhereHandsOutExactlyWhatOneThatDidNotHandsOut() {
    Replays.assertSnapshotAnywhereAgrees(SCENARIO);
  }


  @Test
  void aReplicaRestartedOverRocksDbHandsOutTheSame(@TempDir Path dir) throws Exception {
    Replays.Run straight = Replays.straight(SCENARIO);
    List<ShardResult> results = new ArrayList<>();
    List<String> events = new ArrayList<>();
    int third = SCENARIO.size() / 3;
    TestShard rocks = new TestShard(RocksQueueStore.open(dir.resolve("store")));
    try {
      for (int i = 0; i < SCENARIO.size(); i++) {
        if (i == third || i == 2 * third) {
          // A real restart: the store is closed and opened again.
          events.addAll(rocks.events.seen);
          rocks.close();
          rocks = new TestShard(RocksQueueStore.open(dir.resolve("store")));
        }
        results.add(rocks.apply(SCENARIO.get(i)));
      }
      events.addAll(rocks.events.seen);
      rocks.assertConsistent();
      assertThat(results).isEqualTo(straight.results());
      assertThat(events).isEqualTo(straight.events());
      assertThat(rocks.export()).isEqualTo(straight.export());
    } finally {
      rocks.close();
    }
  }

  /**
   * A Deliver-made mark under an id that later attaches: memory and a reload must agree on what
   * that consumer holds, or a restarted replica hands out other messages than the others.
   */
  @Test
  void anIdThatHeldDeliverMadeMessagesWhenItAttachedCountsThemTheSameAfterARestart() {
    List<ShardCommand> commands = List.of(
        Cmd.create("q"),
        Cmd.publish("q", "m0", "m1", "m2", "m3"),
        Cmd.deliver("q", "c1", 2),
        Cmd.attach("q", "c1", 2),
        Cmd.attach("q", "c2", 2),
        Cmd.ack("q", tag(0, 1)),
        Cmd.publish("q", "m4", "m5"),
        Cmd.ack("q", tag(1, 1)),
        Cmd.publish("q", "m6"));
    Replays.assertRestartAnywhereAgrees(commands);
  }

  @Test
  void attachedConsumersIsAnUnmodifiableViewInAttachOrder() {
    shard.applyOk(Cmd.attach("b", "z", 1));
    shard.applyOk(Cmd.attach("a", "y", 1));
    shard.applyOk(Cmd.attach("a", "x", 1));
    Map<String, List<String>> view = shard.machine.attachedConsumers();

    assertThat(view).isEqualTo(new TreeMap<>(Map.of("a", List.of("y", "x"), "b", List.of("z"))));
    org.assertj.core.api.Assertions.assertThatThrownBy(() -> view.put("c", List.of()))
        .isInstanceOf(UnsupportedOperationException.class);
    org.assertj.core.api.Assertions.assertThatThrownBy(() -> view.get("a").add("w"))
        .isInstanceOf(UnsupportedOperationException.class);
    // Later changes make a new view; this one stays as it was.
    shard.applyOk(Cmd.detach("a", "y"));
    assertThat(view.get("a")).containsExactly("y", "x");
    assertThat(shard.machine.attachedConsumers().get("a")).containsExactly("x");
  }

  @Test
  void consumersAndTheirHoldingsSurviveARestartOfTheShard() {
    shard.applyOk(Cmd.attach("a", "c1", 2));
    shard.applyOk(Cmd.attach("a", "c2", 1));
    shard.applyOk(Cmd.publish("a", "m0", "m1", "m2", "m3"));
    handed();
    StoredMessage before = shard.storedMessage("a", 0);

    shard.restart();

    assertThat(shard.machine.attachedConsumers()).isEqualTo(Map.of("a", List.of("c1", "c2")));
    assertThat(shard.storedMessage("a", 0)).isEqualTo(before);
    assertThat(marks("a")).containsExactly("0:c1/1", "1:c1/1", "2:c2/1");
    // Nothing has credit: nothing moves until an ack, which goes to the one that acked.
    shard.applyOk(Cmd.publish("a", "m4"));
    assertThat(handed()).isEmpty();
    shard.applyOk(Cmd.ack("a", tag(2, 1)));
    assertThat(handed()).containsExactly("c2 a 3/1");
    assertThat(shard.applyOk(Cmd.attach("a", "c1", 2)).getCount()).isEqualTo(2);
    assertThat(handed()).containsExactly("c1 a 0/1 redelivered", "c1 a 1/1 redelivered");
  }
}
