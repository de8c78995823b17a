package dev.botdb.migrate;

import dev.botdb.config.Engine;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;

/**
 * Drops every object of the application's schema (PostgreSQL: the current schema, keeping the
 * schema itself with its owner and grants; objects that belong to extensions are left to their
 * extension), or every table, view, index and trigger of a SQLite file.
 */
final class Reset {
    private Reset() {
    }

    /** Returns the DROP statements it ran, in order. */
    static List<String> dropEverything(Connection c, Engine engine) throws SQLException {
        List<String> drops = engine == Engine.SQLITE ? sqliteDrops(c) : postgresDrops(c);
        try (Statement st = c.createStatement()) {
            for (String drop : drops) {
                st.execute(drop);
            }
        }
        return drops;
    }

    private static List<String> postgresDrops(Connection c) throws SQLException {
        List<String> drops = new ArrayList<>();
        // views and tables first (CASCADE takes dependent objects), then what is left
        query(c, drops, """
                SELECT CASE cl.relkind
                         WHEN 'v' THEN 'DROP VIEW IF EXISTS '
                         WHEN 'm' THEN 'DROP MATERIALIZED VIEW IF EXISTS '
                         WHEN 'f' THEN 'DROP FOREIGN TABLE IF EXISTS '
                         WHEN 'S' THEN 'DROP SEQUENCE IF EXISTS '
                         ELSE 'DROP TABLE IF EXISTS '
                       END || format('%I.%I', n.nspname, cl.relname) || ' CASCADE'
                FROM pg_class cl
                JOIN pg_namespace n ON n.oid = cl.relnamespace
                WHERE n.nspname = current_schema()
                  AND cl.relkind IN ('r', 'p', 'v', 'm', 'f', 'S')
                  AND NOT EXISTS (SELECT 1 FROM pg_depend d
                                  WHERE d.classid = 'pg_class'::regclass AND d.objid = cl.oid AND d.deptype = 'e')
                ORDER BY CASE cl.relkind WHEN 'v' THEN 0 WHEN 'm' THEN 1 ELSE 2 END, cl.relname
                """);
        query(c, drops, """
                SELECT format('DROP ROUTINE IF EXISTS %I.%I(%s) CASCADE', n.nspname, p.proname,
                              pg_get_function_identity_arguments(p.oid))
                FROM pg_proc p
                JOIN pg_namespace n ON n.oid = p.pronamespace
                WHERE n.nspname = current_schema()
                  AND p.prokind IN ('f', 'p')
                  AND NOT EXISTS (SELECT 1 FROM pg_depend d
                                  WHERE d.classid = 'pg_proc'::regclass AND d.objid = p.oid AND d.deptype = 'e')
                ORDER BY p.proname
                """);
        query(c, drops, """
                SELECT CASE t.typtype WHEN 'd' THEN 'DROP DOMAIN IF EXISTS ' ELSE 'DROP TYPE IF EXISTS ' END
                       || format('%I.%I', n.nspname, t.typname) || ' CASCADE'
                FROM pg_type t
                JOIN pg_namespace n ON n.oid = t.typnamespace
                WHERE n.nspname = current_schema()
                  AND t.typtype IN ('e', 'd', 'r', 'c')
                  AND (t.typrelid = 0 OR (SELECT relkind FROM pg_class WHERE oid = t.typrelid) = 'c')
                  AND NOT EXISTS (SELECT 1 FROM pg_depend d
                                  WHERE d.classid = 'pg_type'::regclass AND d.objid = t.oid AND d.deptype = 'e')
                ORDER BY t.typname
                """);
        return drops;
    }

    private static List<String> sqliteDrops(Connection c) throws SQLException {
        List<String> drops = new ArrayList<>();
        query(c, drops, """
                SELECT 'DROP ' || upper(type) || ' IF EXISTS "' || replace(name, '"', '""') || '"'
                FROM sqlite_master
                WHERE type IN ('view', 'trigger', 'table')
                  AND name NOT LIKE 'sqlite_%'
                ORDER BY CASE type WHEN 'view' THEN 0 WHEN 'trigger' THEN 1 ELSE 2 END, name
                """);
        return drops;
    }

    private static void query(Connection c, List<String> out, String sql) throws SQLException {
        try (Statement st = c.createStatement(); ResultSet rs = st.executeQuery(sql)) {
            while (rs.next()) {
                out.add(rs.getString(1));
            }
        }
    }
}
