package io.qraft.log;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.google.protobuf.ByteString;
import io.qraft.api.log.v1.PublishResult;
import io.qraft.api.log.v1.QueuePublish;
import io.qraft.api.log.v1.ShardResult;
import io.qraft.api.v1.Message;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The batcher of one group, against a {@link RecordingEntrySink} that holds
 * every entry until the test answers it, and a real timer for lingers.
 */
@Timeout(value = 2, unit = TimeUnit.MINUTES)
class PublishBatcherTest {
  /** A linger so long that only a count or byte cut can send within a test. */
  private static final long NEVER_MS = 600_000;

  private final RecordingEntrySink sink = new RecordingEntrySink();
  private final ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor(r -> {
    Thread t = new Thread(r, "test-linger");
    t.setDaemon(true);
    return t;
  });

  @AfterEach
  void stopTimer() {
    timer.shutdownNow();
  }

  private PublishBatcher batcher(int maxInFlight, boolean local) {
    return new PublishBatcher(sink, timer, maxInFlight, local);
  }

  private static QueuePublish publish(String queue, long sequence, int messages, int bodyBytes) {
    QueuePublish.Builder p = QueuePublish.newBuilder().setQueue(queue).setProducerId("p").setSequence(sequence);
    for (int i = 0; i < messages; i++) {
      p.addMessages(Message.newBuilder().setBody(ByteString.copyFrom(new byte[bodyBytes])));
    }
    return p.build();
  }

  private static QueuePublish publish(String queue, long sequence) {
    return publish(queue, sequence, 1, 10);
  }

  private static List<Long> offsets(CompletableFuture<PublishResult> f) throws Exception {
    return f.get(60, TimeUnit.SECONDS).getOffsetsList();
  }

  private static List<Long> sequences(RecordingEntrySink.Sent sent) {
    return sent.publishes().stream().map(QueuePublish::getSequence).toList();
  }

  @Test
  void aBatchIsCutWhenItHoldsBatchSizeMessages() throws Exception {
    PublishBatcher b = batcher(4, false);
    BatchLimits limits = new BatchLimits(4, 1 << 20, NEVER_MS);

    CompletableFuture<PublishResult> first = b.publish(publish("q", 1, 2, 10), limits);
    CompletableFuture<PublishResult> second = b.publish(publish("q", 2, 1, 10), limits);
    assertThat(sink.count()).as("3 of 4 messages: the batch stays open").isZero();

    CompletableFuture<PublishResult> third = b.publish(publish("q", 3, 1, 10), limits);
    assertThat(sink.count()).as("the 4th message cuts the batch").isEqualTo(1);
    assertThat(sequences(sink.get(0))).containsExactly(1L, 2L, 3L);
    assertThat(sink.get(0).command().getLeaderTimeMs()).isPositive();

    sink.answer(0);
    assertThat(offsets(first)).containsExactly(100L, 101L);
    assertThat(offsets(second)).containsExactly(200L);
    assertThat(offsets(third)).containsExactly(300L);
  }

  @Test
  void aBatchIsCutWhenItReachesBatchBytes() throws Exception {
    PublishBatcher b = batcher(4, false);
    QueuePublish one = publish("q", 1, 1, 100);
    long size = one.getSerializedSize();
    BatchLimits limits = new BatchLimits(1000, 2 * size + 1, NEVER_MS);

    b.publish(one, limits);
    b.publish(publish("q", 2, 1, 100), limits);
    assertThat(sink.count()).as("two publishes are one byte short of the cut").isZero();

    b.publish(publish("q", 3, 1, 100), limits);
    assertThat(sink.count()).isEqualTo(1);
    assertThat(sequences(sink.get(0))).containsExactly(1L, 2L, 3L);

    b.publish(publish("q", 4, 1, 100), limits);
    assertThat(sink.count()).as("the cut starts a new, empty batch").isEqualTo(1);
  }

  @Test
  void withALingerNothingIsSentBeforeItPassesAndEverythingGathersAfter() throws Exception {
    PublishBatcher b = batcher(4, false);
    BatchLimits limits = new BatchLimits(1000, 1 << 20, 1_000);

    CompletableFuture<PublishResult> first = b.publish(publish("q", 1), limits);
    CompletableFuture<PublishResult> second = b.publish(publish("q", 2), limits);
    assertThat(sink.count()).as("nothing goes out before the linger of the first message").isZero();
    assertThat(first).isNotDone();

    assertThat(sink.awaitCount(1)).as("the linger cuts the batch eventually").isTrue();
    assertThat(sequences(sink.get(0))).containsExactly(1L, 2L);
    sink.answer(0);
    assertThat(offsets(first)).containsExactly(100L);
    assertThat(offsets(second)).containsExactly(200L);
  }

