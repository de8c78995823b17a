package dev.botdb.migrate;

import dev.botdb.BotDbException;
import dev.botdb.ErrorCode;
import dev.botdb.config.Engine;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import javax.sql.DataSource;

/**
 * "Only one instance migrates at a time", as a lease row rather than a session advisory lock:
 * <ul>
 *   <li>it works through PgBouncer in transaction-pooling mode, where session locks don't, because
 *       every statement is its own short transaction;</li>
 *   <li>it never holds a transaction open, so {@code CREATE INDEX CONCURRENTLY} (which waits for
 *       every older transaction to end) does not wait on the lock itself, the hang of Flyway's
 *       transaction-level advisory lock;</li>
 *   <li>a holder killed with SIGKILL stops renewing its lease, which expires after
 *       {@link #LEASE}: the next start proceeds without anyone deleting a stuck row, unlike
 *       Liquibase's lock table.</li>
 * </ul>
 * The holder renews the lease every {@link #RENEW_EVERY} from a background thread; a holder that
 * loses its lease (paused longer than the lease) stops before its next file.
 */
final class MigrationLock implements AutoCloseable {
    static final Duration LEASE = Duration.ofSeconds(30);
    static final Duration RENEW_EVERY = Duration.ofSeconds(10);
    private static final Duration POLL = Duration.ofMillis(200);
    private static final Set<String> CREATE_RACE_STATES = Set.of("42710", "23505", "42P07");
    private static final int CREATE_ATTEMPTS = 5;

    private final DataSource dataSource;
    private final Engine engine;
    private final String owner;
    private final ScheduledExecutorService renewer;
    private volatile boolean lost;

    private MigrationLock(DataSource dataSource, Engine engine, String owner) {
        this.dataSource = dataSource;
        this.engine = engine;
        this.owner = owner;
        this.renewer = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "botdb-migration-lease");
            t.setDaemon(true);
            return t;
        });
    }

    /** Waits up to {@code maxWait} for the lease, reporting to {@code log} while another instance holds it. */
    static MigrationLock acquire(DataSource ds, Engine engine, Duration maxWait, Consumer<String> log) {
        String owner = ProcessHandle.current().pid() + "@" + hostName() + "/" + UUID.randomUUID().toString().substring(0, 8);
        MigrationLock lock = new MigrationLock(ds, engine, owner);
        long deadline = System.nanoTime() + maxWait.toNanos();
        long nextReport = 0;
        try (Connection c = ds.getConnection()) {
            c.setAutoCommit(true);
            createTable(c, engine);
            while (!lock.tryTake(c)) {
                if (System.nanoTime() > deadline) {
                    throw new BotDbException(ErrorCode.MIGRATION_FAILED, "Another instance has been migrating for longer"
                            + " than " + maxWait.toSeconds() + " s (it keeps renewing its lock in table botdb_lock)."
                            + " Wait for it, or raise MIGRATE_LOCK_WAIT_SEC.");
                }
                if (System.nanoTime() > nextReport) {
                    log.accept("[Migrations] Waiting for another instance to finish migrating");
                    nextReport = System.nanoTime() + Duration.ofSeconds(10).toNanos();
                }
                Thread.sleep(POLL.toMillis());
            }
        } catch (SQLException e) {
            throw new BotDbException(ErrorCode.MIGRATION_FAILED, "Could not take the migration lock: " + e.getMessage()
                    + ". botdb keeps it in table botdb_lock, in the first schema of the search_path: the user needs"
                    + " CREATE there (or the table created once by its owner). `botdb doctor` checks this; then run"
                    + " migrate again.", e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new BotDbException(ErrorCode.MIGRATION_FAILED, "Interrupted while waiting for the migration lock.");
        }
        lock.renewer.scheduleAtFixedRate(lock::renew, RENEW_EVERY.toMillis(), RENEW_EVERY.toMillis(), TimeUnit.MILLISECONDS);
        return lock;
    }

    /**
     * {@code CREATE TABLE IF NOT EXISTS} is not safe against itself: when instances start in the same
     * instant, the losers fail with "type botdb_lock already exists" (42710), a duplicate key in
     * {@code pg_type} or {@code pg_class} (23505), or 42P07, depending on how far the winner got. The
     * winner has committed by the time the loser sees the error, so the next try finds the table.
     */
    private static void createTable(Connection c, Engine engine) throws SQLException {
        String ddl = engine == Engine.SQLITE
                ? "CREATE TABLE IF NOT EXISTS botdb_lock (name TEXT PRIMARY KEY, owner TEXT NOT NULL, expires_at INTEGER NOT NULL)"
                : "CREATE TABLE IF NOT EXISTS botdb_lock (name TEXT PRIMARY KEY, owner TEXT NOT NULL, expires_at TIMESTAMPTZ NOT NULL)";
        for (int attempt = 1; ; attempt++) {
            try (Statement st = c.createStatement()) {
                st.execute(ddl);
                return;
            } catch (SQLException e) {
                if (!CREATE_RACE_STATES.contains(e.getSQLState()) || attempt == CREATE_ATTEMPTS) {
                    throw e;
                }
            }
        }
    }

    private String now() {
        return engine == Engine.SQLITE ? "CAST((julianday('now') - 2440587.5) * 86400000 AS INTEGER)" : "now()";
    }

    private String nowPlusLease() {
        return engine == Engine.SQLITE ? now() + " + " + LEASE.toMillis()
                : "now() + interval '" + LEASE.toSeconds() + " seconds'";
    }

    private boolean tryTake(Connection c) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement(
                "INSERT INTO botdb_lock (name, owner, expires_at) VALUES ('migrate', ?, " + nowPlusLease() + ")"
                        + " ON CONFLICT (name) DO UPDATE SET owner = excluded.owner, expires_at = excluded.expires_at"
                        + " WHERE botdb_lock.expires_at < " + now())) {
            ps.setString(1, owner);
            return ps.executeUpdate() == 1;
        }
    }

    private void renew() {
        try (Connection c = dataSource.getConnection();
             PreparedStatement ps = c.prepareStatement(
                     "UPDATE botdb_lock SET expires_at = " + nowPlusLease() + " WHERE name = 'migrate' AND owner = ?")) {
            c.setAutoCommit(true);
            ps.setString(1, owner);
            if (ps.executeUpdate() == 0) {
                lost = true;
            }
        } catch (SQLException e) {
            // a missed renewal is tolerated: the lease is three renewals long
        }
    }

    /** Throws when the lease was lost; called before each file. */
    void check() {
        if (lost) {
            throw new BotDbException(ErrorCode.MIGRATION_FAILED, "This instance lost the migration lock (it was paused"
                    + " for longer than " + LEASE.toSeconds() + " s) and stopped before the next file. Run migrate again.");
        }
    }

    @Override
    public void close() {
        renewer.shutdownNow();
        try (Connection c = dataSource.getConnection();
             PreparedStatement ps = c.prepareStatement("DELETE FROM botdb_lock WHERE name = 'migrate' AND owner = ?")) {
            c.setAutoCommit(true);
            ps.setString(1, owner);
            ps.executeUpdate();
        } catch (SQLException e) {
            // the lease expires by itself
        }
    }

    private static String hostName() {
        String h = System.getenv("HOSTNAME");
        return h == null ? "host" : h;
    }
}
