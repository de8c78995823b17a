package dev.botdb.migrate;

import dev.botdb.BotDbException;
import dev.botdb.ErrorCode;
import dev.botdb.dialect.Dialect;
import dev.botdb.dialect.QualifiedName;
import dev.botdb.sql.SqlLexer;
import dev.botdb.config.Engine;
import dev.botdb.config.MigrationSettings.SupabaseCleanupMode;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.sql.DataSource;

/**
 * Makes migrations exported from Supabase run on a plain PostgreSQL server, as the Alita bot
 * does, but asking the server instead of trusting a fixed list: it removes only what the server
 * would refuse, and says so with file and line.
 *
 * <ul>
 *   <li>{@code GRANT ... TO}, {@code REVOKE ... FROM} (also inside {@code ALTER DEFAULT PRIVILEGES}),
 *       {@code CREATE POLICY ... TO}, {@code ALTER POLICY ... TO}: grantees that are not roles of
 *       the server are taken out of the list; the statement goes when none is left. {@code PUBLIC},
 *       {@code CURRENT_USER}, {@code SESSION_USER} and {@code CURRENT_ROLE} always stay. The same
 *       holds for the roles of a membership grant ({@code GRANT anon TO authenticator}) and of
 *       {@code ALTER DEFAULT PRIVILEGES FOR ROLE}.</li>
 *   <li>{@code ALTER ... OWNER TO r}: removed when {@code r} does not exist or the migrating role
 *       may not act as it (no superuser and no member of {@code r}, as the owner role of
 *       {@code botdb provision} and {@code postgres}); likewise {@code ALTER DEFAULT PRIVILEGES FOR
 *       ROLE r}.</li>
 *   <li>{@code CREATE EXTENSION}: skipped when the server neither has it installed nor lists it in
 *       {@code pg_available_extensions} (pg_graphql, supabase_vault, pgsodium on a plain server),
 *       or when it is not trusted and the migrating role is no superuser, together with a
 *       {@code COMMENT ON EXTENSION} for it. When its {@code [WITH] SCHEMA s} does not exist: if
 *       the run refers to objects in {@code s} ({@code "extensions"."uuid_generate_v4"()}, as a
 *       {@code supabase db dump} does), {@code CREATE SCHEMA IF NOT EXISTS s} and {@code GRANT USAGE
 *       ON SCHEMA s TO PUBLIC} are added before it; otherwise the clause names the migration
 *       connection's current schema (a dump's header empties search_path, so leaving it out fails).</li>
 *   <li>{@code CREATE PUBLICATION supabase_realtime...} when the server has no such publication,
 *       and {@code ALTER PUBLICATION} / {@code COMMENT ON PUBLICATION} of a publication that does
 *       not exist: removed.</li>
 *   <li>{@code ALTER TABLE t ENABLE|FORCE ROW LEVEL SECURITY} of a cleaned file: removed, after the
 *       run's last file, when no policy on {@code t} is left in the run or on the server (the
 *       clean-up removed them all, or there never was one): otherwise every role but the owner,
 *       the bot's own role too, would read no rows. The log line names file, line and table and
 *       gives the statements that keep row-level security instead.</li>
 * </ul>
 * Everything else, and every statement that is not understood, stays byte for byte. Roles and
 * schemas that earlier statements of the run create ({@code CREATE ROLE}, {@code CREATE SCHEMA},
 * also inside a {@code DO} block) count as existing, so a grant that would succeed is never
 * removed.
 *
 * <pre>{@code
 * SupabaseCleanup cleanup = new SupabaseCleanup(ServerFacts.read(connection));
 * SupabaseCleanup.Result r = cleanup.clean("001_init.sql", script.statements());
 * r.changes().forEach(c -> log.accept("[Migrations] " + c));   // Supabase clean-up: 001_init.sql line 12: removed ...
 * }</pre>
 */
final class SupabaseCleanup {
    static final String PREFIX = "Supabase clean-up: ";

    /** Supabase's API roles; with the {@code extensions} schema, what makes a file a Supabase export. */
    static final Set<String> SUPABASE_ROLES = Set.of("anon", "authenticated", "service_role");
    static final String EXTENSIONS_SCHEMA = "extensions";
    /** The prefix of Supabase Realtime's publications ({@code supabase_realtime}, {@code supabase_realtime_messages_publication}). */
    static final String REALTIME_PUBLICATION = "supabase_realtime";

    /** Grantees that are not role names (PostgreSQL's RoleSpec keywords). */
    private static final Set<String> SPECIAL_GRANTEES = Set.of("PUBLIC", "CURRENT_USER", "SESSION_USER", "CURRENT_ROLE");

    private static final String IDENT = "(\"(?:[^\"]|\"\")+\"|[A-Za-z_\\u0080-\\uffff][A-Za-z0-9_$\\u0080-\\uffff]*)";
    private static final Pattern CREATES_ROLE = Pattern.compile(
            "(?i)\\bCREATE\\s+(?:ROLE|USER|GROUP)\\s+(?:IF\\s+NOT\\s+EXISTS\\s+)?" + IDENT);
    private static final Pattern CREATES_SCHEMA = Pattern.compile(
            "(?i)\\bCREATE\\s+SCHEMA\\s+(?:IF\\s+NOT\\s+EXISTS\\s+)?(?:AUTHORIZATION\\s+)?" + IDENT);
    private static final Pattern RENAMES = Pattern.compile(
            "(?i)\\bALTER\\s+(ROLE|USER|GROUP|SCHEMA)\\s+" + IDENT + "\\s+RENAME\\s+TO\\s+" + IDENT);

