package dev.botdb.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.jr.ob.JSON;
import dev.botdb.TestPostgres;
import dev.botdb.backup.schema.SchemaRoundTrip;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code botdb maintain} as an operator types it, against the CLI's test server (PostgreSQL 18) and a SQLite file. */
class MaintainCommandTest {
    @TempDir
    Path dir;

    private static Map<String, String> env(String database, String... more) {
        Map<String, String> env = new HashMap<>(TestPostgres.env("postgres://postgres@localhost:" + TestPostgres.port()
                + "/" + database));
        for (int i = 0; i + 1 < more.length; i += 2) {
            env.put(more[i], more[i + 1]);
        }
        return env;
    }

    /** A run that reads {@code input} as the operator's typing. */
    private static CliRun typing(String input, Map<String, String> env, String... args) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int code = Main.run(args, env, new ByteArrayInputStream(input.getBytes(StandardCharsets.UTF_8)),
                new PrintStream(out, true, StandardCharsets.UTF_8), new PrintStream(err, true, StandardCharsets.UTF_8));
        return new CliRun(code, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
    }

    private static Connection connect(String database, String application) throws SQLException {
        Properties p = new Properties();
        p.setProperty("user", "postgres");
        p.setProperty("ApplicationName", application);
        return DriverManager.getConnection("jdbc:postgresql://localhost:" + TestPostgres.port() + "/" + database, p);
    }

    private static long query(Connection c, String sql) throws SQLException {
        try (Statement st = c.createStatement(); ResultSet rs = st.executeQuery(sql)) {
            rs.next();
            return rs.getLong(1);
        }
    }

    private static void awaitTrue(String database, String sql) throws Exception {
        long deadline = System.nanoTime() + 60_000_000_000L;
        while (true) {
            try (Connection c = connect(database, "test-poll")) {
                if (query(c, "SELECT (" + sql + ")::int") == 1) {
                    return;
                }
            }
            if (System.nanoTime() > deadline) {
                throw new AssertionError("gave up waiting for: " + sql);
            }
            Thread.sleep(50);
        }
    }

    private static String database(String prefix, String... sql) {
        String db = SchemaRoundTrip.freshDatabase(prefix);
        SchemaRoundTrip.exec(db, sql);
        return db;
    }

    @Test
    void vacuumAnalyzeAndReindexReportEachTable() throws Exception {
        String db = database("cli_maint", "CREATE TABLE users (id int PRIMARY KEY, name text) WITH (autovacuum_enabled = false)",
                "CREATE TABLE activities (id int, user_id int)",
                "INSERT INTO users SELECT g, 'u' || g FROM generate_series(1, 3000) g", "DELETE FROM users WHERE id > 1000",
                "SELECT pg_stat_force_next_flush()");
        awaitTrue(db, "SELECT n_dead_tup >= 2000 FROM pg_stat_user_tables WHERE relname = 'users'");

        CliRun vacuum = CliRun.of(env(db), "maintain", "vacuum", "--analyze");
        assertThat(vacuum.exitCode()).as(vacuum.all()).isZero();
        assertThat(vacuum.out()).contains("VACUUM (ANALYZE) of 2 tables in " + db + " (lock timeout 5 s, statement"
                        + " timeout none)").contains("  users: done in ").contains("dead rows 2,000 -> 0")
                .contains("  activities: done in ").contains("Vacuum finished - done: 2 (");

        CliRun analyze = CliRun.of(env(db), "maintain", "analyze", "--table", "users", "--json");
        assertThat(analyze.exitCode()).as(analyze.all()).isZero();
        Map<String, Object> json = JSON.std.mapFrom(analyze.out());
        assertThat(json).containsEntry("operation", "analyze").containsEntry("complete", true);
        assertThat((List<?>) json.get("tables")).singleElement().asString().contains("table=users", "status=done");

        CliRun reindex = CliRun.of(env(db), "maintain", "reindex", "--table", "users");
        assertThat(reindex.exitCode()).as(reindex.all()).isZero();
        assertThat(reindex.out()).contains("REINDEX CONCURRENTLY of 1 table").contains("users: done in ")
                .contains("1 index ");

        CliRun missing = CliRun.of(env(db), "maintain", "vacuum", "--table", "nope");
        assertThat(missing.exitCode()).isEqualTo(2);
        assertThat(missing.err()).contains("There is no table or index nope").contains("Tables: activities, users");
    }

