package io.qraft.statemachine;

import io.qraft.api.log.v1.ShardResult;

/** What applying a shard command answers, and the in-memory changes to make once its batch is durable. */
record Outcome(ShardResult result, Runnable afterCommit) {
  static Outcome of(ShardResult result) {
    return new Outcome(result, () -> {});
  }
}
