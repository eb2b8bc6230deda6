package io.qraft.ops.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/** The admin calls' waits: the caller's thread returns at once, the answer comes when the wait ends. */
class QueueWaitsTest {
  @Test
  void aWaitReturnsAtOnceAndCompletesTrueWhenTheConditionComesToHold() throws Exception {
    AtomicBoolean done = new AtomicBoolean();
    CompletableFuture<Boolean> waited = QueueWaits.until(done::get, QueueWaits.in(10_000));
    assertThat(waited).isNotDone();
    done.set(true);
    assertThat(waited.get(5, TimeUnit.SECONDS)).isTrue();
  }

  @Test
  void aWaitThatRunsOutCompletesFalse() throws Exception {
    AtomicInteger polls = new AtomicInteger();
    assertThat(QueueWaits.until(() -> polls.incrementAndGet() < 0, QueueWaits.in(300)).get(5, TimeUnit.SECONDS))
        .isFalse();
    assertThat(polls.get()).isGreaterThan(1);
  }

  @Test
  void aConditionThatThrowsFailsTheWait() {
    CompletableFuture<Boolean> waited = QueueWaits.until(() -> {
      throw new IllegalStateException("queue deleted");
    }, QueueWaits.in(1_000));
    assertThatThrownBy(() -> waited.get(5, TimeUnit.SECONDS)).hasCauseInstanceOf(IllegalStateException.class);
  }
}
