package dev.botdb.backup;

import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.Optional;

/**
 * One file in the backups folder, as {@code botdb backup list} shows it.
 *
 * @param file       the file
 * @param kind       {@code botdb}, {@code pg_dump}, {@code sql} (a {@code .sql} or {@code .sql.gz} file
 *                   pg_dump wrote: restorable, not verifiable by botdb), {@code incomplete} (an interrupted
 *                   backup's {@code .partial}, never used), {@code damaged}, {@code other} (a {@code .sql}
 *                   file that is not pg_dump's: listed, never pruned), or {@code archive} (an archive file of
 *                   {@code botdb archive --to}: rows moved out of the database, listed, never pruned)
 * @param bytes      its size
 * @param createdAt  when the backup was taken (the file's time for pg_dump files)
 * @param encrypted  whether it needs BACKUP_ENCRYPTION_KEY
 * @param tables     tables in it, or -1 when unknown (pg_dump files, encrypted without the key)
 * @param rows       rows in it, or -1 when unknown
 * @param verified   the last verification, if any
 * @param problem    for damaged files, what is wrong
 * @param only       for a backup of chosen tables ({@code backup --table}), those tables; empty for a whole database
 */
public record BackupInfo(Path file, String kind, long bytes, Instant createdAt, boolean encrypted, int tables, long rows,
                         Optional<Verification> verified, String problem, List<String> only) {
    public BackupInfo {
        only = List.copyOf(only);
    }

    /** A file that is not a backup of chosen tables. */
    public BackupInfo(Path file, String kind, long bytes, Instant createdAt, boolean encrypted, int tables, long rows,
                      Optional<Verification> verified, String problem) {
        this(file, kind, bytes, createdAt, encrypted, tables, rows, verified, problem, List.of());
    }

    /** True for a complete backup botdb can restore; {@code prune} applies its policy to these only. */
    public boolean usable() {
        return kind.equals("botdb") || kind.equals("pg_dump") || kind.equals("sql");
    }

    /** Verified and the verification found nothing wrong. */
    public boolean verifiedOk() {
        return verified.map(Verification::ok).orElse(false);
    }
}
