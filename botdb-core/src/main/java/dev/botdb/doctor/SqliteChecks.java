package dev.botdb.doctor;

import dev.botdb.BotDbException;
import dev.botdb.ErrorCode;
import dev.botdb.config.Engine;
import dev.botdb.config.MigrationSettings;
import dev.botdb.config.PoolSettings;
import dev.botdb.config.SqliteTarget;
import dev.botdb.pool.Connector;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * The SQLite links: the file and its folder, opening it, WAL, {@code PRAGMA quick_check} and the
 * migrations. The server links of PostgreSQL do not apply and are reported as such.
 */
final class SqliteChecks {
    static final String FILE = "file";
    static final String OPEN = "open";
    static final String JOURNAL = "journal mode";
    static final String INTEGRITY = "integrity";
    static final String SERVER_ONLY = "postgresql-only checks";
    static final List<String> LINKS = List.of(FILE, OPEN, JOURNAL, INTEGRITY, MigrationCheck.NAME, SERVER_ONLY);
    /** The most quick_check lines a report shows. */
    private static final int DAMAGE_LINES = 5;
    /** quick_check reads every page: about a second per few hundred MB on a local disk. */
    private static final int QUICK_CHECK_TIMEOUT_SEC = 120;

    private final SqliteTarget target;
    private final PoolSettings pool;
    private final MigrationSettings migrations;

    SqliteChecks(SqliteTarget target, PoolSettings pool, MigrationSettings migrations) {
        this.target = target;
        this.pool = pool;
        this.migrations = migrations;
    }

    void run(Chain chain) {
        if (!file(chain)) {
            return;
        }
        Connection c;
        try {
            c = Connector.open(target, pool);
        } catch (SQLException | BotDbException e) {
            chain.problem(OPEN, "SQLite could not open " + where() + ": " + e.getMessage(),
                    "Is it a SQLite database (not another file at that path)? A damaged file: restore the newest"
                            + " backup (botdb backup list).", ErrorCode.CONNECTION_FAILED);
            return;
        }
        try (c) {
            String version = query(c, "SELECT sqlite_version()").get(0);
            chain.ok(OPEN, "opened " + where() + " with SQLite " + version);
            if (!journal(chain, c) || !integrity(chain, c)) {
                return;
            }
            PgChecks.record(chain, MigrationCheck.run(c, Engine.SQLITE, migrations).check());
            if (chain.broken().isEmpty()) {
                chain.skip(SERVER_ONLY, "host, server, ssl, authentication, database, connection slots, migration"
                        + " privileges and pool size are PostgreSQL's; a SQLite file has no server, users or"
                        + " connection limit");
            }
        } catch (SQLException e) {
            chain.problem(chain.done(OPEN) ? (chain.done(JOURNAL) ? INTEGRITY : JOURNAL) : OPEN,
                    "a query on " + where() + " failed: " + e.getMessage(),
                    "Another process may hold the file locked (SQLITE_BUSY), or it is damaged; botdb maintain"
                            + " integrity runs the full check.", ErrorCode.PROBLEMS_FOUND);
        }
    }

    private String where() {
        return target.inMemory() ? "the in-memory database" : target.path().toAbsolutePath().normalize().toString();
    }

