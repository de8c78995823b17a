package dev.botdb.maintain;

import java.time.Duration;

/** A maintenance operation of {@code botdb maintain}. */
public enum Operation {
    /** Refresh the planner's statistics (PostgreSQL: SHARE UPDATE EXCLUSIVE lock; reads and writes continue). */
    ANALYZE("analyze", Duration.ofMinutes(10)),
    /** Make dead rows' space reusable (PostgreSQL: SHARE UPDATE EXCLUSIVE lock; reads and writes continue). */
    VACUUM("vacuum", Duration.ZERO),
    /** Rewrite each table compactly, returning space to the OS (PostgreSQL: ACCESS EXCLUSIVE lock: the table is unusable meanwhile). */
    VACUUM_FULL("vacuum-full", Duration.ZERO),
    /** Rebuild indexes (PostgreSQL 12+: CONCURRENTLY, so reads and writes continue). */
    REINDEX("reindex", Duration.ZERO),
    /** SQLite's PRAGMA integrity_check and foreign_key_check. */
    INTEGRITY("integrity", Duration.ZERO);

    private final String command;
    private final Duration defaultStatementTimeout;

    Operation(String command, Duration defaultStatementTimeout) {
        this.command = command;
        this.defaultStatementTimeout = defaultStatementTimeout;
    }

    /** The word after {@code botdb maintain}. */
    public String command() {
        return command;
    }

    /**
     * The statement timeout when none is given: none for VACUUM and REINDEX, whose work is lost
     * when cancelled, 10 minutes for ANALYZE, which only samples rows. The lock timeout applies
     * to every operation whatever this is.
     */
    public Duration defaultStatementTimeout() {
        return defaultStatementTimeout;
    }
}
