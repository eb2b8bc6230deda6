package io.qraft.ops.server;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class FollowerProgressTest {
  private final FollowerProgress progress = new FollowerProgress(30_000);

  private boolean round(String key, long applied, long commit, long now) {
    boolean stuck = progress.observe(key, applied, commit, now);
    progress.endRound();
    return stuck;
  }

  @Test
  void aFollowerBehindWithoutMovingForTheWholeTimeIsStuckOnce() {
    assertThat(round("g/n3", 100, 150, 0)).isFalse();
    assertThat(round("g/n3", 100, 150, 29_999)).isFalse();
    assertThat(round("g/n3", 100, 150, 30_000)).isTrue();
    assertThat(round("g/n3", 100, 150, 30_001)).as("timed afresh after a report").isFalse();
  }

  @Test
  void aFollowerThatMovesOrCatchesUpIsNeverStuck() {
    for (long t = 0; t <= 120_000; t += 5_000) {
      assertThat(round("g/n3", 100 + t / 5_000, 10_000, t)).isFalse();
    }
    for (long t = 0; t <= 120_000; t += 5_000) {
      assertThat(round("g/n2", 150, 150, t)).isFalse();
    }
  }

  @Test
  void aFollowerNotSeenInARoundIsTimedAfresh() {
    round("g/n3", 100, 150, 0);
    progress.endRound(); // a round without it (say, leadership was elsewhere)
    assertThat(round("g/n3", 100, 150, 30_000)).isFalse();
    assertThat(round("g/n3", 100, 150, 60_000)).isTrue();
  }
}
