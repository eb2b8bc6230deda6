package io.qraft.ops.faults;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class QueueCheckerTest {

  private final List<Op> h = new ArrayList<>();

  private void publish(long value, String outcome, long t0, long t1) {
    h.add(Op.publish("p0", "q", value, t0).end(t1, outcome));
  }

  private void deliver(long value, long offset, int count, boolean redelivered, long t) {
    h.add(Op.deliver("c0", "q", value, offset, count, redelivered, t));
  }

  private void ack(long value, long offset, int count, String outcome, Integer acked, long t0,
      long t1) {
    Op op = Op.ack("c0", "q", value, offset, count, t0).end(t1, outcome);
    op.acked = acked;
    h.add(op);
  }

  // The dead-letter workload: queue "q" with delivery-limit 3, its dead-letter queue "q-dead".

  private void publishPoison(long value, String outcome, long t0, long t1) {
    Op op = Op.publish("p0", "q", value, t0).end(t1, outcome);
    op.poison = true;
    h.add(op);
  }

  /** A poison value delivered and nacked {@code times} times from its queue, from time t. */
  private void nackedFromItsQueue(long value, long offset, int times, long t) {
    for (int i = 1; i <= times; i++) {
      Op d = Op.deliver("c0", "q", value, offset, i, i > 1, t + 10 * i);
      d.poison = true;
      h.add(d);
      Op n = Op.nack("c0", "q", value, offset, i, t + 10 * i + 1).end(t + 10 * i + 2, Op.OK);
      n.acked = 1;
      n.poison = true;
      h.add(n);
    }
  }

  private void deadLetter(long value, long offset, String reason, String queue, long t) {
    h.add(Op.deadLetter("c1", "q-dead", value, offset, 1, false, Map.of("x-death-reason", reason,
        "x-death-queue", queue, "x-death-count", "1", "x-death-queues", queue), t));
  }

  private void deadAck(long value, long offset, long t0, long t1) {
    Op op = Op.ack("c1", "q-dead", value, offset, 1, t0).end(t1, Op.OK);
    op.acked = 1;
    op.dead = true;
    h.add(op);
  }

  @Test
  void aPoisonValueDeadLetteredByItsDeliveryLimitIsDelivered(@TempDir Path dir) {
    publish(1, Op.OK, 0, 10);
    deliver(1, 0, 1, false, 20);
    ack(1, 0, 1, Op.OK, 1, 21, 25);
    publishPoison(10, Op.OK, 0, 10);
    nackedFromItsQueue(10, 1, 3, 20);
    deadLetter(10, 0, "delivery_limit", "q", 100);
    deadAck(10, 0, 101, 105);

    // Through the file, as the suite does: the x-death headers too.
    Path file = dir.resolve("history.jsonl");
    try (History history = new History(file)) {
      h.forEach(history::add);
    }
    QueueChecker.Result r = QueueChecker.check(History.read(file));
    assertTrue(r.valid());
    assertEquals(0, r.lost());
    assertEquals(0, r.duplicates(), "nacking a poison value on purpose makes no duplicate");
    assertEquals(0, r.doubleEnqueued());
    assertEquals(0, r.redeliveredAfterAck(), "the dead letter's ack is not one of its queue's");
    assertEquals(1, r.poisonConfirmed());
    assertEquals(1, r.deadLettered());
    assertEquals(0, r.wrongDeadLetters());
  }

  @Test
  void aPoisonValueOnlyEverNackedIsLost() {
    publishPoison(10, Op.OK, 0, 10);
    nackedFromItsQueue(10, 0, 3, 20);   // never reached the dead-letter queue
    publishPoison(20, Op.UNKNOWN, 0, 10);
    nackedFromItsQueue(20, 1, 1, 20);   // outcome unknown: not lost, and recovered
    QueueChecker.Result r = QueueChecker.check(h);
    assertEquals(1, r.lost());
    assertEquals(List.of(10L), r.lostValues());
    assertEquals(1, r.recovered());
    assertFalse(r.valid());
  }

  @Test
  void aDeadLetterReceivedTwiceIsADuplicateThatDoesNotFailTheRun() {
    publishPoison(10, Op.OK, 0, 10);
    nackedFromItsQueue(10, 4, 3, 20);
    deadLetter(10, 0, "delivery_limit", "q", 100);
    deadAck(10, 0, 101, 105);
    deadLetter(10, 7, "delivery_limit", "q", 200);   // moved again: a second copy, after the ack
    deadAck(10, 7, 201, 205);
    QueueChecker.Result r = QueueChecker.check(h);
    assertEquals(1, r.deadLetterDuplicates());
    assertEquals(List.of(10L), r.deadLetterDuplicateValues());
    assertEquals(0, r.redeliveredAfterAck());
    assertEquals(0, r.doubleEnqueued());
    assertTrue(r.valid(), "the move to the dead-letter queue is at least once");
  }

  @Test
  void aDeadLetterRedeliveredAfterItsAckWasConfirmedIsReported() {
    publishPoison(10, Op.OK, 0, 10);
    nackedFromItsQueue(10, 4, 3, 20);
    deadLetter(10, 0, "delivery_limit", "q", 100);
    deadAck(10, 0, 101, 105);
    deadLetter(10, 0, "delivery_limit", "q", 200);   // the same copy, acked already
    QueueChecker.Result r = QueueChecker.check(h);
    assertEquals(List.of(10L), r.redeliveredAfterAckValues());
    assertFalse(r.valid());
  }

  @Test
  void aDeadLetterWithAWrongReasonOrQueueFailsTheRun() {
    publishPoison(10, Op.OK, 0, 10);
    nackedFromItsQueue(10, 0, 3, 20);
    deadLetter(10, 0, "rejected", "q", 100);
    publishPoison(20, Op.OK, 0, 10);
    nackedFromItsQueue(20, 1, 3, 20);
    deadLetter(20, 1, "delivery_limit", "other", 100);
    publishPoison(30, Op.OK, 0, 10);
    nackedFromItsQueue(30, 2, 3, 20);
    h.add(Op.deadLetter("c1", "q-dead", 30, 2, 1, false, null, 100));   // no x-death headers
    QueueChecker.Result r = QueueChecker.check(h);
    assertEquals(3, r.wrongDeadLetters());
    assertEquals(List.of(10L, 20L, 30L), r.wrongDeadLetterValues());
    assertEquals(0, r.lost());
    assertFalse(r.valid());
  }

  @Test
  void aValueNotPoisonInTheDeadLetterQueueIsUnexpected() {
    publish(1, Op.OK, 0, 10);
    deliver(1, 0, 1, false, 20);
    deadLetter(1, 0, "delivery_limit", "q", 100);
    QueueChecker.Result r = QueueChecker.check(h);
    assertEquals(List.of(1L), r.unexpectedValues());
    assertEquals(0, r.wrongDeadLetters());
    assertFalse(r.valid());
  }

  @Test
  void cleanHistoryIsValid() {
    publish(1, Op.OK, 0, 10);
    publish(2, Op.OK, 5, 15);
    deliver(1, 0, 1, false, 20);
    ack(1, 0, 1, Op.OK, 1, 21, 25);
    deliver(2, 1, 1, false, 22);
    ack(2, 1, 1, Op.OK, 1, 23, 30);
    QueueChecker.Result r = QueueChecker.check(h);
    assertTrue(r.valid());
    assertEquals(2, r.confirmed());
    assertEquals(0, r.lost());
    assertEquals(0, r.duplicates());
  }

  @Test
  void reportsALostAndADuplicatedMessage(@TempDir Path dir) throws Exception {
    publish(1, Op.OK, 0, 10);    // confirmed, never consumed: lost
    publish(2, Op.OK, 0, 10);    // consumed twice: duplicate
    publish(3, Op.OK, 0, 10);
    deliver(2, 1, 1, false, 20);
    ack(2, 1, 1, Op.UNKNOWN, null, 21, 40);      // the ack's outcome is unknown
    deliver(2, 1, 2, true, 50);                  // redelivered, flagged: allowed
    ack(2, 1, 2, Op.OK, 1, 51, 55);
    deliver(3, 2, 1, false, 20);
    ack(3, 2, 1, Op.OK, 1, 21, 22);

    // Through the file, as the suite does.
    Path file = dir.resolve("history.jsonl");
    try (History history = new History(file)) {
      h.forEach(history::add);
    }
    QueueChecker.Result r = QueueChecker.check(History.read(file));
    assertFalse(r.valid());
    assertEquals(1, r.lost());
    assertEquals(List.of(1L), r.lostValues());
    assertEquals(1, r.duplicates());
    assertEquals(List.of(2L), r.duplicateValues());
    assertEquals(1, r.duplicatesRedelivered());
    assertEquals(0, r.duplicatesWithoutRedelivered());
    assertEquals(0, r.unexpected());
    assertEquals(0, r.redeliveredAfterAck());
    assertEquals(0, r.doubleEnqueued());
  }

  @Test
  void aDuplicateWithoutTheRedeliveredFlagIsCountedApart() {
    publish(7, Op.OK, 0, 10);
    deliver(7, 3, 1, false, 20);
    deliver(7, 3, 2, false, 30);   // repeat without the flag
    QueueChecker.Result r = QueueChecker.check(h);
    assertEquals(1, r.duplicates());
    assertEquals(1, r.duplicatesWithoutRedelivered());
    assertEquals(List.of(7L), r.duplicateWithoutFlagValues());
    assertTrue(r.valid(), "a duplicate alone does not fail the run");
  }

  @Test
  void aValueStoredAtTwoOffsetsIsDoubleEnqueued() {
    publish(8, Op.OK, 0, 10);
    deliver(8, 3, 1, false, 20);
    deliver(8, 9, 1, false, 30);
    QueueChecker.Result r = QueueChecker.check(h);
    assertEquals(1, r.doubleEnqueued());
  }

  @Test
  void redeliveryAfterAConfirmedAckIsReported() {
    publish(4, Op.OK, 0, 10);
    deliver(4, 0, 1, false, 20);
    ack(4, 0, 1, Op.OK, 1, 21, 25);
    deliver(4, 0, 2, true, 60);    // after the ack was confirmed
    QueueChecker.Result r = QueueChecker.check(h);
    assertEquals(1, r.redeliveredAfterAck());
    assertEquals(List.of(4L), r.redeliveredAfterAckValues());
    assertFalse(r.valid());
  }

  @Test
  void redeliveryDuringAnAckOrAfterARefusedAckIsNot() {
    publish(4, Op.OK, 0, 10);
    deliver(4, 0, 1, false, 20);
    ack(4, 0, 1, Op.OK, 1, 21, 70);         // confirmed only after the redelivery below
    deliver(4, 0, 2, true, 60);
    publish(5, Op.OK, 0, 10);
    deliver(5, 1, 1, false, 20);
    ack(5, 1, 1, Op.FAILED, null, 21, 25);  // stale tag refused
    ack(5, 1, 1, Op.OK, 0, 26, 27);         // or settled nothing
    deliver(5, 1, 2, true, 60);
    QueueChecker.Result r = QueueChecker.check(h);
    assertEquals(0, r.redeliveredAfterAck());
    assertTrue(r.valid());
  }

  @Test
  void unexpectedAndRecovered() {
    publish(1, Op.UNKNOWN, 0, 10);   // outcome unknown, consumed: recovered
    deliver(1, 0, 1, false, 20);
    publish(2, Op.UNKNOWN, 0, 10);   // outcome unknown, never consumed: fine
    deliver(99, 1, 1, false, 20);    // never published: unexpected
    publish(3, Op.FAILED, 0, 10);    // refused by the server, yet consumed: unexpected
    deliver(3, 2, 1, false, 20);
    QueueChecker.Result r = QueueChecker.check(h);
    assertEquals(1, r.recovered());
    assertEquals(2, r.unexpected());
    assertEquals(List.of(3L, 99L), r.unexpectedValues());
    assertEquals(0, r.lost());
    assertFalse(r.valid());
  }
}
