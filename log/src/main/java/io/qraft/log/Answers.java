package io.qraft.log;

import io.qraft.api.log.v1.MetaResult;
import io.qraft.api.log.v1.ShardResult;
import io.qraft.statemachine.Status;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * Waiting for a log's answer and turning a refusal into an exception, for the
 * code that changes the cluster one blocking step at a time (declare,
 * delete, policies, moves, replica changes) on the metadata leader.
 */
public final class Answers {
  /** How long one step may wait for its log. */
  static final long STEP_TIMEOUT_S = 30;

  private Answers() {}

  /** The answer, within {@link #STEP_TIMEOUT_S}; a failure comes out as the exception behind it. */
  static <T> T await(CompletableFuture<T> future) {
    try {
      return future.get(STEP_TIMEOUT_S, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new LogUnavailableException("interrupted", e);
    } catch (TimeoutException e) {
      throw new LogUnavailableException("the log did not answer within " + STEP_TIMEOUT_S + " s", e);
    } catch (ExecutionException e) {
      Throwable cause = ReplicatedLog.unwrap(e);
      if (cause instanceof RuntimeException re) {
        throw re;
      }
      throw new LogUnavailableException(Reasons.of(cause), cause);
    }
  }

  /** The result, or a {@link RequestException} carrying its refusal. */
  public static MetaResult ok(MetaResult result) {
    if (result.getErrorCode() != Status.OK) {
      throw new RequestException(result.getErrorCode(), result.getErrorMessage());
    }
    return result;
  }

  /** The result, or a {@link RequestException} carrying its refusal. */
  public static ShardResult ok(ShardResult result) {
    if (result.getErrorCode() != Status.OK) {
      throw new RequestException(result.getErrorCode(), result.getErrorMessage());
    }
    return result;
  }
}