    /**
     * What the clean-up needs to know about the server.
     *
     * @param availableExtensions {@code pg_available_extensions.name}: what {@code CREATE EXTENSION} can install
     * @param installedExtensions {@code pg_extension.extname} of the current database
     * @param roles               {@code pg_roles.rolname}
     * @param schemas             {@code pg_namespace.nspname} of the current database
     * @param publications        {@code pg_publication.pubname} of the current database
     * @param policyTables        {@code schema.table} of the tables that have a policy ({@code pg_policies})
     * @param currentSchema       {@code current_schema()} of the migration connection; null when its
     *                            search_path names no existing schema
     * @param migrating           the role the migrations run as
     */
    record ServerFacts(Set<String> availableExtensions, Set<String> installedExtensions, Set<String> roles,
                       Set<String> schemas, Set<String> publications, Set<String> policyTables, String currentSchema,
                       Migrating migrating) {

        ServerFacts {
            availableExtensions = Set.copyOf(availableExtensions);
            installedExtensions = Set.copyOf(installedExtensions);
            roles = Set.copyOf(roles);
            schemas = Set.copyOf(schemas);
            publications = Set.copyOf(publications);
            policyTables = Set.copyOf(policyTables);
        }

        /** Reads the sets with one query each. */
        static ServerFacts read(Connection c) throws SQLException {
            Set<String> current = names(c, """
                    SELECT current_schema()
                    """);
            Migrating migrating = new Migrating(
                    names(c, """
                            SELECT current_user
                            """).iterator().next(),
                    !names(c, """
                            SELECT rolname
                            FROM pg_roles
                            WHERE rolname = current_user AND rolsuper
                            """).isEmpty(),
                    names(c, """
                            SELECT rolname
                            FROM pg_roles
                            WHERE pg_has_role(current_user, oid, 'MEMBER')
                            """),
                    names(c, """
                            SELECT DISTINCT name
                            FROM pg_available_extension_versions
                            WHERE trusted
                            """));
            return new ServerFacts(
                    names(c, """
                            SELECT name
                            FROM pg_available_extensions
                            """),
                    names(c, """
                            SELECT extname
                            FROM pg_extension
                            """),
                    names(c, """
                            SELECT rolname
                            FROM pg_roles
                            """),
                    names(c, """
                            SELECT nspname
                            FROM pg_namespace
                            """),
                    names(c, """
                            SELECT pubname
                            FROM pg_publication
                            """),
                    names(c, """
                            SELECT schemaname || '.' || tablename
                            FROM pg_policies
                            """),
                    current.stream().filter(java.util.Objects::nonNull).findFirst().orElse(null), migrating);
        }

        private static Set<String> names(Connection c, String sql) throws SQLException {
            Set<String> names = new HashSet<>();
            try (Statement st = c.createStatement(); ResultSet rs = st.executeQuery(sql)) {
                while (rs.next()) {
                    names.add(rs.getString(1));
                }
            }
            return names;
        }
    }

    /**
     * The role the migrations run as.
     *
     * @param user              {@code current_user}
     * @param superuser         whether it is a superuser (it may then act as any role and install any extension)
     * @param actAs             the roles it is a member of ({@code pg_has_role(current_user, r, 'MEMBER')}),
     *                          so it may give them objects ({@code OWNER TO}) and set their default privileges
     * @param trustedExtensions {@code pg_available_extension_versions.name} that are {@code trusted}: what a
     *                          database owner that is no superuser may install
     */
    record Migrating(String user, boolean superuser, Set<String> actAs, Set<String> trustedExtensions) {
        Migrating {
            actAs = Set.copyOf(actAs);
            trustedExtensions = Set.copyOf(trustedExtensions);
        }

        boolean mayActAs(String role) {
            return superuser || actAs.contains(role);
        }
    }

    /**
     * The statements to run and what changed.
     *
     * @param statements the kept statements, in order, with their original {@code line} and {@code number}
     * @param changes    one line per change, each starting {@code "Supabase clean-up: FILE line N: "}
     */
    record Result(List<SqlScript.Statement> statements, List<String> changes) {
    }

    private final Set<String> available;
    private final Set<String> installed;
    private final Set<String> roles;
    private final Set<String> schemas;
    private final Set<String> publications;
    private final Set<String> policyTables;
    private final String currentSchema;
    private final Migrating migrating;
    /** Roles created by the run: the migrating role created them, so it is taken to be able to act as them. */
    private final Set<String> createdRoles = new HashSet<>();
    /** Extensions skipped because only a superuser may install them. */
    private final Set<String> untrustedSkipped = new HashSet<>();
    /** The SQL of every file of the run, to see whether it refers to objects of a missing schema. */
    private String runSql = "";
    /** Tables (schema.table) with a policy the run keeps; each one applies to some role of the server. */
    private final Set<String> policied = new HashSet<>();
    /** Per table, the policies the clean-up removed, as {@code "name" (line N)}. */
    private final Map<String, List<String>> removedPolicies = new LinkedHashMap<>();
    /** {@code ENABLE/FORCE ROW LEVEL SECURITY} statements of cleaned files, decided after the run's last file. */
    private final List<RlsSwitch> rlsSwitches = new ArrayList<>();
    /** Statements a rule adds before the statement it cleans ({@code CREATE SCHEMA} for an extension). */
    private final List<SqlScript.Statement> inserted = new ArrayList<>();

