package dev.botdb.migrate;

import java.time.Duration;
import java.util.List;

/**
 * What {@link Migrator#migrate()} did.
 *
 * @param found    migration files found for this engine
 * @param applied  versions applied by this run, in order
 * @param skipped  files already applied before this run
 * @param duration wall time including waiting for the lock
 */
public record MigrationResult(int found, List<String> applied, int skipped, Duration duration) {

    public MigrationResult {
        applied = List.copyOf(applied);
    }

    /** The Alita log line, with the duration added: {@code Migration complete - Applied: 5, Skipped: 10 (0.41 s)}. */
    public String summary() {
        return String.format(java.util.Locale.ROOT, "Migration complete - Applied: %d, Skipped: %d (%.2f s)",
                applied.size(), skipped, duration.toMillis() / 1000.0);
    }
}
