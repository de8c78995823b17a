package dev.botdb.provision;

import dev.botdb.BotDbException;
import dev.botdb.ErrorCode;
import dev.botdb.dialect.Dialect;
import dev.botdb.config.PostgresTarget;
import dev.botdb.config.Redaction;
import dev.botdb.config.Secret;
import dev.botdb.config.SslMode;
import dev.botdb.pool.ConnectionFailure;
import dev.botdb.pool.Connector;
import dev.botdb.provision.Action.Outcome;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.function.Consumer;
import java.util.regex.Pattern;
import org.postgresql.util.PSQLException;
import org.postgresql.util.PasswordUtil;

/**
 * Sets up a bot's database the least-privilege way, with an admin connection: the database, an
 * owner role that owns it and its schema and runs the migrations, and an application role with
 * exactly the grants the Activity Challenge bot's setup gives its role (CONNECT, USAGE on the schema, SELECT / INSERT /
 * UPDATE / DELETE on all tables, USAGE / SELECT on all sequences) plus default privileges, so the
 * tables later migrations create are covered too.
 *
 * <pre>{@code
 * ProvisionResult r = Provisioner.of(adminTarget, System.out::println)
 *         .run(ProvisionRequest.of("bot").withDatabase("mybot"));
 * System.out.println("DATABASE_URL=" + r.databaseUrl(r.owner(), true));   // for botdb migrate
 * System.out.println("DATABASE_URL=" + r.databaseUrl(r.app(), true));     // for the bot
 * }</pre>
 *
 * <p>Running it again changes nothing: roles that exist keep their passwords, and grants already
 * in place are not repeated. New roles get a generated password (SecureRandom, URL-safe) that
 * only {@link ProvisionResult} holds: the server receives a SCRAM-SHA-256 verifier computed here,
 * so the password is in no SQL text, server log, log line or exception message.
 */
public final class Provisioner {
    /** statement_timeout and lock_timeout of every statement; catalog reads and grants are quick. */
    static final Duration STATEMENT_TIMEOUT = Duration.ofSeconds(5);
    /** CREATE DATABASE copies template1 and checkpoints: longer on a busy or slow disk. */
    static final Duration CREATE_DATABASE_TIMEOUT = Duration.ofSeconds(120);
    private static final int PASSWORD_BYTES = 24;
    private static final SecureRandom RANDOM = new SecureRandom();
    private static final Pattern SCRAM_VERIFIER =
            Pattern.compile("SCRAM-SHA-256\\$[0-9]+:[A-Za-z0-9+/=]+\\$[A-Za-z0-9+/=]+:[A-Za-z0-9+/=]+");

    private final PostgresTarget admin;
    private final Consumer<String> log;

    private Provisioner(PostgresTarget admin, Consumer<String> log) {
        this.admin = admin;
        this.log = log;
    }

    /**
     * A provisioner that connects as {@code admin} (a superuser, or a role with CREATEDB and
     * CREATEROLE); {@code log} receives a line per action, never a password.
     */
    public static Provisioner of(PostgresTarget admin, Consumer<String> log) {
        return new Provisioner(admin, log);
    }

    /** Who the admin connection is. */
    private record Admin(String user, boolean superuser, boolean createDb, boolean createRole, int serverVersion) {
    }

    private static final String ADMIN = """
            SELECT current_user,
                   rolsuper,
                   rolcreatedb,
                   rolcreaterole,
                   current_setting('server_version_num')::int
            FROM pg_roles
            WHERE rolname = current_user
            """;

    private static final String ROLE = """
            SELECT rolcanlogin,
                   rolsuper,
                   rolcreatedb OR rolcreaterole
            FROM pg_roles
            WHERE rolname = ?
            """;

    /** Whether the admin may act as the owner role (SET ROLE; PostgreSQL 16 separated it from membership). */
    private static final String MAY_BECOME = """
            SELECT coalesce(pg_has_role(current_user, r.oid, %s), false)
            FROM pg_roles r
            WHERE r.rolname = ?
            """;

    private static final String DATABASE = """
            SELECT pg_get_userbyid(datdba)
            FROM pg_database
            WHERE datname = ?
            """;

