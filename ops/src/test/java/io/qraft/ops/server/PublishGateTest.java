package io.qraft.ops.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;

class PublishGateTest {
  private final AtomicBoolean behind = new AtomicBoolean();
  private final PublishGate<String> gate = new PublishGate<>(g -> g.equals("g") && behind.get(), 100);

  @Test
  void aPublishGoesStraightThroughWhileTheLogKeepsUp() {
    assertThat(gate.admit("g", 1_000, () -> false)).isCompleted();
    assertThat(gate.waitingBytes()).isZero();
  }

  @Test
  void whileTheLogIsBehindPublishesWaitUpToTheLimitAndTheRestAreRefused() throws Exception {
    behind.set(true);
    CompletableFuture<Void> first = gate.admit("g", 60, () -> false);
    CompletableFuture<Void> second = gate.admit("g", 40, () -> false);
    CompletableFuture<Void> third = gate.admit("g", 1, () -> false);
    CompletableFuture<Void> otherGroup = gate.admit("other", 1_000, () -> false);

    assertThat(third).isCompletedExceptionally();
    assertThatThrownBy(third::get).hasCauseInstanceOf(PublishGate.Refused.class)
        .hasMessageContaining("flow.max_pending_bytes");
    assertThat(otherGroup).as("a group whose log keeps up is not held").isCompleted();
    Thread.sleep(50);
    assertThat(first).isNotDone();
    assertThat(second).isNotDone();
    assertThat(gate.waitingBytes()).isEqualTo(100);

    behind.set(false);
    CompletableFuture.allOf(first, second).get(5, TimeUnit.SECONDS);
    assertThat(gate.waitingBytes()).as("released once through").isZero();
  }

  @Test
  void aWaitingCallerThatGoesAwayIsDroppedAndFreesItsRoom() {
    behind.set(true);
    AtomicBoolean cancelled = new AtomicBoolean();
    CompletableFuture<Void> waiting = gate.admit("g", 100, cancelled::get);
    assertThat(gate.admit("g", 1, () -> false)).isCompletedExceptionally();

    cancelled.set(true);
    assertThatThrownBy(() -> waiting.get(5, TimeUnit.SECONDS)).isInstanceOf(ExecutionException.class)
        .cause().isInstanceOfSatisfying(StatusRuntimeException.class,
            e -> assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.CANCELLED));
    assertThat(gate.waitingBytes()).isZero();
  }

  @Test
  void aStreamIsAskedForItsNextRequestOnlyOnceTheLogCatchesUp() throws Exception {
    behind.set(true);
    CompletableFuture<Void> next = gate.whenCaughtUp("g", () -> false);
    Thread.sleep(50);
    assertThat(next).isNotDone();
    assertThat(gate.waitingBytes()).as("a stream parks nothing").isZero();
    behind.set(false);
    next.get(5, TimeUnit.SECONDS);
  }
}
