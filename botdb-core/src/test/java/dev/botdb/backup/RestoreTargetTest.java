package dev.botdb.backup;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.botdb.BotDbException;
import dev.botdb.ErrorCode;
import dev.botdb.TestPostgres;
import dev.botdb.backup.schema.SchemaRoundTrip;
import dev.botdb.backup.tasks.Cleanups;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * What a restore does to its target: it does not race a bot still connected to it, never
 * writes into a template database, creates new databases from template0, treats as empty only
 * what its undo can rebuild, and finds a --table name the way backup --table reads it.
 */
class RestoreTargetTest {
    private static String source;

    @TempDir
    Path dir;

    private final List<String> log = new ArrayList<>();

    @BeforeAll
    static void buildSource() {
        SchemaRoundTrip.ensureRole();
        source = SchemaRoundTrip.freshDatabase("target_src");
        SchemaRoundTrip.exec(source, "CREATE TABLE messages (id bigint PRIMARY KEY, body text)",
                "INSERT INTO messages SELECT g, 'm' || g FROM generate_series(1, 5000) g",
                "CREATE TABLE \"odd.name\" (id int, \"we\"\"ird\" text)", "INSERT INTO \"odd.name\" VALUES (1, 'a'), (2, 'b')");
    }

    private Backups backups() {
        return Backups.of(BackupsTest.target(source), BackupSettings.of(dir), log::add);
    }

    private static long count(String database, String sql) throws SQLException {
        try (Connection c = TestPostgres.superuser(database); Statement st = c.createStatement();
             ResultSet rs = st.executeQuery(sql)) {
            rs.next();
            return rs.getLong(1);
        }
    }

    @Test
    void aRestoreIntoATemplateDatabaseIsRefused() throws Exception {
        BackupResult b = backups().backup();
        String tmpl = SchemaRoundTrip.freshDatabase("target_tmpl");
        try {
            SchemaRoundTrip.exec("postgres", "ALTER DATABASE " + tmpl + " IS_TEMPLATE true");
            assertThatThrownBy(() -> backups().restore(b.file(), new RestoreRequest(BackupsTest.target(tmpl), List.of(), true)))
                    .isInstanceOf(BotDbException.class)
                    .satisfies(e -> assertThat(((BotDbException) e).code()).isEqualTo(ErrorCode.RESTORE_REFUSED))
                    .hasMessageContaining("is a template database");
            assertThatThrownBy(() -> backups().restore(b.file(), BackupsTest.target("template1")))
                    .isInstanceOf(BotDbException.class)
                    .hasMessageContaining("template1: it is a template database");
            assertThat(count(tmpl, "SELECT count(*) FROM pg_class WHERE relname = 'messages'")).isZero();
        } finally {
            SchemaRoundTrip.exec("postgres", "ALTER DATABASE " + tmpl + " IS_TEMPLATE false");
        }
    }

    @Test
    void aDatabaseTheRestoreCreatesInheritsNothingPutIntoTemplate1() throws Exception {
        BackupResult b = backups().backup();
        String fresh = "target_new_" + ProcessHandle.current().pid();
        SchemaRoundTrip.exec("template1", "CREATE TABLE stray_in_template1 (id int)");
        try {
            backups().restore(b.file(), BackupsTest.target(fresh));
        } finally {
            SchemaRoundTrip.exec("template1", "DROP TABLE stray_in_template1");
        }
        assertThat(count(fresh, "SELECT count(*) FROM pg_class WHERE relname = 'stray_in_template1'")).isZero();
        assertThat(count(fresh, "SELECT count(*) FROM messages")).isEqualTo(5000);
    }

    @Test
    void anEmptySchemaOrAnExtensionIsNotTakenForAnEmptyDatabase() throws Exception {
        BackupResult b = backups().backup();
        String target = SchemaRoundTrip.freshDatabase("target_schema");
        SchemaRoundTrip.exec(target, "CREATE SCHEMA keep_me");

        assertThatThrownBy(() -> backups().restore(b.file(), BackupsTest.target(target)))
                .isInstanceOf(BotDbException.class)
                .satisfies(e -> assertThat(((BotDbException) e).code()).isEqualTo(ErrorCode.RESTORE_REFUSED))
                .hasMessageContaining("schema keep_me");
        assertThat(count(target, "SELECT count(*) FROM pg_namespace WHERE nspname = 'keep_me'")).isEqualTo(1);
    }

    @Test
    void aTableWhoseNameHoldsADotOrAQuoteComesBackAlone() throws Exception {
        BackupResult b = backups().backup();
        String target = SchemaRoundTrip.freshDatabase("target_odd");

        RestoreResult r = backups().restore(b.file(), new RestoreRequest(BackupsTest.target(target),
                List.of("\"odd.name\""), false));

        assertThat(r.rows()).isEqualTo(2);
        assertThat(count(target, "SELECT count(*) FROM public.\"odd.name\"")).isEqualTo(2);
    }

    @Test
    void aSessionStillConnectedIsNamedAndTheRestoreRefused() throws Exception {
        BackupResult b = backups().backup();
        String busy = SchemaRoundTrip.freshDatabase("target_busy");
        SchemaRoundTrip.exec(busy, "CREATE TABLE precious (id int)", "INSERT INTO precious VALUES (42)");
        try (Connection bot = TestPostgres.superuser(busy); Statement st = bot.createStatement()) {
            st.execute("SET application_name = 'the_bot'");
            assertThatThrownBy(() -> backups().restore(b.file(), new RestoreRequest(BackupsTest.target(busy), List.of(), true)))
                    .isInstanceOf(BotDbException.class)
                    .satisfies(e -> assertThat(((BotDbException) e).code()).isEqualTo(ErrorCode.RESTORE_REFUSED))
                    .hasMessageContaining("application the_bot")
                    .hasMessageContaining("`terminateSessions`");
        }
        assertThat(count(busy, "SELECT count(*) FROM precious")).isEqualTo(1);
        assertThat(count("postgres", "SELECT datconnlimit FROM pg_database WHERE datname = '" + busy + "'")).isEqualTo(-1);
    }

