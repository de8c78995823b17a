package dev.botdb.backup.external;

import dev.botdb.BotDbException;
import dev.botdb.ErrorCode;
import java.io.BufferedInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.DateTimeException;
import java.time.LocalDateTime;
import java.util.Optional;

/**
 * The header at the start of a {@code pg_dump} archive (custom format, and the {@code toc.dat} of
 * the directory and tar formats), read the way pg_restore reads it ({@code ReadHead} in
 * PostgreSQL's {@code src/bin/pg_dump/pg_backup_archiver.c}):
 *
 * <pre>
 * "PGDMP"                       5 bytes
 * major, minor, revision        1 byte each: the archive format version, e.g. 1.14.0
 * intSize, offSize, format      1 byte each (format 1 = custom, 3 = tar, 5 = directory)
 * compression                   archive 1.15 and later: 1 byte (0 none, 1 gzip, 2 lz4, 3 zstd);
 *                               before: an int, the zlib level (-1 default, 0 none)
 * created: sec, min, hour,      7 ints, the dumping machine's local time (struct tm)
 *   day, month, year, isdst
 * database name, server         3 strings (an int length, -1 for none, then the bytes)
 *   version, pg_dump version
 * </pre>
 * An int is a sign byte followed by {@code intSize} bytes, least significant first.
 *
 * <p>pg_restore refuses an archive whose format version is newer than the one its own release
 * writes ({@code K_VERS_MAX}: same minor, any revision), so the format version decides which
 * pg_restore can read a file:
 *
 * <table>
 * <caption>archive format versions and the pg_dump releases that write them</caption>
 * <tr><th>archive</th><th>written by pg_dump</th><th>read by pg_restore</th></tr>
 * <tr><td>1.12</td><td>9.0 to 10 (before the 2018 search_path fix)</td><td>9.0 and later</td></tr>
 * <tr><td>1.13</td><td>11 (and 9.3 to 10 since that fix)</td><td>11 and later</td></tr>
 * <tr><td>1.14</td><td>12 to 15 (adds table access methods)</td><td>12 and later</td></tr>
 * <tr><td>1.15</td><td>16 (compression algorithm in the header)</td><td>16 and later</td></tr>
 * <tr><td>1.16</td><td>17 and 18 (large object metadata, relkind)</td><td>17 and later</td></tr>
 * </table>
 *
 * @param formatMajor   archive format major version (1)
 * @param formatMinor   archive format minor version (14 for pg_dump 12 to 15)
 * @param formatRev     archive format revision (0 so far)
 * @param format        1 custom, 3 tar, 5 directory
 * @param compression   {@code none}, {@code gzip}, {@code lz4}, {@code zstd}, or {@code gzip level N}
 * @param created       when the dump started, in the dumping machine's local time; null if unreadable
 * @param database      the dumped database's name, or null
 * @param serverVersion the dumped server's version as it reported it, e.g. {@code 15.19}, or null
 * @param pgDumpVersion the version of the pg_dump that wrote the file, e.g. {@code 17.2}, or null
 */
