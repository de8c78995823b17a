package dev.botdb.maintain;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.botdb.BotDbException;
import dev.botdb.ErrorCode;
import dev.botdb.TestPostgres;
import dev.botdb.backup.schema.SchemaRoundTrip;
import dev.botdb.config.PostgresTarget;
import dev.botdb.config.Secret;
import dev.botdb.config.SslMode;
import dev.botdb.maintain.TableResult.Status;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.Test;

/**
 * {@code botdb maintain} against the real server (PostgreSQL 15 here, 18 in the CLI's tests):
 * each operation does what it says, measured in the server's own statistics, and a lock held by
 * another session makes that table, and only that table, be skipped.
 */
public class MaintenanceTest {
    private static final Duration LOCK = Duration.ofSeconds(1);
    private final List<String> log = new ArrayList<>();

    static PostgresTarget target(String database) {
        return new PostgresTarget("localhost", TestPostgres.port(), database, "postgres", null, SslMode.DISABLE, Map.of(),
                Map.of(), Map.of());
    }

    private Maintenance maintenance(String database) {
        return Maintenance.of(target(database), log::add);
    }

    public static Connection connect(String database, String application) throws SQLException {
        return connect(database, application, "postgres", null);
    }

    static Connection connect(String database, String application, String user, String password) throws SQLException {
        Properties p = new Properties();
        p.setProperty("user", user);
        if (password != null) {
            p.setProperty("password", password);
        }
        p.setProperty("ApplicationName", application);
        return DriverManager.getConnection("jdbc:postgresql://localhost:" + TestPostgres.port() + "/" + database, p);
    }

    public static void exec(Connection c, String... sql) throws SQLException {
        try (Statement st = c.createStatement()) {
            for (String s : sql) {
                st.execute(s);
            }
        }
    }

    public static long queryLong(Connection c, String sql) throws SQLException {
        try (Statement st = c.createStatement(); ResultSet rs = st.executeQuery(sql)) {
            rs.next();
            return rs.getLong(1);
        }
    }

    static int pid(Connection c) throws SQLException {
        return (int) queryLong(c, "SELECT pg_backend_pid()");
    }

