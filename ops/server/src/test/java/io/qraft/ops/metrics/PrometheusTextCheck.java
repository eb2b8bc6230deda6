package io.qraft.ops.metrics;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A checker of the basics of the Prometheus text exposition format (0.0.4), for when promtool is
 * not installed: line syntax, metric and label names, label value escapes, sample values, one
 * TYPE per family given before its samples, families not interleaved, no duplicate series.
 */
public final class PrometheusTextCheck {
  private static final String NAME = "[a-zA-Z_:][a-zA-Z0-9_:]*";
  private static final Pattern HELP = Pattern.compile("# HELP (" + NAME + ") (.*)");
  private static final Pattern TYPE = Pattern.compile("# TYPE (" + NAME + ") (counter|gauge|histogram|summary|untyped)");
  private static final Pattern SAMPLE = Pattern.compile(
      "(" + NAME + ")(\\{(.*)\\})? (\\S+)( -?[0-9]+)?");
  private static final Pattern LABEL = Pattern.compile(
      "([a-zA-Z_][a-zA-Z0-9_]*)=\"((?:[^\"\\\\\\n]|\\\\[\\\\\"n])*)\"(,|$)");
  private static final Pattern VALUE = Pattern.compile(
      "[+-]?(Inf|NaN|[0-9]+(\\.[0-9]*)?([eE][+-]?[0-9]+)?|\\.[0-9]+([eE][+-]?[0-9]+)?)");

  private PrometheusTextCheck() {}

  /** The problems found, one line each with its line number; empty when the text is fine. */
  public static List<String> problems(String text) {
    List<String> problems = new ArrayList<>();
    Map<String, String> types = new HashMap<>();
    Set<String> familiesDone = new HashSet<>();
    Set<String> series = new HashSet<>();
    String currentFamily = null;
    if (!text.isEmpty() && !text.endsWith("\n")) {
      problems.add("the text does not end with a newline");
    }
    String[] lines = text.split("\n", -1);
    for (int i = 0; i < lines.length; i++) {
      String line = lines[i];
      int n = i + 1;
      if (line.isEmpty()) {
        continue;
      }
      if (line.startsWith("#")) {
        Matcher m;
        if ((m = TYPE.matcher(line)).matches()) {
          String family = m.group(1);
          if (types.put(family, m.group(2)) != null) {
            problems.add(n + ": a second TYPE for " + family);
          }
          if (familiesDone.contains(family) || family.equals(currentFamily)) {
            problems.add(n + ": TYPE of " + family + " after its samples");
          }
        } else if (line.startsWith("# HELP ") && !HELP.matcher(line).matches()) {
          problems.add(n + ": a malformed HELP line: " + line);
        } else if (line.startsWith("# TYPE ")) {
          problems.add(n + ": a malformed TYPE line: " + line);
        }
        continue;
      }
      Matcher m = SAMPLE.matcher(line);
      if (!m.matches()) {
        problems.add(n + ": not a sample line: " + line);
        continue;
      }
      String name = m.group(1);
      String family = familyOf(name, types);
      if (!types.containsKey(family)) {
        problems.add(n + ": sample " + name + " has no TYPE line");
      }
      if (!family.equals(currentFamily)) {
        if (currentFamily != null) {
          familiesDone.add(currentFamily);
        }
        if (familiesDone.contains(family)) {
          problems.add(n + ": samples of " + family + " are not together");
        }
        currentFamily = family;
      }
      String labels = m.group(3) == null ? "" : m.group(3);
      if (!labels.isEmpty()) {
        Matcher l = LABEL.matcher(labels);
        int at = 0;
        Set<String> names = new HashSet<>();
        while (at < labels.length() && l.find(at) && l.start() == at) {
          if (!names.add(l.group(1))) {
            problems.add(n + ": label " + l.group(1) + " twice");
          }
          at = l.end();
        }
        if (at != labels.length()) {
          problems.add(n + ": malformed labels: {" + labels + "}");
        }
      }
      if (!VALUE.matcher(m.group(4)).matches()) {
        problems.add(n + ": not a number: " + m.group(4));
      }
      if (!series.add(name + "{" + labels + "}")) {
        problems.add(n + ": duplicate series " + name + "{" + labels + "}");
      }
      if ("counter".equals(types.get(family)) && m.group(4).startsWith("-")) {
        problems.add(n + ": negative counter " + name);
      }
    }
    return problems;
  }

  /** The family a sample belongs to: histograms and summaries add suffixes to their family's name. */
  private static String familyOf(String name, Map<String, String> types) {
    if (types.containsKey(name)) {
      return name;
    }
    for (String suffix : List.of("_bucket", "_count", "_sum", "_total", "_created")) {
      if (name.endsWith(suffix)) {
        String base = name.substring(0, name.length() - suffix.length());
        if (types.containsKey(base)) {
          return base;
        }
      }
    }
    return name;
  }
}
