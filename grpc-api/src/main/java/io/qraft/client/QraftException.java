package io.qraft.client;

import io.grpc.Status;

/**
 * A call that failed for good: the gRPC status code and the message the server gave.
 *
 * <p>The client throws it only after it stopped retrying, so the code is the one to act
 * on: {@code INVALID_ARGUMENT}, {@code NOT_FOUND} and {@code FAILED_PRECONDITION} come
 * from the server and retrying will not help; {@code UNAVAILABLE} means no node could
 * serve the call before its deadline.
 */
public class QraftException extends RuntimeException {

  private static final long serialVersionUID = 1L;

  private final Status.Code code;
  private final String serverMessage;

  QraftException(Status.Code code, String serverMessage, String message, Throwable cause) {
    super(message, cause);
    this.code = code;
    this.serverMessage = serverMessage == null ? "" : serverMessage;
  }

  QraftException(Status.Code code, String serverMessage) {
    this(code, serverMessage, code + ": " + serverMessage, null);
  }

  /** The exception for a status the client does not retry. */
  static QraftException from(Status status) {
    String description = status.getDescription() == null ? "" : status.getDescription();
    return new QraftException(status.getCode(), description,
        status.getCode() + ": " + description, status.getCause());
  }

  /** The gRPC status code of the failed call. */
  public Status.Code code() {
    return code;
  }

  /** The description the server (or the gRPC runtime) gave with the status; never null. */
  public String serverMessage() {
    return serverMessage;
  }

  /**
   * The same failure, thrown again in the thread that waited for it: the call failed on a
   * gRPC thread, and a stack trace of the caller is what a person reading the log needs.
   */
  QraftException rethrownHere() {
    return new QraftException(code, serverMessage, getMessage(), this);
  }
}
