package dev.botdb.backup.postgres;

import dev.botdb.BotDbException;
import dev.botdb.ErrorCode;
import dev.botdb.backup.Backups;
import dev.botdb.backup.tasks.Cleanups;
import dev.botdb.config.PostgresTarget;
import dev.botdb.dialect.Dialect;
import dev.botdb.pool.Connector;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;

/**
 * The other sessions on a restore target: a restore does not race a bot still writing to it. It
 * refuses while they are connected (naming them), or ends them when told to, and a superuser
 * keeps new ones out for the restore's duration (CONNECTION LIMIT 0, which superusers, and so
 * botdb's own connections, pass; ALLOW_CONNECTIONS false would keep botdb out too).
 */
public final class Sessions {
    private Sessions() {
    }

    private static final String TEMPLATE = """
            SELECT datistemplate
            FROM pg_catalog.pg_database
            WHERE datname = ?
            """;

    private static final String CONNECTION_LIMIT = """
            SELECT d.datconnlimit, r.rolsuper
            FROM pg_catalog.pg_database d, pg_catalog.pg_roles r
            WHERE d.datname = ?
              AND r.rolname = current_user
            """;

    /** Refuses a template database: every later CREATE DATABASE copying it would inherit the restore. */
    public static void refuseTemplate(PostgresTarget to) throws SQLException {
        try (Connection c = Connector.open(PgDatabases.maintenance(to)); PreparedStatement ps = c.prepareStatement(TEMPLATE)) {
            ps.setString(1, to.database());
            try (ResultSet rs = ps.executeQuery()) {
                if (rs.next() && rs.getBoolean(1)) {
                    throw new BotDbException(ErrorCode.RESTORE_REFUSED, "Not restoring into " + to.database()
                            + ": it is a template database, and every database created later would inherit what is"
                            + " restored into it. Restore into a new database instead (`to` postgres://.../new_name).");
                }
            }
        }
    }

    /**
     * Closes the target to new sessions where the role may (superuser), then refuses while others
     * are connected, or ends them when {@code terminate}. Returns the connection limit to put back
     * with {@link #reopen}, or null when nothing was closed.
     */
    public static Integer takeOver(PostgresTarget to, boolean terminate, Consumer<String> log) throws SQLException {
        try (Connection c = Connector.open(PgDatabases.maintenance(to)); Statement st = c.createStatement()) {
            Integer closedFrom = null;
            try (PreparedStatement ps = c.prepareStatement(CONNECTION_LIMIT)) {
                ps.setString(1, to.database());
                try (ResultSet rs = ps.executeQuery()) {
                    if (rs.next() && rs.getBoolean(2)) {
                        closedFrom = rs.getInt(1);
                    }
                }
            }
            if (closedFrom != null) {
                st.execute("ALTER DATABASE " + Dialect.POSTGRESQL.quote(to.database()) + " CONNECTION LIMIT 0");
            }
            try {
                // a session that was just closed (botdb's own pool, a bot just stopped) lingers in
                // pg_stat_activity until its backend has exited: look again briefly before naming it
                java.util.Map<Long, String> others = others(c, to);
                for (int i = 0; i < 10 && !others.isEmpty(); i++) {
                    try {
                        Thread.sleep(100);
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                        break;
                    }
                    others = others(c, to);
                }
                List<Long> pids = new ArrayList<>(others.keySet());
                List<String> named = new ArrayList<>(others.values());
                if (!named.isEmpty() && !terminate) {
                    throw new BotDbException(ErrorCode.RESTORE_REFUSED, "Not restoring into " + to.database() + ": "
                            + named.size() + " other session(s) are connected to it: " + String.join("; ", named)
                            + ". A restore racing a bot that still writes loses its writes. Stop the bot (and what"
                            + " else is connected) first, or add `terminateSessions` to end these sessions.");
                }
                for (long pid : pids) {
                    // PostgreSQL 14+: waits up to 10 s for the session to be gone
                    try (PreparedStatement ps = c.prepareStatement("SELECT pg_catalog.pg_terminate_backend(?, 10000)")) {
                        ps.setInt(1, (int) pid);
                        ps.execute();
                    }
                }
                if (!named.isEmpty()) {
                    log.accept("[Restore] Ended " + named.size() + " session(s) on " + to.database() + ": "
                            + String.join("; ", named));
                }
                if (closedFrom == null) {
                    log.accept("[Restore] Not a superuser: new sessions can still connect to " + to.database()
                            + " while it is restored; stop the bot first.");
                }
                return closedFrom;
            } catch (SQLException | RuntimeException e) {
                reopen(to, closedFrom, log);
                throw e;
            }
        }
    }

