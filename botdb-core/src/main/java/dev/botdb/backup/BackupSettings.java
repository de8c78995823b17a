package dev.botdb.backup;

import java.nio.file.Path;
import java.util.Objects;

/**
 * How backups are made and kept.
 *
 * @param directory  where backups are written and listed (BACKUP_DIR, default {@code backups})
 * @param jobs       how many tables are copied (and, on restore, loaded and indexed) at once
 * @param zstdLevel  compression level (1-19; 3 compresses better than gzip -6 and several times faster)
 */
public record BackupSettings(Path directory, int jobs, int zstdLevel) {
    public static final int DEFAULT_JOBS = 2;
    public static final int DEFAULT_ZSTD_LEVEL = 3;

    public BackupSettings {
        Objects.requireNonNull(directory, "directory");
        if (jobs < 1 || jobs > 64) {
            throw new IllegalArgumentException("jobs must be 1-64, not " + jobs);
        }
    }

    /** Defaults with backups in {@code directory}. */
    public static BackupSettings of(Path directory) {
        return new BackupSettings(directory, DEFAULT_JOBS, DEFAULT_ZSTD_LEVEL);
    }
}
