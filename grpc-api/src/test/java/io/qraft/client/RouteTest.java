package io.qraft.client;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

class RouteTest {

  private final LeaderCache leaders = new LeaderCache(List.of("a:1", "b:1", "c:1"));
  private final Backoff backoff = new Backoff(Duration.ofMillis(50), Duration.ofSeconds(1));

  @Test
  void a_route_starts_at_the_address_that_last_served_the_queue() {
    leaders.remember("orders", "c:1");

    assertThat(new Route("orders", leaders, backoff).address()).isEqualTo("c:1");
  }

  @Test
  void routes_without_a_remembered_address_start_in_rotation() {
    assertThat(new Route("orders", leaders, backoff).address()).isEqualTo("a:1");
    assertThat(new Route("orders", leaders, backoff).address()).isEqualTo("b:1");
  }

  @Test
  void the_first_redirect_is_followed_at_once_and_later_ones_after_a_backoff() {
    Route route = new Route("orders", leaders, backoff);

    assertThat(route.failed("z:1")).isZero();
    assertThat(route.address()).isEqualTo("z:1");
    assertThat(route.failed("a:1")).isPositive();
    assertThat(route.address()).isEqualTo("a:1");
  }

  @Test
  void a_failure_without_a_leader_moves_on_to_the_next_address_after_a_backoff() {
    Route route = new Route("orders", leaders, backoff);

    assertThat(route.failed(null)).isPositive();
    assertThat(route.address()).isEqualTo("b:1");
    route.failed(null);
    route.failed(null);
    assertThat(route.address()).isEqualTo("a:1");
  }

  @Test
  void a_success_remembers_the_address_and_a_failure_there_forgets_it() {
    Route route = new Route("orders", leaders, backoff);
    route.failed("b:1");
    route.succeeded();

    assertThat(leaders.get("orders")).isEqualTo("b:1");

    new Route("orders", leaders, backoff).failed(null);

    assertThat(leaders.get("orders")).isNull();
  }
}
