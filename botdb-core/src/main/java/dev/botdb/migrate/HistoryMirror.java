package dev.botdb.migrate;

import dev.botdb.BotDbException;
import dev.botdb.ErrorCode;
import dev.botdb.config.Engine;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.sql.Connection;
import java.sql.DatabaseMetaData;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Another tool's history table kept in step with botdb's, so that a bot whose own runner still
 * starts after {@code botdb migrate} (sqlx's {@code migrate!()} in Chatalot, the USN bot's
 * {@code migration_history} check) finds nothing to do. Every file botdb applies, marks applied,
 * accepts with {@code repair} or rolls back is written to that table as the tool writes it, on the
 * same connection and in the same transaction as botdb's own row.
 *
 * <p>Chosen by {@code MIGRATIONS_HISTORY_MIRROR} ({@code sqlx}, {@code usn}, {@code flyway},
 * {@code dbmate}, {@code golang-migrate}, {@code none}); unset, botdb mirrors into the table of a tool
 * whose history it adopted (the table is there). dbmate and golang-migrate name their table
 * {@code schema_migrations}, which is botdb's: their mirror is {@code schema_migrations_dbmate} /
 * {@code schema_migrations_golang_migrate} (where adoption keeps their old table), and the tool is
 * pointed at it ({@code dbmate --migrations-table schema_migrations_dbmate},
 * {@code x-migrations-table=schema_migrations_golang_migrate}).
 */
abstract class HistoryMirror {
    static final String VARIABLE = "MIGRATIONS_HISTORY_MIRROR";

    /** No other tool's table. */
    static final HistoryMirror NONE = new HistoryMirror("none", "") {
        @Override
        void ensure(Connection c, Engine engine) {
        }

        @Override
        void applied(Connection c, MigrationFile file, long durationNanos) {
        }

        @Override
        void accepted(Connection c, MigrationFile file) {
        }

        @Override
        void removed(Connection c, String fileName) {
        }
    };

    private static final Pattern LEADING_NUMBER = Pattern.compile("^(\\d+)_(.*?)(?:\\.up)?\\.sql$");

    private final String name;
    /** The tool's table, in the current schema. */
    private final String table;

    private HistoryMirror(String name, String table) {
        this.name = name;
        this.table = table;
    }

    String name() {
        return name;
    }

    /** Creates the tool's table as the tool does, when it is missing. */
    abstract void ensure(Connection c, Engine engine) throws SQLException;

    /** {@code file} ran (or was marked applied) in {@code durationNanos}. */
    abstract void applied(Connection c, MigrationFile file, long durationNanos) throws SQLException;

    /** {@code file} changed and {@code repair} accepted it as it is now. */
    abstract void accepted(Connection c, MigrationFile file) throws SQLException;

    /** The file named {@code fileName} was rolled back. */
    abstract void removed(Connection c, String fileName) throws SQLException;

    /**
     * The mirror {@code MIGRATIONS_HISTORY_MIRROR} asks for; when unset, the one whose table exists
     * on {@code c} (a history botdb adopted), else none.
     *
     * @throws BotDbException ({@link ErrorCode#CONFIG_INVALID}) for a tool botdb cannot mirror
     */
    static HistoryMirror choose(Map<String, String> env, Connection c) throws SQLException {
        String asked = Optional.ofNullable(env.get(VARIABLE)).map(v -> v.strip().toLowerCase(Locale.ROOT)).orElse("");
        switch (asked) {
            case "sqlx" -> {
                return SQLX;
            }
            case "usn" -> {
                return USN;
            }
            case "dbmate" -> {
                return DBMATE;
            }
            case "golang-migrate" -> {
                return GOLANG_MIGRATE;
            }
            case "flyway" -> {
                return FLYWAY;
            }
            case "none" -> {
                return NONE;
            }
            case "" -> {
                for (HistoryMirror m : List.of(SQLX, USN, FLYWAY, DBMATE, GOLANG_MIGRATE)) {
                    if (exists(c, m.table)) {
                        return m;
                    }
                }
                return NONE;
            }
            default -> throw new BotDbException(ErrorCode.CONFIG_INVALID, VARIABLE + "=" + env.get(VARIABLE)
                    + " is not a tool botdb mirrors. Set sqlx, usn, flyway, dbmate, golang-migrate or none.");
        }
    }

    private static boolean exists(Connection c, String table) throws SQLException {
        DatabaseMetaData md = c.getMetaData();
        try (ResultSet rs = md.getTables(null, null, table, new String[] {"TABLE"})) {
            return rs.next();
        }
    }

