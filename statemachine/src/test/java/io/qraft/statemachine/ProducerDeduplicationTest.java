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
  void aProducerIsForgottenAfterItsExpiryByLeaderTime() {
    TestShard shard = TestShard.inMemory();
    shard.applyOk(Cmd.create("q"));
    shard.applyOk(Cmd.enqueueAt(1000, from("old", 1, "a")));
    long later = 1000 + Producers.EXPIRY_MS + 1;
    shard.applyOk(Cmd.enqueueAt(later, from("new", 1, "b")));
    assertThat(shard.record("q").getProducersList()).extracting(p -> p.getProducerId()).containsExactly("new");
    // Forgotten: a very late retry is stored again (a duplicate, never a loss).
    assertThat(shard.applyOk(Cmd.enqueueAt(later, from("old", 1, "a"))).getPublishes(0).getDuplicate()).isFalse();
  }

  @Test
  void onlyTheMostRecentSequencesOfAProducerAreKept() {
    TestShard shard = TestShard.inMemory();
    shard.applyOk(Cmd.create("q"));
    for (int s = 1; s <= Producers.RECENT + 10; s++) {
      shard.applyOk(Cmd.enqueueAt(1000, from("p", s, "m")));
    }
    assertThat(shard.record("q").getProducers(0).getRecentCount()).isEqualTo(Producers.RECENT);
    assertThat(shard.applyOk(Cmd.enqueueAt(1000, from("p", Producers.RECENT + 10, "m"))).getPublishes(0).getDuplicate())
        .isTrue();
  }
}
