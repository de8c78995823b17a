package dev.botdb.doctor;

import dev.botdb.ErrorCode;
import dev.botdb.backup.Backups;
import dev.botdb.dialect.Dialect;
import dev.botdb.config.Engine;
import dev.botdb.config.MigrationSettings;
import dev.botdb.config.PoolSettings;
import dev.botdb.config.PostgresTarget;
import dev.botdb.config.Redaction;
import dev.botdb.pool.ConnectionFailure;
import dev.botdb.pool.Connector;
import dev.botdb.text.Human;
import java.io.IOException;
import java.net.ConnectException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.net.UnknownHostException;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.function.Consumer;
import java.util.stream.Collectors;
import org.postgresql.util.PSQLException;

/**
 * The PostgreSQL links, in the order a connection meets them: the host name, the TCP port, SSL,
 * the password, the database, a free connection slot; then what migrations and the pool need.
 */
final class PgChecks {
    static final String HOST = "host";
    static final String SERVER = "server";
    static final String SSL = "ssl";
    static final String AUTHENTICATION = "authentication";
    static final String DATABASE = "database";
    static final String SLOTS = "connection slots";
    static final String PRIVILEGES = "migration privileges";
    static final String POOL = "pool size";
    static final List<String> LINKS = List.of(HOST, SERVER, SSL, AUTHENTICATION, DATABASE, SLOTS, PRIVILEGES,
            MigrationCheck.NAME, POOL);

    /** pgjdbc's and botdb's default connect timeout (DriverSettings), used for the TCP probe too. */
    private static final int DEFAULT_CONNECT_TIMEOUT_SEC = 10;

    private final PostgresTarget target;
    private final PoolSettings pool;
    private final MigrationSettings migrations;
    private final Doctor.Settings settings;
    private final Consumer<String> progress;
    /** The first refusal for lack of slots, when a later try got in. */
    private String slotRefusal;
    private Duration slotWaited = Duration.ZERO;

    PgChecks(PostgresTarget target, PoolSettings pool, MigrationSettings migrations, Doctor.Settings settings) {
        this.target = target;
        this.pool = pool;
        this.migrations = migrations;
        this.settings = settings;
        this.progress = settings.progress();
    }

    void run(Chain chain) {
        List<InetAddress> addresses = host(chain);
        if (addresses.isEmpty()) {
            return;
        }
        String reachable = server(chain, addresses);
        if (reachable == null) {
            return;
        }
        Connection c = login(chain, reachable);
        if (c == null) {
            return;
        }
        try (c) {
            connected(chain, c);
        } catch (SQLException e) {
            // closing failed: the checks are done, the report stands
        }
    }

    // ---------------------------------------------------------------- before login

    private List<InetAddress> host(Chain chain) {
        String host = target.host();
        try {
            List<InetAddress> all = Arrays.asList(InetAddress.getAllByName(host));
            String addresses = all.stream().map(InetAddress::getHostAddress).distinct().collect(Collectors.joining(", "));
            chain.ok(HOST, addresses.equals(host) ? host + " is an address" : host + " resolves to " + addresses);
            return all;
        } catch (UnknownHostException e) {
            chain.problem(HOST, "host '" + host + "' could not be resolved (host from " + source("host") + ")",
                    "Check " + target.named("host", "host") + ". Inside Docker Compose the host is"
                            + " the database's service name (e.g. postgres), and the bot's service must be in the same"
                            + " compose project or network; outside Docker use localhost (or the server's name or"
                            + " address) and the port the compose file publishes.",
                    ErrorCode.CONNECTION_FAILED);
            return List.of();
        }
    }

