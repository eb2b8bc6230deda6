package io.qraft.statemachine;

import static org.assertj.core.api.Assertions.assertThat;

import io.qraft.api.log.v1.PublishResult;
import io.qraft.api.log.v1.QueuePublish;
import io.qraft.api.log.v1.ShardResult;
import org.junit.jupiter.api.Test;

class ProducerDeduplicationTest {
  private static QueuePublish from(String producer, long sequence, String... bodies) {
    return Cmd.publishOf("q", bodies).toBuilder().setProducerId(producer).setSequence(sequence).build();
  }

  @Test
  void aRetriedPublishIsAnsweredWithItsOriginalOffsetsAndStoresNothing() {
    TestShard shard = TestShard.inMemory();
    shard.applyOk(Cmd.create("q"));
    PublishResult first = shard.applyOk(Cmd.enqueueAt(1000, from("p", 7, "a", "b"))).getPublishes(0);
    PublishResult retry = shard.applyOk(Cmd.enqueueAt(2000, from("p", 7, "a", "b"))).getPublishes(0);

    assertThat(retry.getDuplicate()).isTrue();
    assertThat(retry.getOffsetsList()).isEqualTo(first.getOffsetsList());
    assertThat(shard.record("q").getMessages()).isEqualTo(2);
  }

  @Test
  void aRetryInTheSameEntryAsItsOriginalIsStillStoredOnce() {
    TestShard shard = TestShard.inMemory();
    shard.applyOk(Cmd.create("q"));
    ShardResult r = shard.applyOk(Cmd.enqueueAt(1000, from("p", 1, "a"), from("p", 1, "a")));
    assertThat(r.getPublishes(1).getDuplicate()).isTrue();
    assertThat(r.getPublishes(1).getOffsetsList()).isEqualTo(r.getPublishes(0).getOffsetsList());
    assertThat(shard.record("q").getMessages()).isEqualTo(1);
  }

  @Test
  void otherProducersAndSequencesAreNotDuplicates() {
    TestShard shard = TestShard.inMemory();
    shard.applyOk(Cmd.create("q"));
    shard.applyOk(Cmd.enqueueAt(1000, from("p", 1, "a")));
    assertThat(shard.applyOk(Cmd.enqueueAt(1000, from("p", 2, "a"))).getPublishes(0).getDuplicate()).isFalse();
    assertThat(shard.applyOk(Cmd.enqueueAt(1000, from("other", 1, "a"))).getPublishes(0).getDuplicate()).isFalse();
    assertThat(shard.applyOk(Cmd.enqueueAt(1000, Cmd.publishOf("q", "no producer"))).getPublishes(0).getDuplicate())
        .isFalse();
    assertThat(shard.record("q").getMessages()).isEqualTo(4);
  }

  @Test
  void producerStateSurvivesARestartAndASnapshot() {
    TestShard shard = TestShard.inMemory();
    shard.applyOk(Cmd.create("q"));
    shard.applyOk(Cmd.enqueueAt(1000, from("p", 3, "a")));
    shard.restart();
    assertThat(shard.applyOk(Cmd.enqueueAt(1500, from("p", 3, "a"))).getPublishes(0).getDuplicate()).isTrue();
    TestShard restored = TestShard.restoredFrom(shard.export());
    assertThat(restored.apply(Cmd.enqueueAt(1600, from("p", 3, "a"))).getPublishes(0).getDuplicate()).isTrue();
  }

  @Test
  void aSequenceIsForgottenOnceItOutlivesTheWindowByLeaderTime() {
    TestShard shard = TestShard.inMemory();
    shard.applyOk(Cmd.create("q"));
    shard.applyOk(Cmd.enqueueAt(1000, from("old", 1, "a")));
    long inside = 1000 + Producers.WINDOW_MS;
    assertThat(shard.applyOk(Cmd.enqueueAt(inside, from("old", 1, "a"))).getPublishes(0).getDuplicate()).isTrue();

    long later = 1000 + Producers.WINDOW_MS + 1;
    shard.applyOk(Cmd.enqueueAt(later, from("new", 1, "b")));
    assertThat(Producers.remembered(shard.store, "q", "old", 1)).isNull();
    assertThat(Producers.remembered(shard.store, "q", "new", 1)).containsExactly(1L);
    assertThat(expiryRecords(shard)).hasSize(1);
    // Forgotten: a very late retry is stored again (a duplicate, never a loss).
    assertThat(shard.applyOk(Cmd.enqueueAt(later, from("old", 1, "a"))).getPublishes(0).getDuplicate()).isFalse();
  }

  @Test
  void aRetryIsRecognisedHoweverManyPublishesCameBetweenWithinTheWindow() {
    TestShard shard = TestShard.inMemory();
    shard.applyOk(Cmd.create("q"));
    for (int s = 1; s <= 5_000; s++) {
      shard.applyOk(Cmd.enqueueAt(1000 + s, from("p", s, "m")));
    }
    PublishResult retry = shard.applyOk(Cmd.enqueueAt(9000, from("p", 1, "m"))).getPublishes(0);
    assertThat(retry.getDuplicate()).isTrue();
    assertThat(retry.getOffsetsList()).containsExactly(0L);
    assertThat(shard.record("q").getMessages()).isEqualTo(5_000);
  }

