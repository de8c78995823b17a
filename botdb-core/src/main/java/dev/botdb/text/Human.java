package dev.botdb.text;

import java.time.Duration;
import java.util.Locale;

/**
 * How botdb writes numbers for people, the same in every report, log line and message: binary
 * sizes, counts with thousands separators, shares, and durations. Always {@link Locale#ROOT}, so
 * output does not change with the machine's language.
 */
public final class Human {
    private static final String[] UNITS = {"B", "KiB", "MiB", "GiB", "TiB", "PiB", "EiB"};

    private Human() {
    }

    /** 812 B, 8 KiB, 1.3 MiB, 240 GiB, -4 KiB: whole numbers from 100 up and where exact, else one decimal. */
    public static String bytes(long bytes) {
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

    /** 1,234,567. */
    public static String count(long n) {
        return String.format(Locale.ROOT, "%,d", n);
    }

    /** 1 table, 2,048 tables. */
    public static String plural(long n, String one, String many) {
        return count(n) + " " + (n == 1 ? one : many);
    }

    /** 99.2 %, 0.05 %, 100 %. */
    public static String percent(double ratio) {
        double p = ratio * 100;
        if (p == Math.rint(p)) {
            return String.format(Locale.ROOT, "%.0f %%", p);
        }
        return String.format(Locale.ROOT, p < 1 ? "%.2f %%" : "%.1f %%", p);
    }

    /** A span of time as a rough age or window: 850 ms, 12 s, 6 min, 2 h 5 min, 3 days. */
    public static String duration(Duration d) {
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
            return hoursAndMinutes(s);
        }
        return s / 86400 + " days";
    }

    /** How long a piece of work took: 0.42 s, 12 s, 6 min 3 s, 2 h 5 min. */
    public static String elapsed(Duration d) {
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
        return hoursAndMinutes(s);
    }

    /** A wait or a retry delay: 2 s, 0.5 s, 1.5 s. */
    public static String seconds(Duration d) {
        return d.toMillis() % 1000 == 0 ? d.toSeconds() + " s"
                : String.format(Locale.ROOT, "%.1f s", d.toMillis() / 1000.0);
    }

    private static String hoursAndMinutes(long s) {
        return s / 3600 + " h" + (s % 3600 / 60 == 0 ? "" : " " + s % 3600 / 60 + " min");
    }
}