    /**
     * Creates what is missing and grants what is not granted; with {@code request.dryRun()} only
     * says what that would be.
     *
     * @throws BotDbException {@link ErrorCode#PERMISSION_DENIED} when the admin role lacks CREATEDB
     *                        or CREATEROLE; {@link ErrorCode#USAGE} for an unusable name; the
     *                        connection's own codes when the server cannot be reached
     */
    public ProvisionResult run(ProvisionRequest request) {
        Names n = Names.of(request, admin.database());
        boolean dry = request.dryRun();
        List<Action> actions = new ArrayList<>();
        List<String> notes = new ArrayList<>();
        Secret ownerPassword;
        Secret appPassword;
        boolean databaseExisted;
        Admin who;
        try (Connection c = openAdmin(n.database())) {
            who = admin(c);
            log.accept((dry ? "Dry run: provisioning " : "Provisioning ") + n.database() + " on " + admin.urlHost()
                    + ":" + admin.port() + " as " + who.user() + (who.superuser() ? " (a superuser)" : "")
                    + (dry ? "; nothing will be changed, passwords are masked" : ""));
            ownerPassword = role(c, n.owner(), "owns database " + n.database() + " and schema " + n.schema()
                    + "; for botdb migrate", dry, actions, notes);
            appPassword = role(c, n.app(), "the bot's least-privilege role", dry, actions, notes);
            if (!who.superuser()) {
                becomeOwner(c, n, who, dry, actions);
            }
            databaseExisted = database(c, n, dry, actions, notes);
        } catch (SQLException e) {
            throw failure("on " + admin.displayName(), e);
        }
        if (!databaseExisted && dry) {
            DatabaseGrants.plan(DatabaseGrants.State.fresh(n, who.serverVersion()), n, notes)
                    .forEach(a -> add(a, true, actions));
        } else {
            try (Connection c = open(admin.withDatabase(n.database()))) {
                if (!who.superuser() && !dry) {
                    // grants and default privileges made as the owner, which the admin may act as
                    execute(c, "SET ROLE " + Dialect.POSTGRESQL.quote(n.owner()));
                }
                c.setAutoCommit(false);
                List<Action> plan = DatabaseGrants.plan(DatabaseGrants.read(c, n), n, notes);
                apply(c, plan, dry, actions);
                c.commit();
            } catch (SQLException e) {
                throw failure("in database " + n.database(), e);
            }
        }
        notes.forEach(note -> log.accept("  note: " + note));
        ProvisionResult result = new ProvisionResult(admin.host(), admin.port(), query(),
                n.database(), n.schema(), new ProvisionResult.Role(n.owner(), ownerPassword != null, ownerPassword),
                new ProvisionResult.Role(n.app(), appPassword != null, appPassword), actions, notes, dry);
        log.accept(result.summary());
        return result;
    }

    /** Connects to the bot's database when it exists, else to postgres (or template1) to create it. */
    private Connection openAdmin(String database) {
        SQLException first = null;
        for (String db : new String[] {admin.database(), database, "postgres", "template1"}) {
            try {
                return open(admin.withDatabase(db));
            } catch (BotDbException e) {
                if (!(e.getCause() instanceof SQLException sql) || !"3D000".equals(sql.getSQLState())) {
                    throw e;
                }
                first = first == null ? sql : first;
            }
        }
        throw ConnectionFailure.classify(first, admin).toException(first);
    }

    private static Connection open(PostgresTarget target) {
        try {
            Connection c = Connector.open(target);
            try {
                execute(c, "SET statement_timeout = " + STATEMENT_TIMEOUT.toMillis() + "; SET lock_timeout = "
                        + STATEMENT_TIMEOUT.toMillis());
            } catch (SQLException e) {
                c.close();
                throw e;
            }
            return c;
        } catch (SQLException e) {
            throw ConnectionFailure.classify(e, target).toException(e);
        }
    }