    /** What an unfinished restore writes into its target's comment until it is done or undone. */
    public static final String RESTORING = "botdb restore in progress";

    private static final String COMMENT = """
            SELECT pg_catalog.shobj_description(d.oid, 'pg_database')
            FROM pg_catalog.pg_database d
            WHERE d.datname = ?
            """;

    /** Marks the target as being restored (a SIGKILL leaves the mark for the next restore to find). */
    public static void markRestoring(PostgresTarget to, String safety) throws SQLException {
        comment(to, Cleanups.mark(RESTORING, ProcessHandle.current()) + "; safety backup: " + safety);
    }

    /** Removes the mark once the restore is done or undone. */
    public static void unmark(PostgresTarget to) throws SQLException {
        comment(to, null);
    }

    private static void comment(PostgresTarget to, String text) throws SQLException {
        try (Connection c = Connector.open(PgDatabases.maintenance(to));
             PreparedStatement ps = c.prepareStatement("SELECT format('COMMENT ON DATABASE %I IS %L', ?::text, ?::text)")) {
            ps.setString(1, to.database());
            ps.setString(2, text);
            try (ResultSet rs = ps.executeQuery(); Statement st = c.createStatement()) {
                rs.next();
                st.execute(rs.getString(1));
            }
        }
    }

    /** The mark a restore killed half way left on the target, or null. */
    public static String interruptedRestore(PostgresTarget to) throws SQLException {
        try (Connection c = Connector.open(PgDatabases.maintenance(to)); PreparedStatement ps = c.prepareStatement(COMMENT)) {
            ps.setString(1, to.database());
            try (ResultSet rs = ps.executeQuery()) {
                String text = rs.next() ? rs.getString(1) : null;
                return Cleanups.leftByGoneProcess(text, RESTORING) ? text : null;
            }
        }
    }

    /** Ends every other session on the database: botdb's own loading ones when a restore is stopped. */
    public static void endOthers(PostgresTarget to) throws SQLException {
        try (Connection c = Connector.open(PgDatabases.maintenance(to));
             PreparedStatement ps = c.prepareStatement("""
                     SELECT pg_catalog.pg_terminate_backend(a.pid, 10000)
                     FROM pg_catalog.pg_stat_activity a
                     WHERE a.datname = ?
                       AND a.pid <> pg_catalog.pg_backend_pid()
                     """)) {
            ps.setString(1, to.database());
            ps.execute();
        }
    }

    private static java.util.Map<Long, String> others(Connection c, PostgresTarget to) throws SQLException {
        java.util.Map<Long, String> named = new java.util.LinkedHashMap<>();
        try (PreparedStatement ps = c.prepareStatement(TargetState.OTHER_SESSIONS)) {
            ps.setString(1, to.database());
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    String app = rs.getString("application_name");
                    named.put(rs.getLong("pid"), "pid " + rs.getLong("pid") + " (user " + rs.getString("usename")
                            + (app == null || app.isEmpty() ? "" : ", application " + app)
                            + (rs.getString("client") == null ? "" : ", from " + rs.getString("client"))
                            + (rs.getString("state") == null ? "" : ", " + rs.getString("state") + " for "
                                    + rs.getLong("seconds") + " s") + ")");
                }
            }
        }
        return named;
    }

    /** Puts the connection limit back after {@link #takeOver}; logs the SQL to run when it cannot. */
    public static void reopen(PostgresTarget to, Integer closedFrom, Consumer<String> log) {
        if (closedFrom == null) {
            return;
        }
        try {
            setConnectionLimit(to, closedFrom);
        } catch (SQLException e) {
            log.accept("[Restore] Could not let other sessions into " + to.database() + " again (" + e.getMessage()
                    + "); run: ALTER DATABASE " + Dialect.POSTGRESQL.quote(to.database()) + " CONNECTION LIMIT " + closedFrom);
        }
    }

    public static void setConnectionLimit(PostgresTarget to, int limit) throws SQLException {
        try (Connection c = Connector.open(PgDatabases.maintenance(to)); Statement st = c.createStatement()) {
            st.execute("ALTER DATABASE " + Dialect.POSTGRESQL.quote(to.database()) + " CONNECTION LIMIT " + limit);
        }
    }
}