    /**
     * Opens and closes a TCP connection to the port, trying each address the name resolved to.
     * Returns the reachable address for the report, or null after recording the problem.
     */
    private String server(Chain chain, List<InetAddress> addresses) {
        int timeoutSec = connectTimeoutSeconds();
        boolean timedOut = false;
        String lastError = null;
        for (InetAddress a : addresses) {
            try (Socket s = new Socket()) {
                s.connect(new InetSocketAddress(a, target.port()), timeoutSec * 1000);
                return a.getHostAddress();
            } catch (SocketTimeoutException e) {
                timedOut = true;
                lastError = "no answer within " + timeoutSec + " s from " + a.getHostAddress();
            } catch (ConnectException e) {
                lastError = e.getMessage() + " at " + a.getHostAddress();
            } catch (IOException e) {
                lastError = e + " at " + a.getHostAddress();
            }
        }
        String where = target.urlHost() + ":" + target.port();
        String tried = addresses.stream().map(InetAddress::getHostAddress).distinct().collect(Collectors.joining(", "));
        if (timedOut) {
            chain.problem(SERVER, "timed out connecting (" + where + "): " + lastError,
                    "Packets are dropped on the way: a firewall or cloud security group, a wrong address, or the"
                            + " server's host is down. Check the address and that port " + target.port() + " is open"
                            + " between bot and database; connect_timeout=N in DATABASE_URL sets how long to wait"
                            + " (now " + timeoutSec + " s).",
                    ErrorCode.CONNECTION_FAILED);
        } else {
            chain.problem(SERVER, "connection refused (" + where + "): nothing listens on port " + target.port()
                            + " at " + tried,
                    "Is PostgreSQL running (systemctl status postgresql, or docker compose ps)? Is it listening on"
                            + " port " + target.port() + " (port in postgresql.conf; listen_addresses = '*' to accept"
                            + " other hosts)? Does the firewall allow port " + target.port() + "?"
                            + (target.isLocal() ? " Inside Docker Compose, localhost is the bot's own container: use"
                            + " the database's service name (e.g. postgres) as the host." : "")
                            + " A server that is still starting: botdb wait --timeout 60s.",
                    ErrorCode.CONNECTION_FAILED);
        }
        return null;
    }

    private int connectTimeoutSeconds() {
        try {
            int t = Integer.parseInt(target.parameters().getOrDefault("connect_timeout",
                    Integer.toString(DEFAULT_CONNECT_TIMEOUT_SEC)));
            return t <= 0 ? DEFAULT_CONNECT_TIMEOUT_SEC : t;
        } catch (NumberFormatException e) {
            return DEFAULT_CONNECT_TIMEOUT_SEC;
        }
    }

    // ---------------------------------------------------------------- login

    /**
     * Logs in as the configured user. When the server refuses for lack of connection slots, tries
     * again as the same user after a short wait, since seeing who holds the slots needs a session.
     */
    private Connection login(Chain chain, String reachable) {
        long start = System.nanoTime();
        for (int attempt = 1; ; attempt++) {
            try {
                Connection c = Connector.open(target);
                try {
                    limitQueries(c);
                } catch (SQLException e) {
                    c.close();
                    throw e;
                }
                chain.ok(SERVER, target.urlHost() + ":" + target.port() + " accepts connections (" + reachable + ")");
                return c;
            } catch (SQLException e) {
                if (isSlotRefusal(e) && attempt < settings.slotTries()) {
                    if (slotRefusal == null) {
                        slotRefusal = serverText(e);
                    }
                    progress.accept(SLOTS + ": refused (" + serverText(e) + "); trying again as " + target.user()
                            + " in " + Human.seconds(settings.slotWait()));
                    sleep(settings.slotWait());
                    slotWaited = Duration.ofNanos(System.nanoTime() - start);
                    continue;
                }
                loginFailed(chain, e, reachable, attempt);
                return null;
            }
        }
    }

    /** statement_timeout and lock_timeout for every query doctor sends: it reads catalogs, which is quick. */
    static void limitQueries(Connection c) throws SQLException {
        long ms = Doctor.QUERY_TIMEOUT.toMillis();
        try (Statement st = c.createStatement()) {
            st.execute("SET statement_timeout = " + ms + "; SET lock_timeout = " + ms);
        }
    }

    private static boolean isSlotRefusal(SQLException e) {
        return "53300".equals(e.getSQLState());
    }

