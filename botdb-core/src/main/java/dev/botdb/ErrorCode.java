package dev.botdb;

/**
 * What kind of failure a {@link BotDbException} reports. Each code has a fixed process exit
 * code, documented in the README, so scripts and health checks can tell failures apart.
 */
public enum ErrorCode {
    /** A bug or an unexpected failure; the message says what happened. */
    INTERNAL(1),
    /** A bad command line: unknown option, missing argument. */
    USAGE(2),
    /** A bad DATABASE_URL, variable or flag value, or variables that contradict each other. */
    CONFIG_INVALID(3),
    /** The server could not be reached: refused, unresolvable host, timeout, SSL negotiation. */
    CONNECTION_FAILED(4),
    /** The server rejected the user name or password. */
    AUTH_FAILED(5),
    /** The server is up but the configured database does not exist. */
    DATABASE_MISSING(6),
    /** An unencrypted connection to a remote host was refused under BOTDB_ENV=production. */
    INSECURE_CONNECTION(7),
    /** {@code botdb wait} gave up: the database did not accept a query within the timeout. */
    WAIT_TIMEOUT(8),
    /** The embedded PostgreSQL could not be started or its data folder cannot be used. */
    EMBEDDED_FAILED(9),
    /**
     * A migration file cannot be used as it is: unterminated string or dollar quote, psql
     * meta-command, duplicate version, empty or non-UTF-8 file, missing directory.
     */
    MIGRATION_INVALID(10),
    /** A migration statement failed on the server; the file was rolled back (or, outside a transaction, recorded). */
    MIGRATION_FAILED(11),
    /** {@code botdb status}: some migrations are not applied yet. */
    MIGRATIONS_PENDING(12),
    /**
     * An applied migration's file changed, disappeared, or failed part way outside a transaction;
     * {@code status} and {@code validate} report it; {@code migrate} stops on a changed or failed file
     * and only warns about a deleted one (adopted histories record rows with no file).
     */
    MIGRATION_DRIFT(13),
    /** A backup could not be written (server error, disk full, lost connection); no complete-looking file was left. */
    BACKUP_FAILED(14),
    /** A file is not a usable backup: corrupt, truncated, tampered with, unknown format, or the wrong key. */
    BACKUP_INVALID(15),
    /** A restore was refused before touching anything: the target holds data and --force was not given. */
    RESTORE_REFUSED(16),
    /** pg_dump, pg_restore or psql is needed but not installed, or its version cannot handle the server or file. */
    TOOL_MISSING(17),
    /**
     * {@code botdb maintain} or {@code botdb tune --apply} did not do all it was asked: a table was skipped (lock not
     * granted), timed out, not permitted or failed; an idle session could not be ended; integrity_check found damage;
     * or the server refused ALTER SYSTEM.
     */
    MAINTENANCE_INCOMPLETE(18),
    /**
     * The role lacks a privilege the command needs: {@code provision} without CREATEDB / CREATEROLE, or
     * {@code doctor} finding that the migration role cannot create objects in the application's schema.
     */
    PERMISSION_DENIED(19),
    /** {@code botdb inspect} or {@code botdb doctor} found at least one problem; the report says which and what to do. */
    PROBLEMS_FOUND(20),
    /** The statement given to {@code botdb sql} failed; the message is the server's, with its SQLSTATE. */
    SQL_FAILED(21),
    /** {@code botdb transfer}: the source is missing, not a SQLite database, or fails SQLite's quick_check. */
    TRANSFER_SOURCE_INVALID(22),
    /**
     * {@code botdb transfer} refused before writing anything: the target is SQLite, its tables already hold rows
     * (without --truncate), or a source table or column has no place on the target; the message lists the fixes.
     */
    TRANSFER_REFUSED(23),
    /**
     * {@code botdb transfer} failed and was rolled back, leaving the target as it was: a value that cannot be
     * converted, a constraint the rows break, a lost connection, or the check after loading found a difference.
     */
    TRANSFER_FAILED(24),
    /** {@code botdb transfer --on-bad-row skip} committed, but left rows out; they are in the rejects file. */
    TRANSFER_ROWS_SKIPPED(25),
    /**
     * {@code botdb export} wrote nothing: the file exists (without --force), the table, a column or the query is
     * unknown or fails, or the file cannot be written; no partial file is left under the final name.
     */
    EXPORT_FAILED(26),
    /**
     * {@code botdb import} refused before sending a row: the file is missing, not UTF-8, or its header does not
     * match the table's columns (the message lists them).
     */
    IMPORT_REFUSED(27),
    /** {@code botdb import} failed and was rolled back: a row the table does not take (file line, column, value, reason). */
    IMPORT_FAILED(28),
    /** {@code botdb archive} refused before moving a row: other tables' foreign keys still reference rows it would move. */
    ARCHIVE_REFUSED(29),
    /**
     * {@code botdb archive} stopped part way (server error, lost connection): the batches before are complete, the
     * current one was rolled back; running it again carries on.
     */
    ARCHIVE_FAILED(30);

    private final int exitCode;

    ErrorCode(int exitCode) {
        this.exitCode = exitCode;
    }

    /** The process exit code the CLI uses for this failure. */
    public int exitCode() {
        return exitCode;
    }
}
