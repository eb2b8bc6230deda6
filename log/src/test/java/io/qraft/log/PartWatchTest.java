package io.qraft.log;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Set;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

class PartWatchTest {
  private final AtomicLong clock = new AtomicLong(1_000);
  private final PartWatch watch = new PartWatch(clock::get);

  @Test
  void unavailabilityRunsFromTheStartOfTheFirstUnansweredProbe() {
    watch.answered("q", "g1", 40);
    long started = watch.now();
    clock.addAndGet(10_000);   // the probe waited this long, then failed
    watch.failed("q", "g1", started);
    assertThat(watch.failing("q", "g1")).isTrue();
    assertThat(watch.unavailableForMs("q", "g1")).isEqualTo(10_000);

    long second = watch.now();
    clock.addAndGet(10_000);
    watch.failed("q", "g1", second);
    assertThat(watch.unavailableForMs("q", "g1")).isEqualTo(20_000);
    assertThat(watch.lastSeenMessages("q", "g1", 99)).isEqualTo(40);
  }

  @Test
  void anAnswerEndsTheRun() {
    watch.failed("q", "g1", watch.now());
    clock.addAndGet(30_000);
    watch.answered("q", "g1", 7);

    assertThat(watch.failing("q", "g1")).isFalse();
    assertThat(watch.unavailableForMs("q", "g1")).isZero();
    watch.failed("q", "g1", watch.now());
    clock.addAndGet(500);
    assertThat(watch.unavailableForMs("q", "g1")).isEqualTo(500);
  }

  @Test
  void aPartNeverHeardFromCountsWhatTheCallerKnowsAndPartsAreApart() {
    watch.failed("q", "g1", watch.now());
    clock.addAndGet(100);

    assertThat(watch.lastSeenMessages("q", "g1", 5)).isEqualTo(5);
    watch.answeredWithoutCount("q", "g1");
    assertThat(watch.failing("q", "g1")).isFalse();
    assertThat(watch.lastSeenMessages("q", "g1", 5)).as("an answer without a count tells none").isEqualTo(5);
    watch.answered("q", "g1", 0);
    assertThat(watch.lastSeenMessages("q", "g1", 5)).isZero();
    assertThat(watch.failing("q", "g2")).isFalse();
    assertThat(watch.failing("other", "g1")).isFalse();
    assertThat(watch.unavailableForMs("q", "g2")).isZero();
  }

  @Test
  void retainForgetsPartsNoLongerListed() {
    watch.failed("q", "g1", watch.now());
    watch.failed("q", "g2", watch.now());
    clock.addAndGet(100);

    watch.retain(Set.of(PartWatch.key("q", "g2")));

    assertThat(watch.failing("q", "g1")).isFalse();
    assertThat(watch.failing("q", "g2")).isTrue();
  }
}