    private void loginFailed(Chain chain, SQLException e, String reachable, int attempts) {
        ConnectionFailure f = ConnectionFailure.classify(e, target);
        String state = e.getSQLState() == null ? "" : e.getSQLState();
        String text = serverText(e);
        String accepted = target.urlHost() + ":" + target.port() + " accepts TCP connections (" + reachable + ")";
        if (f.summary().startsWith("the database system is starting up") || state.equals("57P03")) {
            chain.problem(SERVER, accepted + ", but " + text, "Wait for the server to finish starting (or recovering):"
                    + " botdb wait --timeout 60s; its log says how far it is.", ErrorCode.CONNECTION_FAILED);
            return;
        }
        boolean sslFailed = text.contains("does not support SSL") || f.summary().startsWith("SSL negotiation failed");
        boolean sslRequired = state.equals("28000") && text.contains("no encryption");
        boolean noPassword = text.contains("no password was provided") || text.contains("password is an empty string");
        if (!sslFailed && !sslRequired && !noPassword && !isSlotRefusal(e) && f.code() != ErrorCode.AUTH_FAILED
                && f.code() != ErrorCode.DATABASE_MISSING) {
            chain.problem(SERVER, accepted + ", but no PostgreSQL session started: " + f.summary(), f.fix()
                    + " Is this port a PostgreSQL server (and not, say, a proxy whose far end is down)?", f.code());
            return;
        }
        chain.ok(SERVER, accepted);
        if (sslFailed) {
            chain.problem(SSL, f.summary(), f.fix(), ErrorCode.CONNECTION_FAILED);
            return;
        }
        if (sslRequired) {
            chain.problem(SSL, "the server accepts user " + target.user() + " only over SSL, and sslmode="
                            + target.sslMode().value() + " connected without it: " + text,
                    "Use sslmode=require in DATABASE_URL (...?sslmode=require; verify-full with sslrootcert checks the"
                            + " server's certificate too). The server's pg_hba.conf has only hostssl lines for this"
                            + " user and database.", ErrorCode.CONNECTION_FAILED);
            return;
        }
        chain.ok(SSL, "the server accepted sslmode=" + target.sslMode().value() + " (sslmode from " + source("sslmode")
                + ")");
        if (isSlotRefusal(e)) {
            String why = "not checked: the server refused the session for lack of connection slots";
            chain.skip(AUTHENTICATION, why);
            chain.skip(DATABASE, why);
            chain.problem(SLOTS, slotsRefusedDetail(text, attempts), slotsRefusedFix(text), ErrorCode.PROBLEMS_FOUND);
            return;
        }
        if (noPassword) {
            chain.problem(AUTHENTICATION, "the server asks " + target.user() + " for a password, but none is"
                            + " configured (" + text + ")",
                    "Put the password in DATABASE_URL (postgres://" + target.user() + ":PASSWORD@...; percent-encode"
                            + " @ : / ? #), or set POSTGRES_PASSWORD, PGPASSWORD or a ~/.pgpass line.",
                    ErrorCode.AUTH_FAILED);
            return;
        }
        if (f.code() == ErrorCode.AUTH_FAILED) {
            chain.problem(AUTHENTICATION, f.summary() + (state.equals("28P01") ? "; the password came from "
                    + source("password") : ""), authFix(state), ErrorCode.AUTH_FAILED);
            return;
        }
        chain.ok(AUTHENTICATION, "user " + target.user() + " was accepted");
        chain.problem(DATABASE, f.summary(), f.fix(), ErrorCode.DATABASE_MISSING);
    }

    private String authFix(String state) {
        String role = Dialect.POSTGRESQL.quote(target.user());
        return (state.equals("28P01")
                ? "Check the user and password in DATABASE_URL (botdb config shows where each value came from; a"
                + " password with @ : / ? # must be percent-encoded). "
                : "")
                + "If they are right, the server's pg_hba.conf must have a line that lets " + target.user()
                + " connect to this database from this host with this method (host ... scram-sha-256); after editing"
                + " it, reload the server (SELECT pg_reload_conf()). The server log says which line refused and why."
                + " To set a new password, as a superuser: psql -c '\\password " + target.user() + "' (sends it"
                + " hashed), or ALTER ROLE " + role + " PASSWORD '...'; then put it in DATABASE_URL.";
    }

    private String slotsRefusedDetail(String text, int attempts) {
        String tried = attempts > 1 ? "; refused again on " + (attempts - 1) + (attempts == 2 ? " retry" : " retries")
                + " as " + target.user() + " over " + Human.seconds(settings.slotWait().multipliedBy(attempts - 1)) : "";
        String impossible;
        if (text.contains("reserved")) {
            impossible = "Every slot an ordinary role may take is in use; the rest are reserved for superusers"
                    + " (superuser_reserved_connections). Who holds them can only be seen from inside, and "
                    + target.user() + " cannot get in.";
        } else if (text.contains("for role")) {
            impossible = "Role " + target.user() + " has used up its own CONNECTION LIMIT (rolconnlimit), so it cannot"
                    + " get in to see which of its sessions are idle.";
        } else if (text.contains("for database")) {
            impossible = "The database's CONNECTION LIMIT (datconnlimit) is used up, so no session of it is possible"
                    + " to see who holds them.";
        } else {
            impossible = "Every slot is taken, the superusers' reserved ones too: not even a superuser gets in until a"
                    + " session ends.";
        }
        return text + tried + ". " + impossible;
    }

