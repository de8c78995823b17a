package dev.botdb.transfer;

import java.math.BigDecimal;
import java.math.RoundingMode;
import java.nio.charset.StandardCharsets;
import java.util.Locale;
import java.util.UUID;
import org.postgresql.util.ByteConverter;

/**
 * How one SQLite column's values become one PostgreSQL column's values in COPY's binary format. SQLite keeps
 * any value in any column (its "type affinity" only prefers one), so each value is converted on its own,
 * whatever it is stored as, and a value that cannot be converted is a {@link BadValue}, never guessed at.
 * The rules are the README's "Transfer from SQLite" table.
 */
abstract class Conversion {
    /** How the check after loading compares a column's values: as sent, or in a canonical form the server keeps. */
    enum Canon { NONE, JSONB, NUMERIC }

    /** Microseconds from 1970-01-01 to 2000-01-01, PostgreSQL's epoch. */
    static final long PG_EPOCH_MICROS = 946_684_800_000_000L;
    static final long MICROS_PER_DAY = 86_400_000_000L;

    private final String target;

    Conversion(String target) {
        this.target = target;
    }

    /** The target type as the plan shows it. */
    String target() {
        return target;
    }

    /** What the SELECT on SQLite reads for this column. */
    String select(String quotedColumn) {
        return quotedColumn;
    }

    Canon canon() {
        return Canon.NONE;
    }

    /**
     * Whether the source column is read as bytes ({@code ResultSet.getBytes} of the {@link #select} expression,
     * which is then a BLOB cast) rather than as the object SQLite stores ({@code getObject}: Long, Double, String,
     * byte[] or null).
     */
    boolean readsBytes() {
        return false;
    }

    /** Whether a TEXT value is read as its bytes ({@link TextBytes}) and decoded by {@link #writeValue}. */
    boolean readsTextAsBytes() {
        return false;
    }

    /** Writes the value {@code v} (as read, see {@link #readsBytes}) as one field (length and bytes, or NULL). */
    final void write(Object v, CopyBuffer out) throws BadValue {
        if (v == null) {
            out.writeNull();
        } else {
            writeValue(v, out);
        }
    }

    /** Writes a value that is not NULL. */
    abstract void writeValue(Object v, CopyBuffer out) throws BadValue;

    /**
     * The conversion into {@code column}, or null when botdb cannot write that type (the plan reports it).
     */
    static Conversion to(TargetTables.Column column, NumericDates dates) {
        String shown = column.displayType();
        if (column.enumType()) {
            return new Text(shown, -1);
        }
        return switch (column.type()) {
            case "bool" -> new Bool(shown);
            case "int2" -> new Int(shown, 2);
            case "int4" -> new Int(shown, 4);
            case "int8" -> new Int(shown, 8);
            case "float4" -> new Float(shown, true);
            case "float8" -> new Float(shown, false);
            case "numeric" -> new Numeric(shown, column.typmod());
            case "text", "varchar", "name", "citext" -> new Text(shown, -1);
            case "bpchar" -> new Text(shown, column.typmod() > 4 ? column.typmod() - 4 : 1);
            case "json" -> new Json(shown, false);
            case "jsonb" -> new Json(shown, true);
            case "bytea" -> new Bytes(shown);
            case "uuid" -> new Uuid(shown);
            case "date" -> new Temporal(shown, Temporal.DATE, dates);
            case "timestamp" -> new Temporal(shown, Temporal.TIMESTAMP, dates);
            case "timestamptz" -> new Temporal(shown, Temporal.TIMESTAMPTZ, dates);
            case "time" -> new Temporal(shown, Temporal.TIME, dates);
            default -> null;
        };
    }

    private static void writeLong(CopyBuffer out, long v) {
        out.writeInt(8);
        out.writeLong(v);
    }

    /** The integer a value holds exactly, or a BadValue. */
    static long integer(Object v, String what) throws BadValue {
        if (v instanceof Long l) {
            return l;
        }
        if (v instanceof Integer i) {
            return i;
        }
        if (v instanceof Double d) {
            if (d == Math.rint(d) && !Double.isInfinite(d) && Math.abs(d) < 9.2e18) {
                return d.longValue();
            }
            throw new BadValue("is not a whole number, so it cannot be " + what, v);
        }
        if (v instanceof String s) {
            try {
                return Long.parseLong(s.trim());
            } catch (NumberFormatException e) {
                try {
                    BigDecimal exact = new BigDecimal(s.trim());
                    return exact.longValueExact();
                } catch (NumberFormatException | ArithmeticException e2) {
                    throw new BadValue("is text that is not a whole number, so it cannot be " + what, v);
                }
            }
        }
        throw new BadValue("is a BLOB, which cannot be " + what, v);
    }

