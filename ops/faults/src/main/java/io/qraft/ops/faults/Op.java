package io.qraft.ops.faults;

import com.fasterxml.jackson.annotation.JsonInclude;

/**
 * One line of the history: a client call (publish, ack, get), a delivery received, or a fault.
 * Times are microseconds since the run started (monotonic clock of the suite's JVM).
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public final class Op {

  public static final String PUBLISH = "publish";
  public static final String DELIVER = "deliver";
  public static final String ACK = "ack";
  public static final String FAULT = "fault";
  public static final String PHASE = "phase";

  public static final String OK = "ok";
  public static final String FAILED = "failed";
  public static final String UNKNOWN = "unknown";

  /** publish | deliver | ack | fault | phase. */
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
  /** Ack: how many deliveries the server said were outstanding and are now settled. */
  public Integer acked;
  /** Fault kind, or phase name. */
  public String kind;
  public String node;
  public String detail;

  public Op() {}

  public static Op publish(String proc, String queue, long value, long t0) {
    Op op = new Op();
    op.type = PUBLISH;
    op.proc = proc;
    op.queue = queue;
    op.value = value;
    op.t0 = t0;
    return op;
  }

  public static Op deliver(String proc, String queue, long value, long offset, int dcount,
      boolean redelivered, long t) {
    Op op = new Op();
    op.type = DELIVER;
    op.proc = proc;
    op.queue = queue;
    op.value = value;
    op.offset = offset;
    op.dcount = dcount;
    op.redelivered = redelivered;
    op.t0 = t;
    op.t1 = t;
    op.outcome = OK;
    return op;
  }

  public static Op ack(String proc, String queue, long value, long offset, int dcount, long t0) {
    Op op = new Op();
    op.type = ACK;
    op.proc = proc;
    op.queue = queue;
    op.value = value;
    op.offset = offset;
    op.dcount = dcount;
    op.t0 = t0;
    return op;
  }

  public static Op fault(String kind, String node, long t0, long t1, String detail) {
    Op op = new Op();
    op.type = FAULT;
    op.proc = "nemesis";
    op.kind = kind;
    op.node = node;
    op.t0 = t0;
    op.t1 = t1;
    op.detail = detail;
    return op;
  }

  public static Op phase(String kind, long t, String detail) {
    Op op = new Op();
    op.type = PHASE;
    op.proc = "suite";
    op.kind = kind;
    op.t0 = t;
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
