package dev.botdb.maintain;

import dev.botdb.BotDbException;
import dev.botdb.ErrorCode;
import dev.botdb.config.PoolSettings;
import dev.botdb.config.SqliteTarget;
import dev.botdb.dialect.Dialect;
import dev.botdb.maintain.TableResult.Status;
import dev.botdb.pool.Connector;
import dev.botdb.text.Human;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;

/**
 * SQLite's maintenance: VACUUM (a rewrite of the whole file), ANALYZE, REINDEX and
 * {@code PRAGMA integrity_check} / {@code foreign_key_check}. The lock timeout is SQLite's busy
 * timeout: when the bot holds the write lock longer than that, the operation is skipped.
 */
final class SqliteMaintenance {
    private static final int SHOWN_PROBLEMS = 10;
    /** sqlite-jdbc's result code for "database is locked". */
    private static final int SQLITE_BUSY = 5;

    private final SqliteTarget target;
    private final Consumer<String> log;

    SqliteMaintenance(SqliteTarget target, Consumer<String> log) {
        if (target.inMemory()) {
            throw new BotDbException(ErrorCode.USAGE, "An in-memory SQLite database (" + target.displayName()
                    + ") lives only inside the bot's process; there is nothing to maintain from outside.");
        }
        this.target = target;
        this.log = log;
    }

    private Connection open(Duration lockTimeout) {
        PoolSettings one = new PoolSettings(1, 0, Duration.ZERO, Duration.ZERO, lockTimeout, lockTimeout, 1, Map.of());
        if (!Files.exists(target.path())) {
            throw new BotDbException(ErrorCode.DATABASE_MISSING, "The SQLite file " + target.path().toAbsolutePath()
                    + " does not exist; check DATABASE_URL.");
        }
        try {
            return Connector.open(target, one);
        } catch (SQLException e) {
            throw new BotDbException(ErrorCode.CONNECTION_FAILED, "Cannot open " + target.displayName() + ": "
                    + e.getMessage(), e);
        }
    }

    MaintainResult run(MaintainRequest request) {
        long start = System.nanoTime();
        Operation op = request.operation();
        if (!request.indexes().isEmpty() && !request.tables().isEmpty()) {
            throw new BotDbException(ErrorCode.USAGE, "Give `table` or `index`, not both.");
        }
        if ((op == Operation.VACUUM || op == Operation.VACUUM_FULL || op == Operation.INTEGRITY)
                && !request.wholeDatabase()) {
            throw new BotDbException(ErrorCode.USAGE, "SQLite's " + (op == Operation.INTEGRITY ? "integrity_check"
                    : "VACUUM") + " always works on the whole file; drop `table`.");
        }
        String name = target.path().getFileName().toString();
        List<TableResult> results = new ArrayList<>();
        List<String> notes = new ArrayList<>();
        try (Connection c = open(request.lockTimeout())) {
            List<String> names = new ArrayList<>(request.tables());
            names.addAll(request.indexes());
            for (String n : names) {
                requireExists(c, n, request.indexes().contains(n) ? "index" : "table");
            }
            switch (op) {
                case VACUUM, VACUUM_FULL -> {
                    log.accept("VACUUM of " + name + ": SQLite rewrites the whole file, which needs free disk space"
                            + " as large as the file while it runs; writers wait meanwhile (lock timeout "
                            + MaintenanceText.timeout(request.lockTimeout()) + ")");
                    if (op == Operation.VACUUM_FULL) {
                        notes.add("SQLite has one VACUUM: it always rewrites the file, as PostgreSQL's VACUUM FULL does.");
                    }
                    results.add(vacuum(c, request, name));
                }
                case ANALYZE, REINDEX -> {
                    String verb = op == Operation.ANALYZE ? "ANALYZE" : "REINDEX";
                    log.accept(verb + " of " + (names.isEmpty() ? name : String.join(", ", names)) + " (lock timeout "
                            + MaintenanceText.timeout(request.lockTimeout()) + ")");
                    if (names.isEmpty()) {
                        results.add(simple(c, request, name, verb));
                    } else {
                        for (String n : names) {
                            results.add(simple(c, request, n, verb + " " + Dialect.SQLITE.quote(n)));
                        }
                    }
                }
                case INTEGRITY -> {
                    log.accept("PRAGMA integrity_check and foreign_key_check of " + name);
                    results.add(integrity(c, request, name));
                }
                default -> throw new IllegalStateException(op.name());
            }
        } catch (SQLException e) {
            throw new BotDbException(ErrorCode.INTERNAL, op.command() + " of " + target.displayName() + " failed: "
                    + e.getMessage(), e);
        }
        results.forEach(r -> log.accept("  " + r.describe()));
        notes.forEach(n -> log.accept("  note: " + n));
        return new MaintainResult(op, target.path().toString(), results, notes, PgMaintenance.since(start));
    }

