package io.qraft.ops.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Supplier;
import org.junit.jupiter.api.Test;

class PublishGateTest {
  private final AtomicBoolean behind = new AtomicBoolean();
  private final AtomicInteger handedOff = new AtomicInteger();
  private final PublishGate<String> gate = new PublishGate<>(g -> g.equals("g") && behind.get(), 100);

  private Supplier<CompletableFuture<String>> handOff(String answer) {
    return () -> {
      handedOff.incrementAndGet();
      return CompletableFuture.completedFuture(answer);
    };
  }

  @Test
  void aPublishGoesStraightThroughWhileTheLogKeepsUp() throws Exception {
    CompletableFuture<String> confirm = gate.admit("g", 1_000, () -> false, handOff("confirmed"));
    assertThat(confirm.get()).isEqualTo("confirmed");
    assertThat(gate.waitingBytes()).isZero();
  }

  @Test
  void whileTheLogIsBehindPublishesWaitUpToTheLimitAndTheRestAreRefused() throws Exception {
    behind.set(true);
    CompletableFuture<String> first = gate.admit("g", 60, () -> false, handOff("first"));
    CompletableFuture<String> second = gate.admit("g", 40, () -> false, handOff("second"));
    CompletableFuture<String> third = gate.admit("g", 1, () -> false, handOff("third"));
    CompletableFuture<String> otherGroup = gate.admit("other", 1_000, () -> false, handOff("other"));

    assertThat(third).isCompletedExceptionally();
    assertThatThrownBy(third::get).hasCauseInstanceOf(PublishGate.Refused.class)
        .hasMessageContaining("flow.max_pending_bytes");
    assertThat(otherGroup).as("a group whose log keeps up is not held").isCompleted();
    Thread.sleep(50);
    assertThat(first).isNotDone();
    assertThat(second).isNotDone();
    assertThat(handedOff).as("only the other group's publish reached the log").hasValue(1);
    assertThat(gate.waitingBytes()).isEqualTo(100);

    behind.set(false);
    assertThat(first.get(5, TimeUnit.SECONDS)).isEqualTo("first");
    assertThat(second.get(5, TimeUnit.SECONDS)).isEqualTo("second");
    assertThat(handedOff).hasValue(3);
    assertThat(gate.waitingBytes()).as("released once through").isZero();
  }

  @Test
  void aWaitingCallerThatGoesAwayIsDroppedAndFreesItsRoom() {
    behind.set(true);
    AtomicBoolean cancelled = new AtomicBoolean();
    CompletableFuture<String> waiting = gate.admit("g", 100, cancelled::get, handOff("never"));
    assertThat(gate.admit("g", 1, () -> false, handOff("never"))).isCompletedExceptionally();

    cancelled.set(true);
    assertThatThrownBy(() -> waiting.get(5, TimeUnit.SECONDS)).isInstanceOf(ExecutionException.class)
        .cause().isInstanceOfSatisfying(StatusRuntimeException.class,
            e -> assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.CANCELLED));
    assertThat(gate.waitingBytes()).isZero();
    assertThat(handedOff).as("a caller that went away is not handed to the log").hasValue(0);
  }

  @Test
  void aHandOffThatThrowsFailsThatPublishOnly() {
    CompletableFuture<String> failed = gate.admit("g", 1, () -> false, () -> {
      throw new IllegalStateException("no batch");
    });
    assertThatThrownBy(failed::get).hasCauseInstanceOf(IllegalStateException.class);
    assertThat(gate.admit("g", 1, () -> false, handOff("next"))).isCompletedWithValue("next");
  }

  @Test
  void callersArrivingTogetherTakeTheLogOverItsLimitByAtMostOnePublish() throws Exception {
    // The log counts a publish when it is handed off, and the look at it is slow, so callers
    // that look at once would all see room if the look and the hand-off were not one step.
    long limit = 1_000;
    long size = 100;
    AtomicLong pending = new AtomicLong();
    PublishGate<String> slowLook = new PublishGate<>(g -> {
      boolean over = pending.get() > limit;
      try {
        Thread.sleep(1);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
      return over;
    }, 0);
    int threads = 8;
    CountDownLatch start = new CountDownLatch(1);
    List<Thread> callers = new ArrayList<>();
    for (int t = 0; t < threads; t++) {
      Thread caller = new Thread(() -> {
        try {
          start.await();
        } catch (InterruptedException e) {
          return;
        }
        for (int i = 0; i < 50; i++) {
          slowLook.admit("g", size, () -> false, () -> CompletableFuture.completedFuture(pending.addAndGet(size)));
        }
      });
      caller.start();
      callers.add(caller);
    }
    start.countDown();
    for (Thread caller : callers) {
      caller.join(TimeUnit.SECONDS.toMillis(30));
    }
    assertThat(pending.get()).as("bytes handed to the log").isGreaterThan(limit).isLessThanOrEqualTo(limit + size);
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
