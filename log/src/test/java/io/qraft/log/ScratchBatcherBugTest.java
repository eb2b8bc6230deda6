package io.qraft.log;

import static org.assertj.core.api.Assertions.assertThat;
import io.qraft.api.log.v1.PublishResult;
import io.qraft.api.log.v1.QueuePublish;
import io.qraft.api.log.v1.ShardResult;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executors;
import org.junit.jupiter.api.Test;

class ScratchBatcherBugTest {
  @Test
  void aResultWithoutPublishResultsFailsThePublishesInsteadOfLeavingThemHanging() throws Exception {
    RecordingEntrySink sink = new RecordingEntrySink();
    PublishBatcher b = new PublishBatcher(sink, Executors.newSingleThreadScheduledExecutor(), 1, false);
    BatchLimits limits = new BatchLimits(1000, 1 << 20, 0);
    CompletableFuture<PublishResult> a = b.publish(QueuePublish.newBuilder().setQueue("q").build(), limits);
    CompletableFuture<PublishResult> c = b.publish(QueuePublish.newBuilder().setQueue("q").build(), limits);
    sink.get(0).result().complete(ShardResult.getDefaultInstance());
    System.out.println("a done=" + a.isDone() + " sent=" + sink.count() + " pending=" + b.pendingBytes());
    assertThat(a).isDone();
    assertThat(sink.count()).isEqualTo(2);
  }
}
