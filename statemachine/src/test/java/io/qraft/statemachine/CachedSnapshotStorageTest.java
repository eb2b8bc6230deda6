package io.qraft.statemachine;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.apache.ratis.server.protocol.TermIndex;
import org.apache.ratis.server.storage.RaftStorage;
import org.apache.ratis.server.storage.RaftStorageDirectory;
import org.apache.ratis.server.storage.RaftStorageMetadataFile;
import org.apache.ratis.server.RaftServerConfigKeys.Log.CorruptionPolicy;
import org.apache.ratis.statemachine.impl.SimpleStateMachineStorage;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * "No snapshot" is remembered, so the directory is not listed on every append round, yet every
 * way a snapshot appears (taken here, installed from the leader and loaded) is seen, and a
 * listing that failed is not taken for "none".
 */
class CachedSnapshotStorageTest {
  @TempDir
  Path root;

  private CachedSnapshotStorage storage() throws IOException {
    CachedSnapshotStorage storage = new CachedSnapshotStorage();
    storage.init(raftStorage(root.toFile()));
    return storage;
  }

  private File smDir() {
    return root.resolve(RaftStorageDirectory.STATE_MACHINE_DIR_NAME).toFile();
  }

  /** Writes a snapshot file the way a leader's install leaves it, behind the storage's back. */
  private void dropSnapshotFile(long term, long index) throws IOException {
    Files.writeString(smDir().toPath().resolve(SimpleStateMachineStorage.getSnapshotFileName(term, index)), "x");
  }

  @Test
  void noneIsRememberedUntilALoadAfterAnInstall() throws IOException {
    Files.createDirectories(smDir().toPath());
    CachedSnapshotStorage storage = storage();
    assertThat(storage.getLatestSnapshot()).isNull();

    dropSnapshotFile(2, 40);
    // Not listed again: this is the saving.
    assertThat(storage.getLatestSnapshot()).isNull();
    // reinitialize after an install loads, and from then on it is seen.
    assertThat(storage.loadLatestSnapshot().getTermIndex()).isEqualTo(TermIndex.valueOf(2, 40));
    assertThat(storage.getLatestSnapshot().getTermIndex()).isEqualTo(TermIndex.valueOf(2, 40));
  }

  @Test
  void aSnapshotTakenHereIsSeenAtOnce() throws IOException {
    Files.createDirectories(smDir().toPath());
    CachedSnapshotStorage storage = storage();
    assertThat(storage.getLatestSnapshot()).isNull();

    SnapshotFiles.write(storage, TermIndex.valueOf(1, 7), out -> out.write(new byte[] {1, 2, 3}));

    assertThat(storage.getLatestSnapshot().getTermIndex()).isEqualTo(TermIndex.valueOf(1, 7));
  }

  @Test
  void aSnapshotOnDiskAtStartIsFound() throws IOException {
    Files.createDirectories(smDir().toPath());
    dropSnapshotFile(3, 100);

    assertThat(storage().getLatestSnapshot().getTermIndex()).isEqualTo(TermIndex.valueOf(3, 100));
  }

  @Test
  void aListingThatFailedIsTriedAgain() throws IOException {
    // No state machine directory yet: the listing fails, which says nothing about snapshots.
    CachedSnapshotStorage storage = storage();
    assertThat(storage.getLatestSnapshot()).isNull();

    Files.createDirectories(smDir().toPath());
    dropSnapshotFile(1, 5);

    assertThat(storage.getLatestSnapshot().getTermIndex()).isEqualTo(TermIndex.valueOf(1, 5));
  }

  private static RaftStorage raftStorage(File root) {
    RaftStorageDirectory dir = new RaftStorageDirectory() {
      @Override
      public File getRoot() {
        return root;
      }

      @Override
      public boolean isHealthy() {
        return true;
      }
    };
    return new RaftStorage() {
      @Override
      public void initialize() {}

      @Override
      public RaftStorageDirectory getStorageDir() {
        return dir;
      }

      @Override
      public RaftStorageMetadataFile getMetadataFile() {
        throw new UnsupportedOperationException();
      }

      @Override
      public CorruptionPolicy getLogCorruptionPolicy() {
        return CorruptionPolicy.EXCEPTION;
      }

      @Override
      public void close() {}
    };
  }
}
