package dev.botdb.backup.external;

import dev.botdb.BotDbException;
import dev.botdb.ErrorCode;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.zip.GZIPInputStream;

/**
 * What kind of backup a file is, told by its first bytes, never by its name: operators name
 * files {@code backup.sql}, {@code backup.dump}, {@code backup.sql.gz} as the reference scripts do,
 * and sometimes name them wrong.
 *
 * <pre>{@code
 * switch (FileKind.requireRestorable(file, null)) {
 *     case PLAIN_SQL, GZIP_SQL -> tools.restorePlainSql(target, file);
 *     case PG_DUMP_CUSTOM -> tools.restoreCustomFormat(target, file, List.of(), 1);
 *     default -> ...
 * }
 * }</pre>
 */
public enum FileKind {
    /** Plain SQL text, e.g. {@code pg_dump db > backup.sql}; restored with psql. */
    PLAIN_SQL("plain SQL"),
    /** Gzip-compressed SQL text, e.g. {@code pg_dump db | gzip > backup.sql.gz}; restored with psql. */
    GZIP_SQL("gzip-compressed SQL"),
    /** A {@code pg_dump -Fc} archive (starts with {@code PGDMP}); restored with pg_restore. */
    PG_DUMP_CUSTOM("pg_dump custom-format archive (-Fc)"),
    /** A {@code pg_dump -Fc} archive compressed again with gzip; refused: gunzip it first. */
    GZIP_PG_DUMP_CUSTOM("gzip-compressed pg_dump custom-format archive"),
    /** A {@code pg_dump -Fd} folder (or its {@code toc.dat}); refused. */
    PG_DUMP_DIRECTORY("pg_dump directory-format archive (-Fd)"),
    /** A {@code pg_dump -Ft} tar file; refused. */
    PG_DUMP_TAR("pg_dump tar-format archive (-Ft)"),
    /** A file written by {@code botdb backup}; recognised when the archive's magic bytes are passed in. */
    BOTDB_ARCHIVE("botdb archive"),
    /** None of the above. */
    UNKNOWN("unknown");

    /** How much of a file is looked at. */
    private static final int SAMPLE = 64 * 1024;
    private static final byte[] GZIP_MAGIC = {(byte) 0x1f, (byte) 0x8b};
    private static final int TAR_MAGIC_OFFSET = 257;
    private static final String EXPECTED = "Expected one of: a botdb archive (botdb backup), plain SQL (pg_dump db >"
            + " backup.sql), gzip-compressed SQL (pg_dump db | gzip > backup.sql.gz), or a pg_dump custom-format"
            + " archive (pg_dump -Fc, starting with the bytes PGDMP).";

    private final String description;

    FileKind(String description) {
        this.description = description;
    }

    /** What the kind is, in words: {@code gzip-compressed SQL}. */
    public String description() {
        return description;
    }

    /** True for the kinds botdb restores: SQL, gzip SQL, pg_dump -Fc and botdb archives. */
    public boolean restorable() {
        return this == PLAIN_SQL || this == GZIP_SQL || this == PG_DUMP_CUSTOM || this == BOTDB_ARCHIVE;
    }

    /** {@link #detect(Path, byte[])} without botdb archives. */
    public static FileKind detect(Path file) {
        return detect(file, null);
    }

    /**
     * The kind of {@code file}, from its content.
     *
     * @param botdbMagic the bytes a botdb archive starts with, or null to not recognise those
     * @throws BotDbException {@link ErrorCode#BACKUP_INVALID} when the file cannot be read
     */
    public static FileKind detect(Path file, byte[] botdbMagic) {
        if (Files.isDirectory(file)) {
            return Files.isRegularFile(file.resolve("toc.dat")) ? PG_DUMP_DIRECTORY : UNKNOWN;
        }
        byte[] sample = sample(file);
        if (botdbMagic != null && botdbMagic.length > 0 && startsWith(sample, botdbMagic)) {
            return BOTDB_ARCHIVE;
        }
        if (startsWith(sample, PgArchiveHeader.MAGIC)) {
            return pgDumpKind(sample);
        }
        if (startsWith(sample, GZIP_MAGIC)) {
            byte[] inner = gunzipSample(sample);
            if (startsWith(inner, PgArchiveHeader.MAGIC)) {
                return GZIP_PG_DUMP_CUSTOM;
            }
            return looksLikeText(inner) ? GZIP_SQL : UNKNOWN;
        }
        if (isPgDumpTar(sample)) {
            return PG_DUMP_TAR;
        }
        return looksLikeText(sample) ? PLAIN_SQL : UNKNOWN;
    }

    /**
     * Whether {@code file} is SQL text written by pg_dump or pg_dumpall (plain or gzip-compressed): it
     * starts with their {@code -- PostgreSQL database dump} header. A backups folder's other SQL files
     * (a schema, a script) are not backups, and {@code backup prune} must never delete them.
     */
    public static boolean isPgDumpSql(Path file) {
        byte[] sample = sample(file);
        byte[] text = startsWith(sample, GZIP_MAGIC) ? gunzipSample(sample) : sample;
        String head = new String(text, 0, Math.min(text.length, 256), StandardCharsets.UTF_8);
        return head.startsWith("--") && head.contains("-- PostgreSQL database");
    }

