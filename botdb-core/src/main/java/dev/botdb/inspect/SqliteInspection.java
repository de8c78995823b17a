package dev.botdb.inspect;

import dev.botdb.BotDbException;
import dev.botdb.ErrorCode;
import dev.botdb.config.PoolSettings;
import dev.botdb.config.SqliteTarget;
import dev.botdb.dialect.Dialect;
import dev.botdb.inspect.InspectionCheck.Context;
import dev.botdb.inspect.InspectionCheck.Finding;
import dev.botdb.inspect.CheckResult.Verdict;
import dev.botdb.pool.Connector;
import dev.botdb.text.Human;
import java.nio.file.Files;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;

/**
 * The checks that mean something for a SQLite file: its size (page_count x page_size) and growth,
 * the largest tables and indexes (the dbstat virtual table when the library has it, else row
 * counts), {@code PRAGMA quick_check} and the free-page share. Every PostgreSQL-only check is
 * reported "not applicable on SQLite".
 */
final class SqliteInspection {
    static final List<String> ONLY_SQLITE = List.of("integrity", "freelist");
    private static final int SHOWN_PROBLEMS = 10;

    private final SqliteTarget target;

    SqliteInspection(SqliteTarget target) {
        if (target.inMemory()) {
            throw new BotDbException(ErrorCode.USAGE, "An in-memory SQLite database (" + target.displayName()
                    + ") lives only inside the bot's process; there is nothing to inspect from outside.");
        }
        this.target = target;
    }

    /** One object of the file and what it takes. */
    private record Sized(String name, String type, String table, long bytes, long rows) {
    }

    InspectReport run(List<String> names, InspectOptions options) {
        long start = System.nanoTime();
        if (!Files.exists(target.path())) {
            throw new BotDbException(ErrorCode.DATABASE_MISSING, "The SQLite file " + target.path().toAbsolutePath()
                    + " does not exist; check DATABASE_URL.");
        }
        String identity = target.path().toAbsolutePath().normalize().toString();
        PoolSettings one = new PoolSettings(1, 0, Duration.ZERO, Duration.ZERO, options.lockTimeout(),
                options.lockTimeout(), 1, Map.of());
        try (Connection c = Connector.open(target, one)) {
            String version = c.getMetaData().getDatabaseProductVersion();
            Context ctx = new Context(options, null,
                    options.historyFile() == null ? null : new SizeHistory(options.historyFile(), identity));
            List<Sized> objects = null;
            List<CheckResult> results = new ArrayList<>();
            for (String name : names) {
                long t0 = System.nanoTime();
                Finding f = new Finding();
                try {
                    switch (name) {
                        case "database-size" -> SpaceChecks.databaseSize(pragma(c, "page_count") * pragma(c, "page_size"),
                                ctx, f);
                        case "largest-tables", "largest-indexes" -> {
                            objects = objects == null ? objects(c, options) : objects;
                            largest(objects, name.equals("largest-tables") ? "table" : "index", options, f);
                        }
                        case "integrity" -> integrity(c, options, f);
                        case "freelist" -> freelist(c, options, f);
                        default -> f.raise(Verdict.NOT_APPLICABLE).summary("not applicable on SQLite");
                    }
                } catch (SQLException e) {
                    f = new Finding().raise(e.getMessage() != null && e.getMessage().contains("interrupted")
                            ? Verdict.TIMED_OUT : Verdict.ERROR).summary("the check failed: " + e.getMessage());
                }
                results.add(f.result(Inspector.check(name), Duration.ofNanos(System.nanoTime() - t0)));
            }
            return new InspectReport("sqlite", identity, "SQLite " + version, results,
                    Duration.ofNanos(System.nanoTime() - start));
        } catch (SQLException e) {
            throw new BotDbException(ErrorCode.CONNECTION_FAILED, "Cannot open " + target.displayName() + ": "
                    + e.getMessage(), e);
        }
    }

    private static long pragma(Connection c, String name) throws SQLException {
        try (Statement st = c.createStatement(); ResultSet rs = st.executeQuery("PRAGMA " + name)) {
            rs.next();
            return rs.getLong(1);
        }
    }

