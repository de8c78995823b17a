package dev.botdb.backup.postgres;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;

/** What a restore target holds, and how to bring it back to empty. */
public final class TargetState {
    private TargetState() {
    }

    /**
     * User objects: not in the system schemas, not created by an extension; also every schema but
     * {@code public} and every extension but plpgsql, because {@link #wipe} drops those: a database
     * counts as empty only when wiping it loses nothing.
     */
    public static final String USER_OBJECTS = """
            SELECT n.nspname || '.' || c.relname
            FROM pg_catalog.pg_class c
            JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace
            WHERE c.relkind IN ('r', 'p', 'v', 'm', 'S', 'f')
              AND n.nspname NOT IN ('pg_catalog', 'information_schema')
              AND n.nspname NOT LIKE 'pg\\_%'
              AND NOT EXISTS (SELECT 1 FROM pg_catalog.pg_depend d
                              WHERE d.classid = 'pg_catalog.pg_class'::regclass AND d.objid = c.oid AND d.deptype = 'e')
            UNION ALL
            SELECT n.nspname || '.' || p.proname || '()'
            FROM pg_catalog.pg_proc p
            JOIN pg_catalog.pg_namespace n ON n.oid = p.pronamespace
            WHERE n.nspname NOT IN ('pg_catalog', 'information_schema')
              AND n.nspname NOT LIKE 'pg\\_%'
              AND NOT EXISTS (SELECT 1 FROM pg_catalog.pg_depend d
                              WHERE d.classid = 'pg_catalog.pg_proc'::regclass AND d.objid = p.oid AND d.deptype = 'e')
            UNION ALL
            SELECT n.nspname || '.' || t.typname
            FROM pg_catalog.pg_type t
            JOIN pg_catalog.pg_namespace n ON n.oid = t.typnamespace
            WHERE t.typtype IN ('e', 'd', 'r', 'c') AND (t.typrelid = 0 OR t.typtype = 'c'
                  AND EXISTS (SELECT 1 FROM pg_catalog.pg_class r WHERE r.oid = t.typrelid AND r.relkind = 'c'))
              AND n.nspname NOT IN ('pg_catalog', 'information_schema')
              AND n.nspname NOT LIKE 'pg\\_%'
              AND NOT EXISTS (SELECT 1 FROM pg_catalog.pg_depend d
                              WHERE d.classid = 'pg_catalog.pg_type'::regclass AND d.objid = t.oid AND d.deptype = 'e')
            UNION ALL
            SELECT 'schema ' || n.nspname
            FROM pg_catalog.pg_namespace n
            WHERE n.nspname NOT IN ('public', 'information_schema')
              AND n.nspname NOT LIKE 'pg\\_%'
              AND NOT EXISTS (SELECT 1 FROM pg_catalog.pg_depend d
                              WHERE d.classid = 'pg_catalog.pg_namespace'::regclass AND d.objid = n.oid AND d.deptype = 'e')
            UNION ALL
            SELECT 'extension ' || e.extname
            FROM pg_catalog.pg_extension e
            WHERE e.extname <> 'plpgsql'
            LIMIT ?
            """;

    /** Other client sessions on the database (run from another database, so it has none of botdb's). */
    public static final String OTHER_SESSIONS = """
            SELECT a.pid, a.usename, a.application_name, host(a.client_addr) AS client, a.state,
                   extract(epoch FROM now() - a.state_change)::bigint AS seconds
            FROM pg_catalog.pg_stat_activity a
            WHERE a.datname = ?
              AND a.pid <> pg_catalog.pg_backend_pid()
              AND a.backend_type = 'client backend'
            ORDER BY a.pid
            """;

