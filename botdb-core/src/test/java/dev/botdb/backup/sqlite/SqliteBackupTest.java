package dev.botdb.backup.sqlite;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.botdb.BotDbException;
import dev.botdb.ErrorCode;
import dev.botdb.backup.BackupResult;
import dev.botdb.backup.BackupSettings;
import dev.botdb.backup.Backups;
import dev.botdb.backup.RestoreRequest;
import dev.botdb.backup.RestoreResult;
import dev.botdb.config.SqliteTarget;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** SQLite backups on real files: a consistent copy while a writer keeps inserting, and the same restore promises. */
class SqliteBackupTest {
    @TempDir
    Path dir;

    private final List<String> log = new ArrayList<>();

    private Backups backups(Path db) {
        return Backups.of(new SqliteTarget(db, "test"), BackupSettings.of(dir.resolve("backups")), log::add);
    }

    @Test
    void aBackupTakenWhileTheBotWritesRestoresToAConsistentCopy() throws Exception {
        Path db = dir.resolve("bot.db");
        exec(db, "PRAGMA journal_mode = WAL",
                "CREATE TABLE users (id INTEGER PRIMARY KEY, name TEXT NOT NULL, data BLOB)",
                "CREATE TABLE messages (id INTEGER PRIMARY KEY, user_id INTEGER REFERENCES users(id), body TEXT)",
                "CREATE INDEX messages_user ON messages (user_id)",
                "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 500) INSERT INTO users (name, data) SELECT 'user' || i, randomblob(16) FROM n");
        AtomicBoolean stop = new AtomicBoolean();
        AtomicInteger written = new AtomicInteger();
        Thread writer = new Thread(() -> {
            try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + db); Statement st = c.createStatement()) {
                st.execute("PRAGMA busy_timeout = 10000");
                while (!stop.get()) {
                    // each transaction adds a user and its message together: a consistent copy has as many of each
                    c.setAutoCommit(false);
                    st.execute("INSERT INTO users (name) VALUES ('late')");
                    st.execute("INSERT INTO messages (user_id, body) VALUES (last_insert_rowid(), 'hello')");
                    c.commit();
                    c.setAutoCommit(true);
                    written.incrementAndGet();
                }
            } catch (SQLException e) {
                throw new IllegalStateException(e);
            }
        });
        writer.start();
        while (written.get() < 20) {
            Thread.sleep(5);
        }
        BackupResult b = backups(db).backup();
        stop.set(true);
        writer.join();

        assertThat(b.file().getFileName().toString()).startsWith("sqlite_bot-").endsWith(".botdb");
        assertThat(Files.getPosixFilePermissions(b.file())).isEqualTo(PosixFilePermissions.fromString("rw-------"));
        long users = b.manifest().tables().stream().filter(t -> t.name().equals("users")).findFirst().orElseThrow().rows();
        long messages = b.manifest().tables().stream().filter(t -> t.name().equals("messages")).findFirst().orElseThrow().rows();
        assertThat(users - 500).as("late users = messages: one snapshot").isEqualTo(messages).isPositive();

        Path copy = dir.resolve("copy.db");
        backups(db).restore(b.file(), new SqliteTarget(copy, "test"));
        assertThat(count(copy, "users")).isEqualTo(users);
        assertThat(count(copy, "messages")).isEqualTo(messages);
        assertThat(backups(db).verify(b.file()).ok()).isTrue();
    }

    @Test
    void aFileWithDataIsReplacedOnlyWithForceAndOneTableAlone() throws Exception {
        Path db = dir.resolve("bot.db");
        exec(db, "CREATE TABLE users (id INTEGER PRIMARY KEY, name TEXT)", "CREATE TABLE notes (body TEXT)",
                "INSERT INTO users (name) VALUES ('a'), ('b'), ('c')", "INSERT INTO notes VALUES ('keep me')");
        BackupResult b = backups(db).backup();
        exec(db, "DELETE FROM users WHERE name <> 'a'", "INSERT INTO notes VALUES ('newer')");

        assertThatThrownBy(() -> backups(db).restore(b.file(), new SqliteTarget(db, "test")))
                .isInstanceOf(BotDbException.class)
                .satisfies(e -> assertThat(((BotDbException) e).code()).isEqualTo(ErrorCode.RESTORE_REFUSED));
        assertThat(count(db, "users")).isEqualTo(1);

        RestoreResult r = backups(db).restore(b.file(), new RestoreRequest(new SqliteTarget(db, "test"), List.of("users"), true));
        assertThat(r.safetyBackup()).isPresent();
        assertThat(count(db, "users")).isEqualTo(3);
        assertThat(count(db, "notes")).as("other tables untouched").isEqualTo(2);

        backups(db).restore(b.file(), new RestoreRequest(new SqliteTarget(db, "test"), List.of(), true));
        assertThat(count(db, "notes")).isEqualTo(1);
    }

    @Test
    void aDamagedSqliteBackupIsRefusedAndTheTargetIsNotCreated() throws Exception {
        Path db = dir.resolve("bot.db");
        exec(db, "CREATE TABLE t (x)", "INSERT INTO t VALUES (1)");
        BackupResult b = backups(db).backup();
        byte[] bytes = Files.readAllBytes(b.file());
        bytes[bytes.length / 2] ^= 1;
        Files.write(b.file(), bytes);
        Path target = dir.resolve("never.db");

        assertThatThrownBy(() -> backups(db).restore(b.file(), new SqliteTarget(target, "test")))
                .satisfies(e -> assertThat(((BotDbException) e).code()).isEqualTo(ErrorCode.BACKUP_INVALID));
        assertThat(target).doesNotExist();
    }

    private static void exec(Path db, String... sql) throws SQLException {
        try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + db); Statement st = c.createStatement()) {
            for (String s : sql) {
                st.execute(s);
            }
        }
    }

    private static long count(Path db, String table) throws SQLException {
        try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + db); Statement st = c.createStatement();
             ResultSet rs = st.executeQuery("SELECT count(*) FROM " + table)) {
            rs.next();
            return rs.getLong(1);
        }
    }
}