    private static void requireExists(Connection c, String name, String type) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("SELECT 1 FROM sqlite_master WHERE type = ? AND name = ?")) {
            ps.setString(1, type);
            ps.setString(2, name);
            try (ResultSet rs = ps.executeQuery()) {
                if (!rs.next()) {
                    throw new BotDbException(ErrorCode.USAGE, "There is no " + type + " " + name + " in this SQLite file.");
                }
            }
        }
    }


    private TableResult vacuum(Connection c, MaintainRequest request, String name) throws SQLException {
        long start = System.nanoTime();
        long before = fileBytes();
        long freeBefore = pragma(c, "freelist_count") * pragma(c, "page_size");
        try (Statement st = c.createStatement()) {
            timeout(st, request);
            st.execute("VACUUM");
            // in WAL mode the rewritten pages sit in the -wal file until a checkpoint copies them back
            st.execute("PRAGMA wal_checkpoint(TRUNCATE)");
        } catch (SQLException e) {
            return failure(name, e, request, start);
        }
        long after = fileBytes();
        return new TableResult(name, Status.DONE, PgMaintenance.since(start), "file " + Human.bytes(before) + " -> "
                + Human.bytes(after) + (before > after ? " (" + Human.bytes(before - after) + " freed)" : "")
                + "; " + Human.bytes(freeBefore) + " of free pages were inside it before", null, null, before, after);
    }

    private TableResult simple(Connection c, MaintainRequest request, String name, String sql) {
        long start = System.nanoTime();
        try (Statement st = c.createStatement()) {
            timeout(st, request);
            st.execute(sql);
            return TableResult.of(name, Status.DONE, PgMaintenance.since(start), "");
        } catch (SQLException e) {
            return failure(name, e, request, start);
        }
    }

    private TableResult integrity(Connection c, MaintainRequest request, String name) {
        long start = System.nanoTime();
        List<String> problems = new ArrayList<>();
        try (Statement st = c.createStatement()) {
            timeout(st, request);
            try (ResultSet rs = st.executeQuery("PRAGMA integrity_check")) {
                while (rs.next()) {
                    if (!"ok".equals(rs.getString(1))) {
                        problems.add(rs.getString(1));
                    }
                }
            }
            try (ResultSet rs = st.executeQuery("PRAGMA foreign_key_check")) {
                while (rs.next()) {
                    problems.add("row " + rs.getLong(2) + " of " + rs.getString(1) + " refers to a missing row of "
                            + rs.getString(3));
                }
            }
        } catch (SQLException e) {
            return failure(name, e, request, start);
        }
        if (problems.isEmpty()) {
            return TableResult.of(name, Status.DONE, PgMaintenance.since(start),
                    "integrity_check: ok; foreign_key_check: no orphaned rows");
        }
        return TableResult.of(name, Status.FAILED, PgMaintenance.since(start), Human.plural(problems.size(),
                "problem", "problems") + ": " + String.join("; ", problems.subList(0,
                Math.min(SHOWN_PROBLEMS, problems.size()))) + (problems.size() > SHOWN_PROBLEMS ? "; ..." : "")
                + ". Restore the last good backup (botdb backup list) or, for orphaned rows, delete or fix them.");
    }

    private static void timeout(Statement st, MaintainRequest request) throws SQLException {
        if (!request.statementTimeout().isZero()) {
            st.setQueryTimeout((int) Math.max(1, request.statementTimeout().toSeconds()));
        }
    }

    private TableResult failure(String name, SQLException e, MaintainRequest request, long start) {
        String text = String.valueOf(e.getMessage());
        if (e.getErrorCode() == SQLITE_BUSY || text.contains("SQLITE_BUSY") || text.contains("database is locked")) {
            return TableResult.of(name, Status.SKIPPED, PgMaintenance.since(start), "the write lock was not granted"
                    + " within " + MaintenanceText.timeout(request.lockTimeout()) + ": another connection (the bot?) was"
                    + " writing; try again when it is quiet or give more --lock-timeout");
        }
        if (text.contains("interrupted") || text.contains("SQLITE_INTERRUPT")) {
            return TableResult.of(name, Status.TIMED_OUT, PgMaintenance.since(start), "cancelled after the statement"
                    + " timeout of " + MaintenanceText.timeout(request.statementTimeout()));
        }
        return TableResult.of(name, Status.FAILED, PgMaintenance.since(start), text);
    }

    private static long pragma(Connection c, String name) throws SQLException {
        try (Statement st = c.createStatement(); ResultSet rs = st.executeQuery("PRAGMA " + name)) {
            return rs.next() ? rs.getLong(1) : 0;
        }
    }

    private long fileBytes() {
        try {
            Path p = target.path();
            return Files.size(p);
        } catch (IOException e) {
            return 0;
        }
    }

    /** What a locking SQLite operation will touch: the file. */
    MaintenancePlan plan(MaintainRequest request) {
        long bytes = fileBytes();
        String name = target.path().getFileName().toString();
        return new MaintenancePlan(request.operation(), target.path().toString(),
                List.of(new MaintenancePlan.PlannedTable(name, bytes, 0, false)),
                "SQLite's VACUUM rewrites the whole file " + name + " (" + Human.bytes(bytes) + "); while it runs"
                        + " the bot's writes wait (and fail after their busy timeout), and it needs free disk space as"
                        + " large as the file.");
    }

    static BotDbException killIdleDoesNotApply(SqliteTarget target) {
        return new BotDbException(ErrorCode.USAGE, "kill-idle does not apply to SQLite (" + target.displayName()
                + "): there is no server and no sessions to end, each connection lives inside the process that"
                + " opened the file. A stuck writer shows up as \"database is locked\" in the bot; find the"
                + " process holding the file with: fuser -v " + (target.path() == null ? "bot.db" : target.path()));
    }
}