    private String slotsRefusedFix(String text) {
        String look = "SELECT usename, application_name, client_addr, state, count(*) FROM pg_stat_activity"
                + " GROUP BY 1, 2, 3, 4 ORDER BY 5 DESC;";
        String see = text.contains("too many clients")
                ? "On the server's host, once any session ends, as the postgres user: psql -c \"" + look + "\""
                + " (or restart the server to drop every session)."
                : "Run botdb doctor with a superuser's DATABASE_URL (a superuser still gets in through the reserved"
                + " slots) to see who holds them, or on the server: psql -U postgres -c \"" + look + "\"";
        return see + " Then end idle sessions (botdb maintain kill-idle --older-than 5m, as a superuser), lower"
                + " DB_MAX_OPEN_CONNS (or PG_POOL_SIZE + PG_MAX_OVERFLOW) of the bots that hold them, raise"
                + " max_connections (botdb tune says by how much it can; needs a restart), or put PgBouncer in front.";
    }

    // ---------------------------------------------------------------- logged in

    private record Session(String user, boolean superuser, String database, String databaseOwner, String size,
                           boolean ssl, String sslVersion) {
    }

    private static final String SESSION = """
            SELECT current_user,
                   r.rolsuper,
                   current_database(),
                   pg_get_userbyid(d.datdba),
                   pg_size_pretty(pg_database_size(d.oid)),
                   coalesce(s.ssl, false),
                   s.version
            FROM pg_roles r
            JOIN pg_database d ON d.datname = current_database()
            LEFT JOIN pg_stat_ssl s ON s.pid = pg_backend_pid()
            WHERE r.rolname = current_user
            """;

    /** The database's comment, where an unfinished botdb restore leaves its mark. */
    private static final String DATABASE_COMMENT = """
            SELECT pg_catalog.shobj_description(d.oid, 'pg_database')
            FROM pg_catalog.pg_database d
            WHERE d.datname = current_database()
            """;

    private static Optional<String> interruptedRestore(Connection c) {
        try (Statement st = c.createStatement(); ResultSet rs = st.executeQuery(DATABASE_COMMENT)) {
            return rs.next() ? Backups.interruptedRestore(rs.getString(1)) : Optional.empty();
        } catch (SQLException e) {
            return Optional.empty(); // the next links report a failing session
        }
    }

    private void connected(Chain chain, Connection c) {
        Session s;
        try (Statement st = c.createStatement(); ResultSet rs = st.executeQuery(SESSION)) {
            rs.next();
            s = new Session(rs.getString(1), rs.getBoolean(2), rs.getString(3), rs.getString(4), rs.getString(5),
                    rs.getBoolean(6), rs.getString(7));
        } catch (SQLException e) {
            chain.problem(SSL, "logged in, but the first query failed: " + serverText(e), queryFailedFix(),
                    ErrorCode.PROBLEMS_FOUND);
            return;
        }
        chain.ok(SSL, s.ssl() ? "encrypted (" + s.sslVersion() + ", sslmode=" + target.sslMode().value() + ")"
                : "not encrypted (sslmode=" + target.sslMode().value() + (target.sslMode().alwaysEncrypted() ? ""
                : target.sslMode().value().equals("prefer") ? ": the server offers no SSL" : "") + ")");
        chain.ok(AUTHENTICATION, "logged in as " + s.user() + (s.superuser() ? " (a superuser)" : ""));
        Optional<String> interrupted = interruptedRestore(c);
        if (interrupted.isPresent()) {
            String safety = interrupted.get();
            chain.problem(DATABASE, s.database() + " holds part of a backup: a botdb restore into it was killed half"
                    + " way and never finished or undone", safety.startsWith("/") || safety.contains(".botdb")
                    ? "Put back what it held before: botdb restore " + safety + " --force (or restore the backup you"
                    + " meant to again, with --force)"
                    : "It was empty before (" + safety + "): restore the backup again with --force, or empty it",
                    ErrorCode.PROBLEMS_FOUND);
            return;
        }
        chain.ok(DATABASE, s.database() + " exists (owner " + s.databaseOwner() + ", " + s.size() + ")");

        Slots slots;
        try {
            slots = Slots.read(c);
        } catch (SQLException e) {
            chain.problem(SLOTS, "could not read pg_stat_activity: " + serverText(e), queryFailedFix(),
                    ErrorCode.PROBLEMS_FOUND);
            return;
        }
        if (!slots(chain, slots)) {
            return;
        }
        MigrationCheck migrationCheck = MigrationCheck.run(c, Engine.POSTGRESQL, migrations);
        if (!privileges(chain, c, migrationCheck)) {
            return;
        }
        record(chain, migrationCheck.check());
        if (chain.broken().isPresent()) {
            return;
        }
        pool(chain, slots);
    }

