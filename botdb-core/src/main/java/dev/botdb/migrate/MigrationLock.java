package dev.botdb.migrate;

import dev.botdb.BotDbException;
import dev.botdb.ErrorCode;
import dev.botdb.config.Engine;
import dev.botdb.dialect.Dialect;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
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
 * The holder renews the lease every {@link #RENEW_EVERY} from a background thread. A holder frozen
 * for longer than the lease (SIGSTOP, a long GC pause, a suspended VM) may wake up after another
 * instance took over, so renewal alone is not enough: every step of the work {@linkplain #fence
 * proves} in its own transaction that the lease is still this instance's, and a file that runs
 * statement by statement proves it before each statement.
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
    private final Duration lease;
    private final ScheduledExecutorService renewer;
    private volatile boolean lost;

    private MigrationLock(DataSource dataSource, Engine engine, String owner, Duration lease) {
        this.dataSource = dataSource;
        this.engine = engine;
        this.owner = owner;
        this.lease = lease;
        this.renewer = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "botdb-migration-lease");
            t.setDaemon(true);
            return t;
        });
    }

    /** Waits up to {@code maxWait} for the lease, reporting to {@code log} while another instance holds it. */
    static MigrationLock acquire(DataSource ds, Engine engine, Duration maxWait, Consumer<String> log) {
        return acquire(ds, engine, maxWait, LEASE, log);
    }

    /** As {@link #acquire(DataSource, Engine, Duration, Consumer)} with a lease of another length (renewed every third of it). */
    static MigrationLock acquire(DataSource ds, Engine engine, Duration maxWait, Duration lease, Consumer<String> log) {
        String owner = ProcessHandle.current().pid() + "@" + hostName() + "/" + UUID.randomUUID().toString().substring(0, 8);
        MigrationLock lock = new MigrationLock(ds, engine, owner, lease);
        long deadline = System.nanoTime() + maxWait.toNanos();
        long nextReport = 0;
        String role = null;
        boolean existed = false; // then a permission error is about the table's privileges, not CREATE
        try (Connection c = ds.getConnection()) {
            c.setAutoCommit(true);
            role = c.getMetaData().getUserName();
            existed = exists(c, engine);
            if (!existed) {
                createTable(c, engine);
            }
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
            if ("42501".equals(e.getSQLState()) && existed) {
                throw new BotDbException(ErrorCode.MIGRATION_FAILED, "Could not take the migration lock: the role " + role
                        + " may not use table botdb_lock, which exists (" + firstLine(e) + "). As the table's owner:\n"
                        + "    GRANT SELECT, INSERT, UPDATE, DELETE ON botdb_lock TO "
                        + dev.botdb.dialect.Dialect.POSTGRESQL.quote(role) + ";\n  then run migrate again.", e);
            }
            throw new BotDbException(ErrorCode.MIGRATION_FAILED, "Could not take the migration lock: " + e.getMessage()
                    + ". botdb keeps it in table botdb_lock, in the first schema of the search_path: the user needs"
                    + " CREATE there (or the table created once by its owner). `botdb doctor` checks this; then run"
                    + " migrate again.", e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new BotDbException(ErrorCode.MIGRATION_FAILED, "Interrupted while waiting for the migration lock.");
        }
        long renewEvery = lease.equals(LEASE) ? RENEW_EVERY.toMillis() : Math.max(1, lease.toMillis() / 3);
        lock.renewer.scheduleAtFixedRate(lock::renew, renewEvery, renewEvery, TimeUnit.MILLISECONDS);
        return lock;
    }

    /**
     * Whether botdb_lock is there already (created once by the schema's owner, say): then the
     * migrating role needs no CREATE for the lock, and {@code CREATE TABLE IF NOT EXISTS} must not be
     * sent, since PostgreSQL checks CREATE on the schema before it sees that the table exists.
     */
    private static boolean exists(Connection c, Engine engine) throws SQLException {
        if (engine == Engine.SQLITE) {
            return false; // a SQLite file has no privileges; IF NOT EXISTS is enough
        }
        try (Statement st = c.createStatement();
             ResultSet rs = st.executeQuery("SELECT to_regclass('botdb_lock') IS NOT NULL")) {
            return rs.next() && rs.getBoolean(1);
        }
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
        // clock_timestamp(), not now(): in a file's transaction now() is when the file started
        return engine == Engine.SQLITE ? "CAST((julianday('now') - 2440587.5) * 86400000 AS INTEGER)" : "clock_timestamp()";
    }

    private String nowPlusLease() {
        return engine == Engine.SQLITE ? now() + " + " + lease.toMillis()
                : "clock_timestamp() + interval '" + lease.toMillis() + " milliseconds'";
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

    /** Throws when the renewal found the lease lost; called before each file. */
    void check() {
        if (lost) {
            throw lostLease("before the next file");
        }
    }

    /**
     * Checks, without locking anything, that this instance still holds the lease: before a file's
     * statements, so a holder that woke up after a takeover does not run them again (and then blame
     * the file for "already exists").
     *
     * @throws BotDbException ({@link ErrorCode#MIGRATION_FAILED}) when another instance holds the lease now
     */
    void verify(Connection c, String stopped) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("""
                SELECT 1
                FROM botdb_lock
                WHERE name = 'migrate'
                  AND owner = ?
                """)) {
            ps.setString(1, owner);
            try (ResultSet rs = ps.executeQuery()) {
                if (!rs.next()) {
                    lost = true;
                    throw lostLease(stopped);
                }
            }
        }
    }

    /** Whether the lease is still this instance's, asked on a connection of its own; true when that cannot be told. */
    boolean stillHeld() {
        try (Connection c = dataSource.getConnection()) {
            c.setAutoCommit(true);
            verify(c, "");
            return true;
        } catch (BotDbException e) {
            return false;
        } catch (SQLException e) {
            return true;
        }
    }

    /**
     * The fencing check: proves that this instance still holds the lease, on {@code c} and in its
     * transaction when it has one, and extends the lease. The lock row stays locked until that
     * transaction ends, so no instance can take over between this check and the commit of the work
     * and its history row; a taker waits for the commit and then finds the lease renewed. The
     * acquisition's owner string (process, host, random part) is the fencing token. In a file's
     * transaction it comes last, just before the history row and the commit, so the row is not
     * locked (and the renewal not held up) while the statements run.
     *
     * @param stopped where the work stopped, for the message ("before statement 2 of 002_x.sql")
     * @throws BotDbException ({@link ErrorCode#MIGRATION_FAILED}) when another instance holds the lease now
     */
    void fence(Connection c, String stopped) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("""
                UPDATE botdb_lock
                SET expires_at = %s
                WHERE name = 'migrate'
                  AND owner = ?
                """.formatted(nowPlusLease()))) {
            ps.setString(1, owner);
            if (ps.executeUpdate() != 1) {
                lost = true;
                throw lostLease(stopped);
            }
        }
    }

    BotDbException lostLease(String stopped) {
        return new BotDbException(ErrorCode.MIGRATION_FAILED, "This instance lost the migration lock: it was paused or"
                + " cut off for longer than its lease (" + lease.toSeconds() + " s) and another instance took over."
                + " It stopped " + stopped + ". Run botdb status to see what the other instance applied, and"
                + " botdb migrate again if anything is still pending.");
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

    private static String firstLine(SQLException e) {
        String m = String.valueOf(e.getMessage());
        return m.lines().findFirst().orElse(m);
    }

    private static String hostName() {
        String h = System.getenv("HOSTNAME");
        return h == null ? "host" : h;
    }
}