    /** A clean-up for one run; it learns the roles, schemas and extensions the run's statements create. */
    SupabaseCleanup(ServerFacts facts) {
        this.available = new HashSet<>(facts.availableExtensions());
        this.installed = new HashSet<>(facts.installedExtensions());
        this.roles = new HashSet<>(facts.roles());
        this.schemas = new HashSet<>(facts.schemas());
        this.publications = new HashSet<>(facts.publications());
        this.policyTables = Set.copyOf(facts.policyTables());
        this.currentSchema = facts.currentSchema();
        this.migrating = facts.migrating();
    }

    /** One file of a run: cleaned ({@code clean}) or only learnt from. */
    record Input(String fileName, List<SqlScript.Statement> statements, boolean clean) {
    }

    /** An {@code ALTER TABLE t ENABLE|FORCE ROW LEVEL SECURITY} of file {@code input}. */
    private record RlsSwitch(int input, SqlScript.Statement statement, String table, QualifiedName name) {
    }

    /**
     * Cleans the pending scripts of one run in order ({@code migrate} and {@code plan}). Reads the
     * server facts once, and only when some script needs them; returns the scripts unchanged on
     * SQLite, with {@code OFF}, or when nothing needs cleaning. A null script (a Java migration)
     * stays null.
     */
    static Map<MigrationFile, SqlScript> applyTo(Map<MigrationFile, SqlScript> scripts, SupabaseCleanupMode mode,
                                                 Engine engine, DataSource dataSource) {
        if (engine != Engine.POSTGRESQL || mode == SupabaseCleanupMode.OFF || scripts.values().stream()
                .noneMatch(s -> s != null && applies(mode, s.statements()))) {
            return scripts;
        }
        ServerFacts facts;
        try (Connection c = dataSource.getConnection()) {
            facts = ServerFacts.read(c);
        } catch (SQLException e) {
            throw new BotDbException(ErrorCode.MIGRATION_FAILED, "Supabase clean-up: could not read the server's"
                    + " roles, schemas and extensions: " + e.getMessage() + ". Nothing was applied. Set"
                    + " SUPABASE_CLEANUP=off to run the files as written.", e);
        }
        List<Input> inputs = new ArrayList<>();
        scripts.forEach((file, script) -> inputs.add(script == null ? new Input(file.fileName(), List.of(), false)
                : new Input(file.fileName(), script.statements(), applies(mode, script.statements()))));
        List<Result> results = new SupabaseCleanup(facts).run(inputs);
        Map<MigrationFile, SqlScript> cleaned = new LinkedHashMap<>();
        int i = 0;
        for (Map.Entry<MigrationFile, SqlScript> e : scripts.entrySet()) {
            Result r = results.get(i++);
            SqlScript script = e.getValue();
            cleaned.put(e.getKey(), r == null || r.changes().isEmpty() ? script
                    : script.withStatements(r.statements(), r.changes()));
        }
        return cleaned;
    }

    /**
     * Cleans the files of one run in order, then decides on row-level security: an {@code ENABLE}
     * (or {@code FORCE}) {@code ROW LEVEL SECURITY} of a cleaned file goes when no policy of the
     * run or of the server is left on that table. Returns one result per input, null for an input
     * that was only learnt from.
     */
    List<Result> run(List<Input> inputs) {
        StringBuilder all = new StringBuilder();
        inputs.forEach(in -> in.statements().forEach(s -> all.append(s.sql()).append(";\n")));
        runSql = all.toString();
        List<List<SqlScript.Statement>> kept = new ArrayList<>();
        List<List<String>> changes = new ArrayList<>();
        for (int i = 0; i < inputs.size(); i++) {
            Input in = inputs.get(i);
            if (in.clean()) {
                List<SqlScript.Statement> k = new ArrayList<>();
                List<String> c = new ArrayList<>();
                for (SqlScript.Statement s : in.statements()) {
                    clean(i, in.fileName(), s, k, c);
                    track(s.sql());
                }
                kept.add(k);
                changes.add(c);
            } else {
                track(in.statements());
                kept.add(null);
                changes.add(null);
            }
        }
        for (RlsSwitch sw : rlsSwitches) {
            if (policied.contains(sw.table()) || policyTables.contains(sw.table())) {
                continue;
            }
            kept.get(sw.input()).remove(sw.statement());
            changes.get(sw.input()).add(rowLevelSecurityRemoved(inputs.get(sw.input()).fileName(), sw));
        }
        List<Result> results = new ArrayList<>();
        for (int i = 0; i < inputs.size(); i++) {
            results.add(kept.get(i) == null ? null : new Result(List.copyOf(kept.get(i)), List.copyOf(changes.get(i))));
        }
        return results;
    }

    private String rowLevelSecurityRemoved(String file, RlsSwitch sw) {
        String sql = sw.statement().sql().strip();
        List<String> removed = removedPolicies.get(sw.table());
        String why = removed == null ? "the migrations create none for it; on Supabase only service_role and"
                + " postgres, which bypass row-level security, could read it"
                : "the clean-up removed " + String.join(", ", removed);
        return PREFIX + file + " line " + sw.statement().line() + ": removed " + preview(sql) + ": no policy on "
                + sw.table() + " applies to a role of this server (" + why + "), so with row-level security on,"
                + " every role but the table's owner (the bot's own role too) would read no rows from it. To keep"
                + " row-level security instead, add a migration with: " + sql.replaceAll("\\s+", " ") + "; CREATE POLICY"
                + " \"botdb_all_rows\" ON " + sw.name().sql() + " USING (true) WITH CHECK (true); and narrow"
                + " that policy to your bot's role with TO.";
    }

