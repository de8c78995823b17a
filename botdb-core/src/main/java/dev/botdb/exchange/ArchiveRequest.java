package dev.botdb.exchange;

import java.time.Duration;
import java.util.Objects;

/**
 * What {@code botdb archive} moves.
 *
 * @param table     the live table
 * @param column    the date or timestamp column that says how old a row is
 * @param olderThan rows whose {@code column} is older than now minus this move
 * @param where     a further condition, or null
 * @param toTable   the archive table (created like {@code table} when missing)
 * @param batch     rows per transaction
 * @param dryRun    count what would move, move nothing
 * @param withChildren also move the rows of other tables whose foreign keys reference the rows that move (one
 *                     level; each into {@code CHILD} + the archive table's suffix, e.g. {@code entries_archive_2025})
 */
public record ArchiveRequest(String table, String column, Duration olderThan, String where, String toTable, int batch,
                             boolean dryRun, boolean withChildren) {
    public ArchiveRequest {
        Objects.requireNonNull(table, "table");
        Objects.requireNonNull(column, "column");
        Objects.requireNonNull(olderThan, "olderThan");
        Objects.requireNonNull(toTable, "toTable");
        if (batch < 1) {
            throw new IllegalArgumentException("batch must be at least 1");
        }
    }

    /** Without --with-children. */
    public ArchiveRequest(String table, String column, Duration olderThan, String where, String toTable, int batch,
                          boolean dryRun) {
        this(table, column, olderThan, where, toTable, batch, dryRun, false);
    }
}
