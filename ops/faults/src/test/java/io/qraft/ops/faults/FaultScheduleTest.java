package io.qraft.ops.faults;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.EnumSet;
import java.util.Set;
import org.junit.jupiter.api.Test;

class FaultScheduleTest {

  @Test
  void sameSeedSameSchedule() {
    assertEquals(new FaultSchedule(42, 300, 10, false).faults(),
        new FaultSchedule(42, 300, 10, false).faults());
    assertNotEquals(new FaultSchedule(42, 300, 10, false).faults(),
        new FaultSchedule(43, 300, 10, false).faults());
  }

  @Test
  void everyKindAppearsInEachRound() {
    int round = FaultKind.STANDARD.size();
    FaultSchedule s = new FaultSchedule(7, 10L * (round + 1) + 10, 10, false);
    assertEquals(round + 1, s.faults().size());
    Set<FaultKind> first = EnumSet.noneOf(FaultKind.class);
    s.faults().subList(0, round).forEach(f -> first.add(f.kind()));
    assertEquals(EnumSet.copyOf(FaultKind.STANDARD), first);
    assertTrue(s.faults().stream().noneMatch(f -> f.kind().corruption()));
    FaultSchedule c = new FaultSchedule(7, 10L * (round + 3) + 10, 10, true);
    assertTrue(c.faults().stream().anyMatch(f -> f.kind().corruption()));
  }

  @Test
  void faultsEndBeforeTheNextOne() {
    for (FaultSchedule.Planned f : new FaultSchedule(3, 600, 10, true).faults()) {
      assertTrue(f.durationMs() >= 2000 && f.durationMs() <= 8000, f.toString());
    }
  }
}