    /** Whether {@code mode} cleans a file with these statements. */
    static boolean applies(SupabaseCleanupMode mode, List<SqlScript.Statement> statements) {
        return switch (mode) {
            case OFF -> false;
            case ON -> statements.stream().anyMatch(s -> kind(tokens(s.sql())) != Kind.OTHER);
            case AUTO -> looksLikeSupabase(statements);
        };
    }

    /**
     * Whether a statement names {@code anon}, {@code authenticated} or {@code service_role}, or
     * uses the schema {@code extensions} ({@code SCHEMA extensions}, {@code extensions.f()}), as an
     * identifier: words inside strings and comments do not count.
     */
    static boolean looksLikeSupabase(List<SqlScript.Statement> statements) {
        for (SqlScript.Statement s : statements) {
            List<Token> t = tokens(s.sql());
            for (int i = 0; i < t.size(); i++) {
                String name = ident(t.get(i));
                if (name == null) {
                    continue;
                }
                if (SUPABASE_ROLES.contains(name)) {
                    return true;
                }
                if (name.equals(EXTENSIONS_SCHEMA) && (i > 0 && isWord(t.get(i - 1), "SCHEMA")
                        || i + 1 < t.size() && isPunct(t.get(i + 1), '.'))) {
                    return true;
                }
            }
        }
        return false;
    }

    /** Applies the rules to the statements of {@code fileName}, in order: a run of one file. */
    Result clean(String fileName, List<SqlScript.Statement> statements) {
        return run(List.of(new Input(fileName, statements, true))).get(0);
    }

    /** Learns the roles and schemas these statements create, without changing them. */
    void track(List<SqlScript.Statement> statements) {
        for (SqlScript.Statement s : statements) {
            List<Token> t = tokens(s.sql());
            if (kind(t) == Kind.CREATE_EXTENSION) {
                int i = isWord(t, 2, "IF") && isWord(t, 3, "NOT") && isWord(t, 4, "EXISTS") ? 5 : 2;
                String ext = i < t.size() ? ident(t.get(i)) : null;
                if (ext != null) {
                    installed.add(ext);
                }
            }
            observe(t);
            track(s.sql());
        }
    }

    /** Learns the policies and publications a kept statement creates. */
    private void observe(List<Token> t) {
        if (kind(t) == Kind.CREATE_POLICY) {
            String table = policyTable(t);
            if (table != null) {
                policied.add(table);
            }
        } else if (isWord(t, 0, "CREATE") && isWord(t, 1, "PUBLICATION") && t.size() > 2 && ident(t.get(2)) != null) {
            publications.add(ident(t.get(2)));
        }
    }

    /** Cleans statement {@code s} of input {@code input}, adding what runs to {@code kept}. */
    private void clean(int input, String file, SqlScript.Statement s, List<SqlScript.Statement> kept,
                       List<String> changes) {
        SqlScript.Statement after = clean(file, s, changes);
        kept.addAll(inserted);
        inserted.clear();
        List<Token> t = tokens(s.sql());
        if (after == null) {
            String table = kind(t) == Kind.CREATE_POLICY ? policyTable(t) : null;
            if (table != null) {
                removedPolicies.computeIfAbsent(table, k -> new ArrayList<>())
                        .add(t.get(2).type() == Type.QUOTED ? sqlOf(s, t.get(2)) + " (line " + s.line() + ")"
                                : t.get(2).value() + " (line " + s.line() + ")");
            }
            return;
        }
        kept.add(after);
        List<Token> ta = after == s ? t : tokens(after.sql());
        observe(ta);
        QualifiedName rls = rowLevelSecurityOn(ta);
        if (rls != null) {
            rlsSwitches.add(new RlsSwitch(input, after, key(rls), rls));
        }
    }

    /** {@code schema.table} of a table name; an unqualified one is in the migration connection's current schema. */
    private String key(QualifiedName name) {
        return (name.schema() != null ? name.schema() : currentSchema != null ? currentSchema : "public") + "."
                + name.name();
    }

    /** The table of {@code CREATE POLICY name ON table}, as {@link #key}, or null. */
    private String policyTable(List<Token> t) {
        int on = indexOf(t, 3, "ON");
        QualifiedName name = on < 0 ? null : qualifiedAt(t, on + 1);
        return name == null ? null : key(name);
    }

    /** The table of {@code ALTER TABLE [IF EXISTS] [ONLY] t ENABLE|FORCE ROW LEVEL SECURITY}, or null. */
    private static QualifiedName rowLevelSecurityOn(List<Token> t) {
        if (!isWord(t, 0, "ALTER") || !isWord(t, 1, "TABLE") || t.size() < 7) {
            return null;
        }
        int n = t.size();
        if (!(isWord(t, n - 4, "ENABLE") || isWord(t, n - 4, "FORCE")) || !isWord(t, n - 3, "ROW")
                || !isWord(t, n - 2, "LEVEL") || !isWord(t, n - 1, "SECURITY")) {
            return null;
        }
        int i = isWord(t, 2, "IF") && isWord(t, 3, "EXISTS") ? 4 : 2;
        i = isWord(t, i, "ONLY") ? i + 1 : i;
        int end = isPunct(t.get(i + 1), '.') ? i + 3 : i + 1;
        return end == n - 4 ? qualifiedAt(t, i) : null;
    }

    /** {@code name} or {@code schema.name} at token {@code i}, or null. */
    private static QualifiedName qualifiedAt(List<Token> t, int i) {
        String first = i < t.size() ? ident(t.get(i)) : null;
        if (first == null) {
            return null;
        }
        if (i + 2 < t.size() && isPunct(t.get(i + 1), '.') && ident(t.get(i + 2)) != null) {
            return new QualifiedName(first, ident(t.get(i + 2)));
        }
        return new QualifiedName(null, first);
    }

