package io.qraft.log;

import io.qraft.api.log.v1.ShardCommand;
import io.qraft.api.log.v1.ShardResult;
import java.util.concurrent.CompletableFuture;

/** Where a {@link PublishBatcher} sends the entries it cuts: the group's log. */
interface EntrySink {
  /** Appends the entry; completes with its applied result once a majority holds it. */
  CompletableFuture<ShardResult> submit(ShardCommand command);

  /**
   * Appends the entry on this node's leader division: {flushed, result}, where
   * flushed completes once the leader's own log has fsynced it.
   *
   * @throws LeaderElsewhereException if this node does not lead the group
   */
  CompletableFuture<?>[] submitFlushed(ShardCommand command);
}
