package io.qraft.ops.ctl;

import io.grpc.Status;
import io.grpc.StatusException;
import io.grpc.StatusRuntimeException;
import picocli.CommandLine;
import picocli.CommandLine.IExecutionExceptionHandler;
import picocli.CommandLine.ParseResult;

/**
 * Turns a failed command into one line on stderr, {@code Error: <status code>: <message>}, and
 * exit code 1. Stack traces are for developers; the person at the terminal needs the server's
 * message. Stateless; thread-safe.
 */
final class ErrorReporter implements IExecutionExceptionHandler {

    static final int EXIT_FAILURE = 1;

    @Override
    public int handleExecutionException(Exception ex, CommandLine commandLine, ParseResult parseResult) {
        commandLine.getErr().println("Error: " + describe(ex));
        commandLine.getErr().flush();
        return EXIT_FAILURE;
    }

    static String describe(Throwable ex) {
        Status status = null;
        if (ex instanceof StatusRuntimeException s) {
            status = s.getStatus();
        } else if (ex instanceof StatusException s) {
            status = s.getStatus();
        }
        if (status != null) {
            String description = status.getDescription();
            return status.getCode() + (description == null || description.isEmpty() ? "" : ": " + description);
        }
        String message = ex.getMessage();
        return message == null || message.isEmpty() ? ex.getClass().getSimpleName() : message;
    }
}
