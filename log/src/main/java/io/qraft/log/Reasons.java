package io.qraft.log;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * Why something failed, in words a client can act on: never a Java class
 * name, an object's identity hash, an executor's state or a stack trace.
 * Errors that reach a client pass through here on their way into a status
 * message; the words for the failures a node meets on the way to a Raft group
 * (closed, closing, busy, not leader, timed out) are chosen here, and any other
 * message is kept with the Java names taken out.
 *
 * <p>Stateless; thread-safe.
 */
public final class Reasons {
  /** Fully qualified names of the platform's and our libraries' classes, as toString() writes them. */
  private static final Pattern CLASS_NAME = Pattern.compile(
      "\\b(?:java|javax|jdk|sun|com\\.google|io\\.grpc|io\\.netty|org\\.apache|org\\.rocksdb|io\\.qraft)"
          + "(?:\\.[A-Za-z_$][\\w$]*)+(?::\\s*)?");
  /** What an object's default toString() adds: {@code @1b2c3d}, and an executor's {@code [Running, pool size = 2, ...]}. */
  private static final Pattern IDENTITY = Pattern.compile("@[0-9a-f]{4,}(?:\\[[^\\]]*\\])?");
  /** The failures met on the way to a Raft group, in words; the first that matches is used. */
  private static final Map<Class<? extends Throwable>, String> PHRASES = new LinkedHashMap<>();

  static {
    PHRASES.put(java.util.concurrent.RejectedExecutionException.class, "the group is closed or closing");
    PHRASES.put(org.apache.ratis.protocol.exceptions.AlreadyClosedException.class, "the group is closed or closing");
    PHRASES.put(org.apache.ratis.protocol.exceptions.NotLeaderException.class, "this node is not its leader");
    PHRASES.put(org.apache.ratis.protocol.exceptions.LeaderNotReadyException.class, "its leader is not ready yet");
    PHRASES.put(org.apache.ratis.protocol.exceptions.LeaderSteppingDownException.class, "its leader is stepping down");
    PHRASES.put(org.apache.ratis.protocol.exceptions.ResourceUnavailableException.class,
        "the group is busy with requests already pending");
    PHRASES.put(java.util.concurrent.TimeoutException.class, "it did not answer in time");
    PHRASES.put(org.apache.ratis.protocol.exceptions.TimeoutIOException.class, "it did not answer in time");
    PHRASES.put(org.apache.ratis.protocol.exceptions.RaftRetryFailureException.class,
        "no leader answered before the retries ran out");
    PHRASES.put(org.apache.ratis.protocol.exceptions.StateMachineException.class, "the group's state machine failed");
  }

  /** Longest status message a node sends: a status travels in a header, whose size is limited. */
  public static final int MAX_CHARS = 1_024;

  private Reasons() {}

  /** A short phrase for why the call failed, e.g. "the group is closed". */
  public static String of(Throwable error) {
    Throwable t = ReplicatedLog.unwrap(error);
    if (t == null) {
      return "no reason given";
    }
    for (Map.Entry<Class<? extends Throwable>, String> known : PHRASES.entrySet()) {
      if (known.getKey().isInstance(t)) {
        return known.getValue();
      }
    }
    String message = t.getMessage();
    String clean = message == null ? "" : clean(message);
    return clean.isBlank() ? "an internal error; the node's log has the details" : clean;
  }

  /** The text without Java class names and identity hashes, cut to {@link #MAX_CHARS}. */
  public static String clean(String text) {
    if (text == null) {
      return "";
    }
    String out = IDENTITY.matcher(CLASS_NAME.matcher(text).replaceAll("")).replaceAll("").strip();
    return out.length() <= MAX_CHARS ? out : out.substring(0, MAX_CHARS - 1) + "…";
  }
}
