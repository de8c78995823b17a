package dev.botdb.backup.postgres;

import dev.botdb.config.PostgresTarget;
import dev.botdb.dialect.Dialect;
import dev.botdb.pool.Connector;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;

/** Whole databases on a PostgreSQL server: does one exist, create it, drop it, through the maintenance database. */
public final class PgDatabases {
    private PgDatabases() {
    }

    public static boolean databaseExists(PostgresTarget target) throws SQLException {
        try (Connection c = Connector.open(maintenance(target));
             var ps = c.prepareStatement("SELECT 1 FROM pg_catalog.pg_database WHERE datname = ?")) {
            ps.setString(1, target.database());
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next();
            }
        }
    }

    /** The server's maintenance database, for CREATE / DROP DATABASE. */
    public static PostgresTarget maintenance(PostgresTarget target) {
        return target.withDatabase(target.database().equals("postgres") ? "template1" : "postgres");
    }

    public static void createDatabase(PostgresTarget target) throws SQLException {
        try (Connection c = Connector.open(maintenance(target)); Statement st = c.createStatement()) {
            // template0, not template1: whatever someone put into template1 must not come along
            st.execute("CREATE DATABASE " + Dialect.POSTGRESQL.quote(target.database()) + " TEMPLATE template0");
        }
    }

    public static void dropDatabase(PostgresTarget target) throws SQLException {
        try (Connection c = Connector.open(maintenance(target)); Statement st = c.createStatement()) {
            st.execute("DROP DATABASE IF EXISTS " + Dialect.POSTGRESQL.quote(target.database()) + " WITH (FORCE)");
        }
    }
}