    /** Polls the server (statistics are flushed asynchronously, sessions change state on their own). */
    public static void await(String what, BooleanSupplier condition) throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("gave up waiting for " + what);
            }
            Thread.sleep(50);
        }
    }

    public static BooleanSupplier sql(String database, String booleanQuery) {
        return () -> {
            try (Connection c = connect(database, "test-poll")) {
                return queryLong(c, "SELECT (" + booleanQuery + ")::int") == 1;
            } catch (SQLException e) {
                throw new IllegalStateException(e);
            }
        };
    }

    static boolean alive(String database, int pid) throws SQLException {
        try (Connection c = connect(database, "test-poll")) {
            return queryLong(c, "SELECT count(*) FROM pg_stat_activity WHERE pid = " + pid) == 1;
        }
    }

    private static TableResult result(MaintainResult r, String table) {
        return r.tables().stream().filter(t -> t.table().equals(table)).findFirst()
                .orElseThrow(() -> new AssertionError(table + " not in " + r.tables()));
    }

    @Test
    void vacuumRemovesDeadRowsAndGivesTheEmptiedFileBack() throws Exception {
        String db = SchemaRoundTrip.freshDatabase("maint_vacuum");
        try (Connection c = connect(db, "test")) {
            exec(c, "CREATE TABLE events (id int PRIMARY KEY, body text) WITH (autovacuum_enabled = false)",
                    "INSERT INTO events SELECT g, repeat('x', 200) FROM generate_series(1, 5000) g",
                    "DELETE FROM events",
                    "SELECT pg_stat_force_next_flush()");
        }
        await("the deletes in the statistics", sql(db, "SELECT n_dead_tup >= 5000 FROM pg_stat_user_tables"
                + " WHERE relname = 'events'"));

        MaintainResult r = maintenance(db).run(MaintainRequest.of(Operation.VACUUM).withTables(List.of("events")));

        TableResult events = result(r, "events");
        assertThat(events.status()).as(events.describe()).isEqualTo(Status.DONE);
        assertThat(events.deadRowsBefore()).isEqualTo(5000);
        assertThat(events.deadRowsAfter()).isZero();
        assertThat(events.bytesBefore()).isGreaterThan(1_000_000);
        assertThat(events.bytesAfter()).isZero(); // every page was empty, so VACUUM truncated the file
        assertThat(events.describe()).contains("dead rows 5,000 -> 0").contains("returned to the operating system");
        assertThat(r.complete()).isTrue();
        assertThat(r.summary()).startsWith("Vacuum finished - done: 1");
        assertThat(log.get(0)).startsWith("VACUUM of 1 table in " + db).contains("lock timeout 5 s");
        try (Connection c = connect(db, "test")) {
            assertThat(queryLong(c, "SELECT pg_relation_size('events')")).isZero();
        }
    }

    @Test
    void analyzeOfTheWholeDatabaseRecordsLastAnalyzeForEveryTable() throws Exception {
        String db = SchemaRoundTrip.freshDatabase("maint_analyze");
        try (Connection c = connect(db, "test")) {
            exec(c, "CREATE TABLE users (id int PRIMARY KEY) WITH (autovacuum_enabled = false)",
                    "CREATE TABLE activities (id int, user_id int) WITH (autovacuum_enabled = false)",
                    "INSERT INTO users SELECT generate_series(1, 300)",
                    "INSERT INTO activities SELECT g, g % 300 FROM generate_series(1, 900) g");
            assertThat(queryLong(c, "SELECT count(last_analyze) FROM pg_stat_user_tables")).isZero();
        }

        MaintainResult r = maintenance(db).run(MaintainRequest.of(Operation.ANALYZE));

        assertThat(r.tables()).extracting(TableResult::table).containsExactly("activities", "users");
        assertThat(r.tables()).allMatch(t -> t.status() == Status.DONE);
        assertThat(result(r, "users").describe()).contains("statistics refreshed (300 rows");
        await("last_analyze set on both tables", sql(db,
                "SELECT count(last_analyze) = 2 FROM pg_stat_user_tables"));
        try (Connection c = connect(db, "test")) {
            assertThat(queryLong(c, "SELECT reltuples FROM pg_class WHERE relname = 'activities'")).isEqualTo(900);
        }
    }

    @Test
    void reindexConcurrentlyRebuildsIndexesThatStayValidAndUsable() throws Exception {
        String db = SchemaRoundTrip.freshDatabase("maint_reindex");
        try (Connection c = connect(db, "test")) {
            exec(c, "CREATE TABLE messages (id int PRIMARY KEY, chat_id bigint, body text)",
                    "CREATE INDEX messages_chat ON messages (chat_id)",
                    "INSERT INTO messages SELECT g, g % 50, 'hi' FROM generate_series(1, 20000) g",
                    "DELETE FROM messages WHERE id % 4 <> 0");
        }
        long fileBefore;
        try (Connection c = connect(db, "test")) {
            fileBefore = queryLong(c, "SELECT pg_relation_filenode('messages_chat')");
        }

        MaintainResult r = maintenance(db).run(MaintainRequest.of(Operation.REINDEX).withTables(List.of("messages")));

        TableResult messages = result(r, "messages");
        assertThat(messages.status()).as(messages.describe()).isEqualTo(Status.DONE);
        assertThat(messages.describe()).contains("2 indexes");
        assertThat(messages.bytesAfter()).isLessThan(messages.bytesBefore()); // three quarters of the entries were dead
        assertThat(log.get(0)).startsWith("REINDEX CONCURRENTLY of 1 table");
        try (Connection c = connect(db, "test")) {
            assertThat(queryLong(c, "SELECT pg_relation_filenode('messages_chat')")).isNotEqualTo(fileBefore);
            assertThat(queryLong(c, "SELECT count(*) FROM pg_index WHERE indrelid = 'messages'::regclass"
                    + " AND indisvalid AND indisready")).isEqualTo(2);
            exec(c, "SET enable_seqscan = off");
            try (Statement st = c.createStatement();
                 ResultSet rs = st.executeQuery("EXPLAIN SELECT * FROM messages WHERE chat_id = 8")) {
                StringBuilder plan = new StringBuilder();
                while (rs.next()) {
                    plan.append(rs.getString(1)).append('\n');
                }
                assertThat(plan.toString()).contains("messages_chat");
            }
            assertThat(queryLong(c, "SELECT count(*) FROM messages WHERE chat_id = 8")).isEqualTo(200);
        }

        MaintainResult one = maintenance(db).run(MaintainRequest.of(Operation.REINDEX)
                .withIndexes(List.of("messages_chat")));
        assertThat(one.tables()).singleElement().satisfies(t -> {
            assertThat(t.status()).as(t.describe()).isEqualTo(Status.DONE);
            assertThat(t.table()).isEqualTo("messages_chat");
        });
    }

    @Test
    void aTableLockedByAnotherSessionIsSkippedWithItsHolderWhileTheOthersAreVacuumed() throws Exception {
        String db = SchemaRoundTrip.freshDatabase("maint_locked");
        try (Connection c = connect(db, "test")) {
            exec(c, "CREATE TABLE users (id int PRIMARY KEY)", "CREATE TABLE activities (id int)",
                    "CREATE TABLE feedback (id int)");
        }
        try (Connection holder = connect(db, "lock-holder")) {
            int holderPid = pid(holder);
            holder.setAutoCommit(false);
            exec(holder, "LOCK TABLE activities IN ACCESS EXCLUSIVE MODE");

            MaintainResult r = maintenance(db).run(MaintainRequest.of(Operation.VACUUM).withLockTimeout(LOCK));

            assertThat(result(r, "users").status()).isEqualTo(Status.DONE);
            assertThat(result(r, "feedback").status()).isEqualTo(Status.DONE);
            TableResult locked = result(r, "activities");
            assertThat(locked.status()).isEqualTo(Status.SKIPPED);
            assertThat(locked.describe()).startsWith("activities: skipped, a lock was not granted within 1 s:"
                    + " another session holds it (pid " + holderPid + ", user postgres, application 'lock-holder',"
                    + " idle in transaction for ").contains("holds AccessExclusiveLock")
                    .contains("query: LOCK TABLE activities IN ACCESS EXCLUSIVE MODE");
            assertThat(r.complete()).isFalse();
            assertThat(r.summary()).contains("done: 2, skipped: 1");
            holder.rollback();
        }
    }

    @Test
    void anInterruptedReindexLeavesNoInvalidIndexBehind() throws Exception {
        String db = SchemaRoundTrip.freshDatabase("maint_reindex_wait");
        try (Connection c = connect(db, "test")) {
            exec(c, "CREATE TABLE chats (id int PRIMARY KEY, title text)",
                    "INSERT INTO chats SELECT g, 'chat' FROM generate_series(1, 1000) g");
        }
        String invalid = "SELECT count(*) FROM pg_index WHERE indrelid = 'chats'::regclass AND NOT indisvalid";
        try (Connection writer = connect(db, "slow-writer")) {
            writer.setAutoCommit(false);
            exec(writer, "INSERT INTO chats VALUES (1001, 'new')"); // holds ROW EXCLUSIVE until commit

            MaintainResult r = maintenance(db).run(MaintainRequest.of(Operation.REINDEX).withTables(List.of("chats"))
                    .withLockTimeout(LOCK));

            TableResult chats = result(r, "chats");
            assertThat(chats.status()).as(chats.describe()).isEqualTo(Status.SKIPPED);
            assertThat(chats.describe()).contains("pid " + pid(writer)).contains("application 'slow-writer'")
                    .contains("holds RowExclusiveLock");
            assertThat(r.notes()).singleElement().asString().contains("chats_pkey_ccnew")
                    .contains("DROP INDEX CONCURRENTLY");
            writer.commit();
        }
        try (Connection c = connect(db, "test")) {
            assertThat(queryLong(c, invalid)).isEqualTo(1);
        }

        MaintainResult again = maintenance(db).run(MaintainRequest.of(Operation.REINDEX).withTables(List.of("chats")));

        assertThat(result(again, "chats").status()).isEqualTo(Status.DONE);
        assertThat(result(again, "chats").describe()).contains("dropped public.chats_pkey_ccnew");
        try (Connection c = connect(db, "test")) {
            assertThat(queryLong(c, invalid)).isZero();
            assertThat(queryLong(c, "SELECT count(*) FROM pg_index WHERE indrelid = 'chats'::regclass")).isEqualTo(1);
        }
    }

    @Test
    void vacuumFullPlanNamesWhatItLocksAndHowBigItIs() throws Exception {
        String db = SchemaRoundTrip.freshDatabase("maint_plan");
        try (Connection c = connect(db, "test")) {
            exec(c, "CREATE TABLE big (id int PRIMARY KEY, body text)",
                    "INSERT INTO big SELECT g, repeat('y', 500) FROM generate_series(1, 4000) g",
                    "CREATE TABLE small (id int)");
        }
        MaintenancePlan plan = maintenance(db).plan(MaintainRequest.of(Operation.VACUUM_FULL));

        assertThat(plan.tables()).extracting(MaintenancePlan.PlannedTable::table).containsExactly("big", "small");
        assertThat(plan.tables().get(0).tableBytes()).isGreaterThan(2_000_000);
        assertThat(plan.tables().get(0).indexBytes()).isGreaterThan(0);
        assertThat(plan.warning()).contains("ACCESS EXCLUSIVE").contains("neither read nor write")
                .contains("big (").contains("free disk space");
    }

    @Test
    void namesThatAreNotTablesAndIntegrityOnPostgresSayWhatToDoInstead() throws Exception {
        String db = SchemaRoundTrip.freshDatabase("maint_names");
        try (Connection c = connect(db, "test")) {
            exec(c, "CREATE TABLE users (id int)", "CREATE VIEW user_view AS SELECT * FROM users");
        }
        Maintenance m = maintenance(db);
        assertThatThrownBy(() -> m.run(MaintainRequest.of(Operation.VACUUM).withTables(List.of("userz"))))
                .isInstanceOf(BotDbException.class).hasMessageContaining("no table or index userz")
                .hasMessageContaining("Tables: users");
        assertThatThrownBy(() -> m.run(MaintainRequest.of(Operation.ANALYZE).withTables(List.of("user_view"))))
                .hasMessageContaining("user_view is a view");
        assertThatThrownBy(() -> m.run(MaintainRequest.of(Operation.INTEGRITY)))
                .isInstanceOf(BotDbException.class).hasMessageContaining("botdb backup verify")
                .satisfies(e -> assertThat(((BotDbException) e).code()).isEqualTo(ErrorCode.USAGE));
        assertThatThrownBy(() -> MaintainRequest.of(Operation.VACUUM).withLockTimeout(Duration.ZERO))
                .hasMessageContaining("`lockTimeout` must be more than 0");
    }

    // ---------------------------------------------------------------- kill-idle

    @Test
    void killIdleEndsOnlyOldIdleSessionsOfItsOwnDatabase() throws Exception {
        String db = SchemaRoundTrip.freshDatabase("maint_kill");
        Connection old = connect(db, "old-idle");
        Connection busy = connect(db, "busy");
        Connection otherDb = connect("postgres", "other-db");
        Connection young = connect(db, "young-idle");
        int oldPid = pid(old);
        int busyPid = pid(busy);
        int otherPid = pid(otherDb);
        int youngPid = pid(young);
        Thread sleeper = new Thread(() -> {
            try {
                exec(busy, "SELECT pg_sleep(120)");
            } catch (SQLException expected) {
                // cancelled at the end of the test
            }
        });
        try {
            sleeper.start();
            await("three sessions past the 3 s threshold", sql("postgres", "SELECT count(*) = 3 FROM pg_stat_activity"
                    + " WHERE pid IN (" + oldPid + ", " + busyPid + ", " + otherPid + ") AND state IN ('idle', 'active')"
                    + " AND now() - state_change > interval '3 s'"));
            exec(young, "SELECT 1"); // idle for a moment only

            KillIdleResult r = maintenance(db).killIdle(new KillIdleRequest(Duration.ofSeconds(3), false, false));

            assertThat(r.sessions()).extracting(IdleSession::pid).containsExactly(oldPid);
            IdleSession ended = r.sessions().get(0);
            assertThat(ended.outcome()).isEqualTo(IdleSession.Outcome.ENDED);
            assertThat(ended.describe()).startsWith("pid " + oldPid + " ended: user postgres, application 'old-idle',"
                    + " client 127.0.0.1:").contains("idle for ").contains("last query: SELECT pg_backend_pid()");
            assertThat(r.ownPid()).isNotIn(oldPid, busyPid, otherPid, youngPid);
            assertThat(r.summary()).isEqualTo("Ended 1 session idle for more than 3 s in " + db);
            assertThat(old.isValid(2)).isFalse();
            assertThat(young.isValid(2)).isTrue();
            assertThat(otherDb.isValid(2)).isTrue();
            assertThat(queryLong(young, "SELECT count(*) FROM pg_stat_activity WHERE pid = " + busyPid
                    + " AND state = 'active'")).isEqualTo(1);
        } finally {
            exec(young, "SELECT pg_cancel_backend(" + busyPid + ")");
            sleeper.join();
            for (Connection c : List.of(old, busy, otherDb, young)) {
                c.close();
            }
        }
    }

    @Test
    void killIdleDryRunAndIdleInTransactionSessions() throws Exception {
        String db = SchemaRoundTrip.freshDatabase("maint_kill_tx");
        try (Connection idle = connect(db, "plain-idle"); Connection inTx = connect(db, "forgot-commit")) {
            int idlePid = pid(idle);
            int inTxPid = pid(inTx);
            inTx.setAutoCommit(false);
            exec(inTx, "SELECT 2");
            await("both idle past 1 s", sql(db, "SELECT count(*) = 2 FROM pg_stat_activity WHERE pid IN (" + idlePid
                    + ", " + inTxPid + ") AND now() - state_change > interval '1 s'"));

            KillIdleResult dry = maintenance(db).killIdle(new KillIdleRequest(Duration.ofSeconds(1), true, true));
            assertThat(dry.sessions()).extracting(IdleSession::outcome).containsOnly(IdleSession.Outcome.WOULD_END);
            assertThat(dry.sessions()).extracting(IdleSession::state)
                    .containsExactlyInAnyOrder("idle", "idle in transaction");
            assertThat(dry.summary()).startsWith("Would end 2 sessions idle (or idle in transaction) for more than 1 s");
            assertThat(alive(db, idlePid)).isTrue();

            KillIdleResult plain = maintenance(db).killIdle(new KillIdleRequest(Duration.ofSeconds(1), false, false));
            assertThat(plain.sessions()).extracting(IdleSession::pid).containsExactly(idlePid);

            KillIdleResult tx = maintenance(db).killIdle(new KillIdleRequest(Duration.ofSeconds(1), true, false));
            assertThat(tx.sessions()).extracting(IdleSession::pid).containsExactly(inTxPid);
            assertThat(tx.sessions().get(0).outcome()).isEqualTo(IdleSession.Outcome.ENDED);
            assertThat(alive(db, inTxPid)).isFalse();
        }
    }

    @Test
    void aNonSuperuserEndsItsOwnSessionsAndIsToldWhichGrantWouldAllowTheOthers() throws Exception {
        TestPostgres.createUserWithDatabase("maint_owner", "owner-pw", "maint_owner_db");
        TestPostgres.exec("DROP ROLE IF EXISTS maint_other", "CREATE ROLE maint_other LOGIN PASSWORD 'other-pw'",
                "GRANT CONNECT ON DATABASE maint_owner_db TO maint_other");
        PostgresTarget owner = new PostgresTarget("localhost", TestPostgres.port(), "maint_owner_db", "maint_owner",
                Secret.of("owner-pw"), SslMode.DISABLE, Map.of(), Map.of(), Map.of());
        try (Connection mine = connect("maint_owner_db", "mine", "maint_owner", "owner-pw");
             Connection theirs = connect("maint_owner_db", "theirs", "maint_other", "other-pw")) {
            exec(mine, "SELECT 1");
            exec(theirs, "SELECT 1");
            int theirPid = pid(theirs);
            await("both idle past 1 s", sql("maint_owner_db", "SELECT count(*) = 2 FROM pg_stat_activity WHERE pid IN ("
                    + pid(mine) + ", " + theirPid + ") AND now() - state_change > interval '1 s'"));

            KillIdleResult hidden = Maintenance.of(owner, log::add)
                    .killIdle(new KillIdleRequest(Duration.ofSeconds(1), false, false));
            assertThat(hidden.sessions()).filteredOn(s -> s.outcome() == IdleSession.Outcome.ENDED)
                    .extracting(IdleSession::application).containsExactly("mine");
            assertThat(hidden.sessions()).filteredOn(s -> s.outcome() == IdleSession.Outcome.HIDDEN)
                    .extracting(IdleSession::pid).containsExactly(theirPid);
            assertThat(hidden.notes()).singleElement().asString().contains("GRANT pg_read_all_stats TO maint_owner;");
            assertThat(alive("maint_owner_db", theirPid)).isTrue();

            TestPostgres.exec("GRANT pg_read_all_stats TO maint_owner");
            KillIdleResult refused = Maintenance.of(owner, log::add)
                    .killIdle(new KillIdleRequest(Duration.ofSeconds(1), false, false));
            assertThat(refused.sessions()).singleElement().satisfies(s -> {
                assertThat(s.pid()).isEqualTo(theirPid);
                assertThat(s.outcome()).isEqualTo(IdleSession.Outcome.NOT_ALLOWED);
                assertThat(s.describe()).contains("not allowed").contains("user maint_other")
                        .contains("maint_owner may end only its own role's sessions");
            });
            assertThat(refused.notes()).singleElement().asString().contains("GRANT pg_signal_backend TO maint_owner;");
            assertThat(refused.complete()).isFalse();
            assertThat(alive("maint_owner_db", theirPid)).isTrue();
        } finally {
            TestPostgres.exec("REVOKE pg_read_all_stats FROM maint_owner");
        }
    }

    @Test
    void killIdleMasksEveryFormOfAPasswordInTheLastQueryOfRealSessions() throws Exception {
        String db = SchemaRoundTrip.freshDatabase("maint_pw_forms");
        TestPostgres.exec("DROP ROLE IF EXISTS maint_pw_role", "CREATE ROLE maint_pw_role");
        List<String> forms = List.of("$$Dollar-Secret1$$", "$pw$Tagged-Secret2$pw$", "/**/'Comment-Secret3'",
                "/* x */ 'Comment-Secret4'", "U&'Unicode-Secret5'", "U&'Unicode!0053ecret6' UESCAPE '!'",
                "E'Escaped\\'Secret7'", "'Plain-Secret8' VALID UNTIL 'infinity'");
        List<Connection> sessions = new ArrayList<>();
        try {
            for (int i = 0; i < forms.size(); i++) {
                Connection c = connect(db, "pw-form-" + i);
                sessions.add(c);
                exec(c, "ALTER ROLE maint_pw_role PASSWORD " + forms.get(i));
            }
            await("all idle past 1 s", sql(db, "SELECT count(*) = " + forms.size() + " FROM pg_stat_activity"
                    + " WHERE application_name LIKE 'pw-form-%' AND state = 'idle'"
                    + " AND now() - state_change > interval '1 s'"));

            KillIdleResult r = maintenance(db).killIdle(new KillIdleRequest(Duration.ofSeconds(1), false, true));

            List<IdleSession> listed = r.sessions().stream().filter(x -> x.application().startsWith("pw-form-")).toList();
            assertThat(listed).hasSize(forms.size());
            String shown = listed.stream().map(IdleSession::lastQuery).toList() + " " + String.join("\n", log)
                    + " " + r;
            assertThat(listed).allSatisfy(x -> assertThat(x.lastQuery()).startsWith("ALTER ROLE maint_pw_role PASSWORD"));
            for (String secret : List.of("Dollar-Secret1", "Tagged-Secret2", "Comment-Secret3", "Comment-Secret4",
                    "Unicode-Secret5", "0053ecret6", "Secret7", "Plain-Secret8")) {
                assertThat(shown).doesNotContain(secret);
            }
        } finally {
            for (Connection c : sessions) {
                c.close();
            }
        }
    }

    @Test
    void passwordsInAnotherSessionsLastQueryAreMasked() {
        assertThat(MaintenanceText.query("ALTER ROLE bot PASSWORD 'hunter2'")).isEqualTo("ALTER ROLE bot PASSWORD '****'");
        assertThat(MaintenanceText.query("CREATE USER x WITH\n  password 'it''s'  LOGIN")).isEqualTo(
                "CREATE USER x WITH password '****' LOGIN");
        assertThat(MaintenanceText.query("SELECT " + "a, ".repeat(40) + "b")).hasSize(80).endsWith("...");
    }
}
