package io.qraft.ops.metrics;

import static org.assertj.core.api.Assertions.assertThat;

import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.qraft.api.log.v1.QueueCounters;
import java.util.Map;
import org.junit.jupiter.api.Test;

class QueueLimitSeriesTest {
  private final PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
  private final QueueLimitSeries series = new QueueLimitSeries(registry);

  @Test
  void aQueueHasEverySeriesAtZeroBeforeItsFirstMessageGoes() {
    series.refresh(Map.of("orders", QueueCounters.getDefaultInstance()));

    String text = registry.scrape();
    assertThat(text).contains(
        "qraft_queue_messages_expired_total{queue=\"orders\"} 0.0",
        "qraft_queue_publishes_rejected_total{queue=\"orders\"} 0.0",
        "qraft_queue_deliveries_timed_out_total{queue=\"orders\"} 0.0");
    for (String reason : QueueLimitSeries.REASONS) {
      assertThat(text).contains(
          "qraft_queue_messages_dead_lettered_total{queue=\"orders\",reason=\"" + reason + "\"} 0.0",
          "qraft_queue_messages_dropped_total{queue=\"orders\",reason=\"" + reason + "\"} 0.0");
    }
    assertThat(PrometheusTextCheck.problems(text)).isEmpty();
  }

  @Test
  void theSeriesFollowTheRecordsCountersAndExpiredCountsBothWays() {
    series.refresh(Map.of("orders", QueueCounters.getDefaultInstance()));
    series.refresh(Map.of("orders", QueueCounters.newBuilder()
        .putDeadLettered("expired", 4).putDeadLettered("delivery_limit", 2).putDropped("expired", 1)
        .putDropped("maxlen", 6).setRejectedPublishes(3).setTimedOutDeliveries(5).build()));

    String text = registry.scrape();
    assertThat(text).contains(
        "qraft_queue_messages_expired_total{queue=\"orders\"} 5.0",
        "qraft_queue_messages_dead_lettered_total{queue=\"orders\",reason=\"expired\"} 4.0",
        "qraft_queue_messages_dead_lettered_total{queue=\"orders\",reason=\"delivery_limit\"} 2.0",
        "qraft_queue_messages_dead_lettered_total{queue=\"orders\",reason=\"maxlen\"} 0.0",
        "qraft_queue_messages_dropped_total{queue=\"orders\",reason=\"expired\"} 1.0",
        "qraft_queue_messages_dropped_total{queue=\"orders\",reason=\"maxlen\"} 6.0",
        "qraft_queue_publishes_rejected_total{queue=\"orders\"} 3.0",
        "qraft_queue_deliveries_timed_out_total{queue=\"orders\"} 5.0");
    assertThat(PrometheusTextCheck.problems(text)).isEmpty();
  }

  @Test
  void aReasonTheShardAddsLaterAppearsWhenFirstCounted() {
    series.refresh(Map.of("orders", QueueCounters.newBuilder().putDropped("overdue", 2).build()));

    assertThat(registry.scrape()).contains(
        "qraft_queue_messages_dropped_total{queue=\"orders\",reason=\"overdue\"} 2.0",
        "qraft_queue_messages_dead_lettered_total{queue=\"orders\",reason=\"overdue\"} 0.0");
  }

  @Test
  void aQueueNoLongerSeenLosesItsSeriesAndOthersKeepTheirs() {
    series.refresh(Map.of("orders", QueueCounters.getDefaultInstance(),
        "invoices", QueueCounters.newBuilder().setRejectedPublishes(1).build()));
    series.refresh(Map.of("invoices", QueueCounters.newBuilder().setRejectedPublishes(2).build()));

    String text = registry.scrape();
    assertThat(text).doesNotContain("queue=\"orders\"")
        .contains("qraft_queue_publishes_rejected_total{queue=\"invoices\"} 2.0");

    series.refresh(Map.of());
    assertThat(registry.scrape()).doesNotContain("qraft_queue_");
  }
}
