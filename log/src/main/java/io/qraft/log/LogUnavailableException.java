package io.qraft.log;

/** The log could not take the request now (no leader, election under way, timeout); retrying may succeed. */
public final class LogUnavailableException extends RuntimeException {
  public LogUnavailableException(String message, Throwable cause) {
    super(message, cause);
  }
}
