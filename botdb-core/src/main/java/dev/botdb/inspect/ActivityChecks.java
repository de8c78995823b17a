package dev.botdb.inspect;

import dev.botdb.dialect.Dialect;
import dev.botdb.inspect.InspectionCheck.Context;
import dev.botdb.inspect.InspectionCheck.Finding;
import dev.botdb.inspect.InspectionCheck.Row;
import dev.botdb.inspect.InspectionCheck.Server;
import dev.botdb.inspect.CheckResult.Verdict;
import dev.botdb.text.Human;
import java.util.List;

/**
 * What the server is doing: slow and time-consuming statements (pg_stat_statements),
 * long-running, blocked and idle-in-transaction sessions of this database, connections against
 * max_connections, and replication (PgHero's "queries", "query_stats", "connections" and
 * "replication" modules). Other roles' sessions and statement texts are hidden from a role without
 * pg_read_all_stats; the checks then say so.
 */
final class ActivityChecks {
    /** The application_name botdb inspect's own connections use, so they do not report themselves. */
    static final String APPLICATION = "botdb inspect";

    private ActivityChecks() {
    }

    /** PostgreSQL 13 renamed total_time / mean_time to total_exec_time / mean_exec_time. */
    static final String SLOW_QUERIES = """
            SELECT r.rolname AS role,
                   s.calls,
                   s.%2$s / 1000 AS mean_seconds,
                   s.%3$s / 1000 AS total_seconds,
                   s.rows,
                   s.query,
                   count(*) OVER () AS matching
            FROM %1$s s
            LEFT JOIN pg_roles r ON r.oid = s.userid
            WHERE s.dbid = (SELECT oid FROM pg_database WHERE datname = current_database())
              AND s.calls >= %4$d
              AND s.%2$s >= %5$s
            ORDER BY s.%2$s DESC
            LIMIT %6$d
            """;

    static final String TOP_QUERIES = """
            SELECT r.rolname AS role,
                   s.calls,
                   s.%3$s / 1000 AS total_seconds,
                   s.%2$s / 1000 AS mean_seconds,
                   s.%3$s / nullif(sum(s.%3$s) OVER (), 0) AS share,
                   s.rows,
                   s.query
            FROM %1$s s
            LEFT JOIN pg_roles r ON r.oid = s.userid
            WHERE s.dbid = (SELECT oid FROM pg_database WHERE datname = current_database())
            ORDER BY s.%3$s DESC
            LIMIT %4$d
            """;

    /** This database's sessions of other roles whose state and query the server hides from this role. */
    static final String HIDDEN_SESSIONS = """
            SELECT count(*) AS hidden
            FROM pg_stat_activity a
            WHERE a.datname = current_database()
              AND a.usesysid IS NOT NULL
              AND a.state IS NULL
              AND a.pid <> pg_backend_pid()
            """;

    static final String LONG_RUNNING = """
            SELECT a.pid,
                   a.usename AS user,
                   a.application_name AS application,
                   extract(epoch FROM now() - a.query_start)::float8 AS running_seconds,
                   a.wait_event_type || coalesce(': ' || a.wait_event, '') AS waiting_for,
                   a.query
            FROM pg_stat_activity a
            WHERE a.datname = current_database()
              AND a.backend_type = 'client backend'
              AND a.state = 'active'
              AND a.query_start < now() - %s
              AND a.pid <> pg_backend_pid()
              AND a.application_name <> '%s'
            ORDER BY a.query_start, a.pid
            """;

    /**
     * Statements waiting for a heavyweight lock, each with the session that blocks it
     * (pg_blocking_pids, called only for sessions waiting on a lock) and what that session runs.
     */
    static final String BLOCKED = """
            SELECT a.pid,
                   a.usename AS user,
                   a.application_name AS application,
                   extract(epoch FROM now() - a.query_start)::float8 AS waiting_seconds,
                   a.query,
                   b.pid AS blocker_pid,
                   b.usename AS blocker_user,
                   b.application_name AS blocker_application,
                   b.state AS blocker_state,
                   extract(epoch FROM now() - coalesce(b.xact_start, b.query_start))::float8 AS blocker_seconds,
                   b.query AS blocker_query
            FROM pg_stat_activity a
            CROSS JOIN LATERAL unnest(pg_blocking_pids(a.pid)) AS blocking(pid)
            LEFT JOIN pg_stat_activity b ON b.pid = blocking.pid
            WHERE a.datname = current_database()
              AND a.wait_event_type = 'Lock'
              AND a.query_start < now() - %s
            ORDER BY a.query_start, a.pid, b.pid
            """;

