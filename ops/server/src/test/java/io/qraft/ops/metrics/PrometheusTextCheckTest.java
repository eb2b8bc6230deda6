package io.qraft.ops.metrics;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** The fallback checker itself must catch what promtool would. */
class PrometheusTextCheckTest {

  @Test
  void acceptsWellFormedText() {
    String text = """
        # HELP a_total Things.
        # TYPE a_total counter
        a_total{node="n1",queue="q\\"x"} 3.0
        # HELP lat_seconds Latency.
        # TYPE lat_seconds histogram
        lat_seconds_bucket{le="0.1"} 1
        lat_seconds_bucket{le="+Inf"} 2
        lat_seconds_count 2
        lat_seconds_sum 0.3
        # TYPE g gauge
        g NaN
        """;
    assertThat(PrometheusTextCheck.problems(text)).isEmpty();
  }

  @Test
  void rejectsBrokenText() {
    assertThat(PrometheusTextCheck.problems("a 1\n")).anyMatch(p -> p.contains("no TYPE"));
    assertThat(PrometheusTextCheck.problems("# TYPE a gauge\na{x=1} 1\n")).anyMatch(p -> p.contains("labels"));
    assertThat(PrometheusTextCheck.problems("# TYPE a gauge\na one\n")).anyMatch(p -> p.contains("number"));
    assertThat(PrometheusTextCheck.problems("# TYPE a gauge\na 1\na 2\n")).anyMatch(p -> p.contains("duplicate"));
    assertThat(PrometheusTextCheck.problems("# TYPE a gauge\n# TYPE b gauge\na 1\nb 1\na 2\n"))
        .anyMatch(p -> p.contains("not together"));
    assertThat(PrometheusTextCheck.problems("# TYPE 1a gauge\n")).anyMatch(p -> p.contains("malformed TYPE"));
  }
}
