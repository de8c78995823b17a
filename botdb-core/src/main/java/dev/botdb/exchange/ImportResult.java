package dev.botdb.exchange;

import java.nio.file.Path;
import java.util.List;
import java.util.Optional;

/**
 * An import that completed (or, with --dry-run, was checked and rolled back).
 *
 * @param rows         rows read from the file
 * @param inserted     rows inserted
 * @param updated      rows updated (--upsert-on)
 * @param sequences    {@code sequence = value} for each identity or serial sequence moved past the imported keys
 * @param safetyBackup the backup taken before --truncate
 * @param dryRun       nothing was kept
 * @param millis       time taken
 */
public record ImportResult(long rows, long inserted, long updated, List<String> sequences,
                           Optional<Path> safetyBackup, boolean dryRun, long millis) {
}