    static final class Bool extends Conversion {
        Bool(String target) {
            super(target);
        }

        @Override
        void writeValue(Object v, CopyBuffer out) throws BadValue {
            boolean b;
            if (v instanceof String s) {
                b = switch (s.trim().toLowerCase(Locale.ROOT)) {
                    case "true", "t", "yes", "y", "on", "1" -> true;
                    case "false", "f", "no", "n", "off", "0" -> false;
                    default -> throw new BadValue("is text that is not true/false (or 1/0, yes/no, t/f)", v);
                };
            } else {
                long n = integer(v, "a boolean");
                if (n != 0 && n != 1) {
                    throw new BadValue("is a number other than 0 and 1, so it is not a boolean", v);
                }
                b = n == 1;
            }
            out.writeInt(1);
            out.writeByte(b ? 1 : 0);
        }
    }

    static final class Int extends Conversion {
        private final int size;

        Int(String target, int size) {
            super(target);
            this.size = size;
        }

        @Override
        void writeValue(Object v, CopyBuffer out) throws BadValue {
            long n = integer(v, "an integer");
            switch (size) {
                case 2 -> {
                    if (n < Short.MIN_VALUE || n > Short.MAX_VALUE) {
                        throw new BadValue("is out of range for smallint (-32768 to 32767)", v);
                    }
                    out.writeInt(2);
                    out.writeShort((int) n);
                }
                case 4 -> {
                    if (n < Integer.MIN_VALUE || n > Integer.MAX_VALUE) {
                        throw new BadValue("is out of range for integer (±2147483647); make the column bigint", v);
                    }
                    out.writeInt(4);
                    out.writeInt((int) n);
                }
                default -> writeLong(out, n);
            }
        }
    }

    static final class Float extends Conversion {
        private final boolean single;

        Float(String target, boolean single) {
            super(target);
            this.single = single;
        }

        @Override
        void writeValue(Object v, CopyBuffer out) throws BadValue {
            double d;
            if (v instanceof Number n) {
                d = n.doubleValue();
            } else if (v instanceof String s) {
                try {
                    d = Double.parseDouble(s.trim());
                } catch (NumberFormatException e) {
                    throw new BadValue("is text that is not a number", v);
                }
            } else {
                throw new BadValue("is a BLOB, which cannot be a number", v);
            }
            if (single) {
                out.writeInt(4);
                out.writeInt(java.lang.Float.floatToRawIntBits((float) d));
            } else {
                writeLong(out, Double.doubleToRawLongBits(d));
            }
        }
    }

    static final class Numeric extends Conversion {
        private final int scale;
        private final int precision;

        Numeric(String target, int typmod) {
            super(target);
            this.precision = typmod >= 4 ? ((typmod - 4) >>> 16) & 0xffff : -1;
            this.scale = typmod >= 4 ? (short) ((typmod - 4) & 0xffff) : Integer.MIN_VALUE;
        }

        @Override
        Canon canon() {
            return Canon.NUMERIC;
        }

        @Override
        void writeValue(Object v, CopyBuffer out) throws BadValue {
            BigDecimal d;
            try {
                if (v instanceof Long l) {
                    d = BigDecimal.valueOf(l);
                } else if (v instanceof Integer n) {
                    d = BigDecimal.valueOf(n);
                } else if (v instanceof Double x) {
                    if (x.isNaN() || x.isInfinite()) {
                        throw new BadValue("is not a finite number", v);
                    }
                    d = new BigDecimal(Double.toString(x));
                } else if (v instanceof String s) {
                    d = new BigDecimal(s.trim());
                } else {
                    throw new BadValue("is a BLOB, which cannot be a number", v);
                }
            } catch (NumberFormatException e) {
                throw new BadValue("is text that is not a number", v);
            }
            if (scale != Integer.MIN_VALUE) {
                d = d.setScale(scale, RoundingMode.HALF_UP); // as the server rounds numeric(p, s)
                if (d.precision() - d.scale() > precision - scale && d.signum() != 0) {
                    throw new BadValue("has more digits before the decimal point than " + target() + " allows", v);
                }
            }
            byte[] b = ByteConverter.numeric(d);
            out.writeField(b, 0, b.length);
        }
    }