  @Test
  void withoutLingerTheFirstPublishGoesAtOnceAndTheNextOnesGatherIntoOneEntryThatLeavesWhenTheFirstCompletes()
      throws Exception {
    PublishBatcher b = batcher(1, false);
    BatchLimits limits = new BatchLimits(1000, 1 << 20, 0);

    CompletableFuture<PublishResult> a = b.publish(publish("q", 1), limits);
    assertThat(sink.count()).as("a lone message never waits").isEqualTo(1);
    CompletableFuture<PublishResult> bb = b.publish(publish("q", 2), limits);
    CompletableFuture<PublishResult> c = b.publish(publish("q", 3), limits);
    CompletableFuture<PublishResult> d = b.publish(publish("q", 4), limits);
    assertThat(sink.count()).as("the only in-flight slot is taken").isEqualTo(1);

    sink.answer(0);
    assertThat(offsets(a)).containsExactly(100L);
    assertThat(sink.count()).as("the waiting publishes leave together").isEqualTo(2);
    assertThat(sequences(sink.get(1))).containsExactly(2L, 3L, 4L);
    assertThat(bb).isNotDone();

    sink.answer(1);
    assertThat(offsets(bb)).containsExactly(200L);
    assertThat(offsets(c)).containsExactly(300L);
    assertThat(offsets(d)).containsExactly(400L);

    CompletableFuture<PublishResult> e = b.publish(publish("q", 5), limits);
    assertThat(sink.count()).as("the slot is free again: sent at once").isEqualTo(3);
    sink.answer(2);
    assertThat(offsets(e)).containsExactly(500L);
  }

  @Test
  void eachPublishGetsItsOwnResultEvenWhenSeveralQueuesShareOneEntry() throws Exception {
    PublishBatcher b = batcher(4, false);
    BatchLimits limits = new BatchLimits(6, 1 << 20, NEVER_MS);

    CompletableFuture<PublishResult> q1a = b.publish(publish("q1", 1, 2, 5), limits);
    CompletableFuture<PublishResult> q2 = b.publish(publish("q2", 2, 1, 5), limits);
    CompletableFuture<PublishResult> q3 = b.publish(publish("q3", 3, 1, 5), limits);
    CompletableFuture<PublishResult> q1b = b.publish(publish("q1", 4, 2, 5), limits);
    assertThat(sink.count()).isEqualTo(1);
    assertThat(sink.get(0).publishes()).extracting(QueuePublish::getQueue).containsExactly("q1", "q2", "q3", "q1");

    // Answer out of the expected shape: distinct results per publish, in entry order.
    ShardResult result = ShardResult.newBuilder()
        .addPublishes(PublishResult.newBuilder().addOffsets(7).addOffsets(8))
        .addPublishes(PublishResult.newBuilder().addOffsets(0))
        .addPublishes(PublishResult.newBuilder().addOffsets(41).setDuplicate(true))
        .addPublishes(PublishResult.newBuilder().addOffsets(9).addOffsets(10))
        .build();
    sink.get(0).result().complete(result);

    assertThat(offsets(q1a)).containsExactly(7L, 8L);
    assertThat(offsets(q2)).containsExactly(0L);
    assertThat(q3.get().getDuplicate()).isTrue();
    assertThat(offsets(q3)).containsExactly(41L);
    assertThat(offsets(q1b)).containsExactly(9L, 10L);
  }

  @Test
  void aQueuesBatchSizeArgumentLowersTheCutForTheWholeBatch() throws Exception {
    PublishBatcher b = batcher(4, false);
    BatchLimits node = new BatchLimits(1000, 1 << 20, NEVER_MS);
    BatchLimits small = node.forQueue(Map.of(BatchLimits.BATCH_SIZE, "2"));
    assertThat(small).isEqualTo(new BatchLimits(2, 1 << 20, NEVER_MS));

    b.publish(publish("roomy", 1), node);
    assertThat(sink.count()).isZero();
    b.publish(publish("small", 2), small);
    assertThat(sink.count()).as("the small queue's limit cuts the batch it joined").isEqualTo(1);
    assertThat(sequences(sink.get(0))).containsExactly(1L, 2L);

    b.publish(publish("roomy", 3), node);
    b.publish(publish("roomy", 4), node);
    assertThat(sink.count()).as("after the cut the node's limits apply again").isEqualTo(1);
  }

