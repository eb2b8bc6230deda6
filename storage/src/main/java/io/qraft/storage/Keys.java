package io.qraft.storage;

import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CharsetEncoder;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * The key layout of a queue store: every key the store writes is built and
 * parsed here, and nowhere else.
 *
 * <table>
 *   <caption>Keys (all integers big-endian, {@code name} is the queue name in UTF-8)</caption>
 *   <tr><th>Key</th><th>Value</th><th>Meaning</th></tr>
 *   <tr><td>{@code 'A'}</td><td>u64 index</td>
 *       <td>the last applied log index</td></tr>
 *   <tr><td>{@code 'M' u16(len) name u64(offset)}</td><td>message bytes</td>
 *       <td>the message at this offset of the queue</td></tr>
 *   <tr><td>{@code 'P' u16(len) name u16(plen) producer u64(sequence)}</td><td>state machine's bytes</td>
 *       <td>this producer's publish with this sequence was stored in the queue</td></tr>
 *   <tr><td>{@code 'Q' u16(len) name}</td><td>queue record</td>
 *       <td>the queue exists; the state machine owns the record</td></tr>
 *   <tr><td>{@code 'U' u16(len) name u64(offset)}</td><td>state machine's bytes</td>
 *       <td>the message at this offset is delivered and not yet settled</td></tr>
 *   <tr><td>{@code 'X' u64(index)}</td><td>state machine's bytes</td>
 *       <td>the producer sequences that the entry at this log index stored, to forget later</td></tr>
 * </table>
 *
 * <p>Why this shape:
 * <ul>
 *   <li>Names are length-prefixed, not terminated, because a name may hold
 *       any character, including U+0000. With a prefix, the keys of queue
 *       {@code "a"} never fall inside the range of queue {@code "ab"}, so a
 *       range delete of one queue cannot touch another.</li>
 *   <li>Offsets are big-endian and non-negative, so byte order of keys is
 *       offset order and a forward scan visits a queue's messages in order.</li>
 *   <li>One byte of tag first, so each kind of record is one contiguous
 *       range, and the applied index sorts before every record.</li>
 * </ul>
 *
 * <p>Consequence: queues sort by the length of their UTF-8 name first, then
 * by its bytes, and that is the "key order" of {@link QueueStore#forEachQueue}.
 *
 * <p>The layout holds names up to {@value #MAX_NAME_BYTES} UTF-8 bytes (the
 * width of the length prefix); the product's own, tighter limit on names is
 * enforced by whoever accepts them from clients. A name that is not valid
 * Unicode (an unpaired surrogate) is refused rather than silently replaced,
 * because replacement would make two names share one key.
 *
 * <p>Stateless; thread-safe.
 */
public final class Keys {

  /** The longest queue name, in UTF-8 bytes, that the key layout can hold. */
  public static final int MAX_NAME_BYTES = 0xFFFF;

  static final byte APPLIED_TAG = 'A';
  static final byte MESSAGE_TAG = 'M';
  static final byte QUEUE_TAG = 'Q';
  static final byte UNACKED_TAG = 'U';
  static final byte PRODUCER_TAG = 'P';
  static final byte EXPIRY_TAG = 'X';

  /** The longest key the layout produces: tag, length, name, producer length, producer, sequence. */
  static final int MAX_KEY_BYTES = 1 + 2 + MAX_NAME_BYTES + 2 + MAX_NAME_BYTES + 8;

  private static final byte[] APPLIED = {APPLIED_TAG};

  /**
   * Bounds that enclose every key of the layout: every key starts with one
   * of the tags above, all below 0xFF.
   */
  static final byte[] ALL_FIRST = {0};
  static final byte[] ALL_END = {(byte) 0xFF};

  private Keys() {}

  /** The key of the last applied index. */
  public static byte[] applied() {
    return APPLIED.clone();
  }

  /** The key of a queue's record. */
  public static byte[] queue(String queue) {
    return named(QUEUE_TAG, encodeName(queue), 0);
  }

  /** The key of the message at an offset of a queue. */
  public static byte[] message(String queue, long offset) {
    return withOffset(MESSAGE_TAG, queue, offset);
  }

  /** The key of the unacked mark at an offset of a queue. */
  public static byte[] unacked(String queue, long offset) {
    return withOffset(UNACKED_TAG, queue, offset);
  }

  /** The key of a producer's sequence in a queue: one per stored publish that named a producer. */
  public static byte[] producerSequence(String queue, String producerId, long sequence) {
    byte[] name = encodeName(queue);
    byte[] producer = encodeName(producerId);
    byte[] key = named(PRODUCER_TAG, name, 2 + producer.length + 8);
    int at = 3 + name.length;
    key[at] = (byte) (producer.length >>> 8);
    key[at + 1] = (byte) producer.length;
    System.arraycopy(producer, 0, key, at + 2, producer.length);
    // Sequences are compared as unsigned by nobody: only equality matters, so any long is fine.
    ByteBuffer.wrap(key, at + 2 + producer.length, 8).putLong(sequence);
    return key;
  }

  /** The prefix shared by every sequence key of one producer in a queue, and by no other key. */
  public static byte[] producerSequencePrefix(String queue, String producerId) {
    byte[] key = producerSequence(queue, producerId, 0);
    return java.util.Arrays.copyOf(key, key.length - 8);
  }

  /** The prefix shared by every producer-sequence key of a queue, and by no other key. */
  public static byte[] producerPrefix(String queue) {
    return named(PRODUCER_TAG, encodeName(queue), 0);
  }

  /** The key of the expiry record of the entry at a log index; keys sort by index. */
  public static byte[] sequenceExpiry(long index) {
    if (index < 0) {
      throw new IllegalArgumentException("index must not be negative: " + index);
    }
    return ByteBuffer.allocate(9).put(EXPIRY_TAG).putLong(index).array();
  }

  /** The prefix shared by every expiry key. */
  public static byte[] expiryPrefix() {
    return new byte[] {EXPIRY_TAG};
  }

  /** The prefix shared by every message key of a queue, and by no other key. */
  public static byte[] messagePrefix(String queue) {
    return named(MESSAGE_TAG, encodeName(queue), 0);
  }

  /** The prefix shared by every unacked key of a queue, and by no other key. */
  public static byte[] unackedPrefix(String queue) {
    return named(UNACKED_TAG, encodeName(queue), 0);
  }

  /** The prefix shared by every queue-record key. */
  public static byte[] queuePrefix() {
    return new byte[] {QUEUE_TAG};
  }

  /**
   * The smallest key above every key that starts with prefix: the exclusive
   * upper bound of the prefix's range.
   */
  public static byte[] prefixEnd(byte[] prefix) {
    byte[] end = prefix.clone();
    for (int i = end.length - 1; i >= 0; i--) {
      if (end[i] != (byte) 0xFF) {
        end[i]++;
        return Arrays.copyOf(end, i + 1);
      }
    }
    throw new IllegalArgumentException("a prefix of only 0xFF bytes has no end");
  }

  /** The queue name of a queue-record key. */
  public static String queueName(byte[] queueKey) {
    if (queueKey.length < 3 || queueKey[0] != QUEUE_TAG || queueKey.length != 3 + nameLength(queueKey)) {
      throw new IllegalArgumentException("not a queue key");
    }
    return new String(queueKey, 3, queueKey.length - 3, StandardCharsets.UTF_8);
  }

  /** The producer id of a producer-sequence key. */
  public static String producerId(byte[] producerKey) {
    int nameLength = producerKeyNameLength(producerKey);
    int producerLength = ((producerKey[3 + nameLength] & 0xFF) << 8) | (producerKey[4 + nameLength] & 0xFF);
    return new String(producerKey, 5 + nameLength, producerLength, StandardCharsets.UTF_8);
  }

  /** The sequence of a producer-sequence key: its last 8 bytes. */
  public static long sequence(byte[] producerKey) {
    producerKeyNameLength(producerKey);
    return ByteBuffer.wrap(producerKey, producerKey.length - 8, 8).getLong();
  }

  /** The queue name's length in a producer-sequence key, once the key's shape is checked. */
  private static int producerKeyNameLength(byte[] key) {
    if (key.length < 3 || key[0] != PRODUCER_TAG) {
      throw new IllegalArgumentException("not a producer-sequence key");
    }
    int nameLength = nameLength(key);
    if (key.length < 3 + nameLength + 2) {
      throw new IllegalArgumentException("not a producer-sequence key");
    }
    int producerLength = ((key[3 + nameLength] & 0xFF) << 8) | (key[4 + nameLength] & 0xFF);
    if (key.length != 3 + nameLength + 2 + producerLength + 8) {
      throw new IllegalArgumentException("not a producer-sequence key");
    }
    return nameLength;
  }

  /** The index of an expiry key. */
  public static long expiryIndex(byte[] key) {
    if (key.length != 9 || key[0] != EXPIRY_TAG) {
      throw new IllegalArgumentException("not an expiry key");
    }
    return ByteBuffer.wrap(key, 1, 8).getLong();
  }

  /** The offset of a message or unacked key: its last 8 bytes. */
  public static long offset(byte[] key) {
    if (key.length < 11) {
      throw new IllegalArgumentException("not an offset key");
    }
    return ByteBuffer.wrap(key, key.length - 8, 8).getLong();
  }

  /**
   * Whether key is a well-formed record key of this layout: a queue,
   * message or unacked key (not the applied key) with a consistent length,
   * a name in valid UTF-8 and a non-negative offset; that is, a key that
   * {@link #queue}, {@link #message}, {@link #unacked}, {@link #producerSequence}
   * or {@link #sequenceExpiry} could have built.
   */
  public static boolean isRecordKey(byte[] key) {
    if (key.length == 9 && key[0] == EXPIRY_TAG) {
      return ByteBuffer.wrap(key, 1, 8).getLong() >= 0;
    }
    if (key.length < 3) {
      return false;
    }
    int nameLength = nameLength(key);
    int expected = 3 + nameLength;
    boolean shaped;
    switch (key[0]) {
      case QUEUE_TAG:
        shaped = key.length == expected;
        break;
      case MESSAGE_TAG:
      case UNACKED_TAG:
        shaped = key.length == expected + 8 && offset(key) >= 0;
        break;
      case PRODUCER_TAG:
        if (key.length < expected + 2) {
          return false;
        }
        int producerLength = ((key[expected] & 0xFF) << 8) | (key[expected + 1] & 0xFF);
        shaped = key.length == expected + 2 + producerLength + 8 && isUtf8(key, expected + 2, producerLength);
        break;
      default:
        shaped = false;
    }
    return shaped && isUtf8(key, 3, nameLength);
  }

  /** Encodes a log index as the applied key's value. */
  public static byte[] encodeIndex(long index) {
    return ByteBuffer.allocate(8).putLong(index).array();
  }

  /** Decodes the applied key's value. */
  public static long decodeIndex(byte[] value) {
    if (value.length != 8) {
      throw new IllegalArgumentException("an applied index is 8 bytes, not " + value.length);
    }
    return ByteBuffer.wrap(value).getLong();
  }

  /** Compares keys as RocksDB's default comparator does: unsigned bytes, shorter first on a tie. */
  public static int compare(byte[] a, byte[] b) {
    return Arrays.compareUnsigned(a, b);
  }

  private static byte[] withOffset(byte tag, String queue, long offset) {
    if (offset < 0) {
      // A negative offset would sort after every positive one in big-endian bytes.
      throw new IllegalArgumentException("offset must not be negative: " + offset);
    }
    byte[] name = encodeName(queue);
    byte[] key = named(tag, name, 8);
    ByteBuffer.wrap(key, 3 + name.length, 8).putLong(offset);
    return key;
  }

  private static byte[] named(byte tag, byte[] name, int extra) {
    byte[] key = new byte[3 + name.length + extra];
    key[0] = tag;
    key[1] = (byte) (name.length >>> 8);
    key[2] = (byte) name.length;
    System.arraycopy(name, 0, key, 3, name.length);
    return key;
  }

  private static int nameLength(byte[] key) {
    return ((key[1] & 0xFF) << 8) | (key[2] & 0xFF);
  }

  private static boolean isUtf8(byte[] bytes, int from, int length) {
    try {
      StandardCharsets.UTF_8.newDecoder()
          .onMalformedInput(CodingErrorAction.REPORT)
          .onUnmappableCharacter(CodingErrorAction.REPORT)
          .decode(ByteBuffer.wrap(bytes, from, length));
      return true;
    } catch (CharacterCodingException e) {
      return false;
    }
  }

  private static byte[] encodeName(String queue) {
    if (queue == null) {
      throw new NullPointerException("queue name");
    }
    CharsetEncoder encoder = StandardCharsets.UTF_8.newEncoder()
        .onMalformedInput(CodingErrorAction.REPORT)
        .onUnmappableCharacter(CodingErrorAction.REPORT);
    ByteBuffer encoded;
    try {
      encoded = encoder.encode(CharBuffer.wrap(queue));
    } catch (CharacterCodingException e) {
      throw new IllegalArgumentException("queue name is not valid Unicode", e);
    }
    if (encoded.remaining() > MAX_NAME_BYTES) {
      throw new IllegalArgumentException(
          "queue name is " + encoded.remaining() + " UTF-8 bytes; the limit is " + MAX_NAME_BYTES);
    }
    byte[] name = new byte[encoded.remaining()];
    encoded.get(name);
    return name;
  }
}