    @Test
    void aLockedTableIsSkippedAndTheExitCodeSaysSo() throws Exception {
        String db = database("cli_maint_lock", "CREATE TABLE users (id int)", "CREATE TABLE activities (id int)");
        try (Connection holder = connect(db, "bot")) {
            long pid = query(holder, "SELECT pg_backend_pid()");
            holder.setAutoCommit(false);
            try (Statement st = holder.createStatement()) {
                st.execute("LOCK TABLE activities IN ACCESS EXCLUSIVE MODE");
            }

            CliRun r = CliRun.of(env(db), "maintain", "analyze", "--lock-timeout", "1s");

            assertThat(r.exitCode()).as(r.all()).isEqualTo(18);
            assertThat(r.out()).contains("activities: skipped, a lock was not granted within 1 s: another session holds"
                    + " it (pid " + pid + ", user postgres, application 'bot', idle in transaction for ")
                    .contains("users: done in ").contains("done: 1, skipped: 1");
            holder.rollback();
        }
    }

    @Test
    void vacuumFullAsksForYesAndIsRefusedInProductionWithoutForce() throws Exception {
        String db = database("cli_maint_full", "CREATE TABLE messages (id int PRIMARY KEY, body text)",
                "INSERT INTO messages SELECT g, repeat('m', 300) FROM generate_series(1, 3000) g",
                "DELETE FROM messages WHERE id % 2 = 0");

        CliRun no = typing("no\n", env(db), "maintain", "vacuum-full");
        assertThat(no.exitCode()).isEqualTo(2);
        assertThat(no.err()).contains("VACUUM FULL rewrites each table").contains("ACCESS EXCLUSIVE")
                .contains("messages (").contains("Type yes to continue: ").contains("Cancelled; nothing was changed");
        assertThat(no.out()).doesNotContain("done in");

        CliRun nothingTyped = typing("", env(db), "maintain", "vacuum-full", "--table", "messages");
        assertThat(nothingTyped.exitCode()).isEqualTo(2);

        CliRun yes = typing("yes\n", env(db), "maintain", "vacuum-full");
        assertThat(yes.exitCode()).as(yes.all()).isZero();
        assertThat(yes.out()).contains("VACUUM FULL of 1 table").contains("messages: done in ")
                .contains("returned to the operating system");

        CliRun prod = CliRun.of(env(db, "BOTDB_ENV", "production"), "maintain", "vacuum-full", "--yes",
                "--allow-insecure");
        assertThat(prod.exitCode()).isEqualTo(2);
        assertThat(prod.err()).contains("Refusing vacuum-full under BOTDB_ENV=production").contains("--force");
        CliRun forced = CliRun.of(env(db, "BOTDB_ENV", "production"), "maintain", "vacuum-full", "--yes", "--force",
                "--allow-insecure");
        assertThat(forced.exitCode()).as(forced.all()).isZero();
    }

    @Test
    void reindexOfTheWholeDatabaseAsksFirst() {
        String db = database("cli_maint_reindex", "CREATE TABLE users (id int PRIMARY KEY)",
                "CREATE TABLE chats (id int PRIMARY KEY, owner int)", "CREATE INDEX chats_owner ON chats (owner)");

        CliRun no = typing("n\n", env(db), "maintain", "reindex");
        assertThat(no.exitCode()).isEqualTo(2);
        assertThat(no.err()).contains("REINDEX CONCURRENTLY builds each index anew").contains("every index of 2 tables");

        CliRun yes = CliRun.of(env(db), "maintain", "reindex", "--yes");
        assertThat(yes.exitCode()).as(yes.all()).isZero();
        assertThat(yes.out()).contains("chats: done in ").contains("2 indexes").contains("users: done in ");
    }

