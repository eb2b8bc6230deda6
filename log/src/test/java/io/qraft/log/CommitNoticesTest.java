package io.qraft.log;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Test;

class CommitNoticesTest {
  private final List<CompletableFuture<Void>> written = new ArrayList<>();
  private final CommitNotices notices = new CommitNotices(() -> {
    CompletableFuture<Void> f = new CompletableFuture<>();
    written.add(f);
    return f;
  });

  @Test
  void oneNoticeAtATimeAndOneMoreForChangesCommittedWhileItWasOut() {
    notices.committed();
    assertThat(written).hasSize(1);
    notices.committed();
    notices.committed();
    assertThat(written).as("the changes wait for the notice out").hasSize(1);

    written.get(0).complete(null);
    assertThat(written).as("one more notice for both").hasSize(2);
    written.get(1).complete(null);
    assertThat(written).as("nothing committed since").hasSize(2);

    notices.committed();
    assertThat(written).hasSize(3);
  }

  @Test
  void aFailedNoticeIsNotRetriedButTheNextChangeWritesOne() {
    notices.committed();
    notices.committed();
    written.get(0).completeExceptionally(new LogUnavailableException("no leader", null));
    assertThat(written).hasSize(1);

    notices.committed();
    assertThat(written).hasSize(2);
  }
}