    static final String IDLE_IN_TRANSACTION = """
            SELECT a.pid,
                   a.usename AS user,
                   a.application_name AS application,
                   coalesce(host(a.client_addr), 'local socket') AS client,
                   extract(epoch FROM now() - a.state_change)::float8 AS idle_seconds,
                   extract(epoch FROM now() - a.xact_start)::float8 AS transaction_seconds,
                   a.query AS last_query
            FROM pg_stat_activity a
            WHERE a.datname = current_database()
              AND a.state IN ('idle in transaction', 'idle in transaction (aborted)')
              AND a.state_change < now() - %s
              AND a.pid <> pg_backend_pid()
              AND a.application_name <> '%s'
            ORDER BY a.state_change, a.pid
            """;

    /**
     * Client connections of the whole server (max_connections is server-wide) by state, source
     * address, application and database. A session of another role whose details are hidden
     * counts as {@code hidden}.
     */
    static final String CONNECTIONS = """
            WITH s AS (
                SELECT coalesce(a.state, 'hidden') AS state,
                       coalesce(host(a.client_addr),
                                CASE WHEN a.client_port = -1 THEN 'local socket' ELSE 'hidden' END) AS source,
                       coalesce(nullif(a.application_name, ''), '(none)') AS application,
                       coalesce(a.datname, '(none)') AS database
                FROM pg_stat_activity a
                WHERE a.backend_type = 'client backend'
                   OR a.backend_type IS NULL AND a.usesysid IS NOT NULL
            )
            SELECT CASE WHEN grouping(s.state) = 0 THEN 'state'
                        WHEN grouping(s.source) = 0 THEN 'source'
                        WHEN grouping(s.application) = 0 THEN 'application'
                        WHEN grouping(s.database) = 0 THEN 'database'
                        ELSE 'total' END AS by,
                   coalesce(s.state, s.source, s.application, s.database, 'all') AS value,
                   count(*) AS connections
            FROM s
            GROUP BY GROUPING SETS ((s.state), (s.source), (s.application), (s.database), ())
            ORDER BY 1, 3 DESC, 2
            """;

    /** reserved_connections (PostgreSQL 16+) keeps slots for pg_use_reserved_connections members. */
    static final String CONNECTION_LIMITS = """
            SELECT current_setting('max_connections')::int AS max_connections,
                   current_setting('superuser_reserved_connections')::int AS superuser_reserved,
                   coalesce(current_setting('reserved_connections', true)::int, 0) AS reserved
            """;

    /** Slots keep WAL (and old row versions, for logical slots) until their consumer confirms it. */
    static final String REPLICATION_SLOTS = """
            SELECT s.slot_name AS slot,
                   s.slot_type AS type,
                   s.database,
                   s.active,
                   CASE WHEN pg_is_in_recovery() THEN NULL
                        ELSE pg_wal_lsn_diff(pg_current_wal_lsn(), s.restart_lsn)::bigint END AS retained_bytes
            FROM pg_replication_slots s
            ORDER BY 5 DESC NULLS LAST, 1
            """;

    static final String STANDBY = """
            SELECT pg_is_in_recovery() AS standby,
                   CASE WHEN pg_is_in_recovery()
                        THEN extract(epoch FROM now() - pg_last_xact_replay_timestamp())::float8 END AS replay_lag_seconds
            """;

    static List<InspectionCheck> all() {
        return List.of(
                new InspectionCheck("slow-queries", "queries", "Slow queries",
                        (o, s) -> s.pgssSchema() == null ? List.of() : List.of(SLOW_QUERIES.formatted(pgss(s),
                                meanColumn(s), totalColumn(s), o.slowQueryCalls(), o.slowQuery().toMillis(),
                                o.limit())),
                        ActivityChecks::slowQueries),
                new InspectionCheck("top-queries", "queries", "Most time-consuming queries",
                        (o, s) -> s.pgssSchema() == null ? List.of() : List.of(TOP_QUERIES.formatted(pgss(s),
                                meanColumn(s), totalColumn(s), o.limit())),
                        ActivityChecks::topQueries),
                new InspectionCheck("long-running-queries", "queries", "Long-running queries",
                        (o, s) -> List.of(LONG_RUNNING.formatted(InspectionCheck.interval(o.longQuery()), APPLICATION),
                                HIDDEN_SESSIONS),
                        ActivityChecks::longRunning),
                new InspectionCheck("blocked-queries", "queries", "Blocked queries",
                        (o, s) -> List.of(BLOCKED.formatted(InspectionCheck.interval(o.blockedQuery())), HIDDEN_SESSIONS),
                        ActivityChecks::blocked),
                new InspectionCheck("idle-in-transaction", "queries", "Sessions idle in a transaction",
                        (o, s) -> List.of(IDLE_IN_TRANSACTION.formatted(InspectionCheck.interval(o.idleInTransaction()), APPLICATION),
                                HIDDEN_SESSIONS),
                        ActivityChecks::idleInTransaction),
                new InspectionCheck("connections", "connections", "Connections",
                        (o, s) -> List.of(CONNECTIONS, CONNECTION_LIMITS),
                        ActivityChecks::connections),
                new InspectionCheck("replication", "connections", "Replication slots and lag",
                        (o, s) -> List.of(REPLICATION_SLOTS, STANDBY),
                        ActivityChecks::replication));
    }