    @Test
    void killIdleEndsTheOldIdleSessionAndListsItFirstWithDryRun() throws Exception {
        String db = database("cli_maint_kill", "CREATE TABLE t (id int)");
        try (Connection idle = connect(db, "sleepy-bot")) {
            long pid = query(idle, "SELECT pg_backend_pid()");
            awaitTrue(db, "SELECT now() - state_change > interval '1 s' FROM pg_stat_activity WHERE pid = " + pid);

            CliRun dry = CliRun.of(env(db), "maintain", "kill-idle", "--older-than", "1s", "--dry-run");
            assertThat(dry.exitCode()).as(dry.all()).isZero();
            assertThat(dry.out()).contains("Would end sessions of postgresql://postgres@localhost:")
                    .contains("pid " + pid + " would end: user postgres, application 'sleepy-bot', client 127.0.0.1:")
                    .contains("last query: SELECT pg_backend_pid()").contains("Would end 1 session");

            CliRun json = CliRun.of(env(db), "maintain", "kill-idle", "--older-than", "1s", "--json");
            assertThat(json.exitCode()).as(json.all()).isZero();
            Map<String, Object> result = JSON.std.mapFrom(json.out());
            assertThat(result).containsEntry("database", db).containsEntry("complete", true);
            assertThat((List<?>) result.get("sessions")).singleElement().asString()
                    .contains("pid=" + pid, "outcome=ended", "application=sleepy-bot");
            try (Connection c = connect(db, "test")) {
                assertThat(query(c, "SELECT count(*) FROM pg_stat_activity WHERE pid = " + pid)).isZero();
            }
        }
        CliRun bad = CliRun.of(env(db), "maintain", "kill-idle", "--older-than", "five minutes");
        assertThat(bad.exitCode()).isEqualTo(2);
        assertThat(bad.err()).contains("--older-than 'five minutes' is not a duration");
    }

    @Test
    void sqliteHasVacuumAndIntegrityAndNoSessionsToKill() throws Exception {
        Path file = dir.resolve("bot.db");
        try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + file); Statement st = c.createStatement()) {
            st.execute("CREATE TABLE users (id INTEGER PRIMARY KEY, name TEXT)");
            st.execute("INSERT INTO users (name) VALUES ('ann'), ('bob')");
        }
        Map<String, String> sqlite = TestPostgres.env("sqlite:///" + file);

        CliRun vacuum = CliRun.of(sqlite, "maintain", "vacuum");
        assertThat(vacuum.exitCode()).as(vacuum.all()).isZero();
        assertThat(vacuum.out()).contains("rewrites the whole file").contains("bot.db: done in ");

        CliRun integrity = CliRun.of(sqlite, "maintain", "integrity");
        assertThat(integrity.exitCode()).as(integrity.all()).isZero();
        assertThat(integrity.out()).contains("integrity_check: ok");

        CliRun kill = CliRun.of(sqlite, "maintain", "kill-idle");
        assertThat(kill.exitCode()).isEqualTo(2);
        assertThat(kill.err()).contains("kill-idle does not apply to SQLite");
        assertThat(kill.out()).as("no header before the error").doesNotContain("sessions of");

        CliRun pgIntegrity = CliRun.of(env("postgres"), "maintain", "integrity");
        assertThat(pgIntegrity.exitCode()).isEqualTo(2);
        assertThat(pgIntegrity.err()).contains("does not apply to PostgreSQL").contains("botdb backup verify");

        CliRun none = CliRun.of(sqlite, "maintain");
        assertThat(none.exitCode()).isEqualTo(2);
        assertThat(none.err()).contains("kill-idle").contains("vacuum-full");
    }

    @Test
    void aTableOfAnotherOwnerIsReportedWithTheGrantThatAllowsIt() {
        TestPostgres.createUserWithDatabase("cli_maint_role", "role-pw", "cli_maint_role_db");
        SchemaRoundTrip.exec("cli_maint_role_db", "CREATE TABLE theirs (id int PRIMARY KEY)",
                "CREATE TABLE mine (id int PRIMARY KEY)", "ALTER TABLE mine OWNER TO cli_maint_role");
        Map<String, String> role = TestPostgres.env("postgres://cli_maint_role:role-pw@localhost:" + TestPostgres.port()
                + "/cli_maint_role_db");

        CliRun reindex = CliRun.of(role, "maintain", "reindex", "--yes");
        CliRun vacuum = CliRun.of(role, "maintain", "vacuum");

        assertThat(reindex.exitCode()).as(reindex.all()).isEqualTo(18);
        assertThat(reindex.out()).contains("mine: done in ").contains("theirs: not permitted, permission denied for"
                + " table theirs. Run it as the table's owner or a superuser, or: GRANT MAINTAIN ON public.theirs TO"
                + " cli_maint_role;").contains("done: 1, not permitted: 1");
        // the database's owner may still VACUUM every table of it
        assertThat(vacuum.exitCode()).as(vacuum.all()).isZero();
    }
}
