package dev.botdb.pool;

import dev.botdb.BotDbException;
import dev.botdb.ErrorCode;
import dev.botdb.config.PoolSettings;
import dev.botdb.config.PostgresTarget;
import dev.botdb.config.SqliteTarget;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Properties;
import org.sqlite.SQLiteConfig;
import org.sqlite.SQLiteDataSource;

/** Translates botdb's settings into what pgjdbc and sqlite-jdbc understand. */
final class DriverSettings {
    /** pgjdbc's default is 10 s; libpq's is "forever". Ten seconds reports a dead host in time. */
    static final int DEFAULT_CONNECT_TIMEOUT_SEC = 10;

    private DriverSettings() {
    }

    /** pgjdbc connection properties for a target; the password travels here, never in the URL. */
    static Properties postgres(PostgresTarget t) {
        Properties p = new Properties();
        p.setProperty("user", t.user());
        if (t.password() != null) {
            p.setProperty("password", t.password().reveal());
        }
        p.setProperty("sslmode", t.sslMode().value());
        Map<String, String> params = t.parameters();
        String root = params.get("sslrootcert");
        if ("system".equals(root)) {
            // libpq 16's sslrootcert=system: trust the platform's CA store, i.e. Java's default trust store
            p.setProperty("sslfactory", "org.postgresql.ssl.DefaultJavaSSLFactory");
        } else if (root != null) {
            p.setProperty("sslrootcert", root);
        }
        copy(params, "sslcert", p, "sslcert");
        copy(params, "sslkey", p, "sslkey");
        copy(params, "options", p, "options");
        copy(params, "application_name", p, "ApplicationName");
        p.setProperty("connectTimeout", params.getOrDefault("connect_timeout",
                Integer.toString(DEFAULT_CONNECT_TIMEOUT_SEC)));
        p.setProperty("tcpKeepAlive", "true");
        t.jdbcProperties().forEach(p::setProperty);
        return p;
    }

    private static void copy(Map<String, String> from, String key, Properties to, String property) {
        String v = from.get(key);
        if (v != null) {
            to.setProperty(property, v);
        }
    }

    /**
     * A SQLite data source set up for a bot: WAL so readers never block the writer, foreign keys
     * enforced (SQLite leaves them off by default), a busy timeout so a writer waits for the lock
     * instead of failing, and IMMEDIATE transactions so a transaction takes the write lock when it
     * begins. Without that, two transactions that read and then write deadlock and one fails at
     * once with "database is locked" whatever the busy timeout.
     */
    static SQLiteDataSource sqlite(SqliteTarget t, PoolSettings pool) {
        createParentDirectory(t);
        SQLiteConfig cfg = new SQLiteConfig();
        cfg.enforceForeignKeys(true);
        cfg.setBusyTimeout((int) pool.busyTimeout().toMillis());
        cfg.setTransactionMode(SQLiteConfig.TransactionMode.IMMEDIATE);
        if (!t.inMemory()) {
            cfg.setJournalMode(SQLiteConfig.JournalMode.WAL);
            cfg.setSynchronous(SQLiteConfig.SynchronousMode.NORMAL); // durable across app crashes in WAL mode
        }
        SQLiteDataSource ds = new SQLiteDataSource(cfg);
        ds.setUrl(t.inMemory() ? "jdbc:sqlite::memory:" : "jdbc:sqlite:" + t.path().toAbsolutePath());
        return ds;
    }

    /** SQLite creates the file but not its folder; {@code sqlite:///./data/bot.db} should just work. */
    private static void createParentDirectory(SqliteTarget sqlite) {
        if (sqlite.inMemory()) {
            return;
        }
        Path parent = sqlite.path().toAbsolutePath().getParent();
        try {
            if (parent != null) {
                Files.createDirectories(parent);
            }
        } catch (IOException e) {
            throw new BotDbException(ErrorCode.CONNECTION_FAILED, "Cannot create the folder " + parent
                    + " for the SQLite database (" + e + "). Check the path in DATABASE_URL and the folder's permissions.");
        }
    }
}