    private static String sqlOf(SqlScript.Statement s, Token token) {
        return s.sql().substring(token.start(), token.end());
    }

    /**
     * Any {@code CREATE ROLE/USER/GROUP}, {@code CREATE SCHEMA} or rename anywhere in the text,
     * even in a string or a DO block: assuming too many roles only keeps a grant, which then
     * fails loudly instead of being removed.
     */
    private void track(String sql) {
        Matcher m = CREATES_ROLE.matcher(sql);
        while (m.find()) {
            roles.add(identText(m.group(1)));
            createdRoles.add(identText(m.group(1)));
        }
        m = CREATES_SCHEMA.matcher(sql);
        while (m.find()) {
            schemas.add(identText(m.group(1)));
        }
        m = RENAMES.matcher(sql);
        while (m.find()) {
            (m.group(1).equalsIgnoreCase("SCHEMA") ? schemas : roles).add(identText(m.group(3)));
        }
    }

    private enum Kind {
        GRANT, REVOKE, DEFAULT_PRIVILEGES, CREATE_POLICY, ALTER_POLICY, CREATE_EXTENSION, COMMENT_ON_EXTENSION,
        CREATE_PUBLICATION, ON_PUBLICATION, OWNER_TO, OTHER
    }

    private static Kind kind(List<Token> t) {
        if (isWord(t, 0, "GRANT")) {
            return Kind.GRANT;
        }
        if (isWord(t, 0, "REVOKE")) {
            return Kind.REVOKE;
        }
        if (isWord(t, 0, "ALTER") && isWord(t, 1, "DEFAULT") && isWord(t, 2, "PRIVILEGES")) {
            return Kind.DEFAULT_PRIVILEGES;
        }
        if (isWord(t, 1, "POLICY") && (isWord(t, 0, "CREATE") || isWord(t, 0, "ALTER"))) {
            return isWord(t, 0, "CREATE") ? Kind.CREATE_POLICY : Kind.ALTER_POLICY;
        }
        if (isWord(t, 0, "CREATE") && isWord(t, 1, "EXTENSION")) {
            return Kind.CREATE_EXTENSION;
        }
        if (isWord(t, 0, "COMMENT") && isWord(t, 1, "ON") && isWord(t, 2, "EXTENSION")) {
            return Kind.COMMENT_ON_EXTENSION;
        }
        if (isWord(t, 0, "CREATE") && isWord(t, 1, "PUBLICATION")) {
            return Kind.CREATE_PUBLICATION;
        }
        if (isWord(t, 0, "ALTER") && isWord(t, 1, "PUBLICATION")
                || isWord(t, 0, "COMMENT") && isWord(t, 1, "ON") && isWord(t, 2, "PUBLICATION")) {
            return Kind.ON_PUBLICATION;
        }
        if (isWord(t, 0, "ALTER") && isWord(t, t.size() - 3, "OWNER") && isWord(t, t.size() - 2, "TO")) {
            return Kind.OWNER_TO;
        }
        return Kind.OTHER;
    }

    /** The statement to run instead of {@code s}, or null to skip it; changes are added to {@code changes}. */
    private SqlScript.Statement clean(String file, SqlScript.Statement s, List<String> changes) {
        List<Token> t = tokens(s.sql());
        return switch (kind(t)) {
            case GRANT -> roleLists(file, s, t, grantLists(t, 1, "TO"), changes);
            case REVOKE -> roleLists(file, s, t, grantLists(t, 1, "FROM"), changes);
            case DEFAULT_PRIVILEGES -> defaultPrivileges(file, roleLists(file, s, t, defaultPrivilegeLists(t), changes),
                    changes);
            case CREATE_POLICY -> roleLists(file, s, t, policyLists(t), changes);
            case ALTER_POLICY -> indexOf(t, 2, "RENAME") >= 0 ? s : roleLists(file, s, t, policyLists(t), changes);
            case CREATE_EXTENSION -> createExtension(file, s, t, changes);
            case COMMENT_ON_EXTENSION -> commentOnExtension(file, s, t, changes);
            case CREATE_PUBLICATION -> createPublication(file, s, t, changes);
            case ON_PUBLICATION -> onPublication(file, s, t, changes);
            case OWNER_TO -> ownerTo(file, s, t, changes);
            case OTHER -> s;
        };
    }

    /** One entry of a role list: tokens {@code from..to} (GROUP name is two), and the role, or null for PUBLIC etc. */
    private record Item(int from, int to, String role) {
    }

    private record RoleList(List<Item> items, int end) {
    }

    /**
     * The role lists of {@code GRANT/REVOKE ... TO/FROM grantees} starting at token {@code start}:
     * the grantees, and for a membership grant (no ON) the granted roles. Empty when the
     * statement is not understood.
     */
    private static List<RoleList> grantLists(List<Token> t, int start, String toOrFrom) {
        int to = indexOf(t, start, toOrFrom);
        if (to < 0) {
            return List.of();
        }
        RoleList grantees = roleList(t, to + 1, true);
        if (grantees == null) {
            return List.of();
        }
        int on = indexOf(t, start, "ON");
        if (on >= 0 && on < to) {
            return List.of(grantees);
        }
        int first = start;
        if (isWord(t, first + 1, "OPTION") && isWord(t, first + 2, "FOR")) {
            first += 3; // REVOKE ADMIN|INHERIT|SET OPTION FOR role FROM ...
        }
        RoleList granted = roleList(t, first, false);
        return granted != null && granted.end() == to ? List.of(granted, grantees) : List.of(grantees);
    }

