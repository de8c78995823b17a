package dev.botdb.migrate;

import dev.botdb.config.Engine;
import java.sql.Connection;
import java.sql.SQLException;

/**
 * A migration written in Java, for changes SQL cannot express well (backfills that call code,
 * data fixes that differ per engine). It is ordered with the SQL files by the number its version
 * starts with, runs in the same transaction as its {@code schema_migrations} row, and is recorded
 * under its version.
 *
 * <pre>{@code
 * Migrator.of(ds, engine, Path.of("migrations"), log::info)
 *         .javaMigration(new JavaMigration() {
 *             public String version() { return "20250301000000_backfill_usernames"; }
 *             public void migrate(Connection c, Engine engine) throws SQLException { ... }
 *         })
 *         .migrate();
 * }</pre>
 */
public interface JavaMigration {

    /** The history key; must start with a version number, like a file name ({@code 005_backfill}). */
    String version();

    /**
     * Applies the change on {@code connection}, which is inside the migration's transaction: do
     * not commit or roll back.
     */
    void migrate(Connection connection, Engine engine) throws SQLException;
}
