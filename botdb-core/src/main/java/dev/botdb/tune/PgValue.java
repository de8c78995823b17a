package dev.botdb.tune;

import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A setting's value with its kind, so that {@code shared_buffers = 16384} (in 8kB pages),
 * {@code work_mem = 4096} (in kB) and {@code '128MB'} compare as the sizes they are.
 *
 * @param kind   memory (amount in bytes), time (in milliseconds), a plain number, or text (enums, booleans)
 * @param amount bytes, milliseconds or the number; 0 for text
 * @param text   the text of a TEXT value; null otherwise
 */
public record PgValue(Kind kind, double amount, String text) {
    private static final long KB = 1024;
    private static final long MB = KB * 1024;
    private static final long GB = MB * 1024;
    private static final long TB = GB * 1024;
    /** pg_settings units: "8kB", "kB", "MB", "16MB", "B", "ms", "s", "min". */
    private static final Pattern UNIT = Pattern.compile("([0-9]*)(B|kB|MB|GB|TB|ms|s|min|h|d)");
    /** Sizes within this share of each other count as equal: pgtune's exact kB figures are not meant to the byte. */
    private static final double MEMORY_TOLERANCE = 0.10;

    /** What a value measures. */
    public enum Kind { MEMORY, TIME, NUMBER, TEXT }

    public static PgValue bytes(long bytes) {
        return new PgValue(Kind.MEMORY, bytes, null);
    }

    public static PgValue kilobytes(long kb) {
        return bytes(kb * KB);
    }

    public static PgValue millis(long ms) {
        return new PgValue(Kind.TIME, ms, null);
    }

    public static PgValue number(double n) {
        return new PgValue(Kind.NUMBER, n, null);
    }

    public static PgValue text(String text) {
        return new PgValue(Kind.TEXT, 0, text);
    }

    /**
     * A value as pg_settings shows it: {@code setting} in {@code unit} (null for unit-less
     * settings), e.g. ("16384", "8kB") = 128 MB, ("4096", "kB") = 4 MB, ("60", "s") = 1 min.
     */
    public static PgValue fromSetting(String setting, String unit, String vartype) {
        if (vartype != null && (vartype.equals("enum") || vartype.equals("bool") || vartype.equals("string"))) {
            return text(setting);
        }
        double n;
        try {
            n = Double.parseDouble(setting);
        } catch (NumberFormatException e) {
            return text(setting);
        }
        if (unit == null || unit.isEmpty()) {
            return number(n);
        }
        Matcher m = UNIT.matcher(unit);
        if (!m.matches()) {
            return number(n);
        }
        double factor = m.group(1).isEmpty() ? 1 : Long.parseLong(m.group(1));
        return switch (m.group(2)) {
            case "B" -> new PgValue(Kind.MEMORY, n * factor, null);
            case "kB" -> new PgValue(Kind.MEMORY, n * factor * KB, null);
            case "MB" -> new PgValue(Kind.MEMORY, n * factor * MB, null);
            case "GB" -> new PgValue(Kind.MEMORY, n * factor * GB, null);
            case "TB" -> new PgValue(Kind.MEMORY, n * factor * TB, null);
            case "ms" -> new PgValue(Kind.TIME, n * factor, null);
            case "s" -> new PgValue(Kind.TIME, n * factor * 1000, null);
            case "min" -> new PgValue(Kind.TIME, n * factor * 60_000, null);
            case "h" -> new PgValue(Kind.TIME, n * factor * 3_600_000, null);
            default -> new PgValue(Kind.TIME, n * factor * 86_400_000, null);
        };
    }

    /** The value as postgresql.conf writes it: {@code 1GB}, {@code 20971kB}, {@code 5min}, {@code 1.1}, {@code lz4}. */
    public String display() {
        return switch (kind) {
            case MEMORY -> memory((long) amount);
            case TIME -> time((long) amount);
            case NUMBER -> amount == Math.rint(amount) && Math.abs(amount) < 1e15 ? Long.toString((long) amount)
                    : String.format(Locale.ROOT, "%s", amount);
            case TEXT -> text;
        };
    }

