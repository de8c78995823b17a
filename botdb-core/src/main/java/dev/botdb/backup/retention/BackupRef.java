package dev.botdb.backup.retention;

import java.time.Instant;
import java.util.Objects;

/**
 * One complete backup, as retention sees it. Incomplete or invalid files ({@code .partial}, a
 * failed checksum) are not backups: the caller leaves them out.
 *
 * @param name      the file name, shown in the plan
 * @param createdAt when the backup was taken (from its manifest, not the file's mtime)
 * @param verified  true when {@code botdb backup verify} restored it successfully
 */
public record BackupRef(String name, Instant createdAt, boolean verified) {

    public BackupRef {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(createdAt, "createdAt");
    }
}
