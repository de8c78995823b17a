package dev.botdb.backup.external;

/** The three PostgreSQL client programs botdb can run for files in PostgreSQL's own formats. */
public enum Tool {
    /** Writes {@code pg_dump -Fc} archives ({@code botdb backup --format pg_dump}). */
    PG_DUMP("pg_dump"),
    /** Restores {@code pg_dump -Fc} archives. */
    PG_RESTORE("pg_restore"),
    /** Restores plain SQL dumps ({@code .sql}, {@code .sql.gz}). */
    PSQL("psql");

    private final String command;

    Tool(String command) {
        this.command = command;
    }

    /** The executable's file name, e.g. {@code pg_restore}. */
    public String command() {
        return command;
    }

    @Override
    public String toString() {
        return command;
    }
}