    private Admin admin(Connection c) throws SQLException {
        Admin a;
        try (Statement st = c.createStatement(); ResultSet rs = st.executeQuery(ADMIN)) {
            rs.next();
            a = new Admin(rs.getString(1), rs.getBoolean(2), rs.getBoolean(3), rs.getBoolean(4), rs.getInt(5));
        }
        if (a.superuser() || (a.createDb() && a.createRole())) {
            return a;
        }
        String missing = !a.createDb() && !a.createRole() ? "CREATEDB and CREATEROLE"
                : a.createDb() ? "CREATEROLE" : "CREATEDB";
        String role = Dialect.POSTGRESQL.quote(a.user());
        throw new BotDbException(ErrorCode.PERMISSION_DENIED, "Role " + a.user() + " (from DATABASE_URL) may not"
                + " provision: it lacks " + missing + " and is not a superuser. Run botdb provision with an admin's"
                + " DATABASE_URL (e.g. postgres://postgres@" + admin.urlHost() + ":" + admin.port() + "/postgres), or"
                + " let this role do it, as a superuser: ALTER ROLE " + role + " " + missing.replace(" and ", " ")
                + ";");
    }

    /**
     * Creates a login role with a generated password, or leaves an existing one as it is.
     *
     * @return the new password, or null (the role existed, or dry run)
     */
    private Secret role(Connection c, String name, String purpose, boolean dry, List<Action> actions,
                        List<String> notes) throws SQLException {
        String subject = "role " + name;
        try (PreparedStatement ps = c.prepareStatement(ROLE)) {
            ps.setString(1, name);
            try (ResultSet rs = ps.executeQuery()) {
                if (rs.next()) {
                    add(new Action(subject, Outcome.UNCHANGED, null, purpose + "; its password is kept"), dry, actions);
                    if (!rs.getBoolean(1)) {
                        notes.add("Role " + name + " cannot log in (NOLOGIN); to use it: ALTER ROLE "
                                + Dialect.POSTGRESQL.quote(name) + " LOGIN;");
                    }
                    if (rs.getBoolean(2) || rs.getBoolean(3)) {
                        notes.add("Role " + name + " existed with more than it needs (superuser, CREATEDB or"
                                + " CREATEROLE); provision left it so.");
                    }
                    return null;
                }
            }
        }
        String template = "CREATE ROLE " + Dialect.POSTGRESQL.quote(name) + " LOGIN PASSWORD %s";
        String shown = template.formatted("'" + Secret.MASK + "'");
        if (dry) {
            add(new Action(subject, Outcome.CREATED, shown, purpose + "; a password would be generated"), dry, actions);
            return null;
        }
        Secret password = Secret.of(Base64.getUrlEncoder().withoutPadding().encodeToString(randomBytes()));
        execute(c, template.formatted(literal(verifier(password))));
        add(new Action(subject, Outcome.CREATED, shown, purpose + "; password generated, shown once"), dry, actions);
        return password;
    }

    private static byte[] randomBytes() {
        byte[] bytes = new byte[PASSWORD_BYTES];
        RANDOM.nextBytes(bytes);
        return bytes;
    }

    /** The SCRAM-SHA-256 verifier PostgreSQL stores: the server never sees the password itself. */
    private static String verifier(Secret password) {
        String v = PasswordUtil.encodeScramSha256(password.reveal().toCharArray());
        if (!SCRAM_VERIFIER.matcher(v).matches()) {
            throw new BotDbException(ErrorCode.INTERNAL, "pgjdbc produced an unexpected SCRAM verifier format");
        }
        return v;
    }

    /** A standard SQL string literal (standard_conforming_strings is on since PostgreSQL 9.1). */
    private static String literal(String s) {
        return "'" + s.replace("'", "''") + "'";
    }

    /**
     * A non-superuser admin (CREATEDB + CREATEROLE, as on managed clouds) must be able to act as
     * the owner role to create the database for it and to set its default privileges.
     */
    private void becomeOwner(Connection c, Names n, Admin who, boolean dry, List<Action> actions)
            throws SQLException {
        boolean may;
        try (PreparedStatement ps = c.prepareStatement(MAY_BECOME.formatted(
                who.serverVersion() >= 160_000 ? "'SET'" : "'MEMBER'"))) {
            ps.setString(1, n.owner());
            try (ResultSet rs = ps.executeQuery()) {
                may = rs.next() && rs.getBoolean(1);
            }
        }
        String subject = "membership of " + who.user() + " in " + n.owner();
        if (may) {
            add(new Action(subject, Outcome.UNCHANGED, null, "lets " + who.user() + " act as the owner"), dry, actions);
            return;
        }
        String sql = "GRANT " + Dialect.POSTGRESQL.quote(n.owner()) + " TO " + Dialect.POSTGRESQL.quote(who.user());
        if (!dry) {
            execute(c, sql);
        }
        add(new Action(subject, Outcome.CHANGED, sql, "lets " + who.user() + ", not a superuser, act as the owner"),
                dry, actions);
    }

