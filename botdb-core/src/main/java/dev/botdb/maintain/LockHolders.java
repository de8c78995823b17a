package dev.botdb.maintain;

import dev.botdb.text.Human;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * Who kept a maintenance statement from its lock: the sessions holding (or queued for) a
 * conflicting lock on the table or its indexes, or, for REINDEX CONCURRENTLY, the older
 * transactions it waits out. Reads pg_locks and pg_stat_activity only.
 */
final class LockHolders {
    private static final int SHOWN = 3;

    /** PostgreSQL's table lock modes, weakest first, as pg_locks names them. */
    enum Mode {
        ACCESS_SHARE("AccessShareLock"), ROW_SHARE("RowShareLock"), ROW_EXCLUSIVE("RowExclusiveLock"),
        SHARE_UPDATE_EXCLUSIVE("ShareUpdateExclusiveLock"), SHARE("ShareLock"),
        SHARE_ROW_EXCLUSIVE("ShareRowExclusiveLock"), EXCLUSIVE("ExclusiveLock"),
        ACCESS_EXCLUSIVE("AccessExclusiveLock");

        final String pgName;

        Mode(String pgName) {
            this.pgName = pgName;
        }

        static Mode of(String pgName) {
            for (Mode m : values()) {
                if (m.pgName.equals(pgName)) {
                    return m;
                }
            }
            return null;
        }

        /** The conflict table of the PostgreSQL documentation, "Explicit Locking", table 13.2. */
        boolean conflictsWith(Mode other) {
            int a = ordinal() + 1;
            int b = other.ordinal() + 1;
            int strong = Math.max(a, b);
            int weak = Math.min(a, b);
            return switch (strong) {
                case 8 -> true;
                case 7 -> weak >= 2;
                case 6 -> weak >= 3;
                case 5 -> weak == 3 || weak == 4;
                case 4 -> weak == 4;
                default -> false;
            };
        }

        /** Every mode that conflicts with one of {@code wanted}. */
        static Set<Mode> conflicting(Mode... wanted) {
            Set<Mode> out = EnumSet.noneOf(Mode.class);
            for (Mode w : wanted) {
                for (Mode m : values()) {
                    if (w.conflictsWith(m)) {
                        out.add(m);
                    }
                }
            }
            return out;
        }
    }

    private LockHolders() {
    }

    private static final String RELATION_LOCKS = """
            SELECT l.pid,
                   l.mode,
                   l.granted,
                   a.usename,
                   a.application_name,
                   a.backend_type,
                   a.state,
                   extract(epoch FROM now() - a.state_change) AS state_seconds,
                   a.query
            FROM pg_locks l
            LEFT JOIN pg_stat_activity a ON a.pid = l.pid
            WHERE l.locktype = 'relation'
              AND l.database = (SELECT oid FROM pg_database WHERE datname = current_database())
              AND l.relation IN (SELECT ?::oid UNION ALL SELECT indexrelid FROM pg_index WHERE indrelid = ?::oid)
              AND l.pid <> pg_backend_pid()
            ORDER BY l.granted DESC, a.xact_start NULLS LAST
            """;

    /** Sessions of this database inside a transaction, oldest first: what REINDEX CONCURRENTLY waits out. */
    private static final String OPEN_TRANSACTIONS = """
            SELECT a.pid,
                   NULL AS mode,
                   true AS granted,
                   a.usename,
                   a.application_name,
                   a.backend_type,
                   a.state,
                   extract(epoch FROM now() - a.xact_start) AS state_seconds,
                   a.query
            FROM pg_stat_activity a
            WHERE a.datname = current_database()
              AND a.xact_start IS NOT NULL
              AND a.pid <> pg_backend_pid()
            ORDER BY a.xact_start
            LIMIT 3
            """;

    /**
     * Why the lock on {@code tableOid} was not granted: {@code another session holds it (pid
     * 1234, application 'bot', ...)}. {@code wanted} are the modes the statement asked for.
     */
    static String describe(Connection c, long tableOid, boolean waitsForOldTransactions, Mode... wanted)
            throws SQLException {
        Set<Mode> conflicting = Mode.conflicting(wanted);
        List<String> holders = new ArrayList<>();
        List<String> waiters = new ArrayList<>();
        Set<Integer> seen = new LinkedHashSet<>();
        try (PreparedStatement ps = c.prepareStatement(RELATION_LOCKS)) {
            ps.setLong(1, tableOid);
            ps.setLong(2, tableOid);
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    Mode mode = Mode.of(rs.getString("mode"));
                    if (mode == null || !conflicting.contains(mode) || !seen.add(rs.getInt("pid"))) {
                        continue;
                    }
                    (rs.getBoolean("granted") ? holders : waiters).add(session(rs, mode));
                }
            }
        }
        if (!holders.isEmpty()) {
            return (holders.size() == 1 ? "another session holds it (" : "other sessions hold it (")
                    + String.join("; ", holders.subList(0, Math.min(SHOWN, holders.size()))) + ")";
        }
        if (!waiters.isEmpty()) {
            return "other sessions were queued for it first (" + String.join("; ",
                    waiters.subList(0, Math.min(SHOWN, waiters.size()))) + ")";
        }
        if (waitsForOldTransactions) {
            List<String> open = new ArrayList<>();
            try (PreparedStatement ps = c.prepareStatement(OPEN_TRANSACTIONS); ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    open.add(session(rs, null));
                }
            }
            if (!open.isEmpty()) {
                return "it waits for transactions that were open when it started to finish (" + String.join("; ", open)
                        + ")";
            }
        }
        return "the session that held it has finished since; try again";
    }

    /** {@code pid 1234, user bot, application 'bot', idle in transaction for 2 min, holds ..., query: ...}. */
    static String session(ResultSet rs, Mode mode) throws SQLException {
        StringBuilder sb = new StringBuilder("pid ").append(rs.getInt("pid"));
        String backendType = rs.getString("backend_type");
        if (backendType != null && !backendType.equals("client backend")) {
            sb.append(", ").append(backendType);
        }
        String user = rs.getString("usename");
        if (user != null) {
            sb.append(", user ").append(user);
        }
        String app = rs.getString("application_name");
        if (app != null && !app.isEmpty()) {
            sb.append(", application '").append(app).append("'");
        }
        String state = rs.getString("state");
        double seconds = rs.getDouble("state_seconds");
        if (state != null && !rs.wasNull()) {
            sb.append(", ").append(state).append(" for ").append(Human.elapsed(Duration.ofMillis((long) (seconds * 1000))));
        }
        if (mode != null) {
            sb.append(", ").append(rs.getBoolean("granted") ? "holds " : "waits for ").append(mode.pgName);
        }
        String query = rs.getString("query");
        if (state == null && "<insufficient privilege>".equals(query)) {
            sb.append(", its query is hidden from this role (GRANT pg_read_all_stats shows it)");
        } else if (query != null && !query.isBlank()) {
            sb.append(", query: ").append(MaintenanceText.query(query));
        }
        return sb.toString();
    }
}
