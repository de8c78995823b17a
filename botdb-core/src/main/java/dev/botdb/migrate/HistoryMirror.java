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
 * <p>Chosen by {@code MIGRATIONS_HISTORY_MIRROR} ({@code sqlx}, {@code usn}, {@code none}); unset,
 * botdb mirrors into the table of a tool whose history it adopted (the table is there).
 */
abstract class HistoryMirror {
    static final String VARIABLE = "MIGRATIONS_HISTORY_MIRROR";

    /** No other tool's table. */
    static final HistoryMirror NONE = new HistoryMirror("none") {
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

    private HistoryMirror(String name) {
        this.name = name;
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
            case "none" -> {
                return NONE;
            }
            case "" -> {
                if (exists(c, "_sqlx_migrations")) {
                    return SQLX;
                }
                return exists(c, "migration_history") ? USN : NONE;
            }
            case "flyway", "dbmate", "golang-migrate" -> throw new BotDbException(ErrorCode.CONFIG_INVALID, VARIABLE
                    + "=" + asked + " is not supported yet: botdb mirrors into sqlx's _sqlx_migrations and the USN bot's"
                    + " migration_history. Unset it (or set none) and run " + asked + " from botdb's history instead.");
            default -> throw new BotDbException(ErrorCode.CONFIG_INVALID, VARIABLE + "=" + env.get(VARIABLE)
                    + " is not a tool botdb mirrors. Set sqlx, usn or none.");
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

    private static final HistoryMirror SQLX = new HistoryMirror("sqlx") {
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

    private static final HistoryMirror USN = new HistoryMirror("usn") {
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
}
