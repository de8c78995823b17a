package dev.botdb.exchange;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Objects;

/**
 * What {@code botdb archive} moves, and where: an archive table ({@code toTable}) or an archive file
 * ({@code toFile}), exactly one of them.
 *
 * @param table     the live table
 * @param column    the date or timestamp column that says how old a row is
 * @param olderThan rows whose {@code column} is older than now minus this move
 * @param where     a further condition, or null
 * @param toTable   the archive table (created like {@code table} when missing), or null
 * @param batch     rows per transaction
 * @param dryRun    count what would move, move nothing
 * @param withChildren also move the rows of other tables whose foreign keys reference the rows that move (one
 *                     level; each into {@code CHILD} + the archive table's suffix, e.g. {@code entries_archive_2025},
 *                     or into the same archive file)
 * @param toFile    the archive file (created when missing, appended to otherwise; botdb's backup format), or null
 */
public record ArchiveRequest(String table, String column, Duration olderThan, String where, String toTable, int batch,
                             boolean dryRun, boolean withChildren, Path toFile) {
    public ArchiveRequest {
        Objects.requireNonNull(table, "table");
        Objects.requireNonNull(column, "column");
        Objects.requireNonNull(olderThan, "olderThan");
        if ((toTable == null) == (toFile == null)) {
            throw new IllegalArgumentException("give either an archive table or an archive file");
        }
        if (batch < 1) {
            throw new IllegalArgumentException("batch must be at least 1");
        }
    }

    /** Into an archive table. */
    public ArchiveRequest(String table, String column, Duration olderThan, String where, String toTable, int batch,
                          boolean dryRun, boolean withChildren) {
        this(table, column, olderThan, where, toTable, batch, dryRun, withChildren, null);
    }

    /** Into an archive table, without --with-children. */
    public ArchiveRequest(String table, String column, Duration olderThan, String where, String toTable, int batch,
                          boolean dryRun) {
        this(table, column, olderThan, where, toTable, batch, dryRun, false);
    }

    /** Where the rows go, for messages. */
    String destination() {
        return toFile != null ? toFile.toString() : toTable;
    }
}
