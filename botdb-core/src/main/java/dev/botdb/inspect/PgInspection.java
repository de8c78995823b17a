package dev.botdb.inspect;

import dev.botdb.BotDbException;
import dev.botdb.ErrorCode;
import dev.botdb.config.PostgresTarget;
import dev.botdb.dialect.Dialect;
import dev.botdb.inspect.InspectionCheck.Context;
import dev.botdb.inspect.InspectionCheck.Finding;
import dev.botdb.inspect.InspectionCheck.Row;
import dev.botdb.inspect.InspectionCheck.Server;
import dev.botdb.inspect.CheckResult.Verdict;
import dev.botdb.pool.Connector;
import dev.botdb.text.Human;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.ResultSetMetaData;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Runs the PostgreSQL checks. Each check is one read-only transaction with its own
 * {@code SET LOCAL statement_timeout} and {@code lock_timeout}: a check that runs out of either is
 * reported "timed out" and the next check starts a fresh transaction. Checks are spread over a
 * few connections ({@link InspectOptions#connections()}), each taking the next check when done.
 */
final class PgInspection {
    private final PostgresTarget target;

    PgInspection(PostgresTarget target) {
        this.target = target;
    }

    InspectReport run(List<InspectionCheck> checks, InspectOptions options) {
        long start = System.nanoTime();
        List<Connection> connections = new ArrayList<>();
        try {
            connections.add(open());
            Server server = server(connections.get(0), options);
            SizeHistory history = options.historyFile() == null ? null
                    : new SizeHistory(options.historyFile(), target.displayName());
            Context ctx = new Context(options, server, history);
            int wanted = Math.min(options.connections(), checks.size());
            while (connections.size() < wanted) {
                connections.add(open());
            }
            CheckResult[] results = new CheckResult[checks.size()];
            runAll(checks, ctx, connections, results);
            return new InspectReport("postgresql", target.displayName(), "PostgreSQL " + server.version(),
                    List.of(results), Duration.ofNanos(System.nanoTime() - start));
        } catch (SQLException e) {
            throw new BotDbException(ErrorCode.INTERNAL, "Inspecting " + target.displayName() + " failed: "
                    + e.getMessage(), e);
        } finally {
            for (Connection c : connections) {
                try {
                    c.close();
                } catch (SQLException ignored) {
                    // closing after the report; nothing left to lose
                }
            }
        }
    }

    private static void runAll(List<InspectionCheck> checks, Context ctx, List<Connection> connections, CheckResult[] results) {
        ConcurrentLinkedQueue<Integer> queue = new ConcurrentLinkedQueue<>();
        for (int i = 0; i < checks.size(); i++) {
            queue.add(i);
        }
        Runnable worker0 = worker(checks, ctx, connections.get(0), queue, results);
        if (connections.size() == 1) {
            worker0.run();
            return;
        }
        AtomicInteger n = new AtomicInteger();
        ExecutorService pool = Executors.newFixedThreadPool(connections.size() - 1, r -> {
            Thread t = new Thread(r, "botdb-inspect-" + n.incrementAndGet());
            t.setDaemon(true);
            return t;
        });
        try {
            List<Future<?>> futures = new ArrayList<>();
            for (Connection c : connections.subList(1, connections.size())) {
                futures.add(pool.submit(worker(checks, ctx, c, queue, results)));
            }
            worker0.run();
            for (Future<?> f : futures) {
                f.get();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new BotDbException(ErrorCode.INTERNAL, "interrupted while inspecting", e);
        } catch (java.util.concurrent.ExecutionException e) {
            throw new BotDbException(ErrorCode.INTERNAL, "inspect failed: " + e.getCause(), e.getCause());
        } finally {
            pool.shutdownNow();
        }
    }

    private static Runnable worker(List<InspectionCheck> checks, Context ctx, Connection c, ConcurrentLinkedQueue<Integer> queue,
                                   CheckResult[] results) {
        return () -> {
            for (Integer i = queue.poll(); i != null; i = queue.poll()) {
                results[i] = runOne(c, checks.get(i), ctx);
            }
        };
    }

    private Connection open() throws SQLException {
        Connection c;
        try {
            c = Connector.open(target);
        } catch (SQLException e) {
            throw new BotDbException(ErrorCode.CONNECTION_FAILED, "Cannot connect to " + target.displayName()
                    + " to inspect it: " + e.getMessage() + ". Check it with: botdb wait", e);
        }
        try (Statement st = c.createStatement()) {
            st.execute("SET application_name = '" + ActivityChecks.APPLICATION + "'");
        }
        c.setAutoCommit(false);
        return c;
    }

    private static Server server(Connection c, InspectOptions options) throws SQLException {
        try {
            List<Row> rows = transaction(c, List.of(InspectionCheck.SERVER), options).get(0);
            Row r = rows.get(0);
            return new Server((int) r.count("version_num"), r.text("version"), r.text("database"), r.text("user_name"),
                    r.flag("superuser"), r.flag("read_all_stats"), r.text("pgss_schema"), r.flag("standby"),
                    r.flag("pgss_loaded"));
        } finally {
            c.rollback();
        }
    }

    /**
     * The statements in one read-only transaction under the options' timeouts; the caller rolls
     * it back (nothing was written).
     */
    private static List<List<Row>> transaction(Connection c, List<String> statements, InspectOptions options)
            throws SQLException {
        List<List<Row>> results = new ArrayList<>();
        try (Statement st = c.createStatement()) {
            st.execute("SET TRANSACTION READ ONLY; SET LOCAL statement_timeout = " + options.statementTimeout().toMillis()
                    + "; SET LOCAL lock_timeout = " + options.lockTimeout().toMillis());
            for (String sql : statements) {
                try (ResultSet rs = st.executeQuery(sql)) {
                    results.add(rows(rs));
                }
            }
        }
        return results;
    }

    private static List<Row> rows(ResultSet rs) throws SQLException {
        ResultSetMetaData md = rs.getMetaData();
        List<Row> rows = new ArrayList<>();
        while (rs.next()) {
            Map<String, Object> values = new LinkedHashMap<>();
            for (int i = 1; i <= md.getColumnCount(); i++) {
                values.put(md.getColumnLabel(i), rs.getObject(i));
            }
            rows.add(new Row(values));
        }
        return rows;
    }

    static CheckResult runOne(Connection c, InspectionCheck check, Context ctx) {
        long start = System.nanoTime();
        Finding f = new Finding();
        InspectOptions o = ctx.options();
        try {
            List<String> statements = check.sql().statements(o, ctx.server());
            List<List<Row>> results = statements.isEmpty() ? List.of() : transaction(c, statements, o);
            c.rollback();
            check.judge().judge(results, ctx, f);
        } catch (SQLException e) {
            rollbackQuietly(c);
            f = failed(check, e, ctx);
        } catch (RuntimeException e) {
            rollbackQuietly(c);
            f = new Finding().raise(Verdict.ERROR).summary("the check failed: " + e);
        }
        return f.result(check, Duration.ofNanos(System.nanoTime() - start));
    }

    private static Finding failed(InspectionCheck check, SQLException e, Context ctx) {
        Finding f = new Finding();
        String state = e.getSQLState() == null ? "" : e.getSQLState();
        String message = e.getMessage() == null ? e.toString() : e.getMessage().replaceAll("\\s+", " ");
        InspectOptions o = ctx.options();
        switch (state) {
            case "57014" -> f.raise(Verdict.TIMED_OUT).summary("timed out: its queries ran longer than the statement"
                    + " timeout (" + Human.duration(o.statementTimeout()) + "); the other checks still ran")
                    .note("Run it alone with more time: botdb inspect " + check.name() + " --timeout 5m");
            case "55P03" -> f.raise(Verdict.TIMED_OUT).summary("timed out: another session holds a lock it needs, and the"
                    + " lock timeout (" + Human.duration(o.lockTimeout()) + ") ran out; the other checks still ran")
                    .note("See who holds it: botdb inspect blocked-queries, or run it again later.");
            case "42501" -> f.raise(Verdict.NOT_PERMITTED).summary("not permitted for " + ctx.server().user() + ": "
                    + message).note("Run as a superuser: GRANT pg_monitor TO " + Dialect.POSTGRESQL.quote(ctx.server().user())
                    + "; (it includes pg_read_all_stats and pg_read_all_settings)");
            case "55000" -> {
                if (message.contains("shared_preload_libraries")) {
                    ActivityChecks.notLoaded(f);
                } else {
                    f.raise(Verdict.ERROR).summary("the check's query failed [SQLSTATE " + state + "]: " + message);
                }
            }
            default -> f.raise(Verdict.ERROR).summary("the check's query failed [SQLSTATE " + state + "]: " + message);
        }
        return f;
    }

    private static void rollbackQuietly(Connection c) {
        try {
            c.rollback();
        } catch (SQLException ignored) {
            // the connection is gone; the next check on it reports that
        }
    }
}