    static void record(Chain chain, DoctorCheck check) {
        switch (check.status()) {
            case OK -> chain.ok(check.name(), check.detail());
            case PROBLEM -> chain.problem(check.name(), check.detail(), check.fix(), check.code());
            case SKIPPED -> chain.skip(check.name(), check.detail());
        }
    }

    private boolean slots(Chain chain, Slots s) {
        if (slotRefusal != null) {
            chain.problem(SLOTS, "the first login was refused (" + slotRefusal + "); got in as " + target.user()
                            + " after " + Human.seconds(slotWaited) + ". Now " + s.usage() + ". Who holds them:"
                            + s.holderLines(), slotsFullFix(s), ErrorCode.PROBLEMS_FOUND);
            return false;
        }
        if (s.others() >= s.ordinaryLimit()) {
            chain.problem(SLOTS, "every slot an ordinary role may take is in use: " + s.usage()
                            + "; only superusers can connect now. Who holds them:" + s.holderLines(),
                    slotsFullFix(s), ErrorCode.PROBLEMS_FOUND);
            return false;
        }
        chain.ok(SLOTS, s.usage() + ", " + (s.ordinaryLimit() - s.inUse()) + " free");
        return true;
    }

    private String slotsFullFix(Slots s) {
        return "End idle sessions (botdb maintain kill-idle --older-than 5m; as a superuser to end other roles'),"
                + " lower DB_MAX_OPEN_CONNS (or PG_POOL_SIZE + PG_MAX_OVERFLOW) of the bots holding them, raise"
                + " max_connections (now " + s.maxConnections() + "; botdb tune says by how much it can, and it needs"
                + " a restart), or put PgBouncer in front.";
    }

    // ---------------------------------------------------------------- what migrations need

    private static final String PRIVILEGES_QUERY = """
            SELECT current_schema(),
                   current_setting('search_path'),
                   has_database_privilege(current_database(), 'CREATE'),
                   CASE WHEN current_schema() IS NULL THEN false
                        ELSE has_schema_privilege(current_schema(), 'USAGE') END,
                   CASE WHEN current_schema() IS NULL THEN false
                        ELSE has_schema_privilege(current_schema(), 'CREATE') END,
                   (SELECT pg_get_userbyid(n.nspowner) FROM pg_namespace n WHERE n.nspname = current_schema()),
                   pg_get_userbyid(d.datdba),
                   (SELECT count(*)
                    FROM pg_class t
                    JOIN pg_namespace n ON n.oid = t.relnamespace
                    WHERE n.nspname = current_schema()
                      AND t.relkind IN ('r', 'p')
                      AND NOT pg_has_role(current_user, t.relowner, 'USAGE')),
                   current_setting('server_version_num')::int
            FROM pg_database d
            WHERE d.datname = current_database()
            """;

