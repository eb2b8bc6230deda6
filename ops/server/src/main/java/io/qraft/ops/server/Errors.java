package io.qraft.ops.server;

import io.grpc.Metadata;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.qraft.client.LeaderHint;
import io.qraft.log.LeaderElsewhereException;
import io.qraft.log.LogUnavailableException;
import io.qraft.log.Reasons;
import io.qraft.log.RequestException;
import java.util.concurrent.ExecutionException;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Turns what went wrong into the gRPC status a client sees: a code and a
 * sentence a person can act on, never a stack trace. A request that reached
 * a non-leader carries the leader's client address in "qraft-leader".
 */
final class Errors {
  private static final Logger LOG = LoggerFactory.getLogger(Errors.class);


  private Errors() {}

  static StatusRuntimeException invalid(String message) {
    return Status.INVALID_ARGUMENT.withDescription(Reasons.clean(message)).asRuntimeException();
  }

  /** Answers INVALID_ARGUMENT with the problem, if there is one; true when it did. */
  static boolean refused(String problem, io.grpc.stub.StreamObserver<?> response) {
    if (problem == null) {
      return false;
    }
    response.onError(invalid(problem));
    return true;
  }

  static StatusRuntimeException notFound(String message) {
    return Status.NOT_FOUND.withDescription(Reasons.clean(message)).asRuntimeException();
  }

  static StatusRuntimeException of(int code, String message) {
    return Status.fromCodeValue(code).withDescription(Reasons.clean(message)).asRuntimeException();
  }

  static StatusRuntimeException exhausted(String message) {
    return Status.RESOURCE_EXHAUSTED.withDescription(Reasons.clean(message)).asRuntimeException();
  }

  /** @param leaderAddress node id to client address, for the qraft-leader trailer */
  static StatusRuntimeException toStatus(Throwable error, Function<String, String> leaderAddress) {
    Throwable t = unwrap(error);
    if (t instanceof StatusRuntimeException sre) {
      return cleaned(sre.getStatus(), sre.getTrailers());
    }
    if (t instanceof io.grpc.StatusException se) {
      return cleaned(se.getStatus(), se.getTrailers());
    }
    if (t instanceof RequestException re) {
      return of(re.code(), re.getMessage());
    }
    if (t instanceof LeaderElsewhereException le) {
      Metadata trailers = new Metadata();
      String address = le.leaderNodeId() == null ? null : leaderAddress.apply(le.leaderNodeId());
      if (address != null) {
        trailers.put(LeaderHint.KEY, address);
      }
      String where = address == null ? "no leader is known yet; retry shortly" : "the leader is " + le.leaderNodeId() + " at " + address;
      return Status.UNAVAILABLE.withDescription(Reasons.clean(le.getMessage() + "; " + where)).asRuntimeException(trailers);
    }
    if (t instanceof LogUnavailableException) {
      return Status.UNAVAILABLE.withDescription(Reasons.clean(t.getMessage()
          + " (retry; the cluster may be electing a leader)")).asRuntimeException();
    }
    if (t instanceof java.util.concurrent.TimeoutException) {
      return Status.UNAVAILABLE.withDescription("the log did not answer in time; retry").asRuntimeException();
    }
    if (t instanceof IllegalArgumentException) {
      return invalid(t.getMessage());
    }
    if (t instanceof java.util.concurrent.RejectedExecutionException
        || t instanceof org.apache.ratis.protocol.exceptions.AlreadyClosedException
        || t instanceof org.apache.ratis.protocol.exceptions.RaftException
        || t instanceof java.io.IOException) {
      // The node is stopping, or a Raft call failed on the way: the client retries elsewhere.
      return Status.UNAVAILABLE.withDescription("this node could not serve the request now ("
          + Reasons.of(t) + "); retry").asRuntimeException();
    }
    LOG.error("unexpected error serving a request", t);
    return Status.INTERNAL.withDescription("internal error; the node's log has the details").asRuntimeException();
  }

  /** The status with its description cleaned of Java names and cut to a size a header carries. */
  private static StatusRuntimeException cleaned(Status status, Metadata trailers) {
    String description = status.getDescription();
    Status out = description == null ? status : status.withDescription(Reasons.clean(description));
    return new StatusRuntimeException(out, trailers);
  }

  static Throwable unwrap(Throwable t) {
    return io.qraft.log.ReplicatedLog.unwrap(t);
  }
}
