package io.qraft.ops.server;

import java.util.concurrent.ForkJoinPool;

/**
 * Gives the JVM's common ForkJoin pool at least two threads, before anything uses it.
 *
 * <p>Ratis runs steps of a follower's append on {@code CompletableFuture}'s default async pool.
 * On a machine with two cores the common pool has one thread, and then Java runs every such
 * task on a thread of its own, started for it and gone after it: a follower under load
 * started about 75 threads a second, and a three-replica queue confirmed a fifth of what a
 * one-replica queue did on the same nodes (bench/RESULTS.md section 14). Setting the pool's
 * parallelism in {@code conf/qraft-env.sh} only helps nodes started through that script, so
 * the node sets it itself unless the operator chose a value.
 */
final class CommonPool {
  static final String PARALLELISM = "java.util.concurrent.ForkJoinPool.common.parallelism";
  static final int MIN_PARALLELISM = 4;

  private CommonPool() {}

  /**
   * Sets the parallelism unless it is set; call first thing in main. Returns the common pool's
   * parallelism as it stands (less than two when the pool was created before this call or the
   * operator chose one).
   */
  static int ensureParallel() {
    if (System.getProperty(PARALLELISM) == null) {
      System.setProperty(PARALLELISM, Integer.toString(MIN_PARALLELISM));
    }
    return ForkJoinPool.getCommonPoolParallelism();
  }
}