    /** Creates the database owned by the owner role when missing; returns whether it existed. */
    private boolean database(Connection c, Names n, boolean dry, List<Action> actions, List<String> notes)
            throws SQLException {
        String subject = "database " + n.database();
        String owner;
        try (PreparedStatement ps = c.prepareStatement(DATABASE)) {
            ps.setString(1, n.database());
            try (ResultSet rs = ps.executeQuery()) {
                owner = rs.next() ? rs.getString(1) : null;
            }
        }
        if (owner != null) {
            add(new Action(subject, Outcome.UNCHANGED, null, "owner " + owner), dry, actions);
            if (!owner.equals(n.owner())) {
                notes.add("Database " + n.database() + " belongs to " + owner + ", not " + n.owner() + "; provision"
                        + " leaves an existing database's owner alone. To hand it over: ALTER DATABASE "
                        + Dialect.POSTGRESQL.quote(n.database()) + " OWNER TO " + Dialect.POSTGRESQL.quote(n.owner()) + ";");
            }
            return true;
        }
        String sql = "CREATE DATABASE " + Dialect.POSTGRESQL.quote(n.database()) + " OWNER " + Dialect.POSTGRESQL.quote(n.owner());
        if (!dry) {
            execute(c, "SET statement_timeout = " + CREATE_DATABASE_TIMEOUT.toMillis());
            execute(c, sql);
            execute(c, "SET statement_timeout = " + STATEMENT_TIMEOUT.toMillis());
        }
        add(new Action(subject, Outcome.CREATED, sql, "owned by " + n.owner()), dry, actions);
        return false;
    }

    /** Runs the plan's statements (none in a dry run) and records each action. */
    private void apply(Connection c, List<Action> plan, boolean dry, List<Action> actions) throws SQLException {
        for (Action a : plan) {
            if (!dry && a.sql() != null) {
                execute(c, a.sql());
            }
            add(a, dry, actions);
        }
    }

    private void add(Action a, boolean dry, List<Action> actions) {
        actions.add(a);
        log.accept("  " + a.describe(dry));
    }

    private static void execute(Connection c, String sql) throws SQLException {
        try (Statement st = c.createStatement()) {
            st.execute(sql);
        }
    }

    /** The admin URL's sslmode (and root certificate) carry over into the printed URLs. */
    private String query() {
        List<String> params = new ArrayList<>();
        if (admin.sslMode() != SslMode.PREFER) {
            params.add("sslmode=" + admin.sslMode().value());
        }
        String root = admin.parameters().get("sslrootcert");
        if (root != null) {
            params.add("sslrootcert=" + URLEncoder.encode(root, StandardCharsets.UTF_8));
        }
        return params.isEmpty() ? "" : "?" + String.join("&", params);
    }

    /** A failed statement, explained; the text comes from the server and holds no password (none is ever sent). */
    private static BotDbException failure(String where, SQLException e) {
        String text = e instanceof PSQLException p && p.getServerErrorMessage() != null
                ? p.getServerErrorMessage().getMessage() : String.valueOf(e.getMessage());
        String state = e.getSQLState() == null ? "" : e.getSQLState();
        boolean denied = state.equals("42501");
        return new BotDbException(denied ? ErrorCode.PERMISSION_DENIED : ErrorCode.INTERNAL, "Provisioning failed "
                + where + (state.isEmpty() ? "" : " [SQLSTATE " + state + "]") + ": " + Redaction.maskUrl(text) + "."
                + (denied ? " The admin role lacks a privilege this step needs; run botdb provision with a superuser's"
                + " DATABASE_URL." : " Statements before it stayed; run botdb provision again after fixing the cause"
                + " (it skips what is in place); botdb provision --dry-run shows what is left."), e);
    }
}
