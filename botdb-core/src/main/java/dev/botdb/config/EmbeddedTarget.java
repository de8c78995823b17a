package dev.botdb.config;

import java.nio.file.Path;
import java.util.List;

/**
 * The embedded PostgreSQL botdb starts when no database is configured.
 *
 * @param dataDirectory where the server keeps its files between runs
 * @param source        {@code BOTDB_DATA_DIR} or {@code default}
 */
public record EmbeddedTarget(Path dataDirectory, String source) implements ConnectionTarget {

    /** The database botdb creates inside the embedded server for the bot's tables. */
    public static final String DATABASE = "botdb";

    @Override
    public Engine engine() {
        return Engine.POSTGRESQL;
    }

    @Override
    public String displayName() {
        return "embedded PostgreSQL (data in " + dataDirectory + ")";
    }

    @Override
    public List<Setting> describe() {
        return List.of(
                new Setting("engine", "postgresql (embedded, started on demand)",
                        "no DATABASE_URL, POSTGRES_*, PSQL_DB_* or PGHOST/PGDATABASE set"),
                new Setting("data directory", dataDirectory.toAbsolutePath().normalize().toString(), source),
                new Setting("database", DATABASE, "default"),
                new Setting("user", "postgres", "default"),
                new Setting("sslmode", SslMode.DISABLE.value(), "default (local server only)"));
    }
}