    /** The value as an ALTER SYSTEM literal: {@code '1GB'}, {@code '0.9'}, {@code 'lz4'}. */
    public String literal() {
        return "'" + display().replace("'", "''") + "'";
    }

    /**
     * True when {@code other} is this value for practical purposes: sizes within 10 %, times
     * and numbers equal, text equal ignoring case (and {@code on}/{@code true} alike).
     */
    public boolean closeTo(PgValue other) {
        if (other == null) {
            return false;
        }
        if (kind != other.kind) {
            return kind != Kind.TEXT && other.kind != Kind.TEXT && amount == other.amount;
        }
        return switch (kind) {
            case MEMORY -> amount == 0 ? other.amount == 0
                    : Math.abs(amount - other.amount) <= MEMORY_TOLERANCE * Math.max(amount, other.amount);
            case TIME, NUMBER -> Math.abs(amount - other.amount) <= 1e-9 * Math.max(1, Math.abs(amount));
            case TEXT -> bool(text).equals(bool(other.text));
        };
    }

    private static String bool(String s) {
        String l = s.toLowerCase(Locale.ROOT);
        return switch (l) {
            case "true", "yes", "1" -> "on";
            case "false", "no", "0" -> "off";
            default -> l;
        };
    }

    /** A size for reading, not for postgresql.conf: 4GB, 23.5GB, 512MB. */
    public static String approximate(long bytes) {
        if (bytes >= GB) {
            double g = (double) bytes / GB;
            return g == Math.rint(g) ? (long) g + "GB" : String.format(Locale.ROOT, "%.1fGB", g);
        }
        return Math.round((double) bytes / MB) + "MB";
    }

    /** The largest unit that states the size exactly: 1GB, 256MB, 20971kB; -1 (PostgreSQL's "not set") as is. */
    static String memory(long bytes) {
        if (bytes < 0) {
            return "-1";
        }
        if (bytes != 0 && bytes % TB == 0) {
            return bytes / TB + "TB";
        }
        if (bytes != 0 && bytes % GB == 0) {
            return bytes / GB + "GB";
        }
        if (bytes != 0 && bytes % MB == 0) {
            return bytes / MB + "MB";
        }
        if (bytes % KB == 0) {
            return bytes / KB + "kB";
        }
        return bytes + "B";
    }

    static String time(long ms) {
        if (ms < 0) {
            return "-1"; // disabled, e.g. log_min_duration_statement
        }
        if (ms != 0 && ms % 3_600_000 == 0) {
            return ms / 3_600_000 + "h";
        }
        if (ms != 0 && ms % 60_000 == 0) {
            return ms / 60_000 + "min";
        }
        if (ms % 1000 == 0) {
            return ms / 1000 + "s";
        }
        return ms + "ms";
    }

    /**
     * A size as an operator types it: {@code 4GB}, {@code 512MB}, {@code 4G}, {@code 1.5 GiB},
     * {@code 2048m} (binary units, as PostgreSQL's). Returns -1 when it is not one.
     */
    public static long parseSize(String text) {
        Matcher m = Pattern.compile("([0-9]+(?:\\.[0-9]+)?)\\s*([kmgt])(?:i?b)?", Pattern.CASE_INSENSITIVE)
                .matcher(text.trim());
        if (!m.matches()) {
            return -1;
        }
        double n = Double.parseDouble(m.group(1));
        long unit = switch (Character.toLowerCase(m.group(2).charAt(0))) {
            case 'k' -> KB;
            case 'm' -> MB;
            case 'g' -> GB;
            default -> TB;
        };
        return (long) (n * unit);
    }

    @Override
    public String toString() {
        return display();
    }
}
