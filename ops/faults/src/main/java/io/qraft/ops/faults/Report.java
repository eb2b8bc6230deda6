package io.qraft.ops.faults;

import io.qraft.api.v1.GroupStatus;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/** The per-run report (report.json, report.md) and the suite's summary table. */
final class Report {

  private Report() {}

  static Map<String, Object> runSummary(int number, long seed, Path dir, WorkloadKind workload,
      QueueChecker.Result r, List<Availability.FaultGap> gaps, FaultSuite.Replicas replicas,
      List<String> notDrained, List<String> crashes, List<Map<String, Object>> corruption,
      int faults) {
    Map<String, Object> s = new LinkedHashMap<>();
    s.put("run", number);
    s.put("seed", seed);
    s.put("dir", dir.toString());
    s.put("workload", workload.label());
    s.put("faults", faults);
    Map<String, Integer> kinds = new TreeMap<>();
    gaps.forEach(g -> kinds.merge(g.kind(), 1, Integer::sum));
    s.put("faults_by_kind", kinds);
    s.put("published", r.published());
    s.put("confirmed", r.confirmed());
    s.put("publish_failed", r.publishFailed());
    s.put("publish_unknown", r.publishUnknown());
    s.put("recovered", r.recovered());
    s.put("delivered", r.delivered());
    s.put("acks_confirmed", r.acksConfirmed());
    s.put("lost", r.lost());
    s.put("unexpected", r.unexpected());
    s.put("duplicates", r.duplicates());
    s.put("duplicate_deliveries", r.duplicateDeliveries());
    s.put("duplicates_redelivered_flag", r.duplicatesRedelivered());
    s.put("duplicates_without_redelivered_flag", r.duplicatesWithoutRedelivered());
    s.put("double_enqueued", r.doubleEnqueued());
    s.put("redelivered_after_ack", r.redeliveredAfterAck());
    s.put("poison_confirmed", r.poisonConfirmed());
    s.put("dead_lettered", r.deadLettered());
    s.put("dead_letter_duplicates", r.deadLetterDuplicates());
    s.put("wrong_dead_letters", r.wrongDeadLetters());
    s.put("divergent_replicas", replicas.divergent());
    s.put("replicas_converged", replicas.allAnswered() && replicas.converged());
    s.put("not_drained", notDrained);
    s.put("node_crashes", crashes);
    s.put("corruption", corruption);
    Map<String, Map<String, Long>> avail = new TreeMap<>();
    Availability.byKind(gaps).forEach((k, v) -> {
      Map<String, Long> m = new LinkedHashMap<>();
      m.put("count", v[0]);
      m.put("p50_ms", v[1]);
      m.put("max_ms", v[2]);
      avail.put(k, m);
    });
    s.put("unavailability_by_kind", avail);
    boolean pass = r.valid() && replicas.divergent() == 0;
    s.put("verdict", pass ? "PASS" : "FAIL");
    return s;
  }

  static String oneLine(Map<String, Object> s) {
    return s.get("verdict") + " seed=" + s.get("seed") + " faults=" + s.get("faults")
        + " confirmed=" + s.get("confirmed") + " lost=" + s.get("lost") + " unexpected="
        + s.get("unexpected") + " duplicates=" + s.get("duplicates") + " redelivered_after_ack="
        + s.get("redelivered_after_ack") + " divergent_replicas=" + s.get("divergent_replicas")
        + (deadLetter(s) ? " dead_lettered=" + s.get("dead_lettered") + " dead_letter_duplicates="
            + s.get("dead_letter_duplicates") + " wrong_dead_letters=" + s.get("wrong_dead_letters")
            : "");
  }

  private static boolean deadLetter(Map<String, Object> s) {
    return WorkloadKind.DEAD_LETTER.label().equals(s.get("workload"));
  }

