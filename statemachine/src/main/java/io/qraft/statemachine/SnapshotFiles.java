package io.qraft.statemachine;

import java.io.File;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.StandardCopyOption;
import org.apache.ratis.io.MD5Hash;
import org.apache.ratis.server.protocol.TermIndex;
import org.apache.ratis.server.storage.FileInfo;
import org.apache.ratis.statemachine.impl.SimpleStateMachineStorage;
import org.apache.ratis.statemachine.impl.SingleFileSnapshotInfo;
import org.apache.ratis.util.MD5FileUtil;

/**
 * Writes a single-file snapshot the way Ratis ships it to a lagging follower:
 * written to a temporary name, moved into place whole, with an MD5 sidecar.
 * A crash while writing leaves only a temporary file, never a torn snapshot.
 */
final class SnapshotFiles {
  private SnapshotFiles() {}

  @FunctionalInterface
  interface Writer {
    void writeTo(OutputStream out) throws IOException;
  }

  static SingleFileSnapshotInfo write(SimpleStateMachineStorage storage, TermIndex at, Writer writer)
      throws IOException {
    File target = storage.getSnapshotFile(at.getTerm(), at.getIndex());
    File tmp = new File(target.getParentFile(), target.getName() + ".tmp");
    try (OutputStream out = new java.io.BufferedOutputStream(Files.newOutputStream(tmp.toPath()), 1 << 16)) {
      writer.writeTo(out);
    }
    try (var ch = java.nio.channels.FileChannel.open(tmp.toPath(), java.nio.file.StandardOpenOption.WRITE)) {
      ch.force(true);
    }
    Files.move(tmp.toPath(), target.toPath(), StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
    MD5Hash md5 = MD5FileUtil.computeAndSaveMd5ForFile(target);
    SingleFileSnapshotInfo info = new SingleFileSnapshotInfo(new FileInfo(target.toPath(), md5), at);
    storage.updateLatestSnapshot(info);
    return info;
  }

  /** Checks the snapshot file against its MD5 sidecar, when it has one. */
  static void verify(SingleFileSnapshotInfo snapshot) throws IOException {
    File file = snapshot.getFile().getPath().toFile();
    if (new File(file.getPath() + MD5FileUtil.MD5_SUFFIX).exists()) {
      MD5FileUtil.verifySavedMD5(file, MD5FileUtil.computeMd5ForFile(file));
    }
  }
}