  @Test
  void aQueuesBatchBytesArgumentCannotRaiseTheNodeLimit() {
    BatchLimits node = new BatchLimits(1000, 1_000, 0);
    assertThat(node.forQueue(Map.of(BatchLimits.BATCH_BYTES, "5000")).maxBytes()).isEqualTo(1_000);
    assertThat(node.forQueue(Map.of(BatchLimits.BATCH_BYTES, "500")).maxBytes()).isEqualTo(500);
    assertThat(node.forQueue(Map.of(BatchLimits.BATCH_LINGER_MS, "7")).lingerMs()).isEqualTo(7);
    assertThat(node.forQueue(Map.of())).isEqualTo(node);
  }

  @Test
  void anErrorResultFailsEveryPublishOfTheEntry() {
    PublishBatcher b = batcher(4, false);
    BatchLimits limits = new BatchLimits(3, 1 << 20, NEVER_MS);
    List<CompletableFuture<PublishResult>> futures = List.of(
        b.publish(publish("q1", 1), limits), b.publish(publish("q2", 2), limits), b.publish(publish("q1", 3), limits));
    assertThat(sink.count()).isEqualTo(1);

    sink.get(0).result().complete(ShardResult.newBuilder().setErrorCode(14).setErrorMessage("shard is moving").build());

    for (CompletableFuture<PublishResult> f : futures) {
      assertThatThrownBy(() -> f.get(60, TimeUnit.SECONDS))
          .isInstanceOf(ExecutionException.class)
          .cause().isInstanceOf(RequestException.class)
          .hasMessage("shard is moving")
          .satisfies(e -> assertThat(((RequestException) e).code()).isEqualTo(14));
    }
    assertThat(b.pendingBytes()).isZero();
  }

  @Test
  void aFailedSubmitFailsEveryPublishOfTheEntryAndFreesItsSlot() throws Exception {
    PublishBatcher b = batcher(1, false);
    BatchLimits limits = new BatchLimits(1000, 1 << 20, 0);
    CompletableFuture<PublishResult> a = b.publish(publish("q", 1), limits);
    CompletableFuture<PublishResult> bb = b.publish(publish("q", 2), limits);
    CompletableFuture<PublishResult> c = b.publish(publish("q", 3), limits);
    LogUnavailableException gone = new LogUnavailableException("no leader", null);

    sink.get(0).result().completeExceptionally(gone);
    assertThatThrownBy(() -> a.get(60, TimeUnit.SECONDS)).cause().isSameAs(gone);
    assertThat(sink.count()).as("the failure freed the slot for the waiting publishes").isEqualTo(2);

    sink.get(1).result().completeExceptionally(gone);
    assertThatThrownBy(() -> bb.get(60, TimeUnit.SECONDS)).cause().isSameAs(gone);
    assertThatThrownBy(() -> c.get(60, TimeUnit.SECONDS)).cause().isSameAs(gone);
    assertThat(b.pendingBytes()).isZero();
  }

  @Test
  void pendingBytesCountAcceptedPublishesUntilTheyAreAnswered() throws Exception {
    PublishBatcher b = batcher(1, false);
    BatchLimits limits = new BatchLimits(1000, 1 << 20, 0);
    QueuePublish p1 = publish("q", 1, 1, 300);
    QueuePublish p2 = publish("q", 2, 3, 50);
    QueuePublish p3 = publish("q", 3, 1, 7);
    assertThat(b.pendingBytes()).isZero();

    CompletableFuture<PublishResult> f1 = b.publish(p1, limits);
    assertThat(b.pendingBytes()).as("sent, not answered").isEqualTo(p1.getSerializedSize());
    CompletableFuture<PublishResult> f2 = b.publish(p2, limits);
    CompletableFuture<PublishResult> f3 = b.publish(p3, limits);
    assertThat(b.pendingBytes()).as("waiting for a slot counts too")
        .isEqualTo((long) p1.getSerializedSize() + p2.getSerializedSize() + p3.getSerializedSize());

    sink.answer(0);
    f1.get(60, TimeUnit.SECONDS);
    assertThat(b.pendingBytes()).isEqualTo((long) p2.getSerializedSize() + p3.getSerializedSize());

    sink.get(1).result().complete(ShardResult.newBuilder().setErrorCode(9).setErrorMessage("no").build());
    assertThatThrownBy(() -> f2.get(60, TimeUnit.SECONDS)).isInstanceOf(ExecutionException.class);
    assertThatThrownBy(() -> f3.get(60, TimeUnit.SECONDS)).isInstanceOf(ExecutionException.class);
    assertThat(b.pendingBytes()).as("failed publishes are answered too").isZero();
  }

