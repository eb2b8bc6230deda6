package io.qraft.storage;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

class RocksQueueStoreTest extends QueueStoreContract {

  @Override
  QueueStore create(Path dir) throws IOException {
    return RocksQueueStore.open(dir);
  }

  private QueueStore reopen() throws IOException {
    store.close();
    store = open(dir.resolve("store"));
    return store;
  }

  @Test
  void reopenGivesTheStateOfTheLastCommittedBatch() throws IOException {
    commit(store, 1, b -> b.putQueue("q", bytes("r1")).putMessage("q", 1, bytes("m1")));
    commit(store, 2, b -> b.putMessage("q", 2, bytes("m2")).putUnacked("q", 1, bytes("u1")));
    commit(store, 3, b -> b.deleteMessage("q", 1).putQueue("p", bytes("rp")));
    Map<String, String> committed = contentOf(store);

    reopen();

    assertThat(store.lastAppliedIndex()).isEqualTo(3);
    assertThat(contentOf(store)).isEqualTo(committed);
    assertThat(offsets(store, "q", 0)).containsExactly(entry(2, "m2"));
  }

  @Test
  void aBatchClosedWithoutCommitLeavesNothingBehindAcrossReopen() throws IOException {
    commit(store, 1, b -> b.putQueue("q", bytes("kept")));
    try (StoreBatch batch = store.newBatch()) {
      batch.putQueue("q", bytes("dropped")).putMessage("q", 5, bytes("dropped")).deleteQueue("q");
    }

    reopen();

    assertThat(store.lastAppliedIndex()).isEqualTo(1);
    assertThat(contentOf(store)).containsExactly(Map.entry("Q[q]", "kept"));
  }

  @Test
  void aRefusedCommitLeavesNothingBehindAcrossReopen() throws IOException {
    commit(store, 7, b -> b.putQueue("q", bytes("kept")));
    try (StoreBatch batch = store.newBatch()) {
      batch.putQueue("q", bytes("refused")).putMessage("q", 1, bytes("refused"));
      assertThatThrownBy(() -> batch.commit(7)).isInstanceOf(IllegalStateException.class);
    }

    reopen();

    assertThat(store.lastAppliedIndex()).isEqualTo(7);
    assertThat(contentOf(store)).containsExactly(Map.entry("Q[q]", "kept"));
  }

  @Test
  void deleteQueueLeavesEveryOtherQueueIntactAcrossReopen() throws IOException {
    commit(store, 1, b -> {
      for (String name : TRICKY_NAMES) {
        b.putQueue(name, bytes("r")).putMessage(name, 3, bytes("m")).putUnacked(name, 3, bytes("u"));
      }
    });
    commit(store, 2, b -> b.deleteQueue("a").deleteQueue("a\u0000"));

    reopen();

    Map<String, String> content = contentOf(store);
    assertThat(content.keySet()).noneMatch(key -> key.contains("[a]") || key.contains("[a\u0000]"));
    assertThat(content).containsKeys("Q[ab]", "M[ab]#3", "U[a\u0000b]#3", "M[\u0000]#3", "Q[\ud83d\ude42]");
    assertThat(content).hasSize((TRICKY_NAMES.size() - 2) * 3);
  }

  @Test
  void anImportSurvivesReopen() throws IOException {
    QueueStore source = freshStoreWithEveryTrickyQueue();
    commit(store, 50, b -> b.putQueue("replaced", bytes("x")));

    store.importFrom(new ByteArrayInputStream(exportOf(source)));
    reopen();

    assertThat(store.lastAppliedIndex()).isEqualTo(1);
    assertThat(contentOf(store)).isEqualTo(contentOf(source));
  }

  @Test
  void aRefusedImportLeavesTheStoreUnchangedAcrossReopenAndNoFileBehind() throws IOException {
    commit(store, 4, b -> b.putQueue("q", bytes("kept")));
    byte[] export = exportOf(freshStoreWithEveryTrickyQueue());
    byte[] torn = Arrays.copyOf(export, export.length - 1);

    assertThatThrownBy(() -> store.importFrom(new ByteArrayInputStream(torn))).isInstanceOf(IOException.class);
    reopen();

    assertThat(store.lastAppliedIndex()).isEqualTo(4);
    assertThat(contentOf(store)).containsExactly(Map.entry("Q[q]", "kept"));
    assertThat(importFilesBeside(dir.resolve("store"))).isEmpty();
  }

  @Test
  void anExportOfTheInMemoryTwinImportsIdentically() throws IOException {
    InMemoryQueueStore twin = new InMemoryQueueStore();
    commit(twin, 12, b -> {
      for (String name : TRICKY_NAMES) {
        b.putQueue(name, bytes("r")).putMessage(name, 1L << 33, bytes("m")).putUnacked(name, 0, bytes("u"));
      }
    });

    store.importFrom(new ByteArrayInputStream(exportOf(twin)));

    assertThat(store.lastAppliedIndex()).isEqualTo(12);
    assertThat(exportOf(store)).isEqualTo(exportOf(twin));
    twin.close();
  }

  @Test
  void anUnfinishedImportFileIsRemovedWhenTheStoreOpens() throws IOException {
    Path storeDir = dir.resolve("store");
    store.close();
    Path leftover = Files.createFile(dir.resolve("store.import-123.tmp"));
    Path unrelated = Files.createFile(dir.resolve("other.import-123.tmp"));

    reopen();

    assertThat(leftover).doesNotExist();
    assertThat(unrelated).exists();
    assertThat(storeDir).isDirectory();
  }

  @Test
  void aDirectoryCannotBeOpenedByTwoStoresAtOnce() {
    assertThatThrownBy(() -> RocksQueueStore.open(dir.resolve("store"))).isInstanceOf(IOException.class);
  }

  @Test
  void manyStoresCanBeOpenAtOnceEachWithItsOwnIndex() throws IOException {
    List<QueueStore> groups = new ArrayList<>();
    for (int group = 0; group < 32; group++) {
      QueueStore s = open(dir.resolve("group-" + group));
      long index = group + 1;
      commit(s, index, b -> b.putMessage("q", index, bytes("m")));
      groups.add(s);
    }
    groups.forEach(QueueStore::close);

    for (int group = 0; group < 32; group++) {
      QueueStore s = open(dir.resolve("group-" + group));
      assertThat(s.lastAppliedIndex()).isEqualTo(group + 1);
      assertThat(offsets(s, "q", 0)).containsExactly(entry(group + 1, "m"));
      s.close();
    }
  }

  private static Stream<Path> importFilesBeside(Path storeDir) throws IOException {
    try (Stream<Path> files = Files.list(storeDir.getParent())) {
      return files.filter(p -> p.getFileName().toString().contains(".import-")).toList().stream();
    }
  }
}
