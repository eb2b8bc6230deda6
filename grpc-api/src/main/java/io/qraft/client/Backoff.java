package io.qraft.client;

import java.time.Duration;
import java.util.concurrent.ThreadLocalRandom;

/**
 * How long to wait before the n-th retry: doubling from an initial delay up to a cap, with
 * jitter so that clients that failed together do not come back together.
 *
 * <p>The wait is drawn from the upper half of the doubled delay ("equal jitter"): never
 * zero, so a node that just failed is not hit again at once. Immutable and thread-safe.
 */
final class Backoff {

  private final long initialNanos;
  private final long maxNanos;

  Backoff(Duration initial, Duration max) {
    if (initial.isNegative() || initial.isZero()) {
      throw new IllegalArgumentException("initial backoff must be positive, not " + initial);
    }
    if (max.compareTo(initial) < 0) {
      throw new IllegalArgumentException(
          "max backoff " + max + " is below the initial backoff " + initial);
    }
    this.initialNanos = initial.toNanos();
    this.maxNanos = max.toNanos();
  }

  /** The wait before retry number {@code retry}, counted from 0. */
  long delayNanos(int retry) {
    long ceiling = ceilingNanos(retry);
    long half = ceiling / 2;
    return half + ThreadLocalRandom.current().nextLong(ceiling - half + 1);
  }

  /** The doubled delay before jitter; capped before it is computed so it cannot overflow. */
  long ceilingNanos(int retry) {
    if (retry >= Long.SIZE - 1 || initialNanos > (maxNanos >> retry)) {
      return maxNanos;
    }
    return Math.min(maxNanos, initialNanos << retry);
  }
}
