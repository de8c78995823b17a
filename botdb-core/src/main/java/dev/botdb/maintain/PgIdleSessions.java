package dev.botdb.maintain;

import dev.botdb.BotDbException;
import dev.botdb.ErrorCode;
import dev.botdb.config.PostgresTarget;
import dev.botdb.dialect.Dialect;
import dev.botdb.maintain.IdleSession.Outcome;
import dev.botdb.text.Human;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.SQLWarning;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.Consumer;

/**
 * {@code kill-idle} on PostgreSQL: the clean-up operators run by hand,
 * {@code pg_terminate_backend ... WHERE state = 'idle' AND state_change < now() - interval '5 minutes'},
 * limited to client sessions of the application's database other than its own, reporting each one.
 */
final class PgIdleSessions {
    /** How long pg_terminate_backend waits for the session to exit (PostgreSQL 14+). */
    private static final long TERMINATE_WAIT_MS = 5_000;

    private final PostgresTarget target;
    private final Consumer<String> log;

    PgIdleSessions(PostgresTarget target, Consumer<String> log) {
        this.target = target;
        this.log = log;
    }

    /**
     * Idle client sessions of this database, idle longer than the threshold. {@code allowed}: a
     * superuser may end anyone's; others their own roles' sessions and, with pg_signal_backend,
     * any non-superuser's (PostgreSQL: "Server Signaling Functions").
     */
    private static final String CANDIDATES = """
            SELECT a.pid,
                   a.usename,
                   a.application_name,
                   CASE WHEN a.client_addr IS NOT NULL THEN host(a.client_addr) || ':' || a.client_port
                        ELSE 'local socket' END AS client,
                   a.state,
                   extract(epoch FROM now() - a.state_change) AS idle_seconds,
                   a.query,
                   CASE WHEN (SELECT rolsuper FROM pg_roles WHERE rolname = current_user) THEN 'yes'
                        WHEN r.rolsuper THEN 'superuser'
                        WHEN pg_has_role(current_user, a.usesysid, 'USAGE') THEN 'yes'
                        WHEN pg_has_role(current_user, 'pg_signal_backend', 'USAGE') THEN 'yes'
                        ELSE 'no' END AS allowed
            FROM pg_stat_activity a
            LEFT JOIN pg_roles r ON r.oid = a.usesysid
            WHERE a.datname = current_database()
              AND a.pid <> pg_backend_pid()
              AND a.backend_type = 'client backend'
              AND a.state IN (%s)
              AND a.state_change < now() - make_interval(secs => ?)
            ORDER BY a.state_change
            """;

    /** Other roles' sessions of this database whose state the server hides from this role. */
    private static final String HIDDEN = """
            SELECT a.pid,
                   a.usename,
                   a.application_name
            FROM pg_stat_activity a
            WHERE a.datname = current_database()
              AND a.pid <> pg_backend_pid()
              AND a.state IS NULL
              AND a.usename IS NOT NULL
            ORDER BY a.pid
            """;

    /** Ends the session only if it is still idle as listed, so a session that just woke up keeps its query. */
    private static final String TERMINATE = """
            SELECT %s
            FROM pg_stat_activity a
            WHERE a.pid = ?
              AND a.datname = current_database()
              AND a.state IN (%s)
              AND a.state_change < now() - make_interval(secs => ?)
            """;

