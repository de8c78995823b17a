package dev.botdb.migrate;

import dev.botdb.config.Engine;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.sql.Timestamp;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * The {@code schema_migrations} table, compatible with Alita's ({@code version} = file name,
 * {@code executed_at}, {@code checksum}) and extended in place with what botdb needs
 * ({@code duration_ms}, {@code success}, {@code error}); an existing Alita database is adopted
 * as it is.
 */
final class History {
    static final String TABLE = "schema_migrations";

    /** One row. {@code success} is false only for a failed file that could not run in a transaction. */
    record Row(String version, Timestamp executedAt, String checksum, Long durationMs, boolean success, String error) {
    }

    private final Engine engine;

    /** The other tool's table written beside this one (MIGRATIONS_HISTORY_MIRROR). */
    private HistoryMirror mirror = HistoryMirror.NONE;

    void mirror(HistoryMirror mirror) {
        this.mirror = mirror;
    }

    HistoryMirror mirror() {
        return mirror;
    }

    History(Engine engine) {
        this.engine = engine;
    }

    /** Creates the table, or adds botdb's columns to an Alita table; cheap when nothing is missing. */
    void ensure(Connection c) throws SQLException {
        Set<String> columns = columns(c);
        try (Statement st = c.createStatement()) {
            if (columns.isEmpty()) {
                st.execute("""
                        CREATE TABLE IF NOT EXISTS schema_migrations (
                            version VARCHAR(255) PRIMARY KEY,
                            executed_at TIMESTAMP DEFAULT CURRENT_TIMESTAMP
                        )""");
            }
            addColumn(st, columns, "checksum", "VARCHAR(64)");
            addColumn(st, columns, "duration_ms", "BIGINT");
            addColumn(st, columns, "success", "BOOLEAN NOT NULL DEFAULT TRUE");
            addColumn(st, columns, "error", "TEXT");
        }
        mirror.ensure(c, engine);
    }

    private void addColumn(Statement st, Set<String> columns, String name, String type) throws SQLException {
        if (!columns.contains(name)) {
            st.execute("ALTER TABLE schema_migrations ADD COLUMN "
                    + (engine == Engine.POSTGRESQL ? "IF NOT EXISTS " : "") + name + " " + type);
        }
    }

    /** Column names of schema_migrations in the current schema; empty when the table does not exist. */
    Set<String> columns(Connection c) throws SQLException {
        Set<String> names = new HashSet<>();
        String sql = engine == Engine.SQLITE
                ? "SELECT name FROM pragma_table_info('schema_migrations')"
                // pg_catalog rather than the information_schema.columns view, which costs every start
                // about 7 ms on a fresh connection to a database of 1,000 tables (this: about 2 ms)
                : """
                  SELECT a.attname
                  FROM pg_catalog.pg_attribute a
                  JOIN pg_catalog.pg_class c ON c.oid = a.attrelid
                  JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace
                  WHERE n.nspname = current_schema()
                    AND c.relname = 'schema_migrations'
                    AND c.relkind IN ('r', 'p', 'v', 'f')
                    AND a.attnum > 0
                    AND NOT a.attisdropped
                  """;
        try (Statement st = c.createStatement(); ResultSet rs = st.executeQuery(sql)) {
            while (rs.next()) {
                names.add(rs.getString(1).toLowerCase(Locale.ROOT));
            }
        }
        return names;
    }

    /**
     * Every row by version, in the order they were applied. Reads the table as it is: on Alita's own
     * table (no {@code duration_ms}, {@code success}, {@code error} yet) those read as null, true and
     * null, so the read-only commands never need to extend it.
     */
    Map<String, Row> read(Connection c) throws SQLException {
        Set<String> columns = columns(c);
        Map<String, Row> rows = new LinkedHashMap<>();
        // the three column expressions are constants chosen here, never input
        try (Statement st = c.createStatement();
             ResultSet rs = st.executeQuery("""
                     SELECT version, executed_at, %s, %s, %s, %s
                     FROM schema_migrations
                     ORDER BY executed_at, version
                     """.formatted(columns.contains("checksum") ? "checksum" : "NULL",
                     columns.contains("duration_ms") ? "duration_ms" : "NULL",
                     columns.contains("success") ? "success" : "TRUE",
                     columns.contains("error") ? "error" : "NULL"))) {
            while (rs.next()) {
                long duration = rs.getLong(4);
                rows.put(rs.getString(1), new Row(rs.getString(1), rs.getTimestamp(2), rs.getString(3),
                        rs.wasNull() ? null : duration, rs.getBoolean(5), rs.getString(6)));
            }
        }
        return rows;
    }