    @Test
    void terminateSessionsEndsAWriterStillInsertingAndNoneGetsInUntilTheRestoreIsDone() throws Exception {
        BackupResult b = backups().backup();
        String live = SchemaRoundTrip.freshDatabase("target_live");
        SchemaRoundTrip.exec(live, "CREATE TABLE messages (id bigint PRIMARY KEY, body text)",
                "INSERT INTO messages SELECT g, 'old' FROM generate_series(1, 100) g");
        AtomicLong written = new AtomicLong();
        AtomicReference<SQLException> ended = new AtomicReference<>();
        CountDownLatch writing = new CountDownLatch(1);
        Thread writer = new Thread(() -> {
            try (Connection bot = TestPostgres.superuser(live); Statement st = bot.createStatement()) {
                for (long id = 1_000_000; ; id++) {
                    st.execute("INSERT INTO messages VALUES (" + id + ", 'bot')");
                    written.incrementAndGet();
                    writing.countDown();
                }
            } catch (SQLException e) {
                ended.set(e);
            }
        });
        writer.start();
        writing.await();

        RestoreResult r = backups().restore(b.file(), new RestoreRequest(BackupsTest.target(live), List.of(), true, true));
        writer.join();

        assertThat(r.safetyBackup()).isPresent();
        assertThat((Object) ended.get()).isNotNull();
        assertThat(written.get()).isPositive();
        assertThat(count(live, "SELECT count(*) FROM messages")).isEqualTo(5000);
        assertThat(String.join("\n", log)).contains("Ended 1 session(s)");
        assertThat(count("postgres", "SELECT datconnlimit FROM pg_database WHERE datname = '" + live + "'")).isEqualTo(-1);
    }

    @Test
    void aScratchDatabaseLeftByAKilledVerifyIsDroppedByTheNextVerify() throws Exception {
        BackupResult b = backups().backup();
        Process gone = new ProcessBuilder("true").start();
        gone.waitFor();
        String orphan = "botdb_verify_" + gone.pid() + "_dead";
        String mine = "botdb_verify_" + ProcessHandle.current().pid() + "_alive";
        SchemaRoundTrip.exec("postgres", "DROP DATABASE IF EXISTS " + orphan, "CREATE DATABASE " + orphan,
                "COMMENT ON DATABASE " + orphan + " IS 'botdb verify scratch of pid " + gone.pid() + " started "
                        + gone.info().startInstant().map(Object::toString).orElse("?") + " on "
                        + java.net.InetAddress.getLocalHost().getHostName() + "'",
                "DROP DATABASE IF EXISTS " + mine, "CREATE DATABASE " + mine,
                "COMMENT ON DATABASE " + mine + " IS '" + Cleanups.mark(Verifier.SCRATCH, ProcessHandle.current()) + "'");
        try {
            VerifyResult v = backups().verify(b.file());

            assertThat(v.problems()).isEmpty();
            assertThat(count("postgres", "SELECT count(*) FROM pg_database WHERE datname = '" + orphan + "'")).isZero();
            assertThat(count("postgres", "SELECT count(*) FROM pg_database WHERE datname = '" + mine + "'")).isEqualTo(1);
            assertThat(count("postgres", "SELECT count(*) FROM pg_database WHERE datname LIKE 'botdb_verify_"
                    + ProcessHandle.current().pid() + "_%' AND datname <> '" + mine + "'")).isZero();
        } finally {
            SchemaRoundTrip.exec("postgres", "DROP DATABASE IF EXISTS " + mine);
        }
    }

    @Test
    void aRestoreKilledHalfWayLeavesAMarkTheNextRestoreNamesWithItsSafetyBackup() throws Exception {
        BackupResult b = backups().backup();
        Process gone = new ProcessBuilder("true").start();
        gone.waitFor();
        String target = SchemaRoundTrip.freshDatabase("target_killed");
        SchemaRoundTrip.exec(target, "CREATE TABLE messages (id bigint)");
        String mark = "botdb restore in progress of pid " + gone.pid() + " started "
                + gone.info().startInstant().map(Object::toString).orElse("?") + " on "
                + java.net.InetAddress.getLocalHost().getHostName() + "; safety backup: /backups/pre-restore-x.botdb";
        SchemaRoundTrip.exec("postgres", "COMMENT ON DATABASE " + target + " IS '" + mark + "'");

        assertThatThrownBy(() -> backups().restore(b.file(), BackupsTest.target(target)))
                .isInstanceOf(BotDbException.class)
                .satisfies(e -> assertThat(((BotDbException) e).code()).isEqualTo(ErrorCode.RESTORE_REFUSED))
                .hasMessageContaining("was killed half way")
                .hasMessageContaining("/backups/pre-restore-x.botdb");

        backups().restore(b.file(), new RestoreRequest(BackupsTest.target(target), List.of(), true));
        assertThat(count(target, "SELECT count(*) FROM messages")).isEqualTo(5000);
        assertThat(count("postgres", "SELECT count(shobj_description(oid, 'pg_database')) FROM pg_database"
                + " WHERE datname = '" + target + "'")).isZero();
    }
}
