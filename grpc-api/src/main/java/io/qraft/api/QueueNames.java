package io.qraft.api;

/** The rule for queue names, shared by the server and the tools: 1 to 255 bytes of UTF-8. */
public final class QueueNames {
  public static final int MAX_BYTES = 255;

  private QueueNames() {}

  /** Null when the name is valid, else a sentence saying what is wrong. */
  public static String problem(String name) {
    if (name == null || name.isEmpty()) {
      return "queue name is empty: give a name of 1 to " + MAX_BYTES + " bytes of UTF-8";
    }
    // A string with a lone surrogate cannot be encoded as UTF-8 and would change on the way to disk.
    int lone = HardLimits.loneSurrogateAt(name);
    if (lone >= 0) {
      return "queue name is not valid UTF-8 (lone surrogate at char " + lone + ")";
    }
    int bytes = HardLimits.utf8Bytes(name);
    if (bytes > MAX_BYTES) {
      return "queue name is " + bytes + " bytes of UTF-8; the most is " + MAX_BYTES;
    }
    return null;
  }
}
