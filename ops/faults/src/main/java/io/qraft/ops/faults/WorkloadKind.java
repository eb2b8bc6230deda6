package io.qraft.ops.faults;

/** What the workload does with the queues; chosen by {@code --workload}. */
public enum WorkloadKind {
  /** Every value published to a plain queue, consumed and acked. */
  STANDARD,
  /**
   * Each queue with {@code delivery-limit} 3 and a dead-letter queue of its own; one value in
   * ten is poison, nacked by every consumer until the limit moves it to the dead-letter queue,
   * which is consumed and acked too.
   */
  DEAD_LETTER;

  public String label() {
    return name().toLowerCase().replace('_', '-');
  }
}
