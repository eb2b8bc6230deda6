package io.qraft.bench.perf;

import org.HdrHistogram.Histogram;

/**
 * What a run measured, at the moment publishing stopped.
 *
 * @param elapsedNanos from the first publish to the stop
 * @param sent publish calls made
 * @param confirmed publishes confirmed
 * @param received deliveries received
 * @param errors publishes refused or timed out, failed acks
 * @param latencyMicros confirm latency (publish call to confirm), in microseconds
 */
public record PerfResult(long elapsedNanos, long sent, long confirmed, long received,
    long errors, Histogram latencyMicros) {

  public double seconds() {
    return elapsedNanos / 1e9;
  }

  public double perSecond(long count) {
    return elapsedNanos <= 0 ? 0 : count / seconds();
  }
}
