package io.qraft.statemachine;

/**
 * The gRPC status codes the state machines answer with, by number, so that
 * results stored in replies do not depend on the gRPC runtime.
 */
public final class Status {
  public static final int OK = 0;
  public static final int INVALID_ARGUMENT = 3;
  public static final int NOT_FOUND = 5;
  public static final int ALREADY_EXISTS = 6;
  public static final int FAILED_PRECONDITION = 9;
  public static final int RESOURCE_EXHAUSTED = 8;
  public static final int OUT_OF_RANGE = 11;
  public static final int DEADLINE_EXCEEDED = 4;
  public static final int UNAVAILABLE = 14;

  private Status() {}
}
