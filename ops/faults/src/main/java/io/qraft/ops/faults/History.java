package io.qraft.ops.faults;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.BufferedWriter;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/** The history of a run as JSON lines, one {@link Op} per line, written as operations end. */
public final class History implements AutoCloseable {

  static final ObjectMapper JSON = new ObjectMapper()
      .configure(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES, false);

  private final BufferedWriter out;
  private final long startNanos = System.nanoTime();
  private int unflushed;

  public History(Path file) {
    try {
      Files.createDirectories(file.toAbsolutePath().getParent());
      this.out = Files.newBufferedWriter(file, StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** Microseconds since this history was opened. */
  public long now() {
    return (System.nanoTime() - startNanos) / 1000;
  }

  public synchronized void add(Op op) {
    try {
      out.write(JSON.writeValueAsString(op));
      out.write('\n');
      if (++unflushed >= 200) {
        out.flush();
        unflushed = 0;
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  public synchronized void flush() {
    try {
      out.flush();
      unflushed = 0;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  @Override
  public synchronized void close() {
    try {
      out.close();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  public static List<Op> read(Path file) {
    List<Op> ops = new ArrayList<>();
    try {
      for (String line : Files.readAllLines(file, StandardCharsets.UTF_8)) {
        if (!line.isBlank()) {
          ops.add(JSON.readValue(line, Op.class));
        }
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return ops;
  }
}
