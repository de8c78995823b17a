package dev.botdb.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.botdb.TestPostgres;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A {@code botdb transfer} process killed with SIGKILL while COPY is sending rows: the server rolls the
 * transaction back, the target holds no row of it, and the next run (no --truncate needed) copies everything.
 */
class TransferKillIT {
    private static final int ROWS = 600_000;

    @TempDir
    Path dir;

    private static long count(String database, String sql) throws Exception {
        try (Connection c = TestPostgres.superuser(database); Statement s = c.createStatement(); ResultSet rs = s.executeQuery(sql)) {
            rs.next();
            return rs.getLong(1);
        }
    }

    @Test
    void aKilledTransferLeavesTheTargetAsItWasAndTheNextRunSucceeds() throws Exception {
        Path src = dir.resolve("bot_database.db");
        try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + src); Statement s = c.createStatement()) {
            s.execute("CREATE TABLE users (id INTEGER PRIMARY KEY, name TEXT NOT NULL)");
            s.execute("CREATE TABLE messages (id INTEGER PRIMARY KEY AUTOINCREMENT, user_id INTEGER REFERENCES users(id),"
                    + " sent_at DATETIME NOT NULL, text TEXT NOT NULL)");
            s.execute("INSERT INTO users VALUES (1, 'alex'), (2, 'bo')");
            s.execute("WITH RECURSIVE g(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM g WHERE i < " + ROWS + ")"
                    + " INSERT INTO messages SELECT i, 1 + i % 2, datetime(1700000000 + i, 'unixepoch'),"
                    + " 'message ' || i || ': ' || hex(randomblob(40)) FROM g");
        }
        String db = "transfer_kill";
        TestPostgres.exec("DROP DATABASE IF EXISTS " + db + " WITH (FORCE)", "CREATE DATABASE " + db);
        try (Connection c = TestPostgres.superuser(db); Statement s = c.createStatement()) {
            s.execute("CREATE TABLE users (id bigint PRIMARY KEY, name text NOT NULL)");
            s.execute("CREATE TABLE messages (id bigserial PRIMARY KEY, user_id bigint REFERENCES users(id),"
                    + " sent_at timestamptz NOT NULL, text text NOT NULL)");
        }
        Map<String, String> env = TestPostgres.env(TestPostgres.url(db));
        Process child = JarRun.start(env, dir.resolve("child.log"), "transfer", "--from", src.toString());
        long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(3);
        long copied = 0;
        try (Connection watch = TestPostgres.superuser("postgres"); Statement w = watch.createStatement()) {
            while (copied < 50_000) {
                assertThat(child.isAlive()).as("the transfer ended before the kill: %s",
                        Files.readString(dir.resolve("child.log"), StandardCharsets.UTF_8)).isTrue();
                assertThat(System.nanoTime()).as("COPY into messages did not start").isLessThan(deadline);
                try (ResultSet rs = w.executeQuery("SELECT coalesce(max(tuples_processed), 0) FROM pg_stat_progress_copy"
                        + " WHERE datname = '" + db + "'")) {
                    rs.next();
                    copied = rs.getLong(1);
                }
                Thread.sleep(2);
            }
        }
        child.destroyForcibly(); // SIGKILL: no shutdown hook, no rollback sent
        assertThat(child.waitFor(30, TimeUnit.SECONDS)).isTrue();
        assertThat(child.exitValue()).isEqualTo(137);
        long gone = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (count("postgres", "SELECT count(*) FROM pg_stat_activity WHERE datname = '" + db + "'") > 0
                && System.nanoTime() < gone) {
            Thread.sleep(50); // the server notices the closed socket and rolls back
        }
        assertThat(count(db, "SELECT (SELECT count(*) FROM users) + (SELECT count(*) FROM messages)")).isZero();
        assertThat(count(db, "SELECT count(*) FROM pg_constraint WHERE contype = 'f'")).as("foreign keys still there").isOne();

        CliRun again = CliRun.of(env, "transfer", "--from", "sqlite:///" + src);
        assertThat(again.exitCode()).as(again.err()).isZero();
        assertThat(again.out()).contains("every table matches");
        assertThat(count(db, "SELECT count(*) FROM messages")).isEqualTo(ROWS);
        assertThat(count(db, "SELECT nextval('messages_id_seq')")).isEqualTo(ROWS + 1);
    }
}