    /**
     * A conversion that reads the stored bytes ({@code CAST(column AS BLOB)}): text is seen as SQLite keeps it, so
     * invalid UTF-8 is caught rather than replaced on the way into a Java string.
     */
    abstract static class Raw extends Conversion {
        Raw(String target) {
            super(target);
        }

        @Override
        String select(String quotedColumn) {
            return "CAST(" + quotedColumn + " AS BLOB)";
        }

        @Override
        boolean readsBytes() {
            return true;
        }
    }

    /** Text as UTF-8: text, varchar, char(n) (padded as the server pads it), citext and enum labels. */
    static final class Text extends Raw {
        private final int padTo;

        Text(String target, int padTo) {
            super(target);
            this.padTo = padTo;
        }

        @Override
        void writeValue(Object v, CopyBuffer out) throws BadValue {
            byte[] b = (byte[]) v;
            int chars = checkUtf8(b);
            if (padTo > chars) {
                int start = out.beginField();
                out.write(b, 0, b.length);
                for (int k = chars; k < padTo; k++) {
                    out.writeByte(' ');
                }
                out.endField(start);
                return;
            }
            out.writeField(b, 0, b.length);
        }
    }

    static final class Json extends Raw {
        private final boolean binary;

        Json(String target, boolean binary) {
            super(target);
            this.binary = binary;
        }

        @Override
        Canon canon() {
            return binary ? Canon.JSONB : Canon.NONE;
        }

        @Override
        void writeValue(Object v, CopyBuffer out) throws BadValue {
            byte[] b = (byte[]) v;
            checkUtf8(b);
            JsonCanon.check(b, 0, b.length, binary);
            if (binary) {
                int start = out.beginField();
                out.writeByte(1); // jsonb's binary format: version 1, then the JSON text
                out.write(b, 0, b.length);
                out.endField(start);
            } else {
                out.writeField(b, 0, b.length);
            }
        }
    }

    static final class Bytes extends Raw {
        Bytes(String target) {
            super(target);
        }

        @Override
        void writeValue(Object v, CopyBuffer out) {
            byte[] b = (byte[]) v;
            out.writeField(b, 0, b.length);
        }
    }

    static final class Uuid extends Conversion {
        Uuid(String target) {
            super(target);
        }

        @Override
        void writeValue(Object v, CopyBuffer out) throws BadValue {
            if (v instanceof byte[] b) {
                if (b.length != 16) {
                    throw new BadValue("is a BLOB of " + b.length + " bytes; a UUID has 16", v);
                }
                out.writeField(b, 0, 16);
                return;
            }
            String s = v.toString().trim();
            if (s.startsWith("{") && s.endsWith("}")) {
                s = s.substring(1, s.length() - 1);
            }
            if (s.length() == 32 && s.indexOf('-') < 0) {
                s = s.substring(0, 8) + "-" + s.substring(8, 12) + "-" + s.substring(12, 16) + "-"
                        + s.substring(16, 20) + "-" + s.substring(20);
            }
            UUID u;
            try {
                if (s.length() != 36) {
                    throw new IllegalArgumentException();
                }
                u = UUID.fromString(s);
            } catch (IllegalArgumentException e) {
                throw new BadValue("is not a UUID (like 123e4567-e89b-12d3-a456-426614174000)", v);
            }
            out.writeInt(16);
            out.writeLong(u.getMostSignificantBits());
            out.writeLong(u.getLeastSignificantBits());
        }
    }

    /** date, timestamp, timestamptz and time from SQLite's date texts or from numbers (see {@link NumericDates}). */
    static final class Temporal extends Conversion {
        static final int DATE = 0;
        static final int TIMESTAMP = 1;
        static final int TIMESTAMPTZ = 2;
        static final int TIME = 3;
        private final int kind;
        private final NumericDates numbers;

        Temporal(String target, int kind, NumericDates numbers) {
            super(target);
            this.kind = kind;
            this.numbers = numbers;
        }

        @Override
        boolean readsTextAsBytes() {
            return true;
        }