  static void writeRun(Path dir, Map<String, Object> s, QueueChecker.Result r,
      List<Availability.FaultGap> gaps, FaultSuite.Replicas replicas, List<Op> ops) {
    try {
      Map<String, Object> json = new LinkedHashMap<>(s);
      json.put("lost_values", first(r.lostValues()));
      json.put("unexpected_values", first(r.unexpectedValues()));
      json.put("duplicate_values", first(r.duplicateValues()));
      json.put("duplicate_without_flag_values", first(r.duplicateWithoutFlagValues()));
      json.put("double_enqueued_values", first(r.doubleEnqueuedValues()));
      json.put("redelivered_after_ack_values", first(r.redeliveredAfterAckValues()));
      json.put("dead_letter_duplicate_values", first(r.deadLetterDuplicateValues()));
      json.put("wrong_dead_letter_values", first(r.wrongDeadLetterValues()));
      json.put("faults_detail", gaps);
      List<Map<String, Object>> groups = new ArrayList<>();
      replicas.groups().forEach((g, l) -> l.forEach(st -> {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("group", g);
        m.put("kind", st.getKind());
        m.put("node", st.getNode());
        m.put("role", st.getRole());
        m.put("applied_index", st.getAppliedIndex());
        m.put("commit_index", st.getCommitIndex());
        m.put("state_index", st.getStateIndex());
        m.put("state_checksum", Long.toHexString(st.getStateChecksum()));
        groups.add(m);
      }));
      json.put("replicas", groups);
      History.JSON.writerWithDefaultPrettyPrinter().writeValue(dir.resolve("report.json").toFile(),
          json);

      StringBuilder md = new StringBuilder();
      md.append("# Fault run ").append(s.get("run")).append(" (seed ").append(s.get("seed"))
          .append(")\n\n**").append(oneLine(s)).append("**\n\n");
      md.append("History: `history.jsonl` (one JSON object per call, delivery or fault).\n\n");
      md.append("| metric | value |\n|---|---|\n");
      List<String> metrics = new ArrayList<>(List.of("workload", "faults", "faults_by_kind",
          "published", "confirmed", "publish_failed", "publish_unknown", "recovered", "delivered",
          "acks_confirmed", "lost", "unexpected", "duplicates", "duplicate_deliveries",
          "duplicates_redelivered_flag", "duplicates_without_redelivered_flag", "double_enqueued",
          "redelivered_after_ack"));
      if (deadLetter(s)) {
        metrics.addAll(List.of("poison_confirmed", "dead_lettered", "dead_letter_duplicates",
            "wrong_dead_letters"));
      }
      metrics.addAll(List.of("divergent_replicas", "replicas_converged", "not_drained",
          "node_crashes"));
      for (String k : metrics) {
        md.append("| ").append(k).append(" | ").append(s.get(k)).append(" |\n");
      }
      md.append("\n## Faults and unavailability\n\nLongest time, on any queue, without a"
          + " successful publish confirm from the fault's start to the next fault.\n\n"
          + "| start (s) | kind | node | unavailable (ms) | queue |\n|---|---|---|---|---|\n");
      for (Availability.FaultGap g : gaps) {
        md.append("| ").append(g.startMs() / 1000.0).append(" | ").append(g.kind()).append(" | ")
            .append(g.node()).append(" | ").append(g.gapMs()).append(" | ").append(g.queue())
            .append(" |\n");
      }
      for (Op op : ops) {
        if (Op.FAULT.equals(op.type)) {
          md.append("\n- ").append(op.t0 / 1_000_000.0).append(" s ").append(op.kind)
              .append(": ").append(op.detail);
        }
      }
      md.append("\n\n## Replicas after heal and drain\n\n"
          + "| group | node | role | applied | state_index | checksum |\n|---|---|---|---|---|---|\n");
      replicas.groups().forEach((g, l) -> l.forEach(st -> md.append("| ").append(g)
          .append(" | ").append(st.getNode()).append(" | ").append(st.getRole()).append(" | ")
          .append(st.getAppliedIndex()).append(" | ").append(st.getStateIndex()).append(" | ")
          .append(Long.toHexString(st.getStateChecksum())).append(" |\n")));
      Object corruption = s.get("corruption");
      if (corruption instanceof List<?> l && !l.isEmpty()) {
        md.append("\n## Corruption faults (counted apart)\n\n");
        for (Object o : l) {
          md.append("- ").append(o).append('\n');
        }
      }
      appendExcerpts(md, "lost", r.lostValues(), ops);
      appendExcerpts(md, "unexpected", r.unexpectedValues(), ops);
      appendExcerpts(md, "redelivered after ack", r.redeliveredAfterAckValues(), ops);
      appendExcerpts(md, "duplicates without the redelivered flag",
          r.duplicateWithoutFlagValues(), ops);
      appendExcerpts(md, "wrong dead letters", r.wrongDeadLetterValues(), ops);
      appendExcerpts(md, "dead-letter duplicates", r.deadLetterDuplicateValues(), ops);
      Files.writeString(dir.resolve("report.md"), md.toString());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static void appendExcerpts(StringBuilder md, String title, List<Long> values,
      List<Op> ops) {
    if (values.isEmpty()) {
      return;
    }
    Set<Long> pick = new HashSet<>(first(values));
    md.append("\n## History excerpt: ").append(title).append(" (first ").append(pick.size())
        .append(" of ").append(values.size()).append(")\n\n```\n");
    for (Op op : ops) {
      if (op.value != null && pick.contains(op.value)) {
        try {
          md.append(History.JSON.writeValueAsString(op)).append('\n');
        } catch (IOException e) {
          throw new UncheckedIOException(e);
        }
      }
    }
    md.append("```\n");
  }

  private static List<Long> first(List<Long> values) {
    return values.subList(0, Math.min(20, values.size()));
  }

  static void writeSummaryMarkdown(Path file, List<Map<String, Object>> runs) {
    StringBuilder md = new StringBuilder("# Fault suite summary\n\n"
        + "| run | seed | workload | verdict | faults | faults by kind | confirmed | lost | unexpected |"
        + " duplicates | redelivered after ack | divergent replicas | dead letters (duplicates, wrong) |"
        + " crashes | report |\n"
        + "|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|\n");
    for (Map<String, Object> s : runs) {
      if (s.containsKey("error")) {
        md.append("| ").append(s.get("run")).append(" | ").append(s.get("seed"))
            .append(" | | ERROR | ").append(s.get("error")).append(" |||||||||||\n");
        continue;
      }
      md.append("| ").append(s.get("run")).append(" | ").append(s.get("seed")).append(" | ")
          .append(s.get("workload")).append(" | ")
          .append(s.get("verdict")).append(" | ").append(s.get("faults")).append(" | ")
          .append(s.get("faults_by_kind")).append(" | ").append(s.get("confirmed"))
          .append(" | ").append(s.get("lost")).append(" | ").append(s.get("unexpected"))
          .append(" | ").append(s.get("duplicates")).append(" | ")
          .append(s.get("redelivered_after_ack")).append(" | ")
          .append(s.get("divergent_replicas")).append(" | ")
          .append(deadLetter(s) ? s.get("dead_lettered") + " (" + s.get("dead_letter_duplicates")
              + ", " + s.get("wrong_dead_letters") + ")" : "-").append(" | ")
          .append(((List<?>) s.get("node_crashes")).size()).append(" | ")
          .append(s.get("dir")).append("/report.md |\n");
    }
    try {
      Files.writeString(file, md.toString());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
