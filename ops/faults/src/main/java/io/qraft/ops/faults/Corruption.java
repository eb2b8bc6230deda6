package io.qraft.ops.faults;

import java.io.IOException;
import java.io.RandomAccessFile;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.List;
import java.util.stream.Stream;

/** Damages a stopped node's Raft log: what a power loss or a bad disk can leave. */
final class Corruption {

  private Corruption() {}

  /** Returns what was done. */
  static String damage(Path dataDir, FaultKind kind, int pick) {
    List<Path> segments;
    try (Stream<Path> s = Files.walk(dataDir)) {
      segments = s.filter(Files::isRegularFile)
          .filter(p -> p.getFileName().toString().startsWith("log_"))
          .filter(p -> sizeOf(p) > 64)
          .sorted(Comparator.comparing(Path::toString)).toList();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    if (segments.isEmpty()) {
      return "no Raft log segment found under " + dataDir;
    }
    // Prefer the newest segment of a group: in-progress ones hold the entries a node acked last.
    List<Path> inProgress = segments.stream()
        .filter(p -> p.getFileName().toString().startsWith("log_inprogress_")).toList();
    List<Path> pool = inProgress.isEmpty() ? segments : inProgress;
    Path target = pool.get(pick % pool.size());
    long size = sizeOf(target);
    try (RandomAccessFile f = new RandomAccessFile(target.toFile(), "rw")) {
      if (kind == FaultKind.TRUNCATE_LOG) {
        long newSize = size / 2;
        f.setLength(newSize);
        f.getFD().sync();
        return "truncated " + dataDir.relativize(target) + " from " + size + " to " + newSize
            + " bytes";
      }
      long at = size / 2;
      byte[] bytes = new byte[Math.min(64, (int) (size - at))];
      f.seek(at);
      f.readFully(bytes);
      for (int i = 0; i < bytes.length; i++) {
        bytes[i] = (byte) ~bytes[i];
      }
      f.seek(at);
      f.write(bytes);
      f.getFD().sync();
      return "flipped " + bytes.length + " bytes at " + at + " of " + dataDir.relativize(target)
          + " (" + size + " bytes)";
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static long sizeOf(Path p) {
    try {
      return Files.size(p);
    } catch (IOException e) {
      return 0;
    }
  }
}