    /** The file and its folder exist (or can be made) and this process can write both. */
    private boolean file(Chain chain) {
        if (target.inMemory()) {
            chain.ok(FILE, "in memory (" + target.source() + "): nothing on disk, and nothing survives a restart");
            return true;
        }
        Path file = target.path().toAbsolutePath().normalize();
        Path folder = file.getParent();
        String fix = "Make the folder writable for the user the bot runs as (chown or chmod it; SQLite writes the -wal"
                + " and -shm files next to the database, so the folder must be writable, not only the file), or point"
                + " DATABASE_URL at a writable place (sqlite:///./data/bot.db).";
        Path existing = folder;
        while (existing != null && !Files.exists(existing)) {
            existing = existing.getParent();
        }
        if (existing == null || !Files.isDirectory(existing)) {
            chain.problem(FILE, "the folder " + folder + " cannot be made: " + existing + " is not a folder", fix,
                    ErrorCode.CONNECTION_FAILED);
            return false;
        }
        String writeError = writeProbe(existing);
        if (writeError != null) {
            chain.problem(FILE, (existing.equals(folder) ? "the folder " + folder + " is not writable"
                    : "the folder " + folder + " does not exist and cannot be created in " + existing) + " ("
                    + writeError + ")", fix, ErrorCode.CONNECTION_FAILED);
            return false;
        }
        if (!Files.exists(file)) {
            chain.ok(FILE, file + " does not exist yet; " + (existing.equals(folder) ? "its folder is writable"
                    : "its folder will be created in " + existing) + ", and the first connection creates it");
            return true;
        }
        if (!Files.isRegularFile(file)) {
            chain.problem(FILE, file + " is not a file", "Point DATABASE_URL at the database file, e.g."
                    + " sqlite:///./data/bot.db", ErrorCode.CONNECTION_FAILED);
            return false;
        }
        if (!Files.isWritable(file)) {
            chain.problem(FILE, file + " is read-only for this user", fix.replace("the folder writable",
                    "the file and its folder writable"), ErrorCode.CONNECTION_FAILED);
            return false;
        }
        try {
            chain.ok(FILE, file + " exists (" + Files.size(file) + " bytes) and is writable, and so is its folder");
        } catch (IOException e) {
            chain.ok(FILE, file + " exists and is writable, and so is its folder");
        }
        return true;
    }

    /**
     * Creates and deletes a file in the folder: the only test that also holds for root (which
     * passes every permission check) on a read-only mount, and for ACLs.
     */
    private static String writeProbe(Path folder) {
        try {
            Path probe = Files.createTempFile(folder, ".botdb-doctor-", ".tmp");
            Files.delete(probe);
            return null;
        } catch (IOException | SecurityException e) {
            return e.getClass().getSimpleName() + (e.getMessage() == null ? "" : ": " + e.getMessage());
        }
    }

    /** WAL lets readers go on while the bot writes; botdb asks for it on every connection. */
    private boolean journal(Chain chain, Connection c) throws SQLException {
        String mode = query(c, "PRAGMA journal_mode").get(0).toLowerCase(Locale.ROOT);
        if (mode.equals("wal") || target.inMemory()) {
            chain.ok(JOURNAL, mode + (mode.equals("wal") ? " (readers never wait for the writer)"
                    : " (an in-memory database has no WAL)"));
            return true;
        }
        chain.problem(JOURNAL, "journal mode is " + mode + ", not WAL: SQLite refused to switch (WAL needs shared"
                        + " memory next to the file, which network file systems and read-only folders lack), so every"
                        + " write blocks every reader",
                "Keep the database on a local disk in a writable folder, then run sqlite3 " + where()
                        + " 'PRAGMA journal_mode=WAL;' (botdb asks for WAL on every connection).",
                ErrorCode.PROBLEMS_FOUND);
        return false;
    }

    /** {@code PRAGMA quick_check}: integrity_check without matching indexes to tables, so it is fast. */
    private boolean integrity(Chain chain, Connection c) throws SQLException {
        List<String> lines = query(c, "PRAGMA quick_check", QUICK_CHECK_TIMEOUT_SEC);
        if (lines.size() == 1 && lines.get(0).equals("ok")) {
            chain.ok(INTEGRITY, "PRAGMA quick_check: ok");
            return true;
        }
        chain.problem(INTEGRITY, "PRAGMA quick_check found damage: " + String.join("; ",
                        lines.subList(0, Math.min(lines.size(), DAMAGE_LINES)))
                        + (lines.size() > DAMAGE_LINES ? "; ... " + (lines.size() - DAMAGE_LINES) + " more" : ""),
                "Stop the bot, then restore the newest good backup (botdb backup list; botdb restore FILE), or save"
                        + " what can be read: sqlite3 " + where() + " .recover | sqlite3 recovered.db."
                        + " botdb maintain integrity runs the full integrity_check.", ErrorCode.PROBLEMS_FOUND);
        return false;
    }

    private static List<String> query(Connection c, String sql) throws SQLException {
        return query(c, sql, (int) Doctor.QUERY_TIMEOUT.toSeconds());
    }

    private static List<String> query(Connection c, String sql, int timeoutSeconds) throws SQLException {
        List<String> rows = new ArrayList<>();
        try (Statement st = c.createStatement()) {
            st.setQueryTimeout(timeoutSeconds);
            try (ResultSet rs = st.executeQuery(sql)) {
                while (rs.next()) {
                    rows.add(rs.getString(1));
                }
            }
        }
        return rows;
    }
}
