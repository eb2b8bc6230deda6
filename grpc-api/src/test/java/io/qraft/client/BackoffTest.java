package io.qraft.client;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import org.junit.jupiter.api.Test;

class BackoffTest {

  private final Backoff backoff = new Backoff(Duration.ofMillis(50), Duration.ofSeconds(1));

  @Test
  void the_delay_doubles_from_the_initial_value_up_to_the_cap() {
    assertThat(backoff.ceilingNanos(0)).isEqualTo(Duration.ofMillis(50).toNanos());
    assertThat(backoff.ceilingNanos(1)).isEqualTo(Duration.ofMillis(100).toNanos());
    assertThat(backoff.ceilingNanos(4)).isEqualTo(Duration.ofMillis(800).toNanos());
    assertThat(backoff.ceilingNanos(5)).isEqualTo(Duration.ofSeconds(1).toNanos());
    assertThat(backoff.ceilingNanos(Integer.MAX_VALUE)).isEqualTo(Duration.ofSeconds(1).toNanos());
  }

  @Test
  void every_delay_lies_in_the_upper_half_of_its_ceiling() {
    for (int retry = 0; retry < 100; retry++) {
      long ceiling = backoff.ceilingNanos(retry);
      assertThat(backoff.delayNanos(retry)).isBetween(ceiling / 2, ceiling);
    }
  }

  @Test
  void a_cap_below_the_initial_delay_is_refused() {
    assertThatThrownBy(() -> new Backoff(Duration.ofSeconds(2), Duration.ofSeconds(1)))
        .isInstanceOf(IllegalArgumentException.class);
  }
}