    KillIdleResult run(KillIdleRequest request) {
        String states = request.idleInTransaction()
                ? "'idle', 'idle in transaction', 'idle in transaction (aborted)'" : "'idle'";
        double seconds = request.olderThan().toMillis() / 1000.0;
        try (Connection c = PgMaintenance.open(target)) {
            PgMaintenance.Server server = PgMaintenance.server(c);
            String terminate = server.major() >= 14 ? "pg_terminate_backend(a.pid, " + TERMINATE_WAIT_MS + ")"
                    : "pg_terminate_backend(a.pid)";
            List<IdleSession> sessions = new ArrayList<>();
            boolean superuserSessions = false;
            boolean otherRoles = false;
            try (PreparedStatement ps = c.prepareStatement(CANDIDATES.formatted(states))) {
                ps.setDouble(1, seconds);
                try (ResultSet rs = ps.executeQuery()) {
                    while (rs.next()) {
                        String allowed = rs.getString("allowed");
                        superuserSessions |= allowed.equals("superuser");
                        otherRoles |= allowed.equals("no");
                        sessions.add(new IdleSession(rs.getInt("pid"), rs.getString("usename"),
                                rs.getString("application_name"), rs.getString("client"), rs.getString("state"),
                                Duration.ofMillis((long) (rs.getDouble("idle_seconds") * 1000)),
                                MaintenanceText.query(rs.getString("query")),
                                allowed.equals("yes") ? (request.dryRun() ? Outcome.WOULD_END : null) : Outcome.NOT_ALLOWED,
                                allowed.equals("superuser") ? "only a superuser can end a superuser's session"
                                        : allowed.equals("no") ? server.user() + " may end only its own role's sessions"
                                        : null));
                    }
                }
            }
            List<IdleSession> done = new ArrayList<>();
            for (IdleSession s : sessions) {
                IdleSession result = s.outcome() != null ? s : terminate(c, s, terminate, states, seconds, server);
                log.accept("  " + result.describe());
                done.add(result);
            }
            Map<String, Integer> hiddenByUser = new TreeMap<>();
            try (PreparedStatement ps = c.prepareStatement(HIDDEN); ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    IdleSession h = new IdleSession(rs.getInt(1), rs.getString(2), rs.getString(3), null, null, null,
                            null, Outcome.HIDDEN, "its state is hidden from " + server.user());
                    hiddenByUser.merge(h.user(), 1, Integer::sum);
                    done.add(h);
                }
            }
            return new KillIdleResult(server.database(), server.pid(), request, done,
                    notes(server, superuserSessions, otherRoles, hiddenByUser));
        } catch (SQLException e) {
            throw new BotDbException(ErrorCode.INTERNAL, "kill-idle on " + target.displayName() + " failed: "
                    + PgMaintenance.message(e), e);
        }
    }

    private static IdleSession terminate(Connection c, IdleSession s, String terminate, String states, double seconds,
                                         PgMaintenance.Server server) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement(TERMINATE.formatted(terminate, states))) {
            ps.setInt(1, s.pid());
            ps.setDouble(2, seconds);
            try (ResultSet rs = ps.executeQuery()) {
                if (!rs.next()) {
                    return with(s, Outcome.BUSY_AGAIN, "it started a statement again, or went away, before it was ended");
                }
                if (rs.getBoolean(1)) {
                    return with(s, Outcome.ENDED, null);
                }
                String warning = "";
                for (SQLWarning w = ps.getWarnings(); w != null; w = w.getNextWarning()) {
                    warning = w.getMessage();
                }
                return warning.contains("not a PostgreSQL") ? with(s, Outcome.GONE, "it had already gone")
                        : with(s, Outcome.ENDED, "signalled, but still exiting: " + warning);
            }
        } catch (SQLException e) {
            if (!"42501".equals(e.getSQLState())) {
                throw e;
            }
            return with(s, Outcome.NOT_ALLOWED, PgMaintenance.message(e) + " (role " + server.user() + ")");
        }
    }

    private static IdleSession with(IdleSession s, Outcome outcome, String note) {
        return new IdleSession(s.pid(), s.user(), s.application(), s.client(), s.state(), s.idleFor(), s.lastQuery(),
                outcome, note);
    }

    private static List<String> notes(PgMaintenance.Server server, boolean superuserSessions, boolean otherRoles,
                                      Map<String, Integer> hidden) {
        List<String> notes = new ArrayList<>();
        String role = Dialect.POSTGRESQL.quote(server.user());
        if (otherRoles) {
            notes.add("To let " + server.user() + " end other roles' sessions (not a superuser's), run as a superuser:"
                    + " GRANT pg_signal_backend TO " + role + ";");
        }
        if (superuserSessions) {
            notes.add("Sessions of superusers can only be ended by a superuser: run kill-idle with a superuser's"
                    + " DATABASE_URL.");
        }
        if (!hidden.isEmpty()) {
            StringBuilder who = new StringBuilder();
            hidden.forEach((u, n) -> who.append(who.length() == 0 ? "" : ", ").append(u).append(": ").append(n));
            notes.add("The server hides whether " + Human.plural(hidden.values().stream().mapToInt(i -> i).sum(),
                    "session", "sessions") + " of other roles (" + who + ") are idle from " + server.user()
                    + ". To see them, run as a superuser: GRANT pg_read_all_stats TO " + role
                    + "; (and GRANT pg_signal_backend TO " + role + "; to end them).");
        }
        return notes;
    }
}
