package io.qraft.statemachine;

import java.io.File;
import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import org.apache.ratis.server.storage.RaftStorage;
import org.apache.ratis.statemachine.impl.SimpleStateMachineStorage;
import org.apache.ratis.statemachine.impl.SingleFileSnapshotInfo;

/**
 * The snapshot directory of one group, listed once while it holds no snapshot.
 *
 * <p>Ratis's storage caches the latest snapshot only once there is one; until then every call
 * lists the directory, and a leader asks once per follower per append round. In a profile of
 * a 3-replica queue at one publish in flight, that listing was a third of the leader's
 * appender thread. A snapshot appears only through this storage: its update (a snapshot taken
 * here) or its load (one installed from the leader, loaded in {@code reinitialize}), and both
 * forget the "none". Ratis's retention cleanup keeps the newest snapshot, so a group with one
 * never goes back to none.
 *
 * <p>"None" is remembered only when a listing of the directory of its own found no snapshot
 * file: a listing that failed (Ratis logs it and answers none) is tried again next time.
 *
 * <p>Thread-safety: lookups and updates hold this object's lock, so a "none" found while a
 * snapshot was being recorded cannot hide it.
 */
final class CachedSnapshotStorage extends SimpleStateMachineStorage {
  private File dir;
  private boolean noneOnDisk;

  @Override
  public void init(RaftStorage storage) throws IOException {
    synchronized (this) {
      dir = storage.getStorageDir().getStateMachineDir();
    }
    super.init(storage);
  }

  @Override
  public synchronized SingleFileSnapshotInfo getLatestSnapshot() {
    if (noneOnDisk) {
      return null;
    }
    SingleFileSnapshotInfo latest = super.getLatestSnapshot();
    if (latest == null && dir != null) {
      noneOnDisk = holdsNoSnapshot(dir.toPath());
    }
    return latest;
  }

  @Override
  public synchronized SingleFileSnapshotInfo loadLatestSnapshot() {
    noneOnDisk = false;
    return super.loadLatestSnapshot();
  }

  @Override
  public synchronized SingleFileSnapshotInfo updateLatestSnapshot(SingleFileSnapshotInfo info) {
    noneOnDisk = false;
    return super.updateLatestSnapshot(info);
  }

  private static boolean holdsNoSnapshot(Path dir) {
    try (DirectoryStream<Path> files = Files.newDirectoryStream(dir)) {
      for (Path file : files) {
        Path name = file.getFileName();
        if (name != null && SNAPSHOT_REGEX.matcher(name.toString()).matches()) {
          return false;
        }
      }
      return true;
    } catch (IOException e) {
      return false;
    }
  }
}
