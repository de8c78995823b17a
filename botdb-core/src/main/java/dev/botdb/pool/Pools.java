package dev.botdb.pool;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import dev.botdb.config.ConnectionTarget;
import dev.botdb.config.PoolSettings;
import dev.botdb.config.PostgresTarget;
import dev.botdb.config.SqliteTarget;

/**
 * Builds the HikariCP pool for a target.
 *
 * <p>PostgreSQL: {@code maximumPoolSize} from DB_MAX_OPEN_CONNS (or PG_POOL_SIZE + PG_MAX_OVERFLOW),
 * {@code minimumIdle} from DB_MAX_IDLE_CONNS (or PG_POOL_SIZE), lifetimes from the *_MIN
 * variables, {@code connectionTimeout} from DB_ACQUIRE_TIMEOUT_SEC.
 * SQLite: the same numbers over a data source with WAL, foreign keys, a busy timeout and
 * IMMEDIATE transactions; an in-memory database gets exactly one connection that is never
 * replaced, since each connection would otherwise see its own empty database.
 */
public final class Pools {

    private Pools() {
    }

    public static HikariDataSource open(ConnectionTarget target, PoolSettings settings) {
        HikariConfig hc = new HikariConfig();
        hc.setPoolName("botdb");
        hc.setMaximumPoolSize(settings.maxSize());
        hc.setMinimumIdle(settings.minIdle());
        hc.setMaxLifetime(settings.maxLifetime().toMillis());
        hc.setIdleTimeout(settings.idleTimeout().toMillis());
        hc.setConnectionTimeout(settings.acquireTimeout().toMillis());
        hc.setInitializationFailTimeout(settings.acquireTimeout().toMillis());
        if (target instanceof PostgresTarget pg) {
            hc.setJdbcUrl(pg.jdbcUrl());
            hc.setDriverClassName("org.postgresql.Driver");
            hc.setDataSourceProperties(DriverSettings.postgres(pg));
        } else if (target instanceof SqliteTarget sqlite) {
            hc.setDataSource(DriverSettings.sqlite(sqlite, settings));
            if (sqlite.inMemory()) {
                hc.setMaximumPoolSize(1);
                hc.setMinimumIdle(1);
                hc.setMaxLifetime(0);
                hc.setIdleTimeout(0);
            }
        } else {
            throw new IllegalStateException("start the embedded server before opening a pool for " + target.displayName());
        }
        return new HikariDataSource(hc);
    }
}