    /** Every table and index with its size from dbstat, or, without dbstat, its row count. */
    private static List<Sized> objects(Connection c, InspectOptions options) throws SQLException {
        List<Sized> out = new ArrayList<>();
        boolean dbstat = true;
        try (Statement st = c.createStatement()) {
            st.setQueryTimeout(seconds(options));
            try (ResultSet rs = st.executeQuery("""
                    SELECT m.name,
                           m.type,
                           m.tbl_name,
                           coalesce(sum(d.pgsize), 0) AS bytes
                    FROM sqlite_schema m
                    LEFT JOIN dbstat d ON d.name = m.name
                    WHERE m.type IN ('table', 'index')
                      AND m.name NOT LIKE 'sqlite_%'
                    GROUP BY m.name, m.type, m.tbl_name
                    """)) {
                while (rs.next()) {
                    out.add(new Sized(rs.getString(1), rs.getString(2), rs.getString(3), rs.getLong(4), -1));
                }
            }
        } catch (SQLException e) {
            if (e.getMessage() == null || !e.getMessage().contains("dbstat")) {
                throw e;
            }
            dbstat = false;
        }
        if (dbstat) {
            return out;
        }
        List<String[]> names = new ArrayList<>();
        try (Statement st = c.createStatement(); ResultSet rs = st.executeQuery("""
                SELECT m.name,
                       m.type,
                       m.tbl_name
                FROM sqlite_schema m
                WHERE m.type IN ('table', 'index')
                  AND m.name NOT LIKE 'sqlite_%'
                """)) {
            while (rs.next()) {
                names.add(new String[] {rs.getString(1), rs.getString(2), rs.getString(3)});
            }
        }
        for (String[] n : names) {
            long rows = -1;
            if (n[1].equals("table")) {
                try (Statement st = c.createStatement()) {
                    st.setQueryTimeout(seconds(options));
                    try (ResultSet rs = st.executeQuery("SELECT count(*) FROM " + Dialect.SQLITE.quote(n[0]))) {
                        rs.next();
                        rows = rs.getLong(1);
                    }
                }
            }
            out.add(new Sized(n[0], n[1], n[2], -1, rows));
        }
        return out;
    }

    private static int seconds(InspectOptions options) {
        return (int) Math.max(1, options.statementTimeout().toSeconds());
    }

    private static void largest(List<Sized> objects, String type, InspectOptions options, Finding f) {
        List<Sized> of = objects.stream().filter(o -> o.type().equals(type))
                .sorted(Comparator.comparingLong(Sized::bytes).thenComparingLong(Sized::rows).reversed()
                        .thenComparing(Sized::name)).toList();
        boolean sized = of.stream().anyMatch(o -> o.bytes() >= 0);
        if (type.equals("table")) {
            f.columns("table", sized ? "total_bytes:bytes" : "rows:count");
        } else {
            f.columns("index", "table", "bytes:bytes");
        }
        long all = 0;
        for (Sized o : of.subList(0, Math.min(options.limit(), of.size()))) {
            if (type.equals("table")) {
                f.row(o.name(), sized ? o.bytes() : o.rows());
            } else {
                f.row(o.name(), o.table(), sized ? o.bytes() : null);
            }
        }
        for (Sized o : of) {
            all += Math.max(0, o.bytes());
        }
        String what = type.equals("table") ? Human.plural(of.size(), "table", "tables")
                : Human.plural(of.size(), "index", "indexes");
        f.figure(type.equals("table") ? "tables" : "indexes", of.size());
        if (sized) {
            f.figure("bytes", all).summary(what + ", " + Human.bytes(all) + (of.size() > options.limit()
                    ? "; the " + options.limit() + " largest:" : ""));
        } else {
            f.summary(what + (type.equals("table") ? ", largest by row count" : "")
                    + " (this SQLite library has no dbstat table, so sizes are unknown)");
        }
    }

    private static void integrity(Connection c, InspectOptions options, Finding f) throws SQLException {
        List<String> problems = new ArrayList<>();
        try (Statement st = c.createStatement()) {
            st.setQueryTimeout(seconds(options));
            try (ResultSet rs = st.executeQuery("PRAGMA quick_check")) {
                while (rs.next()) {
                    problems.add(rs.getString(1));
                }
            }
        }
        if (problems.equals(List.of("ok"))) {
            f.summary("PRAGMA quick_check: ok");
            return;
        }
        f.raise(Verdict.PROBLEM).figure("count", problems.size()).summary("PRAGMA quick_check found "
                + Human.plural(problems.size(), "problem", "problems") + ": the file is damaged");
        problems.stream().limit(SHOWN_PROBLEMS).forEach(f::note);
        f.note("Restore the newest verified backup (botdb backup list, botdb restore FILE); botdb maintain integrity runs"
                + " the full integrity_check and foreign_key_check.");
    }

    private static void freelist(Connection c, InspectOptions options, Finding f) throws SQLException {
        long free = pragma(c, "freelist_count");
        long pages = pragma(c, "page_count");
        long pageSize = pragma(c, "page_size");
        double share = pages == 0 ? 0 : (double) free / pages;
        f.figure("free_pages", free).figure("pages", pages).figure("share", share);
        String text = Human.plural(free, "free page", "free pages") + " of " + Human.count(pages) + " ("
                + Human.percent(share) + ", " + Human.bytes(free * pageSize) + ")";
        if (share >= options.freelistWarn() && free > 0) {
            f.raise(Verdict.WARN).summary(text + ": space deleted rows left behind");
            f.note("botdb maintain vacuum rewrites the file and gives " + Human.bytes(free * pageSize) + " back (it needs"
                    + " that much free disk, and the bot's writes wait meanwhile).");
        } else {
            f.summary(text);
        }
    }
}
