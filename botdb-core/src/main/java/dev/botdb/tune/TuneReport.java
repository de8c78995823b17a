package dev.botdb.tune;

import java.util.ArrayList;
import java.util.List;

/**
 * Recommendations next to the server's current values, and how to apply them.
 *
 * @param input   what the recommendations are computed from
 * @param server  {@code PostgreSQL 18.1 at postgresql://...}, or {@code offline} when not compared
 * @param rows    one per recommended setting
 * @param notes   what else the operator should know
 */
public record TuneReport(TuneInput input, String server, List<Row> rows, List<String> notes) {
    public TuneReport {
        rows = List.copyOf(rows);
        notes = List.copyOf(notes);
    }

    /** How the current value compares. */
    public enum Verdict {
        /** Already the recommended value (sizes within 10 %). */
        OK,
        /** Different: an ALTER SYSTEM line is printed for it. */
        CHANGE,
        /** This server version does not have the setting. */
        NOT_ON_SERVER,
        /** Not compared (offline). */
        UNKNOWN
    }

    /**
     * One setting.
     *
     * @param recommendation what and why
     * @param current        the server's value, or null when not compared or not on the server
     * @param verdict        how they compare
     * @param restart        true when only a restart applies a change (pg_settings.context = postmaster)
     * @param remark         why ALTER SYSTEM would not take effect (command line, per-database value), or null
     */
    public record Row(Recommendation recommendation, CurrentSetting current, Verdict verdict, boolean restart,
                      String remark) {
        public String name() {
            return recommendation.name();
        }
    }

    /** The rows that differ from the recommendation (or all, offline). */
    public List<Row> changes() {
        return rows.stream().filter(r -> r.verdict() == Verdict.CHANGE || r.verdict() == Verdict.UNKNOWN).toList();
    }

    /** {@code ALTER SYSTEM SET shared_buffers = '1GB';} for every change. */
    public List<String> alterSystem() {
        return changes().stream().map(r -> alterSystem(r.recommendation())).toList();
    }

    static String alterSystem(Recommendation r) {
        return "ALTER SYSTEM SET " + r.name() + " = " + r.value().literal() + ";";
    }

    /** The changes that take effect only after a restart. */
    public List<String> restartNeededFor() {
        List<String> names = new ArrayList<>();
        for (Row r : changes()) {
            if (r.restart()) {
                names.add(r.name());
            }
        }
        return names;
    }
}