public record PgArchiveHeader(int formatMajor, int formatMinor, int formatRev, int format, String compression,
                              LocalDateTime created, String database, String serverVersion,
                              String pgDumpVersion) {

    /** The magic string every pg_dump archive starts with. */
    static final byte[] MAGIC = "PGDMP".getBytes(StandardCharsets.US_ASCII);
    /** {@code archCustom} in pg_backup.h: {@code pg_dump -Fc}. */
    public static final int FORMAT_CUSTOM = 1;
    /** {@code archTar}: {@code pg_dump -Ft}. */
    public static final int FORMAT_TAR = 3;
    /** {@code archDirectory}: {@code pg_dump -Fd}. */
    public static final int FORMAT_DIRECTORY = 5;
    /** The newest pg_restore release whose limit botdb knows; newer ones are assumed to read everything known. */
    static final int NEWEST_KNOWN_RELEASE = 18;
    private static final int MAX_STRING = 1024;

    /**
     * Reads the header of {@code file}.
     *
     * @throws BotDbException {@link ErrorCode#BACKUP_INVALID} when the file is not a pg_dump archive
     *                        or ends inside its header
     */
    public static PgArchiveHeader read(Path file) {
        try (InputStream in = new BufferedInputStream(Files.newInputStream(file))) {
            return read(in, file.toString());
        } catch (EOFException e) {
            throw new BotDbException(ErrorCode.BACKUP_INVALID, file + " is truncated: it ends inside the pg_dump"
                    + " archive header, so nothing in it can be restored.", e);
        } catch (IOException e) {
            throw new BotDbException(ErrorCode.BACKUP_INVALID, "Could not read " + file + ": " + e.getMessage(), e);
        }
    }

    /** Reads a header from {@code in}; {@code name} is for messages. */
    static PgArchiveHeader read(InputStream in, String name) throws IOException {
        byte[] magic = in.readNBytes(MAGIC.length);
        if (magic.length < MAGIC.length || !java.util.Arrays.equals(magic, MAGIC)) {
            throw new BotDbException(ErrorCode.BACKUP_INVALID, name + " is not a pg_dump archive: it does not start"
                    + " with PGDMP (pg_dump -Fc writes that).");
        }
        Reader r = new Reader(in);
        int major = r.u8();
        int minor = r.u8();
        int rev = major > 1 || (major == 1 && minor > 0) ? r.u8() : 0;
        r.intSize = r.u8();
        if (r.intSize < 1 || r.intSize > 32) {
            throw new BotDbException(ErrorCode.BACKUP_INVALID, name + " has a corrupt pg_dump header (integer size "
                    + r.intSize + ").");
        }
        if (major > 1 || minor >= 7) {
            r.u8(); // offSize
        }
        int format = r.u8();
        String compression;
        if (major > 1 || minor >= 15) {
            int algorithm = r.u8();
            compression = switch (algorithm) {
                case 0 -> "none";
                case 1 -> "gzip";
                case 2 -> "lz4";
                case 3 -> "zstd";
                default -> "unknown (" + algorithm + ")";
            };
        } else if (minor >= 2) {
            int level = r.int32();
            compression = level == 0 ? "none" : level < 0 ? "gzip" : "gzip level " + level;
        } else {
            compression = "gzip";
        }
        LocalDateTime created = null;
        String database = null;
        String server = null;
        String dumper = null;
        if (major > 1 || minor >= 4) {
            int sec = r.int32();
            int min = r.int32();
            int hour = r.int32();
            int day = r.int32();
            int month = r.int32();
            int year = r.int32();
            r.int32(); // isdst
            created = localDateTime(year + 1900, month + 1, day, hour, min, sec);
            database = r.string();
        }
        if (major > 1 || minor >= 10) {
            server = r.string();
            dumper = r.string();
        }
        return new PgArchiveHeader(major, minor, rev, format, compression, created, database, server, dumper);
    }

    private static LocalDateTime localDateTime(int year, int month, int day, int hour, int min, int sec) {
        try {
            return LocalDateTime.of(year, month, day, hour, min, Math.min(sec, 59));
        } catch (DateTimeException e) {
            return null;
        }
    }

    /** The archive format version, e.g. {@code 1.14} (or {@code 1.14.1} when the revision is not 0). */
    public String formatVersion() {
        return formatMajor + "." + formatMinor + (formatRev == 0 ? "" : "." + formatRev);
    }

    /** The pg_dump releases that write this archive format version, e.g. {@code pg_dump 12 to 15}. */
    public String writers() {
        if (formatMajor != 1) {
            return "an unknown pg_dump release";
        }
        return switch (formatMinor) {
            case 16 -> "pg_dump 17 and later";
            case 15 -> "pg_dump 16";
            case 14 -> "pg_dump 12 to 15";
            case 13 -> "pg_dump 11 (or 9.3 to 10, 2018 and later)";
            case 12 -> "pg_dump 9.0 to 10";
            default -> formatMinor < 12 ? "pg_dump 8.4 or older" : "a pg_dump newer than " + NEWEST_KNOWN_RELEASE;
        };
    }

    /**
     * The newest archive format minor version (of format 1) that pg_restore {@code pgRestoreMajor}
     * reads, or empty when that release is newer than botdb knows (then let pg_restore decide).
     */
    static Optional<Integer> newestReadableMinor(int pgRestoreMajor) {
        if (pgRestoreMajor > NEWEST_KNOWN_RELEASE) {
            return Optional.empty();
        }
        if (pgRestoreMajor >= 17) {
            return Optional.of(16);
        }
        if (pgRestoreMajor == 16) {
            return Optional.of(15);
        }
        if (pgRestoreMajor >= 12) {
            return Optional.of(14);
        }
        return Optional.of(pgRestoreMajor == 11 ? 13 : 12);
    }

    /** True when pg_restore of version {@code pgRestore} can read this archive's format version. */
    public boolean readableBy(ToolVersion pgRestore) {
        if (formatMajor != 1) {
            return false;
        }
        return newestReadableMinor(pgRestore.major()).map(max -> formatMinor <= max).orElse(true);
    }

    /**
     * The oldest PostgreSQL client major whose pg_restore reads this file: the major of the
     * pg_dump that wrote it when the header names it, otherwise the first release that reads its
     * format version.
     */
    public int requiredClientMajor() {
        Optional<ToolVersion> dumper = ToolVersion.parse(pgDumpVersion);
        if (dumper.isPresent() && dumper.get().major() >= 10) {
            return dumper.get().major();
        }
        return switch (formatMinor) {
            case 16 -> 17;
            case 15 -> 16;
            case 14 -> 12;
            case 13 -> 11;
            default -> formatMinor > 16 ? NEWEST_KNOWN_RELEASE + 1 : 10;
        };
    }

    /** The format's name as pg_dump's {@code -F} option spells it. */
    public String formatName() {
        return switch (format) {
            case FORMAT_CUSTOM -> "custom (-Fc)";
            case FORMAT_TAR -> "tar (-Ft)";
            case FORMAT_DIRECTORY -> "directory (-Fd)";
            default -> "unknown format " + format;
        };
    }

    /** Reads pg_dump's integers and strings. */
    private static final class Reader {
        private final InputStream in;
        int intSize = 4;

        Reader(InputStream in) {
            this.in = in;
        }

        int u8() throws IOException {
            int b = in.read();
            if (b < 0) {
                throw new EOFException();
            }
            return b;
        }

        /** pg_dump's ReadInt: a sign byte, then intSize bytes, least significant first. */
        int int32() throws IOException {
            boolean negative = u8() != 0;
            long value = 0;
            for (int i = 0; i < intSize; i++) {
                long b = u8();
                if (i < 4) {
                    value |= b << (8 * i);
                }
            }
            return (int) (negative ? -value : value);
        }

        String string() throws IOException {
            int length = int32();
            if (length < 0) {
                return null;
            }
            if (length > MAX_STRING) {
                throw new IOException("a header string of " + length + " bytes; the header is corrupt");
            }
            byte[] bytes = in.readNBytes(length);
            if (bytes.length < length) {
                throw new EOFException();
            }
            return new String(bytes, StandardCharsets.UTF_8);
        }
    }
}
