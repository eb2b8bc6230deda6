package io.qraft.ops.faults;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
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
