package dev.botdb.transfer;

import java.time.DateTimeException;
import java.time.LocalDate;

/**
 * SQLite's date and time texts, read without allocating: {@code YYYY-MM-DD}, optionally followed by
 * {@code T} or a space and {@code HH:MM}, {@code :SS}, a fraction of up to 9 digits (rounded to microseconds),
 * and a zone: {@code Z}, {@code +HH:MM}, {@code +HHMM} or {@code +HH} (or {@code -}). A text without a zone is
 * UTC, as SQLite's {@code datetime('now')} and {@code CURRENT_TIMESTAMP} write it. Also {@code infinity} and
 * {@code -infinity}.
 */
final class DateText {
    static final long INVALID = Long.MIN_VALUE + 1;

    private DateText() {
    }

    /** Microseconds since 1970-01-01 UTC, {@link Long#MAX_VALUE} / {@link Long#MIN_VALUE} for ±infinity, or INVALID. */
    static long parse(String s) {
        int n = s.length();
        int p = 0;
        while (p < n && s.charAt(p) == ' ') {
            p++;
        }
        while (n > p && s.charAt(n - 1) == ' ') {
            n--;
        }
        if (s.regionMatches(true, p, "infinity", 0, 8) && n - p == 8) {
            return Long.MAX_VALUE;
        }
        if (s.regionMatches(true, p, "-infinity", 0, 9) && n - p == 9) {
            return Long.MIN_VALUE;
        }
        if (n - p < 10 || s.charAt(p + 4) != '-' || s.charAt(p + 7) != '-') {
            return INVALID;
        }
        int year = digits(s, p, 4);
        int month = digits(s, p + 5, 2);
        int day = digits(s, p + 8, 2);
        if (year < 0 || month < 0 || day < 0) {
            return INVALID;
        }
        long days;
        try {
            days = LocalDate.of(year, month, day).toEpochDay();
        } catch (DateTimeException e) {
            return INVALID; // 2024-02-30, month 13
        }
        p += 10;
        long micros = 0;
        if (p < n && (s.charAt(p) == 'T' || s.charAt(p) == 't' || s.charAt(p) == ' ')) {
            long t = timeAt(s, p + 1, n);
            if (t < 0) {
                return INVALID;
            }
            micros = t & 0xffff_ffff_ffffL;
            p = (int) (t >>> 48);
        }
        long offsetSeconds = 0;
        if (p < n) {
            char z = s.charAt(p);
            if ((z == 'Z' || z == 'z') && p + 1 == n) {
                offsetSeconds = 0;
            } else if (z == '+' || z == '-') {
                int hh = digits(s, p + 1, 2);
                int mm = 0;
                int q = p + 3;
                if (q < n && s.charAt(q) == ':') {
                    q++;
                }
                if (q < n) {
                    mm = digits(s, q, 2);
                    q += 2;
                }
                if (hh < 0 || hh > 15 || mm < 0 || mm > 59 || q != n) {
                    return INVALID;
                }
                offsetSeconds = (z == '-' ? -1 : 1) * (hh * 3600L + mm * 60L);
            } else if (s.regionMatches(true, p, " UTC", 0, 4) && p + 4 == n) {
                offsetSeconds = 0;
            } else {
                return INVALID;
            }
        }
        return days * 86_400_000_000L + micros - offsetSeconds * 1_000_000L;
    }

    /** A time of day alone ({@code HH:MM[:SS[.fff]]}) in microseconds, or -1. */
    static long time(String s) {
        String t = s.trim();
        long r = timeAt(t, 0, t.length());
        return r < 0 || (int) (r >>> 48) != t.length() ? -1 : r & 0xffff_ffff_ffffL;
    }

    /** The time at {@code p}: (position after it) << 48 | microseconds, or -1. */
    private static long timeAt(String s, int p, int n) {
        if (p + 5 > n || s.charAt(p + 2) != ':') {
            return -1;
        }
        int hh = digits(s, p, 2);
        int mi = digits(s, p + 3, 2);
        int ss = 0;
        long fraction = 0;
        p += 5;
        if (p < n && s.charAt(p) == ':') {
            ss = digits(s, p + 1, 2);
            p += 3;
            if (p < n && s.charAt(p) == '.') {
                p++;
                int start = p;
                long scaled = 0;
                int count = 0;
                while (p < n && Character.isDigit(s.charAt(p))) {
                    if (count < 7) {
                        scaled = scaled * 10 + (s.charAt(p) - '0');
                        count++;
                    }
                    p++;
                }
                if (p == start || p - start > 9) {
                    return -1;
                }
                while (count < 7) {
                    scaled *= 10;
                    count++;
                }
                fraction = (scaled + 5) / 10; // seven digits rounded to six
            }
        }
        if (hh < 0 || hh > 24 || mi < 0 || mi > 59 || ss < 0 || ss > 60 || (hh == 24 && (mi > 0 || ss > 0 || fraction > 0))) {
            return -1;
        }
        long micros = ((hh * 60L + mi) * 60L + ss) * 1_000_000L + fraction;
        return ((long) p << 48) | micros;
    }

    private static int digits(String s, int p, int count) {
        if (p + count > s.length()) {
            return -1;
        }
        int v = 0;
        for (int i = p; i < p + count; i++) {
            char c = s.charAt(i);
            if (c < '0' || c > '9') {
                return -1;
            }
            v = v * 10 + (c - '0');
        }
        return v;
    }
}
