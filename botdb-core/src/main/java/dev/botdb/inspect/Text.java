package dev.botdb.inspect;

import dev.botdb.config.Redaction;
import dev.botdb.dialect.Dialect;
import java.time.Duration;
import java.util.Locale;

/** How the report writes sizes, counts, shares and durations. */
final class Text {
    private static final String[] UNITS = {"B", "KiB", "MiB", "GiB", "TiB", "PiB"};
    private static final int QUERY_CHARS = 100;

    private Text() {
    }

    /** 812 B, 8.0 KiB, 1.3 MiB, 240 GiB. */
    static String size(long bytes) {
        double v = Math.abs((double) bytes);
        int unit = 0;
        while (v >= 1024 && unit < UNITS.length - 1) {
            v /= 1024;
            unit++;
        }
        String sign = bytes < 0 ? "-" : "";
        if (unit == 0) {
            return sign + (long) v + " B";
        }
        return sign + String.format(Locale.ROOT, v >= 100 || v == Math.rint(v) ? "%.0f %s" : "%.1f %s", v, UNITS[unit]);
    }

    static String count(long n) {
        return String.format(Locale.ROOT, "%,d", n);
    }

    /** 99.2 %, 0.05 %, 100 %. */
    static String percent(double ratio) {
        double p = ratio * 100;
        if (p == Math.rint(p)) {
            return String.format(Locale.ROOT, "%.0f %%", p);
        }
        return String.format(Locale.ROOT, p < 1 ? "%.2f %%" : "%.1f %%", p);
    }

    /** 850 ms, 12 s, 6 min, 2 h 5 min, 3 days. */
    static String duration(Duration d) {
        long ms = d.toMillis();
        if (ms < 1000) {
            return ms + " ms";
        }
        long s = d.toSeconds();
        if (s < 60) {
            return s + " s";
        }
        if (s < 3600) {
            return s / 60 + " min" + (s % 60 == 0 || s >= 600 ? "" : " " + s % 60 + " s");
        }
        if (s < 48 * 3600) {
            return s / 3600 + " h" + (s % 3600 / 60 == 0 ? "" : " " + s % 3600 / 60 + " min");
        }
        return s / 86400 + " days";
    }

    static String plural(long n, String one, String many) {
        return count(n) + " " + (n == 1 ? one : many);
    }

    /** Another session's statement, one line, at most 100 characters, quoted strings after PASSWORD masked. */
    static String query(String query) {
        return Redaction.statement(query, QUERY_CHARS);
    }

    /** {@code schema.name}, the schema left out for {@code public}. */
    static String qualified(String schema, String name) {
        return ("public".equals(schema) ? "" : Dialect.POSTGRESQL.quote(schema) + ".") + Dialect.POSTGRESQL.quote(name);
    }
}
