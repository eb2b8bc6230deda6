package io.qraft.log;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.concurrent.CompletionException;
import java.util.concurrent.RejectedExecutionException;
import org.apache.ratis.protocol.exceptions.AlreadyClosedException;
import org.junit.jupiter.api.Test;

/** What a client reads of a failure: words, never Java names, identity hashes or unbounded text. */
class ReasonsTest {
  @Test
  void theFailuresOnTheWayToAGroupAreSaidInWords() {
    RejectedExecutionException rejected = new RejectedExecutionException("Task java.util.concurrent"
        + ".CompletableFuture$AsyncSupply@1b2c3d4e rejected from java.util.concurrent.ThreadPoolExecutor@5f6a7b8c"
        + "[Terminated, pool size = 0]");
    assertThat(Reasons.of(new CompletionException(rejected))).isEqualTo("the group is closed or closing");
    assertThat(Reasons.of(new AlreadyClosedException("n1@group-1 is already closed")))
        .isEqualTo("the group is closed or closing");
  }

  @Test
  void anyOtherMessageKeepsItsWordsWithoutJavaNames() {
    String reason = Reasons.of(new IllegalStateException(
        "java.lang.IllegalArgumentException: queue name is too long at io.qraft.storage.Keys@7f3a9c21"));
    assertThat(reason).isEqualTo("queue name is too long at");
    assertThat(Reasons.of(new IllegalStateException((String) null)))
        .isEqualTo("an internal error; the node's log has the details");
  }

  @Test
  void aLongMessageIsCutToWhatAHeaderCarries() {
    assertThat(Reasons.clean("x".repeat(100_000))).hasSize(Reasons.MAX_CHARS);
    assertThat(Reasons.clean("queue 'orders.v1.Created' is full")).isEqualTo("queue 'orders.v1.Created' is full");
  }
}