    /**
     * Drops every user object of the database in one transaction: user schemas other than
     * {@code public}, extensions other than plpgsql, and everything in {@code public}. Used on a
     * target that was empty before a failed restore (so nothing of the operator's is lost), and
     * on a {@code --force} target after its safety backup was taken.
     */
    public static void wipe(Connection c) throws SQLException {
        boolean auto = c.getAutoCommit();
        c.setAutoCommit(false);
        try (Statement st = c.createStatement()) {
            List<String> drops = new ArrayList<>();
            try (ResultSet rs = st.executeQuery("""
                    SELECT 'DROP SCHEMA ' || quote_ident(n.nspname) || ' CASCADE'
                    FROM pg_catalog.pg_namespace n
                    WHERE n.nspname NOT IN ('public', 'information_schema') AND n.nspname NOT LIKE 'pg\\_%'
                      AND NOT EXISTS (SELECT 1 FROM pg_catalog.pg_depend d WHERE d.classid = 'pg_catalog.pg_namespace'::regclass
                                      AND d.objid = n.oid AND d.deptype = 'e')
                    UNION ALL
                    SELECT 'DROP EXTENSION IF EXISTS ' || quote_ident(e.extname) || ' CASCADE'
                    FROM pg_catalog.pg_extension e WHERE e.extname <> 'plpgsql'
                    """)) {
                while (rs.next()) {
                    drops.add(rs.getString(1));
                }
            }
            for (String sql : drops) {
                st.execute(sql);
            }
            drops.clear();
            try (ResultSet rs = st.executeQuery("""
                    SELECT CASE c.relkind WHEN 'v' THEN 'DROP VIEW IF EXISTS '
                                          WHEN 'm' THEN 'DROP MATERIALIZED VIEW IF EXISTS '
                                          WHEN 'S' THEN 'DROP SEQUENCE IF EXISTS '
                                          WHEN 'f' THEN 'DROP FOREIGN TABLE IF EXISTS '
                                          ELSE 'DROP TABLE IF EXISTS ' END
                           || 'public.' || quote_ident(c.relname) || ' CASCADE'
                         AS sql,
                           CASE WHEN c.relkind IN ('r', 'p', 'f') THEN 1 WHEN c.relkind IN ('v', 'm') THEN 2 ELSE 3 END AS pass
                    FROM pg_catalog.pg_class c
                    WHERE c.relnamespace = 'public'::regnamespace AND c.relkind IN ('r', 'p', 'v', 'm', 'S', 'f')
                      AND c.relispartition = false
                    UNION ALL
                    SELECT CASE p.prokind WHEN 'a' THEN 'DROP AGGREGATE IF EXISTS ' ELSE 'DROP ROUTINE IF EXISTS ' END
                           || p.oid::regprocedure::text || ' CASCADE', 4
                    FROM pg_catalog.pg_proc p WHERE p.pronamespace = 'public'::regnamespace
                      AND NOT EXISTS (SELECT 1 FROM pg_catalog.pg_depend d WHERE d.classid = 'pg_catalog.pg_proc'::regclass
                                      AND d.objid = p.oid AND d.deptype IN ('i', 'e'))
                    UNION ALL
                    SELECT CASE t.typtype WHEN 'd' THEN 'DROP DOMAIN IF EXISTS ' ELSE 'DROP TYPE IF EXISTS ' END
                           || 'public.' || quote_ident(t.typname) || ' CASCADE', 5
                    FROM pg_catalog.pg_type t
                    WHERE t.typnamespace = 'public'::regnamespace AND t.typtype IN ('e', 'd', 'r', 'c', 'b')
                      AND t.typelem = 0 AND (t.typrelid = 0 OR EXISTS (SELECT 1 FROM pg_catalog.pg_class r
                                                                      WHERE r.oid = t.typrelid AND r.relkind = 'c'))
                    ORDER BY 2
                    """)) {
                while (rs.next()) {
                    drops.add(rs.getString(1));
                }
            }
            for (String sql : drops) {
                st.execute(sql);
            }
            c.commit();
        } catch (SQLException | RuntimeException e) {
            c.rollback();
            throw e;
        } finally {
            c.setAutoCommit(auto);
        }
    }
}
