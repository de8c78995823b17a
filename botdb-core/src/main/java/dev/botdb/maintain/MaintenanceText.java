package dev.botdb.maintain;

import dev.botdb.config.Redaction;
import dev.botdb.text.Human;
import java.time.Duration;
import java.util.Locale;

/** How maintenance output writes sizes, durations and other sessions' queries. */
final class MaintenanceText {
    private static final int QUERY_CHARS = 80;

    private MaintenanceText() {
    }



    /** A timeout as the operator typed it: 5 s, 500 ms, 2 min. */
    static String timeout(Duration d) {
        if (d.isZero()) {
            return "none";
        }
        long ms = d.toMillis();
        if (ms % 1000 != 0) {
            return ms + " ms";
        }
        return Human.elapsed(d).replace(".00 s", " s");
    }


    /**
     * Another session's query for a report: one line, passwords in {@code PASSWORD '...'} masked,
     * at most 80 characters.
     */
    static String query(String query) {
        return Redaction.statement(query, QUERY_CHARS);
    }


    static String lower(Enum<?> e) {
        return e.name().toLowerCase(Locale.ROOT).replace('_', ' ');
    }
}
