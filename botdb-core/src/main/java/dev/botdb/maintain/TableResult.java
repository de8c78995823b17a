package dev.botdb.maintain;

import dev.botdb.text.Human;
import java.time.Duration;

/**
 * What happened to one table (or, for SQLite's whole-file operations, the database file).
 *
 * @param table          the table as the operator would write it ({@code users}, {@code bot.users})
 * @param status         done, or why not
 * @param duration       how long it took, lock waits included
 * @param detail         for the operator: the figures when done, the reason otherwise
 * @param deadRowsBefore VACUUM: dead rows counted by the statistics before; null when not measured
 * @param deadRowsAfter  VACUUM: dead rows after (those an older open transaction may still see)
 * @param bytesBefore    VACUUM: the table's size; VACUUM FULL: with indexes and TOAST; REINDEX: its indexes';
 *                       SQLite: the file's; null when not measured
 * @param bytesAfter     the same size afterwards
 */
public record TableResult(String table, Status status, Duration duration, String detail, Long deadRowsBefore,
                          Long deadRowsAfter, Long bytesBefore, Long bytesAfter) {

    /** The outcome for one table. */
    public enum Status {
        /** The operation ran to the end. */
        DONE,
        /** The lock was not granted within the lock timeout: another session holds it. Nothing was changed. */
        SKIPPED,
        /** The statement ran longer than the statement timeout and was cancelled. */
        TIMED_OUT,
        /** The connected role may not do this to the table. */
        NOT_PERMITTED,
        /** Any other error, or a problem found (SQLite integrity_check). */
        FAILED
    }

    static TableResult of(String table, Status status, Duration duration, String detail) {
        return new TableResult(table, status, duration, detail, null, null, null, null);
    }

    /** One line: {@code users: done in 0.12 s: dead rows 1,000 -> 0, ...} or {@code users: skipped, ...}. */
    public String describe() {
        return switch (status) {
            case DONE -> table + ": done in " + Human.elapsed(duration) + (detail.isEmpty() ? "" : ": " + detail);
            case SKIPPED -> table + ": skipped, " + detail;
            case TIMED_OUT -> table + ": timed out, " + detail;
            case NOT_PERMITTED -> table + ": not permitted, " + detail;
            case FAILED -> table + ": failed, " + detail;
        };
    }
}