        @Override
        void writeValue(Object value, CopyBuffer out) throws BadValue {
            Object v = value instanceof TextBytes t ? t.text() : value;
            if (kind == TIME) {
                if (!(v instanceof String s)) {
                    throw new BadValue("is a number; a time column takes text like 14:30:00", v);
                }
                long micros = DateText.time(s);
                if (micros < 0) {
                    throw new BadValue("is not a time of day (HH:MM[:SS[.SSS]])", v);
                }
                writeLong(out, micros);
                return;
            }
            long unixMicros;
            if (v instanceof String s) {
                unixMicros = DateText.parse(s);
                if (unixMicros == DateText.INVALID) {
                    throw new BadValue("is not a date or time botdb reads (YYYY-MM-DD[ HH:MM[:SS[.SSS]]], ISO 8601"
                            + " with T and Z or an offset, or a number)", v);
                }
            } else if (v instanceof byte[]) {
                throw new BadValue("is a BLOB, which cannot be a date", v);
            } else {
                double n = ((Number) v).doubleValue();
                double micros = switch (numbers) {
                    case UNIX -> n * 1e6;
                    case UNIX_MS -> n * 1e3;
                    case JULIAN -> (n - 2440587.5) * 86400e6;
                };
                if (v instanceof Long l && numbers != NumericDates.JULIAN) {
                    unixMicros = numbers == NumericDates.UNIX ? Math.multiplyExact(l, 1_000_000L) : l * 1000L;
                } else {
                    unixMicros = Math.round(micros);
                }
                if (Math.abs(micros) > 3e17) {
                    throw new BadValue("is a number too large for a date as " + numbers.option()
                            + " (choose how numbers are read with --numeric-dates unix|unix-ms|julian)", v);
                }
            }
            if (unixMicros == Long.MAX_VALUE || unixMicros == Long.MIN_VALUE) { // 'infinity', '-infinity'
                if (kind == DATE) {
                    out.writeInt(4);
                    out.writeInt(unixMicros == Long.MAX_VALUE ? Integer.MAX_VALUE : Integer.MIN_VALUE);
                } else {
                    writeLong(out, unixMicros);
                }
                return;
            }
            long pg = unixMicros - PG_EPOCH_MICROS;
            if (kind == DATE) {
                if (Math.floorMod(pg, MICROS_PER_DAY) != 0 && v instanceof String) {
                    throw new BadValue("has a time of day, which a date column would drop; make the column"
                            + " timestamp, or keep only the date in SQLite (date(column))", v);
                }
                out.writeInt(4);
                out.writeInt((int) Math.floorDiv(pg, MICROS_PER_DAY));
            } else {
                writeLong(out, pg);
            }
        }
    }

    /**
     * Checks that {@code b} is UTF-8 without NUL (PostgreSQL text holds neither); returns its length in characters.
     * Byte by byte, as PostgreSQL's own check does (no overlong forms, no surrogates, nothing past U+10FFFF),
     * without decoding: most of a transfer's text goes through here.
     */
    static int checkUtf8(byte[] b) throws BadValue {
        int chars = 0;
        int i = 0;
        int n = b.length;
        while (i < n) {
            int x = b[i];
            if (x > 0) {
                i++;
                chars++;
                continue;
            }
            if (x == 0) {
                throw new BadValue("holds a NUL character (\\0), which PostgreSQL text cannot store; remove it in"
                        + " SQLite (replace(column, char(0), '')) or make the column bytea", new String(b, StandardCharsets.UTF_8));
            }
            int lead = x & 0xff;
            int length;
            int min;
            int max = 0xbf;
            if (lead >= 0xc2 && lead <= 0xdf) {
                length = 2;
                min = 0x80;
            } else if (lead >= 0xe0 && lead <= 0xef) {
                length = 3;
                min = lead == 0xe0 ? 0xa0 : 0x80; // no overlong forms
                max = lead == 0xed ? 0x9f : 0xbf; // no surrogates
            } else if (lead >= 0xf0 && lead <= 0xf4) {
                length = 4;
                min = lead == 0xf0 ? 0x90 : 0x80;
                max = lead == 0xf4 ? 0x8f : 0xbf; // nothing past U+10FFFF
            } else {
                length = 0;
                min = 0;
            }
            if (length == 0 || i + length > n || (b[i + 1] & 0xff) < min || (b[i + 1] & 0xff) > max
                    || (length > 2 && (b[i + 2] & 0xc0) != 0x80) || (length > 3 && (b[i + 3] & 0xc0) != 0x80)) {
                throw notUtf8(b);
            }
            i += length;
            chars++;
        }
        return chars;
    }

    private static BadValue notUtf8(byte[] b) {
        return new BadValue("is not valid UTF-8 (PostgreSQL's text must be); re-encode it in SQLite or make the"
                + " column bytea", b);
    }
}