  @Test
  void forgettingABacklogIsSpreadOverEntriesAndEndsWithNothingLeft() {
    TestShard shard = TestShard.inMemory();
    shard.applyOk(Cmd.create("q"));
    int backlog = Producers.FORGET_PER_ENTRY * 2 + 7;
    for (int s = 1; s <= backlog; s++) {
      shard.applyOk(Cmd.enqueueAt(1000, from("p", s, "m")));
    }
    long later = 1000 + Producers.WINDOW_MS + 1;
    shard.applyOk(Cmd.enqueueAt(later, Cmd.publishOf("q", "x")));
    assertThat(expiryRecords(shard)).hasSize(backlog - Producers.FORGET_PER_ENTRY);
    for (int i = 0; i < 3; i++) {
      shard.applyOk(Cmd.enqueueAt(later, Cmd.publishOf("q", "x")));
    }
    assertThat(expiryRecords(shard)).isEmpty();
    for (int s = 1; s <= backlog; s++) {
      assertThat(Producers.remembered(shard.store, "q", "p", s)).isNull();
    }
  }

  @Test
  void aReplicaRestoredFromASnapshotForgetsExactlyWhatTheOthersForget() {
    TestShard shard = TestShard.inMemory();
    shard.applyOk(Cmd.create("q"));
    for (int s = 1; s <= Producers.FORGET_PER_ENTRY + 50; s++) {
      shard.applyOk(Cmd.enqueueAt(1000 + s, from("p", s, "m")));
    }
    long later = 1000 + Producers.WINDOW_MS + 100;
    shard.applyOk(Cmd.enqueueAt(later, Cmd.publishOf("q", "x")));
    TestShard restored = TestShard.restoredFrom(shard.export());
    for (TestShard s : java.util.List.of(shard, restored)) {
      s.applyOk(Cmd.enqueueAt(later + 10_000, Cmd.publishOf("q", "y")));
    }
    assertThat(restored.export()).isEqualTo(shard.export());
  }

  @Test
  void deletingAQueueForgetsItsProducers() {
    TestShard shard = TestShard.inMemory();
    shard.applyOk(Cmd.create("q"));
    shard.applyOk(Cmd.enqueueAt(1000, from("p", 1, "a")));
    shard.applyOk(Cmd.delete("q"));
    shard.applyOk(Cmd.create("q"));
    long second = 1000 + Producers.WINDOW_MS / 2;
    assertThat(shard.applyOk(Cmd.enqueueAt(second, from("p", 1, "a"))).getPublishes(0).getDuplicate()).isFalse();
    // The first queue's expiry must not remove the second queue's record of the same sequence.
    shard.applyOk(Cmd.enqueueAt(1000 + Producers.WINDOW_MS + 1, Cmd.publishOf("q", "x")));
    assertThat(Producers.remembered(shard.store, "q", "p", 1)).containsExactly(0L);
    assertThat(shard.applyOk(Cmd.enqueueAt(second + 1, from("p", 1, "a"))).getPublishes(0).getDuplicate()).isTrue();
  }

  @Test
  void aRetryOfAHigherSequenceStoredBeforeARestartIsRecognisedAfterLowerOnesWereStored() {
    TestShard shard = TestShard.inMemory();
    shard.applyOk(Cmd.create("q"));
    // Publishes in flight can land out of order: 5 and -1 (above every sequence as unsigned) first.
    shard.applyOk(Cmd.enqueueAt(1000, from("p", 5, "five"), from("p", -1, "minus one")));
    shard.restart();
    assertThat(shard.applyOk(Cmd.enqueueAt(1100, from("p", 1, "one"))).getPublishes(0).getDuplicate()).isFalse();
    assertThat(shard.applyOk(Cmd.enqueueAt(1200, from("p", 5, "five"))).getPublishes(0).getDuplicate()).isTrue();
    assertThat(shard.applyOk(Cmd.enqueueAt(1300, from("p", -1, "minus one"))).getPublishes(0).getDuplicate())
        .isTrue();
    assertThat(shard.applyOk(Cmd.enqueueAt(1400, from("p", 6, "six"))).getPublishes(0).getDuplicate()).isFalse();
    assertThat(shard.record("q").getMessages()).isEqualTo(4);
  }

  @Test
  void entriesThatFindNothingToForgetDoNotDelayWhatExpiresLater() {
    TestShard shard = TestShard.inMemory();
    shard.applyOk(Cmd.create("q"));
    long w = Producers.WINDOW_MS;
    shard.applyOk(Cmd.enqueueAt(w + 10, from("a", 1, "a"))); // the only record
    // A new leader whose clock is behind: a later record with an earlier time.
    shard.applyOk(Cmd.enqueueAt(w + 5, from("b", 1, "b")));
    for (long t = w + 20; t <= 2 * w + 10; t += w / 4) {
      shard.applyOk(Cmd.enqueueAt(t, Cmd.publishOf("q", "no producer")));
      assertThat(Producers.remembered(shard.store, "q", "a", 1)).isNotNull();
    }
    shard.applyOk(Cmd.enqueueAt(2 * w + 11, Cmd.publishOf("q", "no producer")));
    assertThat(Producers.remembered(shard.store, "q", "a", 1)).isNull();
    assertThat(Producers.remembered(shard.store, "q", "b", 1)).isNull();
    assertThat(expiryRecords(shard)).isEmpty();

    // With no record left, a new one is still forgotten on time.
    shard.applyOk(Cmd.enqueueAt(3 * w, from("c", 1, "c")));
    shard.applyOk(Cmd.enqueueAt(4 * w, Cmd.publishOf("q", "no producer")));
    assertThat(Producers.remembered(shard.store, "q", "c", 1)).isNotNull();
    shard.applyOk(Cmd.enqueueAt(4 * w + 1, Cmd.publishOf("q", "no producer")));
    assertThat(Producers.remembered(shard.store, "q", "c", 1)).isNull();
  }

  private static java.util.List<Long> expiryRecords(TestShard shard) {
    java.util.List<Long> out = new java.util.ArrayList<>();
    shard.store.scanSequenceExpiries(0, (index, value) -> out.add(index) || true);
    return out;
  }
}
