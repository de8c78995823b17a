package dev.botdb.doctor;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;

/**
 * How the server's connection slots are used, seen from one session of the configured role
 * (PostgreSQL: "Connections and Authentication", max_connections and the reserved slots).
 *
 * @param maxConnections    {@code max_connections}
 * @param superuserReserved {@code superuser_reserved_connections}: slots only superusers may take
 * @param reserved          {@code reserved_connections} (PostgreSQL 16+, for pg_use_reserved_connections; else 0)
 * @param superuser         the configured role is a superuser (it may use every slot)
 * @param mayUseReserved    the role is a member of pg_use_reserved_connections
 * @param inUse             client sessions on the server, this one included
 * @param roleLimit         the role's {@code rolconnlimit} (-1 = none)
 * @param roleInUse         sessions of the role, this one included
 * @param databaseLimit     the database's {@code datconnlimit} (-1 = none)
 * @param databaseInUse     sessions of the database, this one included
 * @param poolOwn           other sessions with this role and application name: a running bot's pool
 * @param holders           who holds the other sessions, largest group first
 */
record Slots(int maxConnections, int superuserReserved, int reserved, boolean superuser, boolean mayUseReserved,
             int inUse, int roleLimit, int roleInUse, int databaseLimit, int databaseInUse, int poolOwn,
             List<Holder> holders) {

    /** A group of sessions with the same user, application, client address and state. */
    record Holder(String user, String application, String client, String state, int sessions) {
        String describe() {
            return sessions + " x user " + user + ", application '" + application + "', client " + client + ", "
                    + state;
        }
    }

    /** The most groups a report lists. */
    static final int HOLDER_LIMIT = 10;

    private static final String USAGE = """
            SELECT current_setting('max_connections')::int,
                   current_setting('superuser_reserved_connections')::int,
                   coalesce(current_setting('reserved_connections', true), '0')::int,
                   r.rolsuper,
                   CASE WHEN u.oid IS NULL THEN false ELSE pg_has_role(r.oid, u.oid, 'USAGE') END,
                   (SELECT count(*) FROM pg_stat_activity a WHERE a.backend_type = 'client backend'),
                   r.rolconnlimit,
                   (SELECT count(*) FROM pg_stat_activity a
                    WHERE a.backend_type = 'client backend' AND a.usesysid = r.oid),
                   d.datconnlimit,
                   (SELECT count(*) FROM pg_stat_activity a
                    WHERE a.backend_type = 'client backend' AND a.datid = d.oid),
                   (SELECT count(*) FROM pg_stat_activity a
                    WHERE a.backend_type = 'client backend'
                      AND a.pid <> pg_backend_pid()
                      AND a.usesysid = r.oid
                      AND a.application_name = current_setting('application_name'))
            FROM pg_roles r
            JOIN pg_database d ON d.datname = current_database()
            LEFT JOIN pg_roles u ON u.rolname = 'pg_use_reserved_connections'
            WHERE r.rolname = current_user
            """;

    /**
     * Other client sessions grouped as an operator asks "who holds them". Without
     * pg_read_all_stats another role's client address and state are hidden (PostgreSQL shows its
     * user and application name only).
     */
    private static final String HOLDERS = """
            SELECT coalesce(a.usename, '(unknown)'),
                   a.application_name,
                   CASE WHEN a.client_addr IS NOT NULL THEN host(a.client_addr)
                        WHEN a.client_port = -1 THEN 'local socket'
                        ELSE '(hidden)' END,
                   coalesce(a.state, '(state hidden)'),
                   count(*)
            FROM pg_stat_activity a
            WHERE a.backend_type = 'client backend'
              AND a.pid <> pg_backend_pid()
            GROUP BY 1, 2, 3, 4
            ORDER BY 5 DESC, 1, 2, 3, 4
            """;

    static Slots read(Connection c) throws SQLException {
        List<Holder> holders = new ArrayList<>();
        try (Statement st = c.createStatement(); ResultSet rs = st.executeQuery(HOLDERS)) {
            while (rs.next()) {
                holders.add(new Holder(rs.getString(1), rs.getString(2), rs.getString(3), rs.getString(4),
                        rs.getInt(5)));
            }
        }
        try (Statement st = c.createStatement(); ResultSet rs = st.executeQuery(USAGE)) {
            rs.next();
            return new Slots(rs.getInt(1), rs.getInt(2), rs.getInt(3), rs.getBoolean(4), rs.getBoolean(5),
                    rs.getInt(6), rs.getInt(7), rs.getInt(8), rs.getInt(9), rs.getInt(10), rs.getInt(11), holders);
        }
    }

    /** Slots a role that is neither a superuser nor in pg_use_reserved_connections may take. */
    int ordinaryLimit() {
        return maxConnections - superuserReserved - reserved;
    }

    /** Slots the configured role may take. */
    int usableByRole() {
        if (superuser) {
            return maxConnections;
        }
        return mayUseReserved ? maxConnections - superuserReserved : ordinaryLimit();
    }

    /** Client sessions other than this one. */
    int others() {
        return inUse - 1;
    }

    /** {@code max_connections 100 - superuser_reserved_connections 3 = 97}. */
    String limitArithmetic() {
        return "max_connections " + maxConnections + " - superuser_reserved_connections " + superuserReserved
                + (reserved > 0 ? " - reserved_connections " + reserved : "") + " = " + ordinaryLimit();
    }

    /** {@code 12 client sessions of 97 ordinary slots (max_connections 100 - ...)}. */
    String usage() {
        return inUse + " client sessions (this one included) of " + ordinaryLimit() + " slots for ordinary roles ("
                + limitArithmetic() + ")";
    }

    /** The holders, one group a line, indented; empty when there are none. */
    String holderLines() {
        StringBuilder sb = new StringBuilder();
        holders.stream().limit(HOLDER_LIMIT).forEach(h -> sb.append("\n    ").append(h.describe()));
        if (holders.size() > HOLDER_LIMIT) {
            sb.append("\n    ... and ").append(holders.size() - HOLDER_LIMIT).append(" more groups");
        }
        if (holders.stream().anyMatch(h -> h.client().equals("(hidden)"))) {
            sb.append("\n    (client and state of other roles' sessions are hidden from this role;"
                    + " GRANT pg_read_all_stats TO it shows them)");
        }
        return sb.toString();
    }
}