  @Test
  void inLocalModePublishesCompleteWhenTheEntryIsFlushedAndTheSlotIsReleasedThen() throws Exception {
    PublishBatcher b = batcher(1, true);
    BatchLimits limits = new BatchLimits(1000, 1 << 20, 0);

    CompletableFuture<PublishResult> a = b.publish(publish("q", 1), limits);
    assertThat(sink.count()).isEqualTo(1);
    CompletableFuture<PublishResult> waiting = b.publish(publish("q", 2), limits);
    assertThat(sink.count()).isEqualTo(1);

    sink.get(0).flushed().complete(null);
    assertThat(sink.get(0).result()).as("the applied result has not come").isNotDone();
    assertThat(a.get(60, TimeUnit.SECONDS)).as("confirmed without offsets").isEqualTo(PublishResult.getDefaultInstance());
    assertThat(sink.count()).as("the flush freed the in-flight slot").isEqualTo(2);
    assertThat(waiting).isNotDone();

    sink.answer(0);
    assertThat(a.get()).as("the later applied result changes nothing").isEqualTo(PublishResult.getDefaultInstance());
    CompletableFuture<PublishResult> third = b.publish(publish("q", 3), limits);
    assertThat(sink.count()).as("the applied result of a flushed entry does not free a second slot").isEqualTo(2);

    sink.get(1).flushed().complete(null);
    assertThat(waiting.get(60, TimeUnit.SECONDS)).isEqualTo(PublishResult.getDefaultInstance());
    assertThat(sink.count()).isEqualTo(3);
    sink.answer(1);
    sink.get(2).flushed().complete(null);
    sink.answer(2);
    third.get(60, TimeUnit.SECONDS);
    assertThat(b.pendingBytes()).isZero();
  }

  @Test
  void inLocalModeTheAppliedResultAnswersWhenItComesBeforeTheFlush() throws Exception {
    PublishBatcher b = batcher(1, true);
    BatchLimits limits = new BatchLimits(1000, 1 << 20, 0);
    CompletableFuture<PublishResult> a = b.publish(publish("q", 1, 2, 10), limits);

    sink.answer(0);
    assertThat(offsets(a)).containsExactly(100L, 101L);
    CompletableFuture<PublishResult> next = b.publish(publish("q", 2), limits);
    assertThat(sink.count()).isEqualTo(2);

    sink.get(0).flushed().complete(null);
    CompletableFuture<PublishResult> another = b.publish(publish("q", 3), limits);
    assertThat(sink.count()).as("a late flush does not free a second slot").isEqualTo(2);
    sink.answer(1);
    assertThat(offsets(next)).containsExactly(200L);
    assertThat(sink.count()).isEqualTo(3);
    sink.answer(2);
    assertThat(offsets(another)).containsExactly(300L);
  }

  @Test
  void inLocalModeARefusedSubmitFailsThePublishesAndFreesTheSlot() throws Exception {
    PublishBatcher b = batcher(1, true);
    BatchLimits limits = new BatchLimits(1000, 1 << 20, 0);
    LeaderElsewhereException elsewhere = new LeaderElsewhereException("not here", "n2");
    sink.refuseFlushedWith(elsewhere);

    CompletableFuture<PublishResult> a = b.publish(publish("q", 1), limits);
    assertThatThrownBy(() -> a.get(60, TimeUnit.SECONDS)).cause().isSameAs(elsewhere);
    assertThat(b.pendingBytes()).isZero();

    sink.refuseFlushedWith(null);
    CompletableFuture<PublishResult> next = b.publish(publish("q", 2), limits);
    assertThat(sink.count()).as("the slot came back").isEqualTo(1);
    sink.get(0).flushed().complete(null);
    assertThat(next.get(60, TimeUnit.SECONDS)).isEqualTo(PublishResult.getDefaultInstance());
  }

  @Test
  void batchAndPublishCountsFollowWhatWasSent() {
    PublishBatcher b = batcher(1, false);
    BatchLimits limits = new BatchLimits(1000, 1 << 20, 0);
    b.publish(publish("q", 1), limits);
    b.publish(publish("q", 2), limits);
    b.publish(publish("q", 3), limits);
    sink.answer(0);
    assertThat(b.counts()).containsExactly(2L, 3L);
  }
}
