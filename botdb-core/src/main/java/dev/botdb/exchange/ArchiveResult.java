package dev.botdb.exchange;

/**
 * An archive run: rows and bytes moved, in how many batches, and the rows that were left (0 when done).
 *
 * @param created whether the archive table was created by this run
 */
public record ArchiveResult(long rows, long bytes, int batches, long remaining, boolean created, boolean dryRun,
                            long millis) {
}
