package io.qraft.client;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.qraft.client.RedirectRoute.Move;
import java.util.List;
import org.junit.jupiter.api.Test;

class RedirectRouteTest {

  private final List<String> nodes = List.of("a", "b", "c");

  @Test
  void a_failure_naming_no_leader_moves_on_in_order_and_wraps_around() {
    RedirectRoute<String> route = new RedirectRoute<>(nodes, 1, null, RedirectRoute.UNLIMITED);

    assertThat(route.address()).isEqualTo("b");
    assertThat(route.failed(null)).isEqualTo(Move.NEXT);
    assertThat(route.address()).isEqualTo("c");
    route.failed(null);
    assertThat(route.address()).isEqualTo("a");
  }

  @Test
  void only_the_first_redirect_in_a_row_goes_at_once() {
    RedirectRoute<String> route = new RedirectRoute<>(nodes, RedirectRoute.UNLIMITED);

    assertThat(route.failed("z")).isEqualTo(Move.REDIRECT);
    assertThat(route.address()).isEqualTo("z");
    assertThat(route.failed("b")).isEqualTo(Move.REDIRECT_AGAIN);
    assertThat(route.address()).isEqualTo("b");
    assertThat(Move.REDIRECT.atOnce()).isTrue();
    assertThat(Move.REDIRECT_AGAIN.atOnce()).isFalse();

    route.succeeded();

    assertThat(route.failed("c")).isEqualTo(Move.REDIRECT);
  }

  @Test
  void a_node_naming_itself_is_asked_again() {
    RedirectRoute<String> route = new RedirectRoute<>(nodes, RedirectRoute.UNLIMITED);

    assertThat(route.failed("a")).isEqualTo(Move.RETRY);
    assertThat(route.address()).isEqualTo("a");
    assertThat(route.failed("b")).as("a redirect after a retry is the first in a row").isEqualTo(Move.REDIRECT);
  }

  @Test
  void after_the_last_redirect_allowed_a_named_leader_is_not_followed() {
    RedirectRoute<String> route = new RedirectRoute<>(nodes, 1);

    assertThat(route.failed("c")).isEqualTo(Move.REDIRECT);
    assertThat(route.failed("a")).isEqualTo(Move.NEXT);
    assertThat(route.address()).as("the walk goes on after the last address taken from the list").isEqualTo("b");
  }

  @Test
  void a_failure_after_a_redirect_continues_the_walk_where_it_left_it() {
    RedirectRoute<String> route = new RedirectRoute<>(nodes, 0, "z", RedirectRoute.UNLIMITED);

    assertThat(route.address()).isEqualTo("z");
    route.failed(null);
    assertThat(route.address()).isEqualTo("b");
  }

  @Test
  void one_pass_ends_when_every_address_failed_once_besides_the_redirects() {
    RedirectRoute<String> route = new RedirectRoute<>(nodes, 1);
    route.failed("z");
    route.failed(null);
    route.failed(null);

    assertThat(route.triedEveryAddress()).isFalse();
    assertThat(route.address()).isEqualTo("c");

    route.failed("a");

    assertThat(route.triedEveryAddress()).isTrue();
  }

  @Test
  void a_route_needs_an_address() {
    assertThatThrownBy(() -> new RedirectRoute<String>(List.of(), 1)).isInstanceOf(IllegalArgumentException.class);
  }
}