    /**
     * Can the role create what migrations create (tables, indexes, types) in the schema they land
     * in? A role that cannot is fine for a bot whose migrations all ran (a least-privilege
     * application role); with migrations pending it is the broken link.
     */
    private boolean privileges(Chain chain, Connection c, MigrationCheck migrationCheck) {
        String schema;
        String searchPath;
        boolean createDb;
        boolean usage;
        boolean create;
        String schemaOwner;
        String dbOwner;
        long foreignTables;
        int version;
        try (Statement st = c.createStatement(); ResultSet rs = st.executeQuery(PRIVILEGES_QUERY)) {
            rs.next();
            schema = rs.getString(1);
            searchPath = rs.getString(2);
            createDb = rs.getBoolean(3);
            usage = rs.getBoolean(4);
            create = rs.getBoolean(5);
            schemaOwner = rs.getString(6);
            dbOwner = rs.getString(7);
            foreignTables = rs.getLong(8);
            version = rs.getInt(9);
        } catch (SQLException e) {
            chain.problem(PRIVILEGES, "could not read the privileges: " + serverText(e), queryFailedFix(),
                    ErrorCode.PROBLEMS_FOUND);
            return false;
        }
        String user = target.user();
        String role = Dialect.POSTGRESQL.quote(user);
        if (schema == null) {
            chain.problem(PRIVILEGES, "no schema of search_path (" + searchPath + ") exists, so migrations have"
                            + " nowhere to create tables",
                    "Create one for the bot, as the database owner or a superuser: CREATE SCHEMA " + role
                            + " AUTHORIZATION " + role + "; or fix search_path (options=-c%20search_path%3Dname in"
                            + " DATABASE_URL, or ALTER ROLE " + role + " SET search_path = ...).",
                    ErrorCode.PERMISSION_DENIED);
            return false;
        }
        String ownerRole = schemaOwner.equals("pg_database_owner") ? dbOwner : schemaOwner;
        String ownerText = schemaOwner.equals("pg_database_owner") ? "pg_database_owner, i.e. " + dbOwner : schemaOwner;
        String where = "schema " + schema + " (owner " + ownerText + ")";
        String qSchema = Dialect.POSTGRESQL.quote(schema);
        if (!usage) {
            chain.problem(PRIVILEGES, user + " has no USAGE on " + where + ": it cannot even see its tables",
                    "As the schema's owner or a superuser: GRANT USAGE ON SCHEMA " + qSchema + " TO " + role + ";",
                    ErrorCode.PERMISSION_DENIED);
            return false;
        }
        String dbText = "; CREATE on database " + (createDb ? "yes" : "no") + " (owner " + dbOwner + ")";
        if (create) {
            chain.ok(PRIVILEGES, user + " can CREATE in " + where + dbText + (foreignTables == 0 ? ""
                    : "; " + foreignTables + " of its tables belong to other roles, so migrations that ALTER or"
                    + " DROP them must run as their owner"));
            return true;
        }
        int pending = migrationCheck.pending();
        if (pending == 0 || (pending < 0 && migrationCheck.check().status() == DoctorCheck.Status.SKIPPED)) {
            chain.ok(PRIVILEGES, user + " cannot CREATE in " + where + ": a read/write role, fine while no migration"
                    + " is pending (" + (pending == 0 ? "none is" : "no migrations folder here") + "); new migrations"
                    + " must run as " + ownerRole + dbText);
            return true;
        }
        String publicNote = schema.equals("public") && version >= 150_000
                ? " Since PostgreSQL 15 ordinary roles may no longer create in schema public (CREATE is revoked from"
                + " PUBLIC), so a role that does not own the database needs the grant."
                : "";
        chain.problem(PRIVILEGES, user + " cannot CREATE in " + where + (pending > 0 ? ", and " + pending
                        + " migrations are pending: they would fail with 'permission denied for schema " + schema + "'"
                        : "") + dbText,
                "Run migrations as the schema's owner (DATABASE_URL=postgres://" + ownerRole + "@..."
                        + " botdb migrate), or as the owner or a superuser: GRANT CREATE ON SCHEMA " + qSchema + " TO "
                        + role + "; (or ALTER DATABASE ... OWNER TO " + role + " for a bot that owns its database,"
                        + " as Chatalot's setup does)." + publicNote + " botdb provision sets up an owner role for"
                        + " migrations and a least-privilege role for the bot.",
                ErrorCode.PERMISSION_DENIED);
        return false;
    }

    // ---------------------------------------------------------------- pool

