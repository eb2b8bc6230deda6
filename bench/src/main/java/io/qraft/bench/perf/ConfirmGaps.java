package io.qraft.bench.perf;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Watches the time between consecutive confirms (of any producer) and writes every long one
 * down: "wall-clock ms at its end, length in ms" per line. A leader kill shows up as one such
 * line, so a script that knows when it killed can tell how long publishing stood still.
 *
 * <p>Confirms arrive on many threads; the newest confirm time is kept with a max, so a late
 * report of an older confirm never opens a gap that was not there. Thread-safe.
 */
final class ConfirmGaps implements AutoCloseable {
  /** Shorter pauses are noise on a shared two-core machine and are not written. */
  static final long MIN_GAP_NANOS = TimeUnit.MILLISECONDS.toNanos(100);

  private final PrintWriter out;
  private final AtomicLong lastNanos = new AtomicLong(System.nanoTime());

  ConfirmGaps(Path file) throws IOException {
    this.out = new PrintWriter(Files.newBufferedWriter(file, StandardCharsets.UTF_8), true);
  }

  /** Counts from now: the start of publishing is not a gap. */
  void start() {
    lastNanos.set(System.nanoTime());
  }

  void confirmed() {
    long now = System.nanoTime();
    long previous = lastNanos.getAndAccumulate(now, Math::max);
    long gap = now - previous;
    if (gap >= MIN_GAP_NANOS) {
      synchronized (out) {
        out.println(System.currentTimeMillis() + " " + TimeUnit.NANOSECONDS.toMillis(gap));
      }
    }
  }

  @Override
  public void close() {
    out.close();
  }
}
