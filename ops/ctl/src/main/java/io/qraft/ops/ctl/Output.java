package io.qraft.ops.ctl;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import java.io.PrintWriter;
import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

/**
 * Prints command results as a table or as JSON.
 *
 * <p>A result is a list of rows (a listing) or a single row (the outcome of an action); a row maps
 * column names to values: strings, numbers, booleans, lists of strings, or string maps. In JSON a
 * listing is an array of objects and a single row is one object, keyed by the column names. In a
 * table every row, single or not, is one line under a header of the column names, columns aligned,
 * numbers to the right; lists and maps are joined with commas so that a row stays on one line, and
 * control characters are escaped for the same reason.
 *
 * <p>Not thread-safe: one command prints through it.
 */
public final class Output {

    private static final ObjectMapper JSON = new ObjectMapper()
        .enable(SerializationFeature.INDENT_OUTPUT)
        .enable(JsonGenerator.Feature.WRITE_BIGDECIMAL_AS_PLAIN);

    private static final String GAP = "  ";

    private final Format format;
    private final PrintWriter out;

    public Output(Format format, PrintWriter out) {
        this.format = format;
        this.out = out;
    }

    /** Prints a listing; every row should have every column. */
    public void rows(List<String> columns, List<? extends Map<String, ?>> rows) {
        if (format == Format.JSON) {
            printJson(rows.stream().map(row -> project(columns, row)).toList());
        } else {
            printTable(columns, rows);
        }
        out.flush();
    }

    /** Prints one row: a JSON object, or a table of one line. */
    public void row(List<String> columns, Map<String, ?> row) {
        if (format == Format.JSON) {
            printJson(project(columns, row));
        } else {
            printTable(columns, List.of(row));
        }
        out.flush();
    }

    /** A row from alternating column names and values, in column order; values may be null. */
    public static Map<String, Object> row(Object... namesAndValues) {
        if (namesAndValues.length % 2 != 0) {
            throw new IllegalArgumentException("a name without a value");
        }
        Map<String, Object> row = new LinkedHashMap<>();
        for (int i = 0; i < namesAndValues.length; i += 2) {
            row.put((String) namesAndValues[i], namesAndValues[i + 1]);
        }
        return row;
    }

    private static Map<String, Object> project(List<String> columns, Map<String, ?> row) {
        Map<String, Object> ordered = new LinkedHashMap<>();
        for (String column : columns) {
            ordered.put(column, row.get(column));
        }
        return ordered;
    }

    private void printJson(Object value) {
        try {
            out.println(JSON.writeValueAsString(value));
        } catch (JsonProcessingException e) {
            // Rows hold only strings, numbers, booleans, lists and maps; Jackson always writes those.
            throw new IllegalStateException(e);
        }
    }

    private void printTable(List<String> columns, List<? extends Map<String, ?>> rows) {
        int[] widths = new int[columns.size()];
        boolean[] rightAligned = new boolean[columns.size()];
        List<String[]> cells = new ArrayList<>();
        for (int c = 0; c < columns.size(); c++) {
            widths[c] = columns.get(c).length();
            rightAligned[c] = !rows.isEmpty();
        }
        for (Map<String, ?> row : rows) {
            String[] line = new String[columns.size()];
            for (int c = 0; c < columns.size(); c++) {
                Object value = row.get(columns.get(c));
                line[c] = text(value);
                widths[c] = Math.max(widths[c], line[c].length());
                rightAligned[c] &= value instanceof Number;
            }
            cells.add(line);
        }
        printLine(columns.toArray(String[]::new), widths, rightAligned);
        for (String[] line : cells) {
            printLine(line, widths, rightAligned);
        }
    }

    private void printLine(String[] line, int[] widths, boolean[] rightAligned) {
        StringBuilder s = new StringBuilder();
        for (int c = 0; c < line.length; c++) {
            if (c > 0) {
                s.append(GAP);
            }
            String pad = " ".repeat(widths[c] - line[c].length());
            s.append(rightAligned[c] ? pad + line[c] : line[c] + pad);
        }
        out.println(s.toString().stripTrailing());
    }

    /** A value as one table cell. */
    static String text(Object value) {
        if (value == null) {
            return "";
        }
        if (value instanceof BigDecimal d) {
            return d.toPlainString();
        }
        if (value instanceof Collection<?> list) {
            return list.stream().map(Output::text).collect(Collectors.joining(","));
        }
        if (value instanceof Map<?, ?> map) {
            return map.entrySet().stream()
                .map(e -> text(e.getKey()) + "=" + text(e.getValue()))
                .collect(Collectors.joining(","));
        }
        return escapeControls(value.toString());
    }

    private static String escapeControls(String s) {
        StringBuilder b = new StringBuilder(s.length());
        for (int i = 0; i < s.length(); i++) {
            char ch = s.charAt(i);
            switch (ch) {
                case '\n' -> b.append("\\n");
                case '\r' -> b.append("\\r");
                case '\t' -> b.append("\\t");
                default -> {
                    if (Character.isISOControl(ch)) {
                        b.append(String.format("\\u%04x", (int) ch));
                    } else {
                        b.append(ch);
                    }
                }
            }
        }
        return b.toString();
    }
}
