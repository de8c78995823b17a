package dev.botdb.transfer;

import java.nio.file.Path;
import java.util.List;
import java.util.Optional;

/**
 * A transfer that committed: per table, rows copied and left out and the check's verdict; the sequences moved;
 * the safety backup taken before --truncate.
 *
 * @param plan         what was planned
 * @param tables       per table, in load order
 * @param sequences    {@code sequence = value} for each identity or serial sequence set past the loaded keys
 * @param safetyBackup the backup of the target's tables taken before they were emptied
 * @param rejects      the CSV file holding the rows left out, when any were
 * @param millis       how long the transfer took
 */
public record TransferResult(TransferPlan plan, List<TableResult> tables, List<String> sequences,
                             Optional<Path> safetyBackup, Optional<Path> rejects, long millis) {
    /**
     * One table: rows read from SQLite, rows written, rows left out (bad values, written to the rejects file),
     * and the row count and hash of the converted values on both sides.
     */
    public record TableResult(String source, String target, long read, long written, long rejected,
                              String sourceHash, String targetHash) {
        public boolean matches() {
            return sourceHash.equals(targetHash);
        }
    }

    public long rows() {
        return tables.stream().mapToLong(TableResult::written).sum();
    }

    public long rejected() {
        return tables.stream().mapToLong(TableResult::rejected).sum();
    }
}
