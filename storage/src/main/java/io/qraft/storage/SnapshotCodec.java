package io.qraft.storage;

import java.io.BufferedOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.zip.CRC32;
import java.util.zip.CheckedInputStream;
import java.util.zip.CheckedOutputStream;

/**
 * The export format of a {@link QueueStore}: the snapshot of one Raft group,
 * shared by every store implementation so that an export of one can be
 * imported into another.
 *
 * <pre>
 *   header  "QRSNAP1"             7 bytes, ASCII; names the format and its version
 *           appliedIndex          u64
 *   record  'R'                   1 byte, repeated once per record
 *           keyLength             u32, 3 to {@value Keys#MAX_NAME_BYTES} + 11
 *           key                   keyLength bytes, a record key of {@link Keys}
 *           valueLength           u32, below 2^31 - 8
 *           value                 valueLength bytes
 *   end     'E'                   1 byte
 *           recordCount           u64, the number of records above
 *           crc                   u32, CRC-32 of every byte from the magic through recordCount
 * </pre>
 *
 * <p>Integers are big-endian. Records come in strictly ascending key order
 * (unsigned bytes) and never include the applied-index key: the index
 * travels in the header. The format is self-describing and self-checking:
 * a reader knows it has the whole export only when it has read the end
 * marker, a count equal to the records it saw and a matching CRC.
 *
 * <p>A reader refuses, with an IOException, a stream that ends early, a wrong
 * magic, an unknown tag, a malformed or out-of-order key, a length out of
 * bounds, a wrong count or a wrong CRC. It reads the export's bytes and not
 * one beyond the end marker, one small read at a time: give it a buffered
 * stream.
 *
 * <p>Writers and reads are not thread-safe; the class itself holds no state.
 */
final class SnapshotCodec {

  static final byte[] MAGIC = "QRSNAP1".getBytes(StandardCharsets.US_ASCII);
  static final byte RECORD = 'R';
  static final byte END = 'E';

  /** The largest Java array a value can be read into. */
  static final int MAX_VALUE_BYTES = Integer.MAX_VALUE - 8;

  private static final int OUT_BUFFER_BYTES = 64 * 1024;

  private SnapshotCodec() {}

  /** Receives the records of an export as they are read, before the export is verified. */
  @FunctionalInterface
  interface RecordSink {
    void record(byte[] key, byte[] value) throws IOException;
  }

  /**
   * Reads one export from in, handing each record to sink, and verifies it.
   * The sink sees records before the end marker and CRC are checked, so a
   * caller must not make them visible until this method returns.
   *
   * @return the export's applied index
   * @throws IOException if the stream fails, or the export is torn or corrupt
   */
  static long read(InputStream in, RecordSink sink) throws IOException {
    CRC32 crc = new CRC32();
    // The CRC field itself is read past the checksum, straight from in.
    DataInputStream checked = new DataInputStream(new CheckedInputStream(in, crc));
    try {
      byte[] magic = checked.readNBytes(MAGIC.length);
      if (!Arrays.equals(magic, MAGIC)) {
        throw new IOException("not a queue-store export: bad magic");
      }
      long appliedIndex = checked.readLong();
      if (appliedIndex < 0) {
        throw new IOException("corrupt export: negative applied index " + appliedIndex);
      }
      long count = 0;
      byte[] previous = null;
      while (true) {
        byte tag = checked.readByte();
        if (tag == END) {
          break;
        }
        if (tag != RECORD) {
          throw new IOException("corrupt export: unknown tag " + (tag & 0xFF) + " after " + count + " records");
        }
        byte[] key = readBytes(checked, Keys.MAX_KEY_BYTES, "key");
        if (!Keys.isRecordKey(key)) {
          throw new IOException("corrupt export: malformed key in record " + count);
        }
        if (previous != null && Keys.compare(previous, key) >= 0) {
          throw new IOException("corrupt export: keys out of order at record " + count);
        }
        byte[] value = readBytes(checked, MAX_VALUE_BYTES, "value");
        sink.record(key, value);
        previous = key;
        count++;
      }
      long declared = checked.readLong();
      long expectedCrc = crc.getValue();
      long actualCrc = Integer.toUnsignedLong(new DataInputStream(in).readInt());
      if (declared != count) {
        throw new IOException("corrupt export: end marker counts " + declared + " records, read " + count);
      }
      if (actualCrc != expectedCrc) {
        throw new IOException("corrupt export: CRC mismatch");
      }
      return appliedIndex;
    } catch (EOFException e) {
      throw new IOException("torn export: the stream ends before the end marker", e);
    }
  }

  private static byte[] readBytes(DataInputStream in, int max, String what) throws IOException {
    int length = in.readInt();
    if (length < 0 || length > max) {
      throw new IOException("corrupt export: " + what + " length " + Integer.toUnsignedLong(length));
    }
    // readNBytes grows its buffer as bytes arrive, so a corrupt length on a
    // short stream costs no more memory than the stream holds.
    byte[] bytes = in.readNBytes(length);
    if (bytes.length != length) {
      throw new EOFException();
    }
    return bytes;
  }

  /** Writes one export. Does not close the stream it writes to. */
  static final class Writer {

    private final CRC32 crc = new CRC32();
    private final BufferedOutputStream buffered;
    private final DataOutputStream out;
    private long count;
    private byte[] previous;
    private boolean finished;

    /** Writes the header. */
    Writer(OutputStream target, long appliedIndex) throws IOException {
      if (appliedIndex < 0) {
        throw new IllegalArgumentException("negative applied index " + appliedIndex);
      }
      buffered = new BufferedOutputStream(target, OUT_BUFFER_BYTES);
      out = new DataOutputStream(new CheckedOutputStream(buffered, crc));
      out.write(MAGIC);
      out.writeLong(appliedIndex);
    }

    /** Writes one record; keys must come in strictly ascending order. */
    void record(byte[] key, byte[] value) throws IOException {
      if (finished) {
        throw new IllegalStateException("export already finished");
      }
      // Refuse here what a reader would refuse, so a bug cannot produce a
      // snapshot that no replica can install.
      if (!Keys.isRecordKey(key)) {
        throw new IllegalArgumentException("not a record key");
      }
      if (previous != null && Keys.compare(previous, key) >= 0) {
        throw new IllegalArgumentException("keys out of order");
      }
      out.writeByte(RECORD);
      out.writeInt(key.length);
      out.write(key);
      out.writeInt(value.length);
      out.write(value);
      previous = key;
      count++;
    }

    /** Writes the end marker and flushes. */
    void finish() throws IOException {
      if (finished) {
        throw new IllegalStateException("export already finished");
      }
      finished = true;
      out.writeByte(END);
      out.writeLong(count);
      long checksum = crc.getValue();
      out.writeInt((int) checksum);
      out.flush();
    }
  }
}