    private static List<RoleList> defaultPrivilegeLists(List<Token> t) {
        List<RoleList> lists = new ArrayList<>();
        int i = 3;
        if (isWord(t, 3, "FOR") && (isWord(t, 4, "ROLE") || isWord(t, 4, "USER"))) {
            RoleList owners = roleList(t, 5, false);
            if (owners == null) {
                return List.of();
            }
            lists.add(owners);
            i = owners.end();
        }
        for (; i < t.size(); i++) {
            if (t.get(i).depth() == 0 && (isWord(t.get(i), "GRANT") || isWord(t.get(i), "REVOKE"))) {
                List<RoleList> grantees = grantLists(t, i + 1, isWord(t.get(i), "GRANT") ? "TO" : "FROM");
                if (grantees.isEmpty()) {
                    return List.of();
                }
                lists.add(grantees.get(grantees.size() - 1));
                return lists;
            }
        }
        return List.of();
    }

    /** Whether the migrating role may act as {@code role} (give it objects, set its default privileges). */
    private boolean mayActAs(String role) {
        return migrating.mayActAs(role) || createdRoles.contains(role);
    }

    /**
     * {@code ALTER ... OWNER TO role}: removed when the role does not exist, or when the migrating
     * role may not act as it (a provisioned owner role is no member of {@code postgres}).
     */
    private SqlScript.Statement ownerTo(String file, SqlScript.Statement s, List<Token> t, List<String> changes) {
        RoleList owner = roleList(t, t.size() - 1, false);
        if (owner == null) {
            return s;
        }
        SqlScript.Statement after = roleLists(file, s, t, List.of(owner), changes);
        return after == null ? null : roleLists(file, s, t, List.of(owner), changes, this::mayActAs, others ->
                "the migrating role " + migrating.user() + " cannot act as " + others.get(0) + ", so the object stays"
                        + " owned by " + migrating.user());
    }

    /**
     * {@code ALTER DEFAULT PRIVILEGES FOR ROLE r ...} left by the role rules: the roles the
     * migrating role may not act as are taken out (PostgreSQL refuses them); the statement goes when
     * none is left.
     */
    private SqlScript.Statement defaultPrivileges(String file, SqlScript.Statement s, List<String> changes) {
        if (s == null) {
            return null;
        }
        List<Token> t = tokens(s.sql());
        List<RoleList> lists = defaultPrivilegeLists(t);
        if (lists.size() < 2) {
            return s; // no FOR ROLE: the migrating role's own default privileges
        }
        return roleLists(file, s, t, List.of(lists.get(0)), changes, this::mayActAs, others -> "the migrating role "
                + migrating.user() + " cannot act as " + String.join(", ", others) + ", so it may not set "
                + (others.size() == 1 ? "that role's" : "their") + " default privileges");
    }

    private static List<RoleList> policyLists(List<Token> t) {
        int to = indexOf(t, 2, "TO");
        RoleList roles = to < 0 ? null : roleList(t, to + 1, false);
        return roles == null ? List.of() : List.of(roles);
    }

    /** {@code [GROUP] role [, ...]} from token {@code i}; null when an entry is not a plain or quoted name. */
    private static RoleList roleList(List<Token> t, int i, boolean allowGroup) {
        List<Item> items = new ArrayList<>();
        while (i < t.size()) {
            int from = i;
            if (allowGroup && isWord(t.get(i), "GROUP") && i + 1 < t.size() && ident(t.get(i + 1)) != null) {
                i++;
            }
            Token r = t.get(i);
            String role = ident(r);
            if (role == null) {
                return null;
            }
            boolean special = r.type() == Type.WORD ? SPECIAL_GRANTEES.contains(r.value().toUpperCase(Locale.ROOT))
                    : role.equals("public"); // "public" quoted is PUBLIC too
            items.add(new Item(from, i, special ? null : role));
            i++;
            if (i < t.size() && isPunct(t.get(i), ',')) {
                i++;
            } else {
                return new RoleList(items, i);
            }
        }
        return null;
    }

    /** Takes missing roles out of the lists; drops the statement when a list would be left empty. */
    private SqlScript.Statement roleLists(String file, SqlScript.Statement s, List<Token> t, List<RoleList> lists,
                                          List<String> changes) {
        return roleLists(file, s, t, lists, changes, roles::contains, missing -> missing.size() == 1
                ? "role " + missing.get(0) + " does not exist"
                : "roles " + String.join(", ", missing) + " do not exist");
    }

