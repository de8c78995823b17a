package dev.botdb.migrate;

import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.List;
import java.util.Objects;

/**
 * One migration as found on disk or on the class path. Immutable; its checksum is computed once
 * (every start compares 1,000 files with the history, and the digests are most of that work).
 */
public final class MigrationFile {
    private final String version;
    private final String fileName;
    private final List<BigInteger> order;
    private final String sql;
    private volatile String checksum;

    /**
     * @param version  the history key: the file name, as Alita's {@code schema_migrations} stores it
     *                 (for an engine variant such as {@code 004_flags.postgres.sql}, the name without
     *                 the engine part: {@code 004_flags.sql}, so both engines record the same version)
     * @param fileName the real file name, for messages
     * @param order    the numeric version parts used for ordering ({@code 20250805200527}, {@code 1},
     *                 or Flyway's {@code 1.2} as [1, 2])
     * @param sql      the file's text
     */
    public MigrationFile(String version, String fileName, List<BigInteger> order, String sql) {
        this.version = Objects.requireNonNull(version, "version");
        this.fileName = Objects.requireNonNull(fileName, "fileName");
        this.order = List.copyOf(order);
        this.sql = Objects.requireNonNull(sql, "sql");
    }

    public String version() {
        return version;
    }

    public String fileName() {
        return fileName;
    }

    public List<BigInteger> order() {
        return order;
    }

    public String sql() {
        return sql;
    }

    @Override
    public boolean equals(Object o) {
        return o == this || o instanceof MigrationFile f && version.equals(f.version) && fileName.equals(f.fileName)
                && order.equals(f.order) && sql.equals(f.sql);
    }

    @Override
    public int hashCode() {
        return Objects.hash(version, fileName, order, sql);
    }

    @Override
    public String toString() {
        return "MigrationFile[" + fileName + "]";
    }

    /** SHA-256 hex of the file's bytes, what Alita stores (computed only when botdb's own checksum differs). */
    public String rawSha256() {
        return sha256(sql.getBytes(StandardCharsets.UTF_8));
    }

    private static final java.util.regex.Pattern DBMATE_DOWN =
            java.util.regex.Pattern.compile("(?im)^[ \\t]*--[ \\t]*migrate:down\\b.*$");

    /**
     * The SQL that {@code migrate} runs: the whole file, or for a dbmate-style file the part
     * before its {@code -- migrate:down} line (the part after it is what undoes the migration).
     */
    public String upSql() {
        java.util.regex.Matcher m = DBMATE_DOWN.matcher(sql);
        return m.find() ? sql.substring(0, m.start()) : sql;
    }

    /** The {@code -- migrate:down} section of a dbmate-style file, if it has one. */
    public java.util.Optional<String> downSql() {
        java.util.regex.Matcher m = DBMATE_DOWN.matcher(sql);
        return m.find() ? java.util.Optional.of(sql.substring(m.end())) : java.util.Optional.empty();
    }

    /**
     * The checksum botdb stores: SHA-256 hex of the text with line endings made LF and trailing
     * whitespace removed from every line and from the end, so an editor or git turning LF into
     * CRLF, or trimming spaces, is not a change.
     */
    public String checksum() {
        String c = checksum;
        if (c == null) {
            c = normalizedChecksum(sql);
            checksum = c;
        }
        return c;
    }

    /** True when {@code stored} is this file's checksum, in botdb's or Alita's (raw bytes) form. */
    public boolean matches(String stored) {
        return stored == null || stored.isEmpty() || stored.equalsIgnoreCase(checksum())
                || stored.equalsIgnoreCase(rawSha256());
    }

    static String normalizedChecksum(String text) {
        return isAscii(text) ? asciiChecksum(text) : charsChecksum(text);
    }

    /** The general form of the normalisation, for any text (and the reference the ASCII form must equal). */
    static String charsChecksum(String text) {
        // one pass: CRLF and CR become LF, spaces and tabs before a line end and at the very end go
        StringBuilder sb = new StringBuilder(text.length());
        int pendingBlank = 0; // length of trailing whitespace not yet known to be inside a line
        for (int i = 0; i < text.length(); i++) {
            char ch = text.charAt(i);
            if (ch == '\r' || ch == '\n') {
                if (ch == '\r' && i + 1 < text.length() && text.charAt(i + 1) == '\n') {
                    i++;
                }
                sb.setLength(sb.length() - pendingBlank);
                pendingBlank = 0;
                sb.append('\n');
            } else if (Character.isWhitespace(ch)) {
                sb.append(ch);
                pendingBlank++;
            } else {
                sb.append(ch);
                pendingBlank = 0;
            }
        }
        int end = sb.length();
        while (end > 0 && Character.isWhitespace(sb.charAt(end - 1))) {
            end--;
        }
        sb.setLength(end);
        return sha256(sb.toString().getBytes(StandardCharsets.UTF_8));
    }

    private static boolean isAscii(String text) {
        for (int i = 0; i < text.length(); i++) {
            if (text.charAt(i) >= 0x80) {
                return false;
            }
        }
        return true;
    }

    /**
     * The same normalisation for pure ASCII text (nearly every migration), on bytes: the ASCII
     * characters {@link Character#isWhitespace} accepts are tab, LF, VT, FF, CR, 0x1C-0x1F and space.
     */
    static String asciiChecksum(String text) {
        int n = text.length();
        byte[] out = new byte[n];
        int len = 0;
        int pendingBlank = 0;
        for (int i = 0; i < n; i++) {
            char ch = text.charAt(i);
            if (ch == '\r' || ch == '\n') {
                if (ch == '\r' && i + 1 < n && text.charAt(i + 1) == '\n') {
                    i++;
                }
                len -= pendingBlank;
                pendingBlank = 0;
                out[len++] = '\n';
            } else if (ch == ' ' || ch == '\t' || ch == 0x0B || ch == '\f' || (ch >= 0x1C && ch <= 0x1F)) {
                out[len++] = (byte) ch;
                pendingBlank++;
            } else {
                out[len++] = (byte) ch;
                pendingBlank = 0;
            }
        }
        while (len > 0 && isAsciiWhitespace(out[len - 1])) {
            len--;
        }
        try {
            MessageDigest digest = MessageDigest.getInstance("SHA-256");
            digest.update(out, 0, len);
            return HexFormat.of().formatHex(digest.digest());
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every JVM has SHA-256", e);
        }
    }

    private static boolean isAsciiWhitespace(byte b) {
        return b == ' ' || b == '\t' || b == '\n' || b == 0x0B || b == '\f' || b == '\r' || (b >= 0x1C && b <= 0x1F);
    }

    static String sha256(byte[] bytes) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every JVM has SHA-256", e);
        }
    }
}