    private static String pgss(Server s) {
        return s.pgssSchema().isEmpty() ? "pg_stat_statements" : s.pgssSchema() + ".pg_stat_statements";
    }

    private static String meanColumn(Server s) {
        return s.major() >= 13 ? "mean_exec_time" : "mean_time";
    }

    private static String totalColumn(Server s) {
        return s.major() >= 13 ? "total_exec_time" : "total_time";
    }

    /** pg_stat_statements is not created in this database: what to do, step by step. */
    static void notInstalled(Finding f, Server s) {
        f.raise(Verdict.NOT_APPLICABLE).summary("pg_stat_statements is not installed in this database, so per-statement"
                + " times are not recorded");
        if (s.pgssLoaded()) {
            f.note("The server already loads the library (shared_preload_libraries has pg_stat_statements): no"
                    + " restart is needed. Only the extension is missing; " + (s.superuser() ? "" : "as a superuser, ")
                    + "run in this database: CREATE EXTENSION pg_stat_statements;");
            return;
        }
        f.note("To record them: in postgresql.conf set shared_preload_libraries = 'pg_stat_statements' (keep any"
                + " libraries already listed, comma-separated), restart the server, then in this database run:"
                + " CREATE EXTENSION pg_stat_statements;");
    }

    /** The extension exists but the library was not loaded at server start. */
    static void notLoaded(Finding f) {
        f.raise(Verdict.NOT_APPLICABLE).summary("pg_stat_statements is created but not loaded: the server was not"
                + " started with it in shared_preload_libraries");
        f.note("In postgresql.conf set shared_preload_libraries = 'pg_stat_statements' (keep any libraries already"
                + " listed, comma-separated; or ALTER SYSTEM SET shared_preload_libraries = 'pg_stat_statements';),"
                + " then restart the server. A reload is not enough.");
    }

    private static void slowQueries(List<List<Row>> results, Context ctx, Finding f) {
        if (results.isEmpty()) {
            notInstalled(f, ctx.server());
            return;
        }
        InspectOptions o = ctx.options();
        List<Row> rows = results.get(0);
        f.columns("role", "calls:count", "mean_seconds:seconds", "total_seconds:seconds", "query");
        long hidden = statements(rows, f);
        long matching = rows.isEmpty() ? 0 : rows.get(0).count("matching");
        f.figure("count", matching);
        String rule = "mean at least " + Human.duration(o.slowQuery()) + " over at least " + Human.count(o.slowQueryCalls())
                + " calls";
        if (matching == 0) {
            f.summary("no slow statement (" + rule + ")");
        } else {
            f.raise(Verdict.WARN).summary(Human.plural(matching, "statement is", "statements are") + " slow (" + rule
                    + ")" + (matching > rows.size() ? "; the " + rows.size() + " slowest:" : ""));
            f.note("EXPLAIN (ANALYZE, BUFFERS) each with real values; a missing index shows as a Seq Scan on a big"
                    + " table. pg_stat_statements counts since its last reset (SELECT pg_stat_statements_reset()).");
        }
        hiddenTexts(hidden, ctx.server(), f);
    }

    private static void topQueries(List<List<Row>> results, Context ctx, Finding f) {
        if (results.isEmpty()) {
            notInstalled(f, ctx.server());
            return;
        }
        List<Row> rows = results.get(0);
        f.columns("role", "calls:count", "total_seconds:seconds", "mean_seconds:seconds", "share:ratio", "query");
        long hidden = statements(rows, f);
        f.figure("count", rows.size());
        f.summary(rows.isEmpty() ? "no statements recorded yet"
                : "the " + Human.plural(rows.size(), "statement", "statements") + " that took the most time in all");
        hiddenTexts(hidden, ctx.server(), f);
    }

