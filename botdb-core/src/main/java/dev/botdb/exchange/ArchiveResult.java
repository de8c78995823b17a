package dev.botdb.exchange;

/**
 * An archive run: rows and bytes moved, in how many batches, and the rows that were left (0 when done).
 *
 * @param created  whether the archive table was created by this run
 * @param children rows of referencing tables moved with them (--with-children), by child archive table
 */
public record ArchiveResult(long rows, long bytes, int batches, long remaining, boolean created, boolean dryRun,
                            long millis, java.util.Map<String, Long> children) {
    public ArchiveResult(long rows, long bytes, int batches, long remaining, boolean created, boolean dryRun, long millis) {
        this(rows, bytes, batches, remaining, created, dryRun, millis, java.util.Map.of());
    }
}
