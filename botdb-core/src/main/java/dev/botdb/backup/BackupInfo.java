package dev.botdb.backup;

import java.nio.file.Path;
import java.time.Instant;
import java.util.Optional;

/**
 * One file in the backups folder, as {@code botdb backup list} shows it.
 *
 * @param file       the file
 * @param kind       {@code botdb}, {@code pg_dump}, {@code incomplete} (an interrupted backup's
 *                   {@code .partial}, never used), or {@code damaged}
 * @param bytes      its size
 * @param createdAt  when the backup was taken (the file's time for pg_dump files)
 * @param encrypted  whether it needs BACKUP_ENCRYPTION_KEY
 * @param tables     tables in it, or -1 when unknown (pg_dump files, encrypted without the key)
 * @param rows       rows in it, or -1 when unknown
 * @param verified   the last verification, if any
 * @param problem    for damaged files, what is wrong
 */
public record BackupInfo(Path file, String kind, long bytes, Instant createdAt, boolean encrypted, int tables, long rows,
                         Optional<Verification> verified, String problem) {

    /** True for a complete archive botdb can restore. */
    public boolean usable() {
        return kind.equals("botdb") || kind.equals("pg_dump");
    }

    /** Verified and the verification found nothing wrong. */
    public boolean verifiedOk() {
        return verified.map(Verification::ok).orElse(false);
    }
}