    /** Adds each statement's row (the text on one line, shortened) and returns how many texts are hidden. */
    private static long statements(List<Row> rows, Finding f) {
        long hidden = 0;
        for (Row r : rows) {
            hidden += "<insufficient privilege>".equals(r.text("query")) ? 1 : 0;
            List<Object> values = new java.util.ArrayList<>();
            for (CheckResult.Column c : f.columns) {
                values.add(c.name().equals("query") ? ReportText.query(r.text("query")) : r.get(c.name()));
            }
            f.row(values.toArray());
        }
        return hidden;
    }

    private static void hiddenTexts(long hidden, Server server, Finding f) {
        if (hidden > 0) {
            f.note(Human.plural(hidden, "statement's text is", "statements' texts are") + " hidden from " + server.user()
                    + " (another role ran them). To see them, run as a superuser: GRANT pg_read_all_stats TO "
                    + Dialect.POSTGRESQL.quote(server.user()) + "; (or GRANT pg_monitor)");
            if (f.verdict == Verdict.OK) {
                f.raise(Verdict.NOT_PERMITTED);
            }
        }
    }

    private static void longRunning(List<List<Row>> results, Context ctx, Finding f) {
        List<Row> rows = results.get(0);
        f.columns("pid:count", "user", "application", "running_seconds:seconds", "waiting_for", "query");
        rows.forEach(r -> f.row(r.get("pid"), r.text("user"), r.text("application"), r.get("running_seconds"),
                r.text("waiting_for"), ReportText.query(r.text("query"))));
        f.figure("count", rows.size());
        String rule = "running longer than " + Human.duration(ctx.options().longQuery());
        if (rows.isEmpty()) {
            f.summary("no statement " + rule);
        } else {
            f.raise(Verdict.WARN).summary(Human.plural(rows.size(), "statement is", "statements are") + " " + rule);
            f.note("To cancel one: SELECT pg_cancel_backend(PID); to end its session: SELECT pg_terminate_backend(PID);"
                    + " a statement_timeout for the bot's role stops them for good: ALTER ROLE "
                    + Dialect.POSTGRESQL.quote(ctx.server().user()) + " SET statement_timeout = '30s';");
        }
        f.hidden(results.get(1).get(0).count("hidden"), "session", ctx.server());
    }

    private static void blocked(List<List<Row>> results, Context ctx, Finding f) {
        List<Row> rows = results.get(0);
        f.columns("pid:count", "application", "waiting_seconds:seconds", "query", "blocker_pid:count", "blocker_state",
                "blocker_query");
        java.util.Set<Object> blockedPids = new java.util.HashSet<>();
        for (Row r : rows) {
            blockedPids.add(r.get("pid"));
            f.row(r.get("pid"), r.text("application"), r.get("waiting_seconds"), ReportText.query(r.text("query")),
                    r.get("blocker_pid"), r.text("blocker_state"), ReportText.query(r.text("blocker_query")));
        }
        f.figure("count", blockedPids.size());
        String rule = "waiting longer than " + Human.duration(ctx.options().blockedQuery());
        if (rows.isEmpty()) {
            f.summary("no statement " + rule + " for another session's lock");
        } else {
            f.raise(Verdict.PROBLEM).summary(Human.plural(blockedPids.size(), "statement is", "statements are") + " "
                    + rule + " for another session's lock");
            for (Row r : rows.stream().limit(ctx.options().limit()).toList()) {
                f.note("pid " + r.get("pid") + " waits for pid " + r.get("blocker_pid") + " (user " + r.text("blocker_user")
                        + ", application '" + r.text("blocker_application") + "', " + r.text("blocker_state")
                        + (r.get("blocker_seconds") == null ? "" : ", transaction open for "
                        + Human.duration(java.time.Duration.ofMillis(Math.round(r.number("blocker_seconds") * 1000))))
                        + "): end it with SELECT pg_terminate_backend(" + r.get("blocker_pid") + ");");
            }
        }
        f.hidden(results.get(1).get(0).count("hidden"), "session", ctx.server());
    }

