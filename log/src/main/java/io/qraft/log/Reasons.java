package io.qraft.log;

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
  /** Longest status message a node sends: a status travels in a header, whose size is limited. */
  public static final int MAX_CHARS = 1_024;

  private Reasons() {}

  /** A short phrase for why the call failed, e.g. "the group is closed". */
  public static String of(Throwable error) {
    Throwable t = ReplicatedLog.unwrap(error);
    if (t == null) {
      return "no reason given";
    }
    if (t instanceof java.util.concurrent.RejectedExecutionException
        || t instanceof org.apache.ratis.protocol.exceptions.AlreadyClosedException) {
      return "the group is closed or closing";
    }
    if (t instanceof org.apache.ratis.protocol.exceptions.NotLeaderException) {
      return "this node is not its leader";
    }
    if (t instanceof org.apache.ratis.protocol.exceptions.LeaderNotReadyException) {
      return "its leader is not ready yet";
    }
    if (t instanceof org.apache.ratis.protocol.exceptions.LeaderSteppingDownException) {
      return "its leader is stepping down";
    }
    if (t instanceof org.apache.ratis.protocol.exceptions.ResourceUnavailableException) {
      return "the group is busy with requests already pending";
    }
    if (t instanceof java.util.concurrent.TimeoutException
        || t instanceof org.apache.ratis.protocol.exceptions.TimeoutIOException) {
      return "it did not answer in time";
    }
    if (t instanceof org.apache.ratis.protocol.exceptions.RaftRetryFailureException) {
      return "no leader answered before the retries ran out";
    }
    if (t instanceof org.apache.ratis.protocol.exceptions.StateMachineException) {
      return "the group's state machine failed";
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
