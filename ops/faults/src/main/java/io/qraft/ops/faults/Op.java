package io.qraft.ops.faults;

import com.fasterxml.jackson.annotation.JsonInclude;
import java.util.Map;

/**
 * One line of the history: a client call (publish, ack, nack, get), a delivery received, or a
 * fault.
 * Times are microseconds since the run started (monotonic clock of the suite's JVM).
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public final class Op {

  public static final String PUBLISH = "publish";
  public static final String DELIVER = "deliver";
  public static final String ACK = "ack";
  public static final String NACK = "nack";
  public static final String FAULT = "fault";
  public static final String PHASE = "phase";

  public static final String OK = "ok";
  public static final String FAILED = "failed";
  public static final String UNKNOWN = "unknown";

  /** publish | deliver | ack | nack | fault | phase. */
  public String type;
  /** Which worker: p0.., c0.., drain, nemesis. */
  public String proc;
  public String queue;
  /** The unique integer payload. */
  public Long value;
  /** Queue offset (confirm, delivery tag). */
  public Long offset;
  /** Delivery count of the tag (deliver, ack). */
  public Integer dcount;
  public Boolean redelivered;
  /** Call start / end; a delivery has both set to its receive time. */
  public Long t0;
  public Long t1;
  /** ok | failed | unknown. */
  public String outcome;
  /** Ack, nack: how many deliveries the server said were outstanding and are now settled. */
  public Integer acked;
  /**
   * Publish, deliver, nack: the value is poison (dead-letter workload): its consumers nack it
   * until its queue's delivery limit dead-letters it.
   */
  public Boolean poison;
  /** Deliver, ack: of a dead-letter queue, not of the queue the value was published to. */
  public Boolean dead;
  /** Deliver from a dead-letter queue: the message's x-death-* headers. */
  public Map<String, String> death;
  /** Fault kind, or phase name. */
  public String kind;
  public String node;
  public String detail;

  public Op() {}

  /** An op of {@code type} by {@code proc}, started at {@code t0}. */
  private static Op of(String type, String proc, long t0) {
    Op op = new Op();
    op.type = type;
    op.proc = proc;
    op.t0 = t0;
    return op;
  }

  /** An op on one message of a queue; offset and dcount are null when not given. */
  private static Op onMessage(String type, String proc, String queue, long value, Long offset,
      Integer dcount, long t0) {
    Op op = of(type, proc, t0);
    op.queue = queue;
    op.value = value;
    op.offset = offset;
    op.dcount = dcount;
    return op;
  }

  public static Op publish(String proc, String queue, long value, long t0) {
    return onMessage(PUBLISH, proc, queue, value, null, null, t0);
  }

  public static Op deliver(String proc, String queue, long value, long offset, int dcount,
      boolean redelivered, long t) {
    Op op = onMessage(DELIVER, proc, queue, value, offset, dcount, t);
    op.redelivered = redelivered;
    return op.end(t, OK);
  }

  public static Op ack(String proc, String queue, long value, long offset, int dcount, long t0) {
    return onMessage(ACK, proc, queue, value, offset, dcount, t0);
  }

  public static Op nack(String proc, String queue, long value, long offset, int dcount, long t0) {
    return onMessage(NACK, proc, queue, value, offset, dcount, t0);
  }

  /** A delivery from a dead-letter queue, with the x-death-* headers it carried. */
  public static Op deadLetter(String proc, String queue, long value, long offset, int dcount,
      boolean redelivered, Map<String, String> death, long t) {
    Op op = deliver(proc, queue, value, offset, dcount, redelivered, t);
    op.dead = true;
    op.death = death;
    return op;
  }

  public static Op fault(String kind, String node, long t0, long t1, String detail) {
    Op op = of(FAULT, "nemesis", t0);
    op.kind = kind;
    op.node = node;
    op.t1 = t1;
    op.detail = detail;
    return op;
  }

  public static Op phase(String kind, long t, String detail) {
    Op op = of(PHASE, "suite", t);
    op.kind = kind;
    op.t1 = t;
    op.detail = detail;
    return op;
  }

  public Op end(long t1, String outcome) {
    this.t1 = t1;
    this.outcome = outcome;
    return this;
  }

  public Op detail(String detail) {
    this.detail = detail;
    return this;
  }
}
