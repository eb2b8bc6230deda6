package io.qraft.log;

import static org.assertj.core.api.Assertions.assertThat;

import io.qraft.api.log.v1.QueueDef;
import io.qraft.api.log.v1.QueueLookup;
import org.junit.jupiter.api.Test;

class LeaderAnsweredQueuesTest {
  private final LeaderAnsweredQueues answers = new LeaderAnsweredQueues();

  private static QueueLookup found(String queue, String group, long appliedIndex) {
    return QueueLookup.newBuilder().setFound(true).setAppliedIndex(appliedIndex)
        .setQueue(QueueDef.newBuilder().setName(queue).setGroup(group)).build();
  }

  @Test
  void anAnswerServesWhileTheLocalReplicaIsBehindIt() {
    answers.remember("q", found("q", "g1", 100));

    assertThat(answers.newerThanLocal("q", 40).getGroup()).isEqualTo("g1");
    assertThat(answers.newerThanLocal("q", 99).getGroup()).isEqualTo("g1");
  }

  @Test
  void aLocalReplicaThatCaughtUpDecidesAndTheAnswerIsDropped() {
    answers.remember("q", found("q", "g1", 100));

    // Caught up and still without the queue: it was deleted after the answer.
    assertThat(answers.newerThanLocal("q", 100)).isNull();
    assertThat(answers.newerThanLocal("q", 40)).as("dropped, not kept for a later lagging read").isNull();
    assertThat(answers.size()).isZero();
  }

  @Test
  void anAnswerThatFoundNothingIsNotKept() {
    answers.remember("q", QueueLookup.newBuilder().setFound(false).setAppliedIndex(100).build());

    assertThat(answers.newerThanLocal("q", 0)).isNull();
    assertThat(answers.size()).isZero();
  }

  @Test
  void theNewestAnswerReplacesAnOlderOne() {
    answers.remember("q", found("q", "g1", 100));
    answers.remember("q", found("q", "g2", 120));

    assertThat(answers.newerThanLocal("q", 110).getGroup()).isEqualTo("g2");
  }

  @Test
  void theLeastRecentlyUsedAnswerGoesWhenFull() {
    for (int i = 0; i <= LeaderAnsweredQueues.MAX_ENTRIES; i++) {
      answers.remember("q" + i, found("q" + i, "g", 100));
      if (i == 0) {
        continue;
      }
      if (i == 1) {
        answers.newerThanLocal("q0", 0); // q0 used again: q1 is now the eldest
      }
    }
    assertThat(answers.size()).isEqualTo(LeaderAnsweredQueues.MAX_ENTRIES);
    assertThat(answers.newerThanLocal("q0", 0)).isNotNull();
    assertThat(answers.newerThanLocal("q1", 0)).isNull();
  }
}