    /** sqlx's version: the file's leading number ({@code 001_users.sql} is 1). */
    static long sqlxVersion(String fileName) {
        Matcher m = LEADING_NUMBER.matcher(fileName);
        if (!m.matches()) {
            throw new BotDbException(ErrorCode.MIGRATION_INVALID, fileName + " has no leading number, so sqlx cannot"
                    + " record it (its version is the number before the first '_'). Rename it, e.g. 001_"
                    + fileName + ", or unset " + VARIABLE + ".");
        }
        return Long.parseLong(m.group(1));
    }

    /** sqlx's description: the name after the number, '_' read as spaces ({@code 001_create_users.sql}: create users). */
    static String sqlxDescription(String fileName) {
        Matcher m = LEADING_NUMBER.matcher(fileName);
        return m.matches() ? m.group(2).replace('_', ' ') : fileName;
    }

    /** sqlx's checksum: SHA-384 of the file's text as UTF-8 bytes. */
    static byte[] sqlxChecksum(MigrationFile file) {
        try {
            return MessageDigest.getInstance("SHA-384").digest(file.sql().getBytes(StandardCharsets.UTF_8));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    /** The USN bot's version: the file stem ({@code 001_users.sql} is {@code 001_users}). */
    static String usnVersion(String fileName) {
        return fileName.endsWith(".sql") ? fileName.substring(0, fileName.length() - ".sql".length()) : fileName;
    }

    private static final HistoryMirror SQLX = new HistoryMirror("sqlx", "_sqlx_migrations") {
        @Override
        void ensure(Connection c, Engine engine) throws SQLException {
            try (Statement st = c.createStatement()) {
                st.execute(engine == Engine.SQLITE ? """
                        CREATE TABLE IF NOT EXISTS _sqlx_migrations (
                            version BIGINT PRIMARY KEY,
                            description TEXT NOT NULL,
                            installed_on TIMESTAMP NOT NULL DEFAULT CURRENT_TIMESTAMP,
                            success BOOLEAN NOT NULL,
                            checksum BLOB NOT NULL,
                            execution_time BIGINT NOT NULL
                        )""" : """
                        CREATE TABLE IF NOT EXISTS _sqlx_migrations (
                            version BIGINT PRIMARY KEY,
                            description TEXT NOT NULL,
                            installed_on TIMESTAMPTZ NOT NULL DEFAULT now(),
                            success BOOLEAN NOT NULL,
                            checksum BYTEA NOT NULL,
                            execution_time BIGINT NOT NULL
                        )""");
            }
        }

        @Override
        void applied(Connection c, MigrationFile file, long durationNanos) throws SQLException {
            try (PreparedStatement ps = c.prepareStatement("""
                    INSERT INTO _sqlx_migrations (version, description, success, checksum, execution_time)
                    VALUES (?, ?, TRUE, ?, ?)
                    ON CONFLICT (version) DO UPDATE
                    SET description = EXCLUDED.description, success = TRUE, checksum = EXCLUDED.checksum,
                        execution_time = EXCLUDED.execution_time
                    """)) {
                ps.setLong(1, sqlxVersion(file.version()));
                ps.setString(2, sqlxDescription(file.version()));
                ps.setBytes(3, sqlxChecksum(file));
                ps.setLong(4, durationNanos);
                ps.executeUpdate();
            }
        }

        @Override
        void accepted(Connection c, MigrationFile file) throws SQLException {
            try (PreparedStatement ps = c.prepareStatement("UPDATE _sqlx_migrations SET checksum = ? WHERE version = ?")) {
                ps.setBytes(1, sqlxChecksum(file));
                ps.setLong(2, sqlxVersion(file.version()));
                ps.executeUpdate();
            }
        }

        @Override
        void removed(Connection c, String fileName) throws SQLException {
            try (PreparedStatement ps = c.prepareStatement("DELETE FROM _sqlx_migrations WHERE version = ?")) {
                ps.setLong(1, sqlxVersion(fileName));
                ps.executeUpdate();
            }
        }
    };

    private static final HistoryMirror USN = new HistoryMirror("usn", "migration_history") {
        @Override
        void ensure(Connection c, Engine engine) throws SQLException {
            try (Statement st = c.createStatement()) {
                st.execute(engine == Engine.SQLITE ? """
                        CREATE TABLE IF NOT EXISTS migration_history (
                            id INTEGER PRIMARY KEY AUTOINCREMENT,
                            version VARCHAR(50) UNIQUE NOT NULL,
                            applied_at TIMESTAMP DEFAULT CURRENT_TIMESTAMP
                        )""" : """
                        CREATE TABLE IF NOT EXISTS migration_history (
                            id SERIAL PRIMARY KEY,
                            version VARCHAR(50) UNIQUE NOT NULL,
                            applied_at TIMESTAMP DEFAULT CURRENT_TIMESTAMP
                        )""");
            }
        }

        @Override
        void applied(Connection c, MigrationFile file, long durationNanos) throws SQLException {
            try (PreparedStatement ps = c.prepareStatement("""
                    INSERT INTO migration_history (version) VALUES (?)
                    ON CONFLICT (version) DO NOTHING
                    """)) {
                ps.setString(1, usnVersion(file.version()));
                ps.executeUpdate();
            }
        }

        @Override
        void accepted(Connection c, MigrationFile file) {
            // the USN bot keeps no checksum: nothing changes
        }

        @Override
        void removed(Connection c, String fileName) throws SQLException {
            try (PreparedStatement ps = c.prepareStatement("DELETE FROM migration_history WHERE version = ?")) {
                ps.setString(1, usnVersion(fileName));
                ps.executeUpdate();
            }
        }
    };

    /** The leading number of a file name as text ({@code 001_users.sql}: {@code 001}), dbmate's version. */
    static String leadingDigits(String fileName) {
        sqlxVersion(fileName); // the same requirement: a number before the first '_'
        return fileName.substring(0, fileName.indexOf('_'));
    }

    private static final HistoryMirror DBMATE = new HistoryMirror("dbmate", "schema_migrations_dbmate") {
        @Override
        void ensure(Connection c, Engine engine) throws SQLException {
            try (Statement st = c.createStatement()) {
                st.execute("CREATE TABLE IF NOT EXISTS schema_migrations_dbmate (version VARCHAR(128) PRIMARY KEY)");
            }
        }

        @Override
        void applied(Connection c, MigrationFile file, long durationNanos) throws SQLException {
            try (PreparedStatement ps = c.prepareStatement(
                    "INSERT INTO schema_migrations_dbmate (version) VALUES (?) ON CONFLICT (version) DO NOTHING")) {
                ps.setString(1, leadingDigits(file.version()));
                ps.executeUpdate();
            }
        }

        @Override
        void accepted(Connection c, MigrationFile file) {
            // dbmate keeps no checksum
        }

        @Override
        void removed(Connection c, String fileName) throws SQLException {
            try (PreparedStatement ps = c.prepareStatement("DELETE FROM schema_migrations_dbmate WHERE version = ?")) {
                ps.setString(1, leadingDigits(fileName));
                ps.executeUpdate();
            }
        }
    };

    /** golang-migrate keeps one row: the newest version applied, and whether it is dirty. */
    private static final HistoryMirror GOLANG_MIGRATE = new HistoryMirror("golang-migrate",
            "schema_migrations_golang_migrate") {
        @Override
        void ensure(Connection c, Engine engine) throws SQLException {
            try (Statement st = c.createStatement()) {
                st.execute("""
                        CREATE TABLE IF NOT EXISTS schema_migrations_golang_migrate (
                            version BIGINT NOT NULL PRIMARY KEY,
                            dirty BOOLEAN NOT NULL
                        )""");
            }
        }

        @Override
        void applied(Connection c, MigrationFile file, long durationNanos) throws SQLException {
            long version = sqlxVersion(file.version());
            try (PreparedStatement ps = c.prepareStatement("""
                    SELECT coalesce(max(version), -1) FROM schema_migrations_golang_migrate
                    """); ResultSet rs = ps.executeQuery()) {
                rs.next();
                if (rs.getLong(1) >= version) {
                    return; // an older file marked applied later: golang-migrate records only the newest
                }
            }
            set(c, version);
        }

        @Override
        void accepted(Connection c, MigrationFile file) {
            // golang-migrate keeps no checksum
        }

        @Override
        void removed(Connection c, String fileName) throws SQLException {
            // rolled back: the newest version still applied is the one before it
            long version = sqlxVersion(fileName);
            try (PreparedStatement ps = c.prepareStatement("""
                    SELECT version FROM schema_migrations WHERE success AND version <> ?
                    """)) {
                ps.setString(1, fileName);
                long newest = -1;
                try (ResultSet rs = ps.executeQuery()) {
                    while (rs.next()) {
                        try {
                            long v = sqlxVersion(rs.getString(1));
                            if (v < version) {
                                newest = Math.max(newest, v);
                            }
                        } catch (BotDbException notNumbered) {
                            // a file golang-migrate could not have run
                        }
                    }
                }
                if (newest < 0) {
                    try (Statement st = c.createStatement()) {
                        st.execute("DELETE FROM schema_migrations_golang_migrate");
                    }
                } else {
                    set(c, newest);
                }
            }
        }

        private void set(Connection c, long version) throws SQLException {
            try (Statement st = c.createStatement()) {
                st.execute("DELETE FROM schema_migrations_golang_migrate");
            }
            try (PreparedStatement ps = c.prepareStatement(
                    "INSERT INTO schema_migrations_golang_migrate (version, dirty) VALUES (?, FALSE)")) {
                ps.setLong(1, version);
                ps.executeUpdate();
            }
        }
    };

    private static final HistoryMirror FLYWAY = new HistoryMirror("flyway", "flyway_schema_history") {
        @Override
        void ensure(Connection c, Engine engine) throws SQLException {
            if (engine != Engine.POSTGRESQL) {
                throw new BotDbException(ErrorCode.CONFIG_INVALID, VARIABLE + "=flyway is for PostgreSQL; this database"
                        + " is SQLite. Unset it (or set none).");
            }
            try (Statement st = c.createStatement()) {
                st.execute("""
                        CREATE TABLE IF NOT EXISTS flyway_schema_history (
                            installed_rank INT NOT NULL,
                            version VARCHAR(50),
                            description VARCHAR(200) NOT NULL,
                            type VARCHAR(20) NOT NULL,
                            script VARCHAR(1000) NOT NULL,
                            checksum INTEGER,
                            installed_by VARCHAR(100) NOT NULL,
                            installed_on TIMESTAMP NOT NULL DEFAULT now(),
                            execution_time INTEGER NOT NULL,
                            success BOOLEAN NOT NULL,
                            CONSTRAINT flyway_schema_history_pk PRIMARY KEY (installed_rank)
                        )""");
                st.execute("CREATE INDEX IF NOT EXISTS flyway_schema_history_s_idx ON flyway_schema_history (success)");
            }
        }

        @Override
        void applied(Connection c, MigrationFile file, long durationNanos) throws SQLException {
            removed(c, file.version());
            try (PreparedStatement ps = c.prepareStatement("""
                    INSERT INTO flyway_schema_history (installed_rank, version, description, type, script, checksum,
                                                       installed_by, execution_time, success)
                    SELECT coalesce(max(installed_rank), 0) + 1, ?, ?, 'SQL', ?, ?, current_user, ?, TRUE
                    FROM flyway_schema_history
                    """)) {
                ps.setString(1, flywayVersion(file.version()));
                ps.setString(2, flywayDescription(file.version()));
                ps.setString(3, file.version());
                ps.setInt(4, flywayChecksum(file.sql()));
                ps.setInt(5, (int) Math.min(Integer.MAX_VALUE, durationNanos / 1_000_000));
                ps.executeUpdate();
            }
        }

        @Override
        void accepted(Connection c, MigrationFile file) throws SQLException {
            try (PreparedStatement ps = c.prepareStatement(
                    "UPDATE flyway_schema_history SET checksum = ? WHERE script = ?")) {
                ps.setInt(1, flywayChecksum(file.sql()));
                ps.setString(2, file.version());
                ps.executeUpdate();
            }
        }

        @Override
        void removed(Connection c, String fileName) throws SQLException {
            try (PreparedStatement ps = c.prepareStatement("DELETE FROM flyway_schema_history WHERE script = ?")) {
                ps.setString(1, fileName);
                ps.executeUpdate();
            }
        }
    };

    /** Flyway's own names: {@code V1.2__add_users.sql} (a {@code _} in the version reads as a dot). */
    private static final Pattern FLYWAY_NAME = Pattern.compile("^V(\\d+(?:[._]\\d+)*)__(.+)\\.sql$");

    /**
     * Flyway's version: {@code V1.2__x.sql} is 1.2; a botdb name, read with an empty prefix and
     * {@code _} as separator, {@code 001_users.sql} is 1 (Flyway prints versions without leading zeros).
     */
    static String flywayVersion(String fileName) {
        Matcher m = FLYWAY_NAME.matcher(fileName);
        return m.matches() ? m.group(1).replace('_', '.') : Long.toString(sqlxVersion(fileName));
    }

    /** Flyway's description: the name after the version, {@code _} read as spaces. */
    static String flywayDescription(String fileName) {
        Matcher m = FLYWAY_NAME.matcher(fileName);
        return m.matches() ? m.group(2).replace('_', ' ') : sqlxDescription(fileName);
    }

    /**
     * Flyway's checksum of a SQL file: CRC32 over the UTF-8 bytes of each line, line endings left
     * out and a byte order mark on the first line dropped, as a signed int.
     */
    static int flywayChecksum(String sql) {
        java.util.zip.CRC32 crc = new java.util.zip.CRC32();
        String text = sql.startsWith("\uFEFF") ? sql.substring(1) : sql;
        try (java.io.BufferedReader r = new java.io.BufferedReader(new java.io.StringReader(text))) {
            String line;
            while ((line = r.readLine()) != null) {
                crc.update(line.getBytes(StandardCharsets.UTF_8));
            }
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
        return (int) crc.getValue();
    }
}
