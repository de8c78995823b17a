package dev.botdb.maintain;

import dev.botdb.config.Redaction;
import java.time.Duration;
import java.util.Locale;

/** How maintenance output writes sizes, durations and other sessions' queries. */
final class Format {
    private static final int QUERY_CHARS = 80;

    private Format() {
    }

    static String size(long bytes) {
        if (bytes < 1024) {
            return bytes + " B";
        }
        String[] units = {"KiB", "MiB", "GiB", "TiB"};
        double v = bytes;
        int u = -1;
        while (v >= 1024 && u < units.length - 1) {
            v /= 1024;
            u++;
        }
        return v >= 100 || v == Math.rint(v) ? String.format(Locale.ROOT, "%.0f %s", v, units[u])
                : String.format(Locale.ROOT, "%.1f %s", v, units[u]);
    }

    /** 0.42 s, 12 s, 6 min 3 s, 2 h 5 min. */
    static String duration(Duration d) {
        long ms = d.toMillis();
        if (ms < 10_000) {
            return String.format(Locale.ROOT, "%.2f s", ms / 1000.0);
        }
        long s = d.toSeconds();
        if (s < 60) {
            return s + " s";
        }
        if (s < 3600) {
            return s / 60 + " min" + (s % 60 == 0 ? "" : " " + s % 60 + " s");
        }
        return s / 3600 + " h" + (s % 3600 / 60 == 0 ? "" : " " + s % 3600 / 60 + " min");
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
        return duration(d).replace(".00 s", " s");
    }

    static String count(long n) {
        return String.format(Locale.ROOT, "%,d", n);
    }

    /**
     * Another session's query for a report: one line, passwords in {@code PASSWORD '...'} masked,
     * at most 80 characters.
     */
    static String query(String query) {
        return Redaction.statement(query, QUERY_CHARS);
    }

    static String plural(long n, String one, String many) {
        return count(n) + " " + (n == 1 ? one : many);
    }

    static String lower(Enum<?> e) {
        return e.name().toLowerCase(Locale.ROOT).replace('_', ' ');
    }
}