    /**
     * Takes the roles that are not {@code ok} out of the lists; drops the statement when a list
     * would be left empty. {@code why} says, for the roles taken out, why.
     */
    private SqlScript.Statement roleLists(String file, SqlScript.Statement s, List<Token> t, List<RoleList> lists,
                                          List<String> changes, java.util.function.Predicate<String> ok,
                                          java.util.function.Function<List<String>, String> why) {
        String sql = s.sql();
        List<String> missing = new ArrayList<>();
        List<String> removedTexts = new ArrayList<>();
        List<int[]> spans = new ArrayList<>();
        List<String> replacements = new ArrayList<>();
        int firstRemoved = -1;
        boolean emptied = false;
        for (RoleList list : lists) {
            List<String> keep = new ArrayList<>();
            for (Item item : list.items()) {
                String text = sql.substring(t.get(item.from()).start(), t.get(item.to()).end());
                if (item.role() == null || ok.test(item.role())) {
                    keep.add(text);
                } else {
                    if (!missing.contains(item.role())) {
                        missing.add(item.role());
                    }
                    removedTexts.add(text);
                    int at = t.get(item.from()).start();
                    firstRemoved = firstRemoved < 0 ? at : Math.min(firstRemoved, at);
                }
            }
            if (keep.isEmpty()) {
                emptied = true;
            } else if (keep.size() < list.items().size()) {
                spans.add(new int[] {t.get(list.items().get(0).from()).start(),
                        t.get(list.items().get(list.items().size() - 1).to()).end()});
                replacements.add(String.join(", ", keep));
            }
        }
        if (missing.isEmpty()) {
            return s;
        }
        String reason = why.apply(missing);
        if (emptied) {
            changes.add(PREFIX + file + " line " + s.line() + ": removed " + preview(sql) + " (" + reason + ")");
            return null;
        }
        StringBuilder out = new StringBuilder(sql);
        for (int k = spans.size() - 1; k >= 0; k--) { // lists come in text order; replace from the end
            out.replace(spans.get(k)[0], spans.get(k)[1], replacements.get(k));
        }
        changes.add(PREFIX + file + " line " + lineOf(s, firstRemoved) + ": removed " + String.join(", ", removedTexts)
                + " from " + preview(sql) + " (" + reason + ")");
        return new SqlScript.Statement(out.toString(), s.line(), s.number());
    }

    private SqlScript.Statement createExtension(String file, SqlScript.Statement s, List<Token> t, List<String> changes) {
        int i = isWord(t, 2, "IF") && isWord(t, 3, "NOT") && isWord(t, 4, "EXISTS") ? 5 : 2;
        String ext = i < t.size() ? ident(t.get(i)) : null;
        if (ext == null) {
            return s;
        }
        if (!available.contains(ext) && !installed.contains(ext)) {
            changes.add(PREFIX + file + " line " + s.line() + ": skipped " + preview(s.sql()) + " (extension " + ext
                    + " is not available on this server: pg_available_extensions does not list it)");
            return null;
        }
        if (installed.contains(ext)) {
            return s; // IF NOT EXISTS makes it a no-op whatever the schema; without it, it fails as written
        }
        if (!migrating.superuser() && !migrating.trustedExtensions().contains(ext)) {
            changes.add(PREFIX + file + " line " + s.line() + ": skipped " + preview(s.sql()) + " (extension " + ext
                    + " is not trusted, so only a superuser may install it, and the migrating role "
                    + migrating.user() + " is not one; if the bot uses it, have a superuser run CREATE EXTENSION IF NOT"
                    + " EXISTS " + Dialect.POSTGRESQL.quote(ext) + " in this database, then migrate again)");
            untrustedSkipped.add(ext);
            return null;
        }
        installed.add(ext);
        int schema = indexOf(t, i + 1, "SCHEMA");
        String name = schema < 0 || schema + 1 >= t.size() ? null : ident(t.get(schema + 1));
        if (name == null || schemas.contains(name)) {
            return s;
        }
        int from = isWord(t, schema - 1, "WITH") && schema - 1 > i ? schema - 1 : schema;
        String sql = s.sql();
        String clause = sql.substring(t.get(from).start(), t.get(schema + 1).end());
        int line = lineOf(s, t.get(from).start());
        if (refersTo(name) || currentSchema == null) {
            // objects of the schema are named (a pg_dump file: "extensions"."uuid_generate_v4"()), or there
            // is no current schema to put the extension in: create the schema, as Supabase has it
            String create = "CREATE SCHEMA IF NOT EXISTS " + Dialect.POSTGRESQL.quote(name);
            String usage = "GRANT USAGE ON SCHEMA " + Dialect.POSTGRESQL.quote(name) + " TO PUBLIC";
            inserted.add(new SqlScript.Statement(create, s.line(), s.number()));
            inserted.add(new SqlScript.Statement(usage, s.line(), s.number()));
            schemas.add(name);
            changes.add(PREFIX + file + " line " + line + ": created schema " + name + " before " + preview(sql)
                    + " (" + create + "; " + usage + ": schema " + name + " does not exist and "
                    + (refersTo(name) ? "the migrations refer to objects in it" : "the migration connection has no"
                    + " current schema") + "; the extension goes there and every role may use it, as on Supabase)");
            return s;
        }
        String target = Dialect.POSTGRESQL.quote(currentSchema);
        String replacement = (from < schema ? "WITH SCHEMA " : "SCHEMA ") + target;
        String rewritten = sql.substring(0, t.get(from).start()) + replacement + sql.substring(t.get(schema + 1).end());
        changes.add(PREFIX + file + " line " + line + ": replaced " + clause + " by " + replacement + " in "
                + preview(sql) + " (schema " + name + " does not exist and the migrations refer to nothing in it;"
                + " " + currentSchema + " is the migration connection's current schema)");
        return new SqlScript.Statement(rewritten, s.line(), s.number());
    }

    /** Whether some statement of the run names an object of {@code schema} ({@code schema.x}, also inside a function body). */
    private boolean refersTo(String schema) {
        return Pattern.compile("(?:\"" + Pattern.quote(schema.replace("\"", "\"\"")) + "\"|(?<![\\w$\"])(?i:"
                + Pattern.quote(schema) + ")(?![\\w$]))\\s*\\.\\s*[\"A-Za-z_]").matcher(runSql).find();
    }

    /**
     * {@code CREATE PUBLICATION supabase_realtime...}: Supabase Realtime's publications are skipped
     * on a server that does not have them (nothing would read them); other publications stay.
     */
    private SqlScript.Statement createPublication(String file, SqlScript.Statement s, List<Token> t,
                                                  List<String> changes) {
        String name = t.size() > 2 ? ident(t.get(2)) : null;
        if (name == null || !name.startsWith(REALTIME_PUBLICATION) || publications.contains(name)) {
            return s;
        }
        changes.add(PREFIX + file + " line " + s.line() + ": removed " + preview(s.sql()) + " (Supabase Realtime's"
                + " publication; this server has no Realtime to read it)");
        return null;
    }

