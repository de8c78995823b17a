package dev.botdb.migrate;

import java.sql.Timestamp;

/**
 * One line of {@code botdb status}.
 *
 * @param version    the history key (file name)
 * @param state      applied, pending, changed (applied, but the file differs), missing (applied,
 *                   but no file), or failed (a non-transactional file that stopped part way)
 * @param executedAt when it was applied, or null
 * @param durationMs how long it took, or null
 * @param detail     for changed: stored vs. on-disk checksums; for failed: the error; for applied:
 *                   null, or repair's note that the file changed and its new content never ran (kept
 *                   until a newer migration is applied)
 */
public record MigrationState(String version, State state, Timestamp executedAt, Long durationMs, String detail) {

    public enum State { APPLIED, PENDING, CHANGED, MISSING, FAILED }
}
