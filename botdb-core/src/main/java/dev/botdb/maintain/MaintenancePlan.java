package dev.botdb.maintain;

import java.util.List;

/**
 * What a locking operation is about to touch, for the confirmation prompt: {@code botdb maintain
 * vacuum-full} and database-wide {@code reindex} show it and wait for {@code yes}.
 *
 * @param operation what would run
 * @param database  where
 * @param tables    the tables it would touch, with their sizes
 * @param warning   what will be locked, for roughly how long, and what disk space it needs
 */
public record MaintenancePlan(Operation operation, String database, List<PlannedTable> tables, String warning) {
    public MaintenancePlan {
        tables = List.copyOf(tables);
    }

    /**
     * One table's share.
     *
     * @param table      as the operator writes it
     * @param tableBytes the table with its TOAST data
     * @param indexBytes its indexes
     * @param estimated  true when the sizes come from the catalog's last estimate (the table was locked)
     */
    public record PlannedTable(String table, long tableBytes, long indexBytes, boolean estimated) {
        public long totalBytes() {
            return tableBytes + indexBytes;
        }
    }
}