    /** {@code ALTER PUBLICATION p ...} and {@code COMMENT ON PUBLICATION p}: removed when {@code p} does not exist. */
    private SqlScript.Statement onPublication(String file, SqlScript.Statement s, List<Token> t, List<String> changes) {
        int at = isWord(t, 0, "COMMENT") ? 3 : 2;
        String name = at < t.size() ? ident(t.get(at)) : null;
        if (name == null || publications.contains(name)) {
            return s;
        }
        changes.add(PREFIX + file + " line " + s.line() + ": removed " + preview(s.sql()) + " (publication " + name
                + " does not exist)");
        return null;
    }

    private SqlScript.Statement commentOnExtension(String file, SqlScript.Statement s, List<Token> t,
                                                   List<String> changes) {
        String ext = t.size() > 3 ? ident(t.get(3)) : null;
        if (ext == null || installed.contains(ext) || available.contains(ext) && !untrustedSkipped.contains(ext)) {
            return s;
        }
        changes.add(PREFIX + file + " line " + s.line() + ": removed " + preview(s.sql()) + " (extension " + ext
                + (available.contains(ext) ? " was not created)" : " is not available on this server, so it was not"
                + " created)"));
        return null;
    }

    private enum Type { WORD, QUOTED, STRING, NUMBER, PUNCT, OTHER }

    /**
     * A token of a statement: {@code value} is the word as written, a quoted identifier without
     * its quotes, or the character of a punctuation token; {@code depth} counts open parentheses.
     */
    private record Token(Type type, String value, int start, int end, int depth) {
    }

    /** Splits one statement into tokens with {@link SqlLexer}, skipping comments; counts parentheses. */
    private static List<Token> tokens(String sql) {
        List<Token> out = new ArrayList<>();
        SqlLexer lexer = new SqlLexer(sql);
        int depth = 0;
        for (SqlLexer.Token t = lexer.next(); t != null; t = lexer.next()) {
            String text = t.text(sql);
            switch (t.kind()) {
                case LINE_COMMENT, BLOCK_COMMENT -> {
                }
                case STRING, DOLLAR_STRING -> out.add(new Token(Type.STRING, text, t.start(), t.end(), depth));
                // U&"..." is an identifier with escapes: not decoded, so never taken for a role name
                case QUOTED_IDENTIFIER -> out.add(t.unicode() ? new Token(Type.OTHER, text, t.start(), t.end(), depth)
                        : new Token(Type.QUOTED, text.substring(1, text.length() - 1).replace("\"\"", "\""), t.start(),
                                t.end(), depth));
                case WORD -> out.add(new Token(Type.WORD, text, t.start(), t.end(), depth));
                case NUMBER -> out.add(new Token(Type.NUMBER, text, t.start(), t.end(), depth));
                case CHAR -> {
                    char c = text.charAt(0);
                    if (c == ')' && depth > 0) {
                        depth--;
                    }
                    out.add(new Token(Type.PUNCT, text, t.start(), t.end(), depth));
                    if (c == '(') {
                        depth++;
                    }
                }
            }
        }
        return out;
    }

    /** The name a token stands for: a plain word folded to lower case (as PostgreSQL does), a quoted one as written. */
    private static String ident(Token t) {
        return switch (t.type()) {
            case WORD -> lower(t.value());
            case QUOTED -> t.value().isEmpty() ? null : t.value();
            default -> null;
        };
    }

    /** The name a regex-matched identifier stands for. */
    private static String identText(String text) {
        return text.startsWith("\"") ? text.substring(1, text.length() - 1).replace("\"\"", "\"") : lower(text);
    }

    /** PostgreSQL folds only ASCII letters of unquoted names (in UTF-8 databases). */
    private static String lower(String word) {
        StringBuilder sb = new StringBuilder(word.length());
        for (int k = 0; k < word.length(); k++) {
            char c = word.charAt(k);
            sb.append(c >= 'A' && c <= 'Z' ? (char) (c + 32) : c);
        }
        return sb.toString();
    }

    private static boolean isWord(Token t, String keyword) {
        return t.type() == Type.WORD && t.value().equalsIgnoreCase(keyword);
    }

    private static boolean isWord(List<Token> t, int i, String keyword) {
        return i >= 0 && i < t.size() && isWord(t.get(i), keyword);
    }

    private static boolean isPunct(Token t, char c) {
        return t.type() == Type.PUNCT && t.value().charAt(0) == c;
    }

    /** The first keyword outside parentheses at or after {@code from}, or -1. */
    private static int indexOf(List<Token> t, int from, String keyword) {
        for (int i = Math.max(0, from); i < t.size(); i++) {
            if (t.get(i).depth() == 0 && isWord(t.get(i), keyword)) {
                return i;
            }
        }
        return -1;
    }

    private static int lineOf(SqlScript.Statement s, int offset) {
        int line = s.line();
        for (int k = 0; k < offset; k++) {
            if (s.sql().charAt(k) == '\n') {
                line++;
            }
        }
        return line;
    }

    /** The statement on one line, shortened for a log line. */
    private static String preview(String sql) {
        String oneLine = sql.replaceAll("\\s+", " ").strip();
        return oneLine.length() <= 200 ? oneLine : oneLine.substring(0, 197) + "...";
    }
}
