package dev.botdb.pool;

import dev.botdb.BotDbException;
import dev.botdb.ErrorCode;
import dev.botdb.config.ConnectionTarget;
import dev.botdb.config.PoolSettings;
import dev.botdb.config.PostgresTarget;
import dev.botdb.config.SqliteTarget;
import dev.botdb.dialect.Dialect;
import dev.botdb.dialect.ServerInfo;
import dev.botdb.text.Human;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Duration;
import java.util.function.Consumer;
import org.postgresql.Driver;

/**
 * Opens single connections outside the pool: the startup check with retry and backoff, and
 * {@code botdb wait}.
 *
 * <pre>{@code
 * ServerInfo server = Connector.connectWithRetry(target, pool, Duration.ofSeconds(1), log::info);
 * }</pre>
 */
public final class Connector {
    /** Alita's startup backoff: 1, 2, 4, 8 s between its 5 tries. */
    public static final Duration FIRST_RETRY_DELAY = Duration.ofSeconds(1);
    private static final Duration WAIT_POLL = Duration.ofMillis(500);

    /** pgjdbc's driver, made on first use: {@code botdb wait}'s probe often answers without it. */
    private static final class Pg {
        static final Driver DRIVER = new Driver();
    }

    private Connector() {
    }

    /** Opens one connection to the target, or throws the driver's error. */
    public static Connection open(ConnectionTarget target, PoolSettings pool) throws SQLException {
        if (target instanceof PostgresTarget pg) {
            Connection c = Pg.DRIVER.connect(pg.jdbcUrl(), DriverSettings.postgres(pg));
            if (c == null) {
                throw new SQLException("pgjdbc did not accept the URL " + pg.jdbcUrl());
            }
            return c;
        }
        if (target instanceof SqliteTarget sqlite) {
            return DriverSettings.sqlite(sqlite, pool).getConnection();
        }
        throw new IllegalStateException("start the embedded server before connecting to " + target.displayName());
    }

    /** Opens one connection to a PostgreSQL target (one database of it), or throws the driver's error. */
    public static Connection open(PostgresTarget target) throws SQLException {
        return open(target, null);
    }

    /**
     * Connects and asks for the server version, trying {@code pool.connectAttempts()} times with
     * doubling pauses starting at {@code firstDelay}. Each failed try is reported to {@code log}
     * with its cause. Failures that waiting cannot fix (wrong password, missing database, SSL
     * refused) end the tries at once.
     *
     * @throws BotDbException explaining the last failure
     */
    public static ServerInfo connectWithRetry(ConnectionTarget target, PoolSettings pool, Duration firstDelay,
                                              Consumer<String> log) {
        Duration delay = firstDelay;
        int attempts = pool.connectAttempts();
        for (int attempt = 1; ; attempt++) {
            try (Connection c = open(target, pool)) {
                return Dialect.of(target.engine()).serverInfo(c);
            } catch (SQLException | RuntimeException e) {
                if (e instanceof BotDbException b) {
                    throw b;
                }
                ConnectionFailure failure = ConnectionFailure.classify(e, target);
                if (!failure.retryable() || attempt >= attempts) {
                    if (attempts > 1 && failure.retryable()) {
                        log.accept("Database connection attempt " + attempt + "/" + attempts + " failed: "
                                + failure.summary() + "; giving up");
                    }
                    throw failure.toException(e);
                }
                // the first notice says why the command is not failing yet and how to make it fail at once
                log.accept("Database connection attempt " + attempt + "/" + attempts + " failed: " + failure.summary()
                        + "; retrying in " + Human.seconds(delay) + (attempt > 1 ? "" : " (botdb tries " + attempts
                        + " times, set by BOTDB_CONNECT_ATTEMPTS; BOTDB_CONNECT_ATTEMPTS=1 fails at once, Ctrl-C stops now)"));
                sleep(delay);
                delay = delay.multipliedBy(2);
            }
        }
    }

    /**
     * Polls until the database answers a query or {@code timeout} passes: a replacement for
     * {@code pg_isready} in compose health checks that also proves the credentials and the
     * database work. Every failure is retried, because during a container's first start the
     * database may not exist for a moment.
     *
     * @return the server's version and how long the wait took
     * @throws BotDbException with {@link ErrorCode#WAIT_TIMEOUT} and the last error when time runs out
     */
    public static WaitResult waitUntilReady(ConnectionTarget target, PoolSettings pool, Duration timeout,
                                            Consumer<String> progress) {
        long start = System.nanoTime();
        long deadline = start + timeout.toNanos();
        if (target instanceof PostgresTarget pg) {
            // the common case, a server that is up, without starting pgjdbc; anything else goes on below
            ServerInfo quick = PgProbe.ready(pg, connectTimeout(pg));
            if (quick != null) {
                return new WaitResult(quick, Duration.ofNanos(System.nanoTime() - start), 1);
            }
        }
        ConnectionFailure last = null;
        int tries = 0;
        while (true) {
            tries++;
            try (Connection c = open(target, pool)) {
                ServerInfo info = Dialect.of(target.engine()).serverInfo(c);
                return new WaitResult(info, Duration.ofNanos(System.nanoTime() - start), tries);
            } catch (SQLException | RuntimeException e) {
                if (e instanceof BotDbException b) {
                    throw b;
                }
                ConnectionFailure failure = ConnectionFailure.classify(e, target);
                if (last == null || !last.summary().equals(failure.summary())) {
                    progress.accept("waiting for database: " + failure.summary());
                }
                last = failure;
            }
            long left = deadline - System.nanoTime();
            if (left <= 0) {
                throw new BotDbException(ErrorCode.WAIT_TIMEOUT, "Database not ready after " + Human.seconds(timeout) + " ("
                        + tries + " tries). Last error: " + last.summary() + ". " + last.fix());
            }
            sleep(Duration.ofNanos(Math.min(left, WAIT_POLL.toNanos())));
        }
    }

    /** connect_timeout in seconds; a value that is not a number is pgjdbc's to refuse, so the default here. */
    private static int connectTimeout(PostgresTarget pg) {
        try {
            int seconds = Integer.parseInt(pg.parameters().getOrDefault("connect_timeout",
                    Integer.toString(DriverSettings.DEFAULT_CONNECT_TIMEOUT_SEC)));
            return seconds > 0 ? seconds : DriverSettings.DEFAULT_CONNECT_TIMEOUT_SEC;
        } catch (NumberFormatException e) {
            return DriverSettings.DEFAULT_CONNECT_TIMEOUT_SEC;
        }
    }

    /** What {@link #waitUntilReady} saw when the database answered. */
    public record WaitResult(ServerInfo server, Duration waited, int tries) {
    }


    private static void sleep(Duration d) {
        try {
            Thread.sleep(d.toMillis());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new BotDbException(ErrorCode.CONNECTION_FAILED, "Interrupted while waiting for the database.");
        }
    }
}
