package dev.botdb.provision;

import dev.botdb.dialect.Dialect;
import dev.botdb.provision.Action.Outcome;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * Inside the bot's database: the schema owned by the owner role, and the
 * least-privilege grants (as the Activity Challenge bot's setup gives them) for the application role, including the default privileges that cover
 * tables and sequences the owner's migrations create later. Each grant is checked in the
 * catalogs first, so a second run finds everything in place and runs nothing.
 */
final class DatabaseGrants {
    static final Set<String> TABLE_PRIVILEGES = Set.of("SELECT", "INSERT", "UPDATE", "DELETE");
    static final Set<String> SEQUENCE_PRIVILEGES = Set.of("USAGE", "SELECT");

    /**
     * What the database holds now.
     *
     * @param databaseOwner    the database's owner
     * @param schemaOwner      the schema's owner, or null when the schema does not exist
     * @param publicCreate     PUBLIC may CREATE in the schema (public before PostgreSQL 15)
     * @param connect          the app role has an explicit CONNECT grant on the database
     * @param usage            the app role has an explicit USAGE grant on the schema
     * @param tables           tables in the schema
     * @param tablesMissing    of them, those the app role cannot SELECT, INSERT, UPDATE and DELETE
     * @param sequences        sequences in the schema
     * @param sequencesMissing of them, those the app role cannot USAGE and SELECT
     * @param futureTables     privileges the owner's future tables in the schema give the app role
     * @param futureSequences  privileges the owner's future sequences in the schema give the app role
     */
    record State(String databaseOwner, String schemaOwner, boolean publicCreate, boolean connect, boolean usage,
                 int tables, int tablesMissing, int sequences, int sequencesMissing, Set<String> futureTables,
                 Set<String> futureSequences) {

        /**
         * A database that {@code CREATE DATABASE ... OWNER owner} makes now, copied from template1:
         * on PostgreSQL 15+ schema public belongs to pg_database_owner and PUBLIC may not create
         * in it; before 15 it belongs to the bootstrap superuser and PUBLIC may.
         */
        static State fresh(Names n, int serverVersion) {
            boolean modern = serverVersion >= 150_000;
            String schemaOwner = !n.schema().equals("public") ? null : modern ? "pg_database_owner" : "postgres";
            return new State(n.owner(), schemaOwner, n.schema().equals("public") && !modern, false, false, 0, 0, 0,
                    0, Set.of(), Set.of());
        }
    }

    private static final String OWNERS = """
            SELECT pg_get_userbyid(d.datdba),
                   pg_get_userbyid(n.nspowner),
                   EXISTS (SELECT 1
                           FROM aclexplode(n.nspacl) a
                           WHERE a.grantee = 0
                             AND a.privilege_type = 'CREATE')
            FROM pg_database d
            LEFT JOIN pg_namespace n ON n.nspname = ?
            WHERE d.datname = current_database()
            """;

    /** Explicit grants to the app role: {@code GRANT CONNECT} and {@code GRANT USAGE} as psql users write them. */
    private static final String EXPLICIT = """
            SELECT EXISTS (SELECT 1
                           FROM pg_database d, aclexplode(d.datacl) a
                           WHERE d.datname = current_database()
                             AND a.grantee = (SELECT oid FROM pg_roles WHERE rolname = ?)
                             AND a.privilege_type = 'CONNECT'),
                   EXISTS (SELECT 1
                           FROM pg_namespace n, aclexplode(n.nspacl) a
                           WHERE n.nspname = ?
                             AND a.grantee = (SELECT oid FROM pg_roles WHERE rolname = ?)
                             AND a.privilege_type = 'USAGE')
            """;

    /** Relations of a kind in the schema, and how many the app role lacks a privilege on (a missing role lacks all). */
    private static final String RELATIONS = """
            SELECT count(*),
                   count(*) FILTER (WHERE NOT coalesce(%s, false))
            FROM pg_class c
            JOIN pg_namespace n ON n.oid = c.relnamespace
            LEFT JOIN pg_roles r ON r.rolname = ?
            WHERE n.nspname = ?
              AND c.relkind IN (%s)
            """;

    private static final String TABLES_GRANTED = """
            has_table_privilege(r.oid, c.oid, 'SELECT') AND has_table_privilege(r.oid, c.oid, 'INSERT')
            AND has_table_privilege(r.oid, c.oid, 'UPDATE') AND has_table_privilege(r.oid, c.oid, 'DELETE')""";

    private static final String SEQUENCES_GRANTED = """
            has_sequence_privilege(r.oid, c.oid, 'USAGE') AND has_sequence_privilege(r.oid, c.oid, 'SELECT')""";

    /** What ALTER DEFAULT PRIVILEGES FOR ROLE owner IN SCHEMA s gives the app role on one kind of object. */
    private static final String DEFAULTS = """
            SELECT a.privilege_type
            FROM pg_default_acl d
            CROSS JOIN aclexplode(d.defaclacl) a
            WHERE d.defaclrole = (SELECT oid FROM pg_roles WHERE rolname = ?)
              AND d.defaclnamespace = (SELECT oid FROM pg_namespace WHERE nspname = ?)
              AND d.defaclobjtype = ?
              AND a.grantee = (SELECT oid FROM pg_roles WHERE rolname = ?)
            """;

    private DatabaseGrants() {
    }

    static State read(Connection c, Names n) throws SQLException {
        String dbOwner;
        String schemaOwner;
        boolean publicCreate;
        try (PreparedStatement ps = c.prepareStatement(OWNERS)) {
            ps.setString(1, n.schema());
            try (ResultSet rs = ps.executeQuery()) {
                rs.next();
                dbOwner = rs.getString(1);
                schemaOwner = rs.getString(2);
                publicCreate = rs.getBoolean(3);
            }
        }
        boolean connect;
        boolean usage;
        try (PreparedStatement ps = c.prepareStatement(EXPLICIT)) {
            ps.setString(1, n.app());
            ps.setString(2, n.schema());
            ps.setString(3, n.app());
            try (ResultSet rs = ps.executeQuery()) {
                rs.next();
                connect = rs.getBoolean(1);
                usage = rs.getBoolean(2);
            }
        }
        int[] tables = relations(c, n, TABLES_GRANTED, "'r', 'p'");
        int[] sequences = relations(c, n, SEQUENCES_GRANTED, "'S'");
        return new State(dbOwner, schemaOwner, publicCreate, connect, usage, tables[0], tables[1], sequences[0],
                sequences[1], defaults(c, n, "r"), defaults(c, n, "S"));
    }

    private static int[] relations(Connection c, Names n, String granted, String kinds) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement(RELATIONS.formatted(granted, kinds))) {
            ps.setString(1, n.app());
            ps.setString(2, n.schema());
            try (ResultSet rs = ps.executeQuery()) {
                rs.next();
                return new int[] {rs.getInt(1), rs.getInt(2)};
            }
        }
    }

    private static Set<String> defaults(Connection c, Names n, String kind) throws SQLException {
        Set<String> privileges = new HashSet<>();
        try (PreparedStatement ps = c.prepareStatement(DEFAULTS)) {
            ps.setString(1, n.owner());
            ps.setString(2, n.schema());
            ps.setString(3, kind);
            ps.setString(4, n.app());
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    privileges.add(rs.getString(1));
                }
            }
        }
        return privileges;
    }

    /** The actions that bring {@code s} to what provision sets up; unchanged ones carry no SQL. */
    static List<Action> plan(State s, Names n, List<String> notes) {
        String owner = Dialect.POSTGRESQL.quote(n.owner());
        String app = Dialect.POSTGRESQL.quote(n.app());
        String schema = Dialect.POSTGRESQL.quote(n.schema());
        String db = Dialect.POSTGRESQL.quote(n.database());
        List<Action> actions = new ArrayList<>();
        boolean ownsDatabase = s.databaseOwner().equals(n.owner());

        String schemaSubject = "schema " + n.schema();
        if (s.schemaOwner() == null) {
            actions.add(new Action(schemaSubject, Outcome.CREATED,
                    "CREATE SCHEMA %s AUTHORIZATION %s".formatted(schema, owner), "owned by " + n.owner()));
        } else if (s.schemaOwner().equals(n.owner())
                || (s.schemaOwner().equals("pg_database_owner") && ownsDatabase)) {
            actions.add(new Action(schemaSubject, Outcome.UNCHANGED, null, "owned by " + n.owner()
                    + (s.schemaOwner().equals("pg_database_owner") ? " through pg_database_owner" : "")));
        } else if (ownsDatabase) {
            actions.add(new Action(schemaSubject, Outcome.CHANGED,
                    "ALTER SCHEMA %s OWNER TO %s".formatted(schema, owner), "owner " + s.schemaOwner() + " -> "
                    + n.owner()));
        } else {
            actions.add(new Action(schemaSubject, Outcome.UNCHANGED, null, "owned by " + s.schemaOwner()));
            notes.add("Schema " + n.schema() + " belongs to " + s.schemaOwner() + " and database " + n.database()
                    + " to " + s.databaseOwner() + ", not to " + n.owner() + "; both were left as they are."
                    + " Migrations that create objects there must run as " + s.schemaOwner() + ", or transfer it: "
                    + "ALTER SCHEMA " + schema + " OWNER TO " + owner + ";");
        }
        if (s.publicCreate()) {
            actions.add(new Action("CREATE on schema " + n.schema() + " for PUBLIC", Outcome.CHANGED,
                    "REVOKE CREATE ON SCHEMA %s FROM PUBLIC".formatted(schema),
                    "every role could create tables there (before PostgreSQL 15); now only its owner"));
        }
        grant(actions, "CONNECT on database " + n.database() + " for " + n.app(), s.connect(), null,
                "GRANT CONNECT ON DATABASE %s TO %s".formatted(db, app));
        grant(actions, "USAGE on schema " + n.schema() + " for " + n.app(), s.usage(), null,
                "GRANT USAGE ON SCHEMA %s TO %s".formatted(schema, app));
        grant(actions, "SELECT, INSERT, UPDATE, DELETE on all tables in " + n.schema() + " for " + n.app(),
                s.tablesMissing() == 0, relationsNote(s.tables(), s.tablesMissing(), "tables"),
                "GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA %s TO %s".formatted(schema, app));
        grant(actions, "USAGE, SELECT on all sequences in " + n.schema() + " for " + n.app(),
                s.sequencesMissing() == 0, relationsNote(s.sequences(), s.sequencesMissing(), "sequences"),
                "GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA %s TO %s".formatted(schema, app));
        grant(actions, "SELECT, INSERT, UPDATE, DELETE on " + n.owner() + "'s future tables in " + n.schema()
                        + " for " + n.app(), s.futureTables().containsAll(TABLE_PRIVILEGES), null,
                "ALTER DEFAULT PRIVILEGES FOR ROLE %s IN SCHEMA %s GRANT SELECT, INSERT, UPDATE, DELETE ON TABLES TO %s"
                        .formatted(owner, schema, app));
        grant(actions, "USAGE, SELECT on " + n.owner() + "'s future sequences in " + n.schema() + " for " + n.app(),
                s.futureSequences().containsAll(SEQUENCE_PRIVILEGES), null,
                "ALTER DEFAULT PRIVILEGES FOR ROLE %s IN SCHEMA %s GRANT USAGE, SELECT ON SEQUENCES TO %s"
                        .formatted(owner, schema, app));
        return actions;
    }

    private static void grant(List<Action> actions, String subject, boolean inPlace, String note, String sql) {
        actions.add(inPlace ? new Action(subject, Outcome.UNCHANGED, null, note)
                : new Action(subject, Outcome.CHANGED, sql, note));
    }

    private static String relationsNote(int all, int missing, String kind) {
        if (all == 0) {
            return "no " + kind + " yet";
        }
        return missing == 0 ? "all " + all + " have them" : missing + " of " + all + " " + kind + " lacked them";
    }
}
