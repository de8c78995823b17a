package dev.botdb.config;

import java.util.List;

/**
 * Where botdb connects: a PostgreSQL server, a SQLite file, or the embedded PostgreSQL that
 * botdb starts itself when nothing is configured.
 */
public sealed interface ConnectionTarget permits PostgresTarget, SqliteTarget, EmbeddedTarget {

    /** The engine behind this target; the embedded server is PostgreSQL. */
    Engine engine();

    /** One short line for logs and messages, never containing a password. */
    String displayName();

    /** Every resolved value with its source, passwords masked. */
    List<Setting> describe();
}
