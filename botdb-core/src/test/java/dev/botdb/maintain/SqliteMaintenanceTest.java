package dev.botdb.maintain;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.botdb.BotDbException;
import dev.botdb.config.SqliteTarget;
import dev.botdb.maintain.TableResult.Status;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code botdb maintain} on a real SQLite file. */
class SqliteMaintenanceTest {
    @TempDir
    Path dir;

    private Path file;
    private final List<String> log = new ArrayList<>();

    @BeforeEach
    void createFile() throws Exception {
        file = dir.resolve("bot.db");
        try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + file); Statement st = c.createStatement()) {
            st.execute("PRAGMA journal_mode = WAL");
            st.execute("CREATE TABLE users (id INTEGER PRIMARY KEY, name TEXT)");
            st.execute("CREATE TABLE messages (id INTEGER PRIMARY KEY, user_id INTEGER REFERENCES users(id), body TEXT)");
            st.execute("CREATE INDEX messages_user ON messages (user_id)");
            st.execute("INSERT INTO users (id, name) VALUES (1, 'ann')");
            st.execute("""
                    WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 5000)
                    INSERT INTO messages (user_id, body) SELECT 1, printf('%0500d', i) FROM n""");
            st.execute("PRAGMA wal_checkpoint(TRUNCATE)");
        }
    }

    private Maintenance maintenance() {
        return Maintenance.of(new SqliteTarget(file, "test"), log::add);
    }

    private void exec(String... sql) throws Exception {
        try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + file); Statement st = c.createStatement()) {
            for (String s : sql) {
                st.execute(s);
            }
        }
    }

    @Test
    void vacuumRewritesTheFileAndGivesFreedPagesBack() throws Exception {
        exec("DELETE FROM messages", "PRAGMA wal_checkpoint(TRUNCATE)");
        long before = Files.size(file);

        MaintainResult r = maintenance().run(MaintainRequest.of(Operation.VACUUM));

        assertThat(r.tables()).singleElement().satisfies(t -> {
            assertThat(t.status()).as(t.describe()).isEqualTo(Status.DONE);
            assertThat(t.table()).isEqualTo("bot.db");
            assertThat(t.bytesBefore()).isEqualTo(before);
            assertThat(t.bytesAfter()).isLessThan(before / 10);
            assertThat(t.describe()).contains("freed");
        });
        assertThat(Files.size(file)).isLessThan(before / 10);
        assertThat(log.get(0)).contains("rewrites the whole file").contains("free disk space as large as the file");
    }

    @Test
    void analyzeReindexAndIntegrityOnAHealthyFile() throws Exception {
        MaintainResult analyze = maintenance().run(MaintainRequest.of(Operation.ANALYZE));
        assertThat(analyze.complete()).isTrue();
        try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + file); Statement st = c.createStatement();
             ResultSet rs = st.executeQuery("SELECT count(*) FROM sqlite_stat1 WHERE tbl = 'messages'")) {
            assertThat(rs.getInt(1)).isPositive();
        }

        MaintainResult reindex = maintenance().run(MaintainRequest.of(Operation.REINDEX)
                .withTables(List.of("messages")));
        assertThat(reindex.tables()).singleElement().extracting(TableResult::status).isEqualTo(Status.DONE);

        MaintainResult integrity = maintenance().run(MaintainRequest.of(Operation.INTEGRITY));
        assertThat(integrity.tables()).singleElement().satisfies(t -> assertThat(t.describe())
                .contains("integrity_check: ok; foreign_key_check: no orphaned rows"));
    }

    @Test
    void integrityReportsRowsWhoseParentIsMissing() throws Exception {
        exec("PRAGMA foreign_keys = OFF", "INSERT INTO messages (id, user_id, body) VALUES (90001, 42, 'orphan')");

        MaintainResult r = maintenance().run(MaintainRequest.of(Operation.INTEGRITY));

        assertThat(r.complete()).isFalse();
        assertThat(r.tables().get(0).status()).isEqualTo(Status.FAILED);
        assertThat(r.tables().get(0).describe()).contains("row 90001 of messages refers to a missing row of users");
    }

    @Test
    void aWriterHoldingTheLockMakesVacuumSkipAfterTheLockTimeout() throws Exception {
        try (Connection writer = DriverManager.getConnection("jdbc:sqlite:" + file);
             Statement st = writer.createStatement()) {
            st.execute("BEGIN IMMEDIATE");
            st.execute("INSERT INTO users (id, name) VALUES (2, 'bob')");

            MaintainResult r = maintenance().run(MaintainRequest.of(Operation.VACUUM)
                    .withLockTimeout(Duration.ofMillis(300)));

            assertThat(r.tables().get(0).status()).as(r.tables().get(0).describe()).isEqualTo(Status.SKIPPED);
            assertThat(r.tables().get(0).describe()).contains("the write lock was not granted within 300 ms");
            st.execute("COMMIT");
        }
    }

    @Test
    void killIdleAndPerTableVacuumSayWhyTheyDoNotApply() {
        assertThatThrownBy(() -> maintenance().killIdle(new KillIdleRequest(Duration.ofMinutes(5), false, false)))
                .isInstanceOf(BotDbException.class).hasMessageContaining("no server and no sessions");
        assertThatThrownBy(() -> maintenance().run(MaintainRequest.of(Operation.VACUUM).withTables(List.of("users"))))
                .hasMessageContaining("whole file");
        assertThatThrownBy(() -> maintenance().run(MaintainRequest.of(Operation.ANALYZE).withTables(List.of("nope"))))
                .hasMessageContaining("There is no table nope");
    }
}
