package dev.botdb.inspect;

import dev.botdb.text.Human;
import java.time.Duration;
import java.util.List;
import java.util.Map;

/**
 * One check of {@code botdb inspect}: its verdict, a one-line summary, the rows behind it (the
 * largest tables, the unused indexes, the blocked queries, ...), notes with the fix, and the key
 * figures by name for scripts and tests.
 *
 * @param name     as {@code botdb inspect NAME} takes it: {@code unused-indexes}
 * @param group    {@code space}, {@code indexes}, {@code tables}, {@code maintenance}, {@code queries},
 *                 {@code connections} or {@code sqlite}
 * @param title    a few words for people: {@code Unused indexes}
 * @param verdict  what the figures mean
 * @param summary  one line: what was found, with the thresholds applied
 * @param columns  the columns of {@code rows}
 * @param rows     raw values (Long, Double, String, Boolean, or null), one list per row, in column order
 * @param notes    fixes (the exact SQL or setting), the statistics window, what a role may not see
 * @param figures  the key numbers by name (e.g. {@code bytes}, {@code ratio}); raw values
 * @param duration how long the check's queries took
 */
public record CheckResult(String name, String group, String title, Verdict verdict, String summary,
                          List<Column> columns, List<List<Object>> rows, List<String> notes, Map<String, Object> figures,
                          Duration duration) {
    public CheckResult {
        columns = List.copyOf(columns);
        rows = rows.stream().map(r -> java.util.Collections.unmodifiableList(new java.util.ArrayList<>(r))).toList();
        notes = List.copyOf(notes);
        figures = java.util.Collections.unmodifiableMap(new java.util.LinkedHashMap<>(figures));
    }

    /** What a check's figures mean. */
    public enum Verdict {
        /** Nothing to do. */
        OK("ok", "✓"),
        /** Worth a look; does not fail the run. */
        WARN("warn", "!"),
        /** Needs fixing: {@code botdb inspect} exits 20. */
        PROBLEM("problem", "✗"),
        /** The check's statement timeout or lock timeout ran out; the other checks still ran. */
        TIMED_OUT("timed out", "~"),
        /** The connected role may not read what the check needs; the note names the GRANT. */
        NOT_PERMITTED("not permitted", "?"),
        /** Not on this engine or server (a SQLite file, a server without pg_stat_statements). */
        NOT_APPLICABLE("not applicable", "-"),
        /** The check's query failed for another reason; the summary has the server's message. */
        ERROR("error", "E");

        private final String label;
        private final String symbol;

        Verdict(String label, String symbol) {
            this.label = label;
            this.symbol = symbol;
        }

        /** {@code ok}, {@code warn}, {@code problem}, {@code timed out}, ... */
        public String label() {
            return label;
        }

        /** One character for the text report. */
        public String symbol() {
            return symbol;
        }
    }

    /** How a column's raw values read. */
    public enum Kind {
        TEXT, BYTES, COUNT, RATIO, SECONDS
    }

    /**
     * A column of the check's table.
     *
     * @param name {@code index}, {@code bytes}, ... (the JSON key)
     * @param kind how its values are shown
     */
    public record Column(String name, Kind kind) {
    }

    /** The value of {@code column} in {@code row}, as the text report shows it. */
    public String display(List<Object> row, int column) {
        Object v = row.get(column);
        if (v == null) {
            return "-";
        }
        return switch (columns.get(column).kind()) {
            case BYTES -> Human.bytes(((Number) v).longValue());
            case COUNT -> Human.count(((Number) v).longValue());
            case RATIO -> Human.percent(((Number) v).doubleValue());
            case SECONDS -> Human.duration(Duration.ofMillis(Math.round(((Number) v).doubleValue() * 1000)));
            case TEXT -> v.toString();
        };
    }

    /** The figure {@code name} as a long, or null. */
    public Long figure(String name) {
        Object v = figures.get(name);
        return v instanceof Number n ? n.longValue() : null;
    }

    /** {@code unused-indexes: warn} for logs. */
    @Override
    public String toString() {
        return name + ": " + verdict.label() + " - " + summary;
    }
}
