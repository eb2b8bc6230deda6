package io.qraft.ops.faults;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Random;

/**
 * The faults of one run, drawn from a seed: same seed, same schedule. Kinds come in shuffled
 * rounds so that every kind of the menu appears once per round (9 faults; 11 with corruption).
 * A planned fault names its target by role (a node number, a queue whose leader or follower
 * to hit); which node that is, is decided when it fires.
 */
public final class FaultSchedule {

  /**
   * @param atMs when it fires, from the start of the workload
   * @param durationMs how long it lasts before it is healed (for kills: time down)
   * @param a,b,c random picks: node numbers 0..2 / queue index, used by the kind as it needs
   */
  public record Planned(int index, FaultKind kind, long atMs, long durationMs, int a, int b,
      int c, String skew) {

    @Override
    public String toString() {
      return "#" + index + " " + kind.label() + " at " + atMs + "ms for " + durationMs + "ms"
          + " picks=" + a + "," + b + "," + c + (skew == null ? "" : " skew=" + skew);
    }
  }

  private final long seed;
  private final List<Planned> faults;

  public FaultSchedule(long seed, long seconds, long intervalSeconds, boolean corruption) {
    this(seed, seconds, intervalSeconds, menu(corruption));
  }

  /** A schedule drawn from the given kinds only (for example leader kills alone, to measure failover). */
  public FaultSchedule(long seed, long seconds, long intervalSeconds, List<FaultKind> menu) {
    if (menu.isEmpty()) {
      throw new IllegalArgumentException("no fault kinds to draw from");
    }
    this.seed = seed;
    Random random = new Random(seed);
    List<Planned> planned = new ArrayList<>();
    List<FaultKind> round = new ArrayList<>();
    long intervalMs = intervalSeconds * 1000;
    // The first fault after one interval; the last one must end a few seconds before the end.
    for (long at = intervalMs; at + 4000 <= seconds * 1000; at += intervalMs) {
      if (round.isEmpty()) {
        round.addAll(menu);
        Collections.shuffle(round, random);
      }
      FaultKind kind = round.remove(0);
      long maxDuration = Math.max(2000, Math.min(intervalMs - 3000, 7000));
      long duration = 2000 + (long) (random.nextDouble() * (maxDuration - 2000));
      if (kind == FaultKind.CLOCK_SKEW) {
        duration = Math.max(duration, Math.min(intervalMs - 2000, 8000));
      }
      int a = random.nextInt(3);
      int b = random.nextInt(3);
      int c = random.nextInt(1 << 16);
      String skew = random.nextBoolean() ? "+2h" : "-2h";
      planned.add(new Planned(planned.size(), kind, at, duration, a, b, c,
          kind == FaultKind.CLOCK_SKEW ? skew : null));
    }
    this.faults = List.copyOf(planned);
  }

  private static List<FaultKind> menu(boolean corruption) {
    List<FaultKind> menu = new ArrayList<>(FaultKind.STANDARD);
    if (corruption) {
      menu.addAll(FaultKind.CORRUPTION);
    }
    return menu;
  }

  public long seed() {
    return seed;
  }

  public List<Planned> faults() {
    return faults;
  }
}
