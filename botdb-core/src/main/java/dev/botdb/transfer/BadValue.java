package dev.botdb.transfer;

/** A source value its target column's type cannot take; {@link TableLoad} adds the table, row and column. */
final class BadValue extends Exception {
    private final String value;
    private final String raw;

    BadValue(String reason, Object value) {
        super(reason, null, false, false);
        this.value = preview(value);
        this.raw = value instanceof byte[] b ? "\\x" + java.util.HexFormat.of().formatHex(b) : String.valueOf(value);
    }

    /** The whole value as text (a BLOB as {@code \\x} hex), for the rejects file. */
    String raw() {
        return raw;
    }

    /** The value as a message shows it: text quoted and shortened, bytes as hex, numbers as they are. */
    String value() {
        return value;
    }

    static String preview(Object v) {
        if (v == null) {
            return "NULL";
        }
        if (v instanceof byte[] b) {
            String hex = java.util.HexFormat.of().formatHex(b, 0, Math.min(b.length, 24));
            return "x'" + hex + (b.length > 24 ? "…' (" + b.length + " bytes)" : "'");
        }
        if (v instanceof String s) {
            String shown = s.length() > 60 ? s.substring(0, 59) + "…" : s;
            return "'" + shown.replace("\0", "\\0").replace("\n", "\\n") + "'";
        }
        return v.toString();
    }
}
