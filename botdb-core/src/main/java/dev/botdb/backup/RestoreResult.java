package dev.botdb.backup;

import java.nio.file.Path;
import java.util.Optional;

/**
 * A finished restore.
 *
 * @param tables        tables loaded
 * @param rows          rows loaded
 * @param createdDatabase  true when the target database was created for it
 * @param safetyBackup  the backup of what the target held before ({@code --force}), if one was taken
 * @param millis        how long it took
 */
public record RestoreResult(int tables, long rows, boolean createdDatabase, Optional<Path> safetyBackup, long millis) {
}