    /**
     * The kind of {@code file} when botdb can restore it; otherwise an error that says what the
     * file is and what to do with it.
     *
     * @throws BotDbException {@link ErrorCode#BACKUP_INVALID} for refused and unknown files
     */
    public static FileKind requireRestorable(Path file, byte[] botdbMagic) {
        FileKind kind = detect(file, botdbMagic);
        if (kind.restorable()) {
            return kind;
        }
        String asPlainSql = " Restore it with pg_restore directly (pg_restore --exit-on-error -d DATABASE " + file
                + "), or turn it into plain SQL that botdb restores: pg_restore -f backup.sql " + file + ".";
        String message = switch (kind) {
            case PG_DUMP_DIRECTORY -> file + " is a pg_dump directory-format archive (-Fd); botdb restores only"
                    + " custom-format archives (-Fc), plain SQL and gzip-compressed SQL." + asPlainSql;
            case PG_DUMP_TAR -> file + " is a pg_dump tar-format archive (-Ft); botdb restores only custom-format"
                    + " archives (-Fc), plain SQL and gzip-compressed SQL." + asPlainSql;
            case GZIP_PG_DUMP_CUSTOM -> file + " is a pg_dump custom-format archive compressed again with gzip;"
                    + " pg_restore needs it uncompressed. Run: gunzip -k " + file + " and restore the file without .gz"
                    + " (custom-format archives are compressed inside already).";
            default -> unknownMessage(file);
        };
        throw new BotDbException(ErrorCode.BACKUP_INVALID, message);
    }

    private static String unknownMessage(Path file) {
        if (Files.isDirectory(file)) {
            return file + " is a folder without a toc.dat, not a backup. " + EXPECTED;
        }
        byte[] sample = sample(file);
        if (sample.length == 0) {
            return file + " is empty, not a backup: the backup that wrote it probably failed. " + EXPECTED;
        }
        byte[] first = Arrays.copyOf(sample, Math.min(8, sample.length));
        return file + " is not a backup botdb recognises (it starts with the bytes " + HexFormat.ofDelimiter(" ")
                .formatHex(first) + "). " + EXPECTED;
    }

    private static byte[] sample(Path file) {
        try (InputStream in = Files.newInputStream(file)) {
            return in.readNBytes(SAMPLE);
        } catch (java.nio.file.NoSuchFileException e) {
            throw new BotDbException(ErrorCode.BACKUP_INVALID, file + " does not exist. Check the path (relative to "
                    + Path.of("").toAbsolutePath() + "); botdb backup list shows the backups in BACKUP_DIR.", e);
        } catch (IOException e) {
            throw new BotDbException(ErrorCode.BACKUP_INVALID, "Could not read " + file + ": " + e.getMessage(), e);
        }
    }

    private static FileKind pgDumpKind(byte[] sample) {
        try {
            PgArchiveHeader h = PgArchiveHeader.read(new ByteArrayInputStream(sample), "file");
            return switch (h.format()) {
                case PgArchiveHeader.FORMAT_DIRECTORY -> PG_DUMP_DIRECTORY; // its toc.dat
                case PgArchiveHeader.FORMAT_TAR -> PG_DUMP_TAR;
                default -> PG_DUMP_CUSTOM;
            };
        } catch (IOException | BotDbException e) {
            // a truncated or damaged header is still meant to be a custom archive; restoring says what is wrong
            return PG_DUMP_CUSTOM;
        }
    }

    /** A tar file whose first member is pg_dump's {@code toc.dat}. */
    private static boolean isPgDumpTar(byte[] sample) {
        byte[] ustar = "ustar".getBytes(StandardCharsets.US_ASCII);
        if (sample.length < TAR_MAGIC_OFFSET + ustar.length
                || !Arrays.equals(sample, TAR_MAGIC_OFFSET, TAR_MAGIC_OFFSET + ustar.length, ustar, 0, ustar.length)) {
            return false;
        }
        byte[] name = "toc.dat\0".getBytes(StandardCharsets.US_ASCII);
        return startsWith(sample, name);
    }

    /** The start of the decompressed content, as far as the sample reaches. */
    private static byte[] gunzipSample(byte[] sample) {
        try (InputStream in = new GZIPInputStream(new ByteArrayInputStream(sample))) {
            byte[] out = new byte[SAMPLE];
            int n = 0;
            try {
                int r;
                while (n < out.length && (r = in.read(out, n, out.length - n)) > 0) {
                    n += r;
                }
            } catch (IOException endOfSample) {
                // the sample ends inside the compressed stream: what came out so far is enough
            }
            return Arrays.copyOf(out, n);
        } catch (IOException e) {
            return new byte[0];
        }
    }

    /**
     * Text without NUL bytes, nearly all printable: SQL in any ASCII-compatible encoding. An
     * empty sample is not text (an empty file is not a backup).
     */
    static boolean looksLikeText(byte[] sample) {
        if (sample.length == 0) {
            return false;
        }
        int control = 0;
        for (byte b : sample) {
            int c = b & 0xff;
            if (c == 0) {
                return false;
            }
            if (c < 0x20 && c != '\n' && c != '\r' && c != '\t' && c != '\f') {
                control++;
            }
        }
        return control * 100 <= sample.length; // at most 1 % odd control characters
    }

    private static boolean startsWith(byte[] data, byte[] prefix) {
        return data.length >= prefix.length && Arrays.equals(data, 0, prefix.length, prefix, 0, prefix.length);
    }
}
