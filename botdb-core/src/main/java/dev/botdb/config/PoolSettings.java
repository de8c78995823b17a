package dev.botdb.config;

import dev.botdb.BotDbException;
import dev.botdb.ErrorCode;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Connection pool sizing and timeouts, resolved from the reference projects' variables.
 *
 * <p>Defaults are chosen for a 2-core bot host talking to a server whose
 * {@code max_connections} is 100: a pool of at most {@value #DEFAULT_MAX} connections keeps
 * both cores busy (HikariCP's sizing rule is about {@code cores * 2 + 1} active connections)
 * while leaving room for other clients, and {@value #DEFAULT_MIN_IDLE} idle connections answer
 * the first messages after a quiet spell without a new TLS handshake.
 *
 * @param maxSize          the most connections open at once
 * @param minIdle          idle connections kept open (connections beyond it close after idleTimeout)
 * @param maxLifetime      a connection is replaced after this long; zero means never
 * @param idleTimeout      an idle connection beyond minIdle closes after this long; zero means never
 * @param acquireTimeout   how long a caller waits for a free connection before an error
 * @param busyTimeout      SQLite only: how long a writer waits for the write lock
 * @param connectAttempts  tries at startup before giving up (backoff 1, 2, 4, 8 ... s)
 * @param sources          for each setting, the variable it came from
 */
public record PoolSettings(
        int maxSize,
        int minIdle,
        Duration maxLifetime,
        Duration idleTimeout,
        Duration acquireTimeout,
        Duration busyTimeout,
        int connectAttempts,
        Map<String, String> sources) {

    public static final int DEFAULT_MAX = 10;
    public static final int DEFAULT_MIN_IDLE = 2;
    /**
     * SQLite allows one writer at a time; more connections only add readers, and WAL serves four
     * concurrent readers on a 2-core host as well as forty.
     */
    public static final int SQLITE_DEFAULT_MAX = 4;
    public static final int DEFAULT_LIFETIME_MIN = 30;
    public static final int DEFAULT_IDLE_TIME_MIN = 10;
    /** Chatalot's acquire timeout. */
    public static final int DEFAULT_ACQUIRE_TIMEOUT_SEC = 5;
    public static final int DEFAULT_SQLITE_BUSY_TIMEOUT_MS = 10_000;
    /** As Alita's startup does: 5 tries, waiting 1, 2, 4 and 8 seconds between them. */
    public static final int DEFAULT_CONNECT_ATTEMPTS = 5;
    /** The USN bot's defaults, used when only one of its two variables is set. */
    static final int USN_POOL_SIZE = 10;
    static final int USN_MAX_OVERFLOW = 20;
    static final int MAX_CONNECTIONS_LIMIT = 1000;

    public PoolSettings {
        sources = Map.copyOf(sources);
    }

    /** Reads the pool variables; {@code warnings} receives notes about adjusted values. */
    static PoolSettings resolve(Env env, Engine engine, List<String> warnings) {
        Map<String, String> src = new LinkedHashMap<>();
        int max = engine == Engine.SQLITE ? SQLITE_DEFAULT_MAX : DEFAULT_MAX;
        int minIdle = engine == Engine.SQLITE ? 1 : DEFAULT_MIN_IDLE;
        src.put("max", "default");
        src.put("minIdle", "default");

        Optional<Integer> open = env.intIn("DB_MAX_OPEN_CONNS", 1, MAX_CONNECTIONS_LIMIT, "connections");
        Optional<Integer> usnSize = env.intIn("PG_POOL_SIZE", 0, MAX_CONNECTIONS_LIMIT, "connections");
        Optional<Integer> usnOverflow = env.intIn("PG_MAX_OVERFLOW", 0, MAX_CONNECTIONS_LIMIT, "connections");
        if (usnSize.isPresent() || usnOverflow.isPresent()) {
            int size = usnSize.orElse(USN_POOL_SIZE);
            int overflow = usnOverflow.orElse(USN_MAX_OVERFLOW);
            int usnMax = size + overflow;
            String usnSource = usnSize.isPresent() && usnOverflow.isPresent() ? "PG_POOL_SIZE + PG_MAX_OVERFLOW"
                    : usnSize.isPresent() ? "PG_POOL_SIZE + PG_MAX_OVERFLOW (default " + USN_MAX_OVERFLOW + ")"
                    : "PG_POOL_SIZE (default " + USN_POOL_SIZE + ") + PG_MAX_OVERFLOW";
            if (usnMax < 1 || usnMax > MAX_CONNECTIONS_LIMIT) {
                throw new BotDbException(ErrorCode.CONFIG_INVALID,
                        "PG_POOL_SIZE + PG_MAX_OVERFLOW must be from 1 to " + MAX_CONNECTIONS_LIMIT + ", but it is "
                                + usnMax + ". Example: PG_POOL_SIZE=5 PG_MAX_OVERFLOW=5");
            }
            if (open.isPresent() && open.get() != usnMax) {
                throw new BotDbException(ErrorCode.CONFIG_INVALID,
                        "Contradictory pool sizes: DB_MAX_OPEN_CONNS is " + open.get() + " but PG_POOL_SIZE + PG_MAX_OVERFLOW is "
                                + usnMax + ". Set only one of them (unset DB_MAX_OPEN_CONNS, or PG_POOL_SIZE and PG_MAX_OVERFLOW).");
            }
            max = usnMax;
            src.put("max", usnSource);
            // SQLAlchemy keeps pool_size connections; overflow connections close when returned
            minIdle = size;
            src.put("minIdle", usnSize.isPresent() ? "PG_POOL_SIZE" : "PG_POOL_SIZE (default " + USN_POOL_SIZE + ")");
        } else if (open.isPresent()) {
            max = open.get();
            src.put("max", "DB_MAX_OPEN_CONNS");
        }

        Optional<Integer> idle = env.intIn("DB_MAX_IDLE_CONNS", 0, MAX_CONNECTIONS_LIMIT, "connections");
        if (idle.isPresent()) {
            if (usnSize.isPresent() && !idle.get().equals(usnSize.get())) {
                throw new BotDbException(ErrorCode.CONFIG_INVALID,
                        "Contradictory idle pool sizes: DB_MAX_IDLE_CONNS is " + idle.get() + " but PG_POOL_SIZE is "
                                + usnSize.get() + ". Set only one of them.");
            }
            minIdle = idle.get();
            src.put("minIdle", "DB_MAX_IDLE_CONNS");
        }
        if (minIdle > max) {
            if (!src.get("minIdle").equals("default")) { // the default quietly follows a small maximum
                warnings.add("idle connections (" + minIdle + ", from " + src.get("minIdle") + ") exceed the pool maximum ("
                        + max + ", from " + src.get("max") + "); using " + max + " as database/sql does");
            }
            minIdle = max;
        }

        Optional<Integer> lifetime = env.intIn("DB_CONN_MAX_LIFETIME_MIN", 0, 10_080, "minutes, 0 = no limit");
        Optional<Integer> idleTime = env.intIn("DB_CONN_MAX_IDLE_TIME_MIN", 0, 10_080, "minutes, 0 = never");
        Optional<Integer> acquire = env.intIn("DB_ACQUIRE_TIMEOUT_SEC", 1, 600, "seconds");
        Optional<Integer> busy = env.intIn("SQLITE_BUSY_TIMEOUT_MS", 0, 600_000, "milliseconds");
        Optional<Integer> attempts = env.intIn("BOTDB_CONNECT_ATTEMPTS", 1, 20, "tries");
        src.put("maxLifetime", lifetime.isPresent() ? "DB_CONN_MAX_LIFETIME_MIN" : "default");
        src.put("idleTimeout", idleTime.isPresent() ? "DB_CONN_MAX_IDLE_TIME_MIN" : "default");
        src.put("acquireTimeout", acquire.isPresent() ? "DB_ACQUIRE_TIMEOUT_SEC" : "default");
        src.put("busyTimeout", busy.isPresent() ? "SQLITE_BUSY_TIMEOUT_MS" : "default");
        src.put("connectAttempts", attempts.isPresent() ? "BOTDB_CONNECT_ATTEMPTS" : "default");
        return new PoolSettings(max, minIdle,
                Duration.ofMinutes(lifetime.orElse(DEFAULT_LIFETIME_MIN)),
                Duration.ofMinutes(idleTime.orElse(DEFAULT_IDLE_TIME_MIN)),
                Duration.ofSeconds(acquire.orElse(DEFAULT_ACQUIRE_TIMEOUT_SEC)),
                Duration.ofMillis(busy.orElse(DEFAULT_SQLITE_BUSY_TIMEOUT_MS)),
                attempts.orElse(DEFAULT_CONNECT_ATTEMPTS),
                src);
    }

    /** The rows {@code botdb config} prints under "pool". */
    public List<Setting> describe(Engine engine) {
        List<Setting> rows = new ArrayList<>();
        rows.add(new Setting("pool.max", Integer.toString(maxSize), sources.get("max")));
        rows.add(new Setting("pool.minIdle", Integer.toString(minIdle), sources.get("minIdle")));
        rows.add(new Setting("pool.maxLifetime", minutes(maxLifetime, "no limit"), sources.get("maxLifetime")));
        rows.add(new Setting("pool.idleTimeout", minutes(idleTimeout, "never"), sources.get("idleTimeout")));
        rows.add(new Setting("pool.acquireTimeout", acquireTimeout.toSeconds() + " s", sources.get("acquireTimeout")));
        if (engine == Engine.SQLITE) {
            rows.add(new Setting("sqlite.busyTimeout", busyTimeout.toMillis() + " ms", sources.get("busyTimeout")));
        }
        rows.add(new Setting("connect.attempts", Integer.toString(connectAttempts), sources.get("connectAttempts")));
        return rows;
    }

    private static String minutes(Duration d, String zero) {
        return d.isZero() ? zero : d.toMinutes() + " min";
    }
}
