package io.qraft.bench.perf;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.Locale;
import org.HdrHistogram.Histogram;

/** Renders a run: the per-second line, the final table and the JSON object. */
public final class Summary {
  private static final ObjectMapper JSON = new ObjectMapper();

  private Summary() {}

  /** The header of the per-second lines. */
  public static String progressHeader() {
    return String.format(Locale.ROOT, "%6s %10s %12s %11s %10s %10s",
        "time_s", "sent/s", "confirmed/s", "received/s", "p50_ms", "p99_ms");
  }

  /** One per-second line; latency of the confirms that came in during the interval. */
  public static String progressLine(double atSeconds, double intervalSeconds, long sent,
      long confirmed, long received, Histogram interval) {
    double d = intervalSeconds <= 0 ? 1 : intervalSeconds;
    return String.format(Locale.ROOT, "%6.1f %10.0f %12.0f %11.0f %10s %10s",
        atSeconds, sent / d, confirmed / d, received / d,
        ms(interval, 50), ms(interval, 99));
  }

  private static String ms(Histogram h, double percentile) {
    return h.getTotalCount() == 0 ? "-"
        : String.format(Locale.ROOT, "%.2f", h.getValueAtPercentile(percentile) / 1000.0);
  }

  public static String table(PerfSettings s, PerfResult r) {
    Histogram h = r.latencyMicros();
    StringBuilder b = new StringBuilder();
    b.append(String.format(Locale.ROOT,
        "summary: %d producer(s), %d consumer(s), %d B, %d queue(s), confirm window %d,"
            + " prefetch %d, %.1f s%n",
        s.producers(), s.consumers(), s.size(), s.queues(), s.confirmWindow(), s.prefetch(),
        r.seconds()));
    b.append(String.format(Locale.ROOT, "  sent      %,12d  %,12.0f msg/s%n", r.sent(), r.perSecond(r.sent())));
    b.append(String.format(Locale.ROOT, "  confirmed %,12d  %,12.0f msg/s%n", r.confirmed(), r.perSecond(r.confirmed())));
    b.append(String.format(Locale.ROOT, "  received  %,12d  %,12.0f msg/s%n", r.received(), r.perSecond(r.received())));
    b.append(String.format(Locale.ROOT, "  errors    %,12d%n", r.errors()));
    if (h.getTotalCount() == 0) {
      b.append("  confirm latency: no confirms");
    } else {
      b.append(String.format(Locale.ROOT,
          "  confirm latency ms: p50 %.2f  p95 %.2f  p99 %.2f  max %.2f",
          pct(h, 50), pct(h, 95), pct(h, 99), h.getMaxValue() / 1000.0));
    }
    return b.toString();
  }

  public static String json(PerfSettings s, PerfResult r) {
    Histogram h = r.latencyMicros();
    ObjectNode root = JSON.createObjectNode();
    ObjectNode settings = root.putObject("settings");
    settings.put("producers", s.producers());
    settings.put("consumers", s.consumers());
    settings.put("size", s.size());
    settings.put("confirm", s.confirmWindow());
    settings.put("queues", s.queues());
    settings.put("qos", s.prefetch());
    settings.put("rate", s.ratePerProducer());
    settings.put("time_s", s.seconds());
    settings.put("warmup_s", s.warmupSeconds());
    settings.put("client_batch", s.clientBatch());
    settings.putPOJO("arguments", s.declareArguments());
    settings.putPOJO("nodes", s.nodes());
    root.put("duration_s", round(r.seconds(), 3));
    root.put("sent", r.sent());
    root.put("confirmed", r.confirmed());
    root.put("received", r.received());
    root.put("errors", r.errors());
    root.put("sent_per_s", round(r.perSecond(r.sent()), 1));
    root.put("confirmed_per_s", round(r.perSecond(r.confirmed()), 1));
    root.put("received_per_s", round(r.perSecond(r.received()), 1));
    ObjectNode latency = root.putObject("confirm_latency_ms");
    if (h.getTotalCount() == 0) {
      latency.putNull("p50");
      latency.putNull("p95");
      latency.putNull("p99");
      latency.putNull("max");
    } else {
      latency.put("p50", round(pct(h, 50), 3));
      latency.put("p95", round(pct(h, 95), 3));
      latency.put("p99", round(pct(h, 99), 3));
      latency.put("max", round(h.getMaxValue() / 1000.0, 3));
      latency.put("mean", round(h.getMean() / 1000.0, 3));
    }
    try {
      return JSON.writeValueAsString(root);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException(e);
    }
  }

  private static double pct(Histogram h, double percentile) {
    return h.getValueAtPercentile(percentile) / 1000.0;
  }

  private static double round(double value, int decimals) {
    double scale = Math.pow(10, decimals);
    return Math.round(value * scale) / scale;
  }
}