    /**
     * The pool's maximum against what the server lets this role open: the slots for its kind of
     * role, its own CONNECTION LIMIT, the database's, and what other clients use now.
     */
    private void pool(Chain chain, Slots s) {
        int max = pool.maxSize();
        String from = pool.sources().getOrDefault("max", "default");
        String poolText = "the pool opens up to " + max + " connections (" + from + ")";
        String lower = "Lower DB_MAX_OPEN_CONNS (or PG_POOL_SIZE + PG_MAX_OVERFLOW) to at most ";
        String role = Dialect.POSTGRESQL.quote(target.user());
        if (max > s.usableByRole()) {
            String limit = s.superuser() ? "max_connections " + s.maxConnections()
                    : s.mayUseReserved() ? "max_connections " + s.maxConnections() + " - superuser_reserved_connections "
                    + s.superuserReserved() + " = " + s.usableByRole() : s.limitArithmetic();
            chain.problem(POOL, poolText + ", more than the server allows " + target.user() + " in all: " + limit,
                    lower + s.usableByRole() + " (a bot rarely needs more than 10-20; HikariCP sizes by cores x 2 + 1),"
                            + " or raise max_connections (botdb tune --connections N; needs a restart), or put"
                            + " PgBouncer in front.", ErrorCode.PROBLEMS_FOUND);
            return;
        }
        if (!s.superuser() && s.roleLimit() >= 0 && max > s.roleLimit()) {
            chain.problem(POOL, poolText + ", but role " + target.user() + " may open only " + s.roleLimit()
                            + " (its CONNECTION LIMIT, rolconnlimit)",
                    lower + s.roleLimit() + ", or as a superuser: ALTER ROLE " + role + " CONNECTION LIMIT " + max + ";",
                    ErrorCode.PROBLEMS_FOUND);
            return;
        }
        if (!s.superuser() && s.databaseLimit() >= 0 && max > s.databaseLimit()) {
            chain.problem(POOL, poolText + ", but database " + target.database() + " accepts only "
                            + s.databaseLimit() + " (its CONNECTION LIMIT, datconnlimit)",
                    lower + s.databaseLimit() + ", or as its owner or a superuser: ALTER DATABASE "
                            + Dialect.POSTGRESQL.quote(target.database()) + " CONNECTION LIMIT " + max + ";",
                    ErrorCode.PROBLEMS_FOUND);
            return;
        }
        int otherUse = s.others() - s.poolOwn();
        int free = s.usableByRole() - otherUse;
        String own = s.poolOwn() == 0 ? "" : " (" + s.poolOwn() + " sessions of " + target.user() + " with this"
                + " application name are counted as the pool's own)";
        if (max > free) {
            chain.problem(POOL, poolText + ", but only " + free + " slots are left for it: " + s.usableByRole()
                            + " usable by " + target.user() + " - " + otherUse + " held by other clients" + own
                            + ". Who holds them:" + s.holderLines(),
                    lower + free + ", end idle sessions (botdb maintain kill-idle --older-than 5m), lower the other"
                            + " clients' pools, or raise max_connections (botdb tune).", ErrorCode.PROBLEMS_FOUND);
            return;
        }
        chain.ok(POOL, poolText + "; " + target.user() + " may open " + s.usableByRole()
                + (s.superuser() ? " (a superuser: max_connections)" : "")
                + (!s.superuser() && s.roleLimit() >= 0 ? ", its CONNECTION LIMIT " + s.roleLimit() : "")
                + (!s.superuser() && s.databaseLimit() >= 0 ? ", the database's " + s.databaseLimit() : "")
                + ", other clients hold " + otherUse + own + ": " + (free - max) + " to spare");
    }

    // ---------------------------------------------------------------- helpers

    private static String queryFailedFix() {
        return "botdb --verbose doctor shows the error in full; a query that timed out after "
                + Human.seconds(Doctor.QUERY_TIMEOUT) + " on the catalogs means the server is overloaded or a lock on them"
                + " is held (botdb maintain kill-idle --idle-in-transaction --dry-run shows long transactions).";
    }

    private String source(String key) {
        return target.sources().getOrDefault(key, "default");
    }

    /** The server's (or driver's) message, first line, without pgjdbc's prefix, passwords masked. */
    static String serverText(SQLException e) {
        String text = e instanceof PSQLException p && p.getServerErrorMessage() != null
                && p.getServerErrorMessage().getMessage() != null
                ? p.getServerErrorMessage().getMessage() : String.valueOf(e.getMessage());
        text = Redaction.maskUrl(text.strip().replaceFirst("^(FATAL|ERROR): ", ""));
        int nl = text.indexOf('\n');
        return nl < 0 ? text : text.substring(0, nl);
    }


    private static void sleep(Duration d) {
        try {
            Thread.sleep(d.toMillis());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
