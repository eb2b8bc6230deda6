package io.qraft.bench.perf;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.util.List;
import java.util.Map;
import org.HdrHistogram.Histogram;
import org.junit.jupiter.api.Test;

class SummaryTest {
  private static final PerfSettings SETTINGS = new PerfSettings(1, 1, 1000, 64, 10, 5, "q", 1, 200,
      0, 100, 20, "quorum", 16, null, 128, List.of("127.0.0.1:5691"), true, false, null, null,
      Map.of());

  private static PerfResult result() {
    Histogram h = new Histogram(3);
    for (int i = 1; i <= 100; i++) {
      h.recordValue(i * 1000L); // 1 ms .. 100 ms
    }
    return new PerfResult(2_000_000_000L, 1000, 900, 800, 3, h);
  }

  @Test
  void jsonHasTotalsRatesAndLatency() throws Exception {
    JsonNode json = new ObjectMapper().readTree(Summary.json(SETTINGS, result()));
    assertThat(json.get("sent").asLong()).isEqualTo(1000);
    assertThat(json.get("confirmed").asLong()).isEqualTo(900);
    assertThat(json.get("received").asLong()).isEqualTo(800);
    assertThat(json.get("errors").asLong()).isEqualTo(3);
    assertThat(json.get("sent_per_s").asDouble()).isEqualTo(500.0);
    assertThat(json.get("confirmed_per_s").asDouble()).isEqualTo(450.0);
    assertThat(json.get("received_per_s").asDouble()).isEqualTo(400.0);
    JsonNode latency = json.get("confirm_latency_ms");
    assertThat(latency.get("p50").asDouble()).isBetween(49.9, 50.1);
    assertThat(latency.get("p95").asDouble()).isBetween(94.9, 95.1);
    assertThat(latency.get("p99").asDouble()).isBetween(98.9, 99.1);
    assertThat(latency.get("max").asDouble()).isBetween(99.9, 100.1);
    assertThat(json.at("/settings/arguments/batch-size").asText()).isEqualTo("16");
  }

  @Test
  void jsonWithoutConfirmsHasNullLatencies() throws Exception {
    PerfResult none = new PerfResult(1_000_000_000L, 5, 0, 0, 5, new Histogram(3));
    JsonNode json = new ObjectMapper().readTree(Summary.json(SETTINGS, none));
    assertThat(json.get("confirm_latency_ms").get("p99").isNull()).isTrue();
    assertThat(json.get("confirmed_per_s").asDouble()).isZero();
  }

  @Test
  void tableShowsRatesAndPercentiles() {
    String table = Summary.table(SETTINGS, result());
    assertThat(table).contains("sent", "1,000", "500 msg/s");
    assertThat(table).contains("confirmed", "450 msg/s");
    assertThat(table).contains("received", "400 msg/s");
    assertThat(table).contains("errors").contains("3");
    assertThat(table).containsPattern("p50 50\\.\\d\\d  p95 95\\.\\d\\d  p99 99\\.\\d\\d  max 100\\.\\d\\d");
  }

  @Test
  void progressLineDividesByTheInterval() {
    Histogram h = new Histogram(3);
    h.recordValue(2500);
    String line = Summary.progressLine(3.0, 0.5, 100, 50, 25, h);
    assertThat(line).contains("200", "100", "50", "2.50");
    assertThat(Summary.progressLine(1.0, 1.0, 0, 0, 0, new Histogram(3))).contains("-");
  }
}