    /**
     * What the startup check needs and no more: version, checksum and success of every row, in no
     * particular order (no timestamps to parse, no sort on the server). Messages about a row come
     * from {@link #read}.
     */
    Map<String, Row> readForCheck(Connection c) throws SQLException {
        Map<String, Row> rows = new HashMap<>();
        try (Statement st = c.createStatement();
             ResultSet rs = st.executeQuery("SELECT version, checksum, success FROM schema_migrations")) {
            while (rs.next()) {
                rows.put(rs.getString(1), new Row(rs.getString(1), null, rs.getString(2), null, rs.getBoolean(3), null));
            }
        }
        return rows;
    }

    /** Records a file as applied (in the caller's transaction, together with the file's statements). */
    void recordSuccess(Connection c, MigrationFile file, long durationNanos) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("""
                INSERT INTO schema_migrations (version, executed_at, checksum, duration_ms, success, error)
                VALUES (?, CURRENT_TIMESTAMP, ?, ?, TRUE, NULL)
                ON CONFLICT (version) DO UPDATE
                SET executed_at = CURRENT_TIMESTAMP, checksum = EXCLUDED.checksum,
                    duration_ms = EXCLUDED.duration_ms, success = TRUE, error = NULL
                """)) {
            ps.setString(1, file.version());
            ps.setString(2, file.checksum());
            ps.setLong(3, durationNanos / 1_000_000);
            ps.executeUpdate();
        }
        mirror.applied(c, file, durationNanos);
    }

    /** Records a failed non-transactional file, so the next run stops with instructions instead of guessing. */
    void recordFailure(Connection c, MigrationFile file, String error) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("""
                INSERT INTO schema_migrations (version, executed_at, checksum, success, error)
                VALUES (?, CURRENT_TIMESTAMP, ?, FALSE, ?)
                ON CONFLICT (version) DO UPDATE
                SET executed_at = CURRENT_TIMESTAMP, checksum = EXCLUDED.checksum, success = FALSE, error = EXCLUDED.error
                """)) {
            ps.setString(1, file.version());
            ps.setString(2, file.checksum());
            ps.setString(3, error);
            ps.executeUpdate();
        }
    }

    /** Marks a version applied without running it (the Alita troubleshooting case). */
    void markApplied(Connection c, MigrationFile file) throws SQLException {
        String version = file.version();
        String checksum = file.checksum();
        try (PreparedStatement ps = c.prepareStatement("""
                INSERT INTO schema_migrations (version, executed_at, checksum, success)
                VALUES (?, CURRENT_TIMESTAMP, ?, TRUE)
                ON CONFLICT (version) DO UPDATE
                SET checksum = EXCLUDED.checksum, success = TRUE, error = NULL
                """)) {
            ps.setString(1, version);
            ps.setString(2, checksum);
            ps.executeUpdate();
        }
        mirror.applied(c, file, 0);
    }

    /**
     * Accepts a changed applied file as it is now: stores its checksum and, in {@code error} of the
     * still successful row, the note that its new content never ran ({@code status} shows it).
     */
    int acceptChanged(Connection c, MigrationFile file, String note) throws SQLException {
        mirror.accepted(c, file);
        String version = file.version();
        String checksum = file.checksum();
        try (PreparedStatement ps = c.prepareStatement("""
                UPDATE schema_migrations
                SET checksum = ?, error = ?
                WHERE version = ?
                """)) {
            ps.setString(1, checksum);
            ps.setString(2, note);
            ps.setString(3, version);
            return ps.executeUpdate();
        }
    }

    /** Forgets the notes {@link #acceptChanged} left, once a newer migration has been applied. */
    int clearAcceptedNotes(Connection c) throws SQLException {
        try (Statement st = c.createStatement()) {
            return st.executeUpdate("""
                    UPDATE schema_migrations
                    SET error = NULL
                    WHERE success
                      AND error IS NOT NULL
                    """);
        }
    }

    int deleteFailed(Connection c) throws SQLException {
        try (Statement st = c.createStatement()) {
            return st.executeUpdate("DELETE FROM schema_migrations WHERE success = FALSE");
        }
    }

    int delete(Connection c, String version) throws SQLException {
        mirror.removed(c, version);
        try (PreparedStatement ps = c.prepareStatement("DELETE FROM schema_migrations WHERE version = ?")) {
            ps.setString(1, version);
            return ps.executeUpdate();
        }
    }
}
