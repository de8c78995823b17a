package dev.botdb.pool;

import static org.assertj.core.api.Assertions.assertThat;

import com.zaxxer.hikari.HikariDataSource;
import dev.botdb.config.BotDbConfig;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** SQLite pools: WAL, foreign keys, busy timeout, and writers that do not fail with "database is locked". */
class SqlitePoolTest {
    @TempDir
    Path dir;

    private HikariDataSource open(String url) {
        BotDbConfig c = BotDbConfig.fromEnv(Map.of("DATABASE_URL", url));
        return Pools.open(c.target(), c.pool());
    }

    private static String one(Connection c, String sql) throws SQLException {
        try (Statement st = c.createStatement(); ResultSet rs = st.executeQuery(sql)) {
            rs.next();
            return rs.getString(1);
        }
    }

    @Test
    void everyConnectionHasWalForeignKeysAndBusyTimeout() throws SQLException {
        try (HikariDataSource ds = open("sqlite+aiosqlite:///" + dir.resolve("bot.db"))) {
            try (Connection c = ds.getConnection()) {
                assertThat(one(c, "PRAGMA journal_mode")).isEqualTo("wal");
                assertThat(one(c, "PRAGMA foreign_keys")).isEqualTo("1");
                assertThat(one(c, "PRAGMA busy_timeout")).isEqualTo("10000");
            }
            assertThat(ds.getMaximumPoolSize()).isEqualTo(4);
        }
    }

    @Test
    void createsTheFolderOfTheDatabaseFile() throws SQLException {
        Path file = dir.resolve("data/sub/bot.db");
        try (HikariDataSource ds = open("sqlite:///" + file); Connection c = ds.getConnection()) {
            assertThat(one(c, "SELECT 1")).isEqualTo("1");
        }
        assertThat(file).exists();
    }

    @Test
    void foreignKeysCascadeAsTheUsnBotExpects() throws SQLException {
        try (HikariDataSource ds = open("sqlite:///" + dir.resolve("fk.db")); Connection c = ds.getConnection();
             Statement st = c.createStatement()) {
            st.execute("CREATE TABLE users (id INTEGER PRIMARY KEY)");
            st.execute("CREATE TABLE registrations (id INTEGER PRIMARY KEY,"
                    + " user_id INTEGER REFERENCES users(id) ON DELETE CASCADE)");
            st.execute("INSERT INTO users VALUES (1)");
            st.execute("INSERT INTO registrations VALUES (10, 1)");
            st.execute("DELETE FROM users WHERE id = 1");
            assertThat(one(c, "SELECT count(*) FROM registrations")).isEqualTo("0");
        }
    }

    /**
     * Eight threads each run read-then-write transactions on one counter. With SQLite's default
     * deferred transactions two of them deadlock on the lock upgrade and one fails at once with
     * "database is locked"; botdb's IMMEDIATE transactions plus busy timeout make them queue.
     */
    @Test
    void concurrentReadThenWriteTransactionsNeverFailWithDatabaseIsLocked() throws Exception {
        try (HikariDataSource ds = open("sqlite:///" + dir.resolve("busy.db"))) {
            try (Connection c = ds.getConnection(); Statement st = c.createStatement()) {
                st.execute("CREATE TABLE counter (n INTEGER NOT NULL)");
                st.execute("INSERT INTO counter VALUES (0)");
            }
            int threads = 8;
            int perThread = 50;
            ExecutorService pool = Executors.newFixedThreadPool(threads);
            List<Future<?>> futures = new ArrayList<>();
            for (int t = 0; t < threads; t++) {
                futures.add(pool.submit(() -> {
                    for (int i = 0; i < perThread; i++) {
                        try (Connection c = ds.getConnection()) {
                            c.setAutoCommit(false);
                            long n = Long.parseLong(one(c, "SELECT n FROM counter"));
                            try (Statement st = c.createStatement()) {
                                st.executeUpdate("UPDATE counter SET n = " + (n + 1));
                            }
                            c.commit();
                        }
                    }
                    return null;
                }));
            }
            for (Future<?> f : futures) {
                f.get(); // rethrows any SQLException, e.g. SQLITE_BUSY
            }
            pool.shutdown();
            try (Connection c = ds.getConnection()) {
                assertThat(one(c, "SELECT n FROM counter")).isEqualTo(Integer.toString(threads * perThread));
            }
        }
    }

    @Test
    void inMemoryDatabaseKeepsItsDataAcrossBorrowedConnections() throws SQLException {
        try (HikariDataSource ds = open("sqlite::memory:")) {
            assertThat(ds.getMaximumPoolSize()).isEqualTo(1);
            try (Connection c = ds.getConnection(); Statement st = c.createStatement()) {
                st.execute("CREATE TABLE notes (id INTEGER)");
                st.execute("INSERT INTO notes VALUES (1)");
            }
            try (Connection c = ds.getConnection()) {
                assertThat(one(c, "SELECT count(*) FROM notes")).isEqualTo("1");
            }
        }
    }
}
