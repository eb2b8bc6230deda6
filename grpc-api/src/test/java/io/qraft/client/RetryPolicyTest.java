package io.qraft.client;

import static org.assertj.core.api.Assertions.assertThat;

import io.grpc.Status;
import java.io.IOException;
import java.nio.channels.ClosedChannelException;
import org.junit.jupiter.api.Test;

class RetryPolicyTest {

  /** What gRPC's Netty transport reports when the connection closes under a call being written. */
  private static Status channelClosed() {
    ClosedChannelException wrapped = new ClosedChannelException();
    wrapped.initCause(new ClosedChannelException());
    return Status.UNKNOWN.withDescription("channel closed").withCause(wrapped);
  }

  @Test
  void a_publish_is_repeated_when_its_connection_closed_under_it() {
    assertThat(RetryPolicy.DEDUPLICATED.retries(channelClosed())).isTrue();
  }

  @Test
  void a_call_without_deduplication_is_not_repeated_when_its_outcome_is_unknown() {
    assertThat(RetryPolicy.ROUTING.retries(channelClosed())).isFalse();
    assertThat(RetryPolicy.ROUTING.retries(Status.DEADLINE_EXCEEDED)).isFalse();
    assertThat(RetryPolicy.ROUTING.retries(Status.UNAVAILABLE)).isTrue();
  }

  @Test
  void an_ack_or_nack_is_repeated_when_its_connection_closed_under_it_but_not_when_it_timed_out() {
    assertThat(RetryPolicy.SETTLE.retries(channelClosed())).isTrue();
    assertThat(RetryPolicy.SETTLE.retries(Status.UNAVAILABLE)).isTrue();
    assertThat(RetryPolicy.SETTLE.retries(Status.DEADLINE_EXCEEDED)).isFalse();
    assertThat(RetryPolicy.SETTLE.retries(Status.FAILED_PRECONDITION)).isFalse();
  }

  @Test
  void a_publish_to_a_full_queue_is_not_repeated() {
    assertThat(RetryPolicy.DEDUPLICATED.retries(Status.OUT_OF_RANGE.withDescription("queue is full"))).isFalse();
  }

  @Test
  void other_unknown_failures_are_not_repeated() {
    assertThat(RetryPolicy.DEDUPLICATED.retries(Status.UNKNOWN.withDescription("a handler threw"))).isFalse();
    assertThat(RetryPolicy.DEDUPLICATED.retries(Status.UNKNOWN.withCause(new IOException("other")))).isFalse();
    assertThat(RetryPolicy.DEDUPLICATED.retries(Status.INVALID_ARGUMENT)).isFalse();
    assertThat(RetryPolicy.DEDUPLICATED.retries(Status.RESOURCE_EXHAUSTED)).isTrue();
  }
}
