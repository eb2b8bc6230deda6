package io.qraft.log;

/**
 * The log refused a request for a reason a person can act on: code is a gRPC
 * status code (by number) and the message says what to change. Nothing was changed.
 */
public final class RequestException extends RuntimeException {
  private final int code;

  public RequestException(int code, String message) {
    super(message);
    this.code = code;
  }

  public int code() {
    return code;
  }
}
