package dev.botdb.backup;

import dev.botdb.BotDbException;
import dev.botdb.ErrorCode;
import java.nio.file.Path;
import java.util.Map;
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

    /**
     * BACKUP_DIR (default {@code backups} in the working folder) with the default jobs and level.
     *
     * @throws BotDbException ({@link ErrorCode#CONFIG_INVALID}) when BACKUP_DIR is set but empty
     */
    public static BackupSettings fromEnv(Map<String, String> env) {
        String dir = env.get("BACKUP_DIR");
        if (dir != null && dir.isBlank()) {
            // an unset ${BACKUP_DIR} in a compose file: the current folder is nobody's intended backups folder
            throw new BotDbException(ErrorCode.CONFIG_INVALID, "BACKUP_DIR is set but empty. Name the backups folder"
                    + " (BACKUP_DIR=/var/backups/bot), or unset it for the default, ./backups.");
        }
        return of(Path.of(dir == null ? "backups" : dir));
    }

    /** The same settings with {@code jobs} tables copied at once. */
    public BackupSettings withJobs(int jobs) {
        return new BackupSettings(directory, jobs, zstdLevel);
    }

    /** Defaults with backups in {@code directory}. */
    public static BackupSettings of(Path directory) {
        return new BackupSettings(directory, DEFAULT_JOBS, DEFAULT_ZSTD_LEVEL);
    }
}