    private static void idleInTransaction(List<List<Row>> results, Context ctx, Finding f) {
        List<Row> rows = results.get(0);
        f.columns("pid:count", "user", "application", "client", "idle_seconds:seconds", "transaction_seconds:seconds",
                "last_query");
        rows.forEach(r -> f.row(r.get("pid"), r.text("user"), r.text("application"), r.text("client"),
                r.get("idle_seconds"), r.get("transaction_seconds"), ReportText.query(r.text("last_query"))));
        f.figure("count", rows.size());
        String rule = "idle inside a transaction for longer than " + Human.duration(ctx.options().idleInTransaction());
        if (rows.isEmpty()) {
            f.summary("no session " + rule);
        } else {
            f.raise(Verdict.WARN).summary(Human.plural(rows.size(), "session is", "sessions are") + " " + rule
                    + ": they hold their locks and keep VACUUM from removing dead rows");
            f.note("End them: botdb maintain kill-idle --idle-in-transaction --older-than "
                    + ctx.options().idleInTransaction().toMinutes() + "m; prevent them: ALTER ROLE "
                    + Dialect.POSTGRESQL.quote(ctx.server().user()) + " SET idle_in_transaction_session_timeout = '5min';");
        }
        f.hidden(results.get(1).get(0).count("hidden"), "session", ctx.server());
    }

    private static void connections(List<List<Row>> results, Context ctx, Finding f) {
        InspectOptions o = ctx.options();
        Row limits = results.get(1).get(0);
        long max = limits.count("max_connections");
        long reserved = limits.count("superuser_reserved") + limits.count("reserved");
        long usable = Math.max(1, max - reserved);
        long total = 0;
        f.columns("by", "value", "connections:count");
        for (Row r : results.get(0)) {
            if ("total".equals(r.text("by"))) {
                total = r.count("connections");
            } else {
                f.row(r);
            }
        }
        double share = (double) total / usable;
        f.figure("total", total).figure("usable", usable).figure("max_connections", max).figure("share", share);
        String text = Human.count(total) + " of " + Human.count(usable) + " usable connections in use ("
                + Human.percent(share) + "; max_connections " + max + " less " + reserved + " reserved)";
        if (share >= o.connectionsProblem()) {
            f.raise(Verdict.PROBLEM);
        } else if (share >= o.connectionsWarn()) {
            f.raise(Verdict.WARN);
        }
        if (f.verdict == Verdict.OK) {
            f.summary(text);
            return;
        }
        // non-superusers cannot take the reserved slots, so at "usable" they are refused already
        f.summary(text + (total >= usable ? ": new connections are being refused now (\"too many clients already\")"
                : ": new connections will be refused (\"too many clients already\") once " + Human.count(usable - total)
                + " more are open"));
        f.note("Find who holds them in the rows above; give each bot a small pool (DB_MAX_OPEN_CONNS, or"
                + " PG_POOL_SIZE + PG_MAX_OVERFLOW), end idle sessions (botdb maintain kill-idle), or put PgBouncer"
                + " in front. Raising max_connections needs a restart and memory per connection.");
    }

    private static void replication(List<List<Row>> results, Context ctx, Finding f) {
        List<Row> slots = results.get(0);
        Row standby = results.get(1).get(0);
        f.columns("slot", "type", "database", "active", "retained_bytes:bytes");
        long inactive = 0;
        for (Row r : slots) {
            f.row(r);
            if (!r.flag("active")) {
                inactive++;
                f.note("Slot " + r.text("slot") + " is inactive and keeps WAL"
                        + (r.get("retained_bytes") == null ? "" : " (" + Human.bytes(r.count("retained_bytes")) + ")")
                        + " until its consumer returns; if it will not: SELECT pg_drop_replication_slot('"
                        + r.text("slot").replace("'", "''") + "');");
            }
        }
        f.figure("slots", slots.size()).figure("inactive", inactive);
        StringBuilder text = new StringBuilder(slots.isEmpty() ? "no replication slots"
                : Human.plural(slots.size(), "replication slot", "replication slots") + ", " + inactive + " inactive");
        if (inactive > 0) {
            f.raise(Verdict.WARN);
        }
        if (standby.flag("standby")) {
            Double lag = standby.number("replay_lag_seconds");
            f.figure("replay_lag_seconds", lag);
            text.append("; this server is a standby, ").append(lag == null ? "nothing replayed yet"
                    : "replaying " + Human.duration(java.time.Duration.ofMillis(Math.round(lag * 1000))) + " behind");
            if (lag != null && lag * 1000 >= ctx.options().replicationLag().toMillis()) {
                f.raise(Verdict.WARN);
                f.note("The standby is more than " + Human.duration(ctx.options().replicationLag()) + " behind (or the"
                        + " primary has had no writes since): check the network and the standby's disk.");
            }
        } else {
            text.append("; not a standby");
        }
        f.summary(text.toString());
    }
}
