package dev.botdb.doctor;

import static org.assertj.core.api.Assertions.assertThat;

import dev.botdb.BotDb;
import dev.botdb.TestPostgres;
import dev.botdb.config.BotDbConfig;
import dev.botdb.doctor.DoctorCheck.Status;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code botdb doctor}'s links against the shared test PostgreSQL (15) and SQLite files: each
 * broken link is produced for real and must be the one named, with its exit code and fix.
 */
class DoctorTest {
    private static final String PASSWORD = "Doct0r-Pass";
    private static final List<String> PG_LINKS = List.of("configuration", "host", "server", "ssl", "authentication",
            "database", "connection slots", "migration privileges", "migrations", "pool size");

    @TempDir
    Path dir;

    @BeforeAll
    static void databases() {
        TestPostgres.createUserWithDatabase("doctor_bot", PASSWORD, "doctor_db");
        TestPostgres.exec("DROP DATABASE IF EXISTS doctor_ro_db", "DROP ROLE IF EXISTS doctor_ro",
                "CREATE ROLE doctor_ro LOGIN PASSWORD '" + PASSWORD + "'", "CREATE DATABASE doctor_ro_db");
        // PostgreSQL 15+ does this by default; said here so the test means the same on 14
        exec("doctor_ro_db", "REVOKE CREATE ON SCHEMA public FROM PUBLIC");
    }

    private static void exec(String database, String... sql) {
        try (Connection c = TestPostgres.superuser(database); Statement st = c.createStatement()) {
            for (String s : sql) {
                st.execute(s);
            }
        } catch (java.sql.SQLException e) {
            throw new IllegalStateException(e);
        }
    }

    private static String url(String user, String password, int port, String database, String query) {
        return "postgres://" + user + ":" + password + "@localhost:" + port + "/" + database + query;
    }

    private static String botUrl() {
        return url("doctor_bot", PASSWORD, TestPostgres.port(), "doctor_db", "");
    }

    private DoctorReport doctor(String databaseUrl, String... more) {
        return Doctor.fromEnv(TestPostgres.env(databaseUrl, more)).slotRetries(1, java.time.Duration.ZERO).run();
    }

    private Path migrations(String... nameAndSql) throws Exception {
        Path folder = Files.createDirectories(dir.resolve("migrations"));
        for (int i = 0; i + 1 < nameAndSql.length; i += 2) {
            Files.writeString(folder.resolve(nameAndSql[i]), nameAndSql[i + 1], StandardCharsets.UTF_8);
        }
        return folder;
    }

    private static void migrate(String databaseUrl, Path folder) {
        Map<String, String> env = TestPostgres.env(databaseUrl, "MIGRATIONS_PATH", folder.toString());
        try (BotDb db = BotDb.open(BotDbConfig.fromEnv(env))) {
            db.migrate();
        }
    }

    /** Every detail and fix, as a reader of the report would see them. */
    private static String text(DoctorReport r) {
        return r.target() + "\n" + r.checks().stream().map(c -> c.name() + " " + c.statusWord() + " " + c.detail()
                + (c.fix() == null ? "" : " FIX " + c.fix())).collect(Collectors.joining("\n"));
    }

    private static DoctorCheck check(DoctorReport r, String name) {
        return r.check(name).orElseThrow(() -> new AssertionError("no check " + name + " in\n" + text(r)));
    }

    private static void assertSkippedAfter(DoctorReport r, String broken) {
        List<DoctorCheck> checks = r.checks();
        int at = checks.indexOf(check(r, broken));
        assertThat(checks.subList(at + 1, checks.size())).isNotEmpty()
                .allSatisfy(c -> {
                    assertThat(c.status()).isEqualTo(Status.SKIPPED);
                    assertThat(c.detail()).isEqualTo("not checked: " + broken + " failed first");
                });
    }

    @Test
    void aHealthyDatabaseWithItsMigrationsAppliedPassesEveryLink() throws Exception {
        Path folder = migrations("001_users.sql", "CREATE TABLE doctor_users (id bigserial PRIMARY KEY, name text);");
        migrate(botUrl(), folder);

        DoctorReport r = doctor(botUrl(), "MIGRATIONS_PATH", folder.toString());

        assertThat(r.checks()).extracting(DoctorCheck::name).containsExactlyElementsOf(PG_LINKS);
        assertThat(r.checks()).as(text(r)).allSatisfy(c -> assertThat(c.status()).isEqualTo(Status.OK));
        assertThat(r.ok()).isTrue();
        assertThat(r.exitCode()).isZero();
        assertThat(check(r, "migrations").detail()).startsWith("1 applied, none pending");
        assertThat(check(r, "migration privileges").detail()).contains("doctor_bot can CREATE in schema public");
        assertThat(check(r, "authentication").detail()).isEqualTo("logged in as doctor_bot");
        assertThat(check(r, "configuration").detail()).contains("password from DATABASE_URL");
        assertThat(text(r)).doesNotContain(PASSWORD);
        assertThat(r.summary()).isEqualTo("Doctor: all 10 checks ok");
    }

    @Test
    void doctorLogsInOnceWhereOtherCommandsWouldRetryFiveTimes() throws Exception {
        // a port that accepts and hangs up at once: the login fails the retryable way each time
        try (java.net.ServerSocket hangUp = new java.net.ServerSocket(0, 50, java.net.InetAddress.getLoopbackAddress())) {
            java.util.concurrent.atomic.AtomicInteger accepted = new java.util.concurrent.atomic.AtomicInteger();
            Thread t = new Thread(() -> {
                while (!hangUp.isClosed()) {
                    try (java.net.Socket s = hangUp.accept()) {
                        accepted.incrementAndGet();
                    } catch (java.io.IOException e) {
                        return;
                    }
                }
            });
            t.setDaemon(true);
            t.start();
            List<String> progress = new java.util.concurrent.CopyOnWriteArrayList<>();
            DoctorReport r = Doctor.fromEnv(TestPostgres.env(url("doctor_bot", PASSWORD, hangUp.getLocalPort(),
                    "doctor_db", ""), "BOTDB_CONNECT_ATTEMPTS", "5")).progress(progress::add).run();

            assertThat(r.exitCode()).isNotZero();
            assertThat(progress).noneMatch(l -> l.contains("retrying"));
            // one TCP probe and one login
            assertThat(accepted.get()).isEqualTo(2);
        }
    }

    @Test
    void aClosedPortIsConnectionRefusedWithTheServerAndComposeHints() {
        int port = TestPostgres.closedPort();
        DoctorReport r = doctor(url("doctor_bot", PASSWORD, port, "doctor_db", ""));

        DoctorCheck server = check(r, "server");
        assertThat(server.status()).isEqualTo(Status.PROBLEM);
        assertThat(server.detail()).startsWith("connection refused (localhost:" + port + ")");
        assertThat(server.fix()).contains("Is PostgreSQL running").contains("firewall allow port " + port)
                .contains("service name");
        assertThat(check(r, "host").status()).isEqualTo(Status.OK);
        assertSkippedAfter(r, "server");
        assertThat(r.exitCode()).isEqualTo(4);
        assertThat(text(r)).doesNotContain(PASSWORD);
    }

    @Test
    void anUnresolvableHostIsTheFirstBrokenLink() {
        DoctorReport r = doctor("postgres://doctor_bot:" + PASSWORD + "@no-such-db-host.invalid:5432/doctor_db");

        DoctorCheck host = check(r, "host");
        assertThat(host.status()).isEqualTo(Status.PROBLEM);
        assertThat(host.detail()).isEqualTo("host 'no-such-db-host.invalid' could not be resolved (host from"
                + " DATABASE_URL)");
        assertThat(host.fix()).contains("Docker Compose").contains("service name");
        assertSkippedAfter(r, "host");
        assertThat(r.exitCode()).isEqualTo(4);
    }

    @Test
    void aWrongPasswordIsAnAuthenticationProblemAndNeverShown() {
        String wrong = "Wr0ng-Secret-77";
        DoctorReport r = doctor(url("doctor_bot", wrong, TestPostgres.port(), "doctor_db", ""));

        DoctorCheck auth = check(r, "authentication");
        assertThat(auth.status()).isEqualTo(Status.PROBLEM);
        assertThat(auth.detail()).contains("password authentication failed for user \"doctor_bot\"")
                .contains("the password came from DATABASE_URL");
        assertThat(auth.fix()).contains("pg_hba.conf").contains("\\password doctor_bot")
                .contains("ALTER ROLE doctor_bot PASSWORD");
        assertThat(check(r, "ssl").status()).isEqualTo(Status.OK);
        assertSkippedAfter(r, "authentication");
        assertThat(r.exitCode()).isEqualTo(5);
        assertThat(text(r)).doesNotContain(wrong).doesNotContain(PASSWORD);
    }

    @Test
    void aDatabaseLeftHalfRestoredByAKilledRestoreIsAProblemNamingTheSafetyBackup() throws Exception {
        TestPostgres.exec("DROP DATABASE IF EXISTS doctor_half", "CREATE DATABASE doctor_half OWNER doctor_bot");
        Process gone = new ProcessBuilder("true").start();
        gone.waitFor();
        // what botdb restore writes into its target until it is done or undone (a SIGKILL leaves it)
        String mark = "botdb restore in progress of pid " + gone.pid() + " started "
                + gone.info().startInstant().map(Object::toString).orElse("?") + " on "
                + java.net.InetAddress.getLocalHost().getHostName() + "; safety backup: /backups/pre-restore-x.botdb";
        TestPostgres.exec("COMMENT ON DATABASE doctor_half IS '" + mark + "'");

        DoctorReport r = doctor(url("doctor_bot", PASSWORD, TestPostgres.port(), "doctor_half", ""));

        DoctorCheck db = check(r, "database");
        assertThat(db.status()).as(text(r)).isEqualTo(Status.PROBLEM);
        assertThat(db.detail()).contains("killed half way");
        assertThat(db.fix()).contains("botdb restore /backups/pre-restore-x.botdb --force");
        assertThat(r.exitCode()).isEqualTo(20);

        // a restore still running (this process) is not reported
        String running = "botdb restore in progress of pid " + ProcessHandle.current().pid() + " started "
                + ProcessHandle.current().info().startInstant().map(Object::toString).orElse("?") + " on "
                + java.net.InetAddress.getLocalHost().getHostName() + "; safety backup: none";
        TestPostgres.exec("COMMENT ON DATABASE doctor_half IS '" + running + "'");
        assertThat(check(doctor(url("doctor_bot", PASSWORD, TestPostgres.port(), "doctor_half", "")), "database")
                .status()).isEqualTo(Status.OK);
    }

    @Test
    void aMissingDatabaseGetsTheExactCreatedbLine() {
        DoctorReport r = doctor(url("doctor_bot", PASSWORD, TestPostgres.port(), "doctor_nowhere", ""));

        DoctorCheck db = check(r, "database");
        assertThat(db.status()).isEqualTo(Status.PROBLEM);
        assertThat(db.detail()).startsWith("database \"doctor_nowhere\" does not exist");
        assertThat(db.fix()).contains("createdb -h localhost -p " + TestPostgres.port() + " -U doctor_bot doctor_nowhere");
        assertThat(check(r, "authentication").status()).isEqualTo(Status.OK);
        assertSkippedAfter(r, "database");
        assertThat(r.exitCode()).isEqualTo(6);
    }

    @Test
    void sslRequiredByTheClientButOffOnTheServerIsAnSslProblem() {
        DoctorReport r = doctor(url("doctor_bot", PASSWORD, TestPostgres.port(), "doctor_db", "?sslmode=require"));

        DoctorCheck ssl = check(r, "ssl");
        assertThat(ssl.status()).isEqualTo(Status.PROBLEM);
        assertThat(ssl.detail()).contains("the server does not support SSL, but sslmode=require requires it");
        assertThat(ssl.fix()).contains("ssl = on").contains("sslmode=prefer or disable");
        assertThat(check(r, "server").status()).isEqualTo(Status.OK);
        assertSkippedAfter(r, "ssl");
        assertThat(r.exitCode()).isEqualTo(4);
    }

    @Test
    void anInvalidConfigurationStopsBeforeAnyConnection() {
        DoctorReport r = doctor("postgres://doctor_bot:p@ss@localhost/doctor_db?sslmode=sometimes");

        assertThat(r.checks()).hasSize(1);
        DoctorCheck config = check(r, "configuration");
        assertThat(config.status()).isEqualTo(Status.PROBLEM);
        assertThat(config.fix()).contains("botdb config");
        assertThat(r.exitCode()).isEqualTo(3);
        assertThat(r.engine()).isEqualTo("unknown");
    }

    @Test
    void anUnencryptedRemoteConnectionInProductionIsAConfigurationProblemUnlessAllowed() {
        String remote = "postgres://doctor_bot:" + PASSWORD + "@db.example.invalid:5432/doctor_db?sslmode=prefer";
        DoctorReport r = doctor(remote, "BOTDB_ENV", "production");

        DoctorCheck config = check(r, "configuration");
        assertThat(config.status()).isEqualTo(Status.PROBLEM);
        assertThat(config.detail()).startsWith("Refusing an unencrypted connection under BOTDB_ENV=production");
        assertThat(config.fix()).contains("sslmode=require").contains("--allow-insecure");
        assertSkippedAfter(r, "configuration");
        assertThat(r.exitCode()).isEqualTo(7);

        DoctorReport allowed = Doctor.fromEnv(TestPostgres.env(remote, "BOTDB_ENV", "production"), true).run();
        assertThat(check(allowed, "configuration").status()).isEqualTo(Status.OK);
        assertThat(allowed.problem().orElseThrow().name()).isEqualTo("host");
    }

    @Test
    void aRoleThatCannotCreateInTheSchemaIsAPrivilegeProblemWhileMigrationsArePending() throws Exception {
        Path folder = migrations("001_users.sql", "CREATE TABLE doctor_ro_users (id int);");
        DoctorReport r = doctor(url("doctor_ro", PASSWORD, TestPostgres.port(), "doctor_ro_db", ""),
                "MIGRATIONS_PATH", folder.toString());

        DoctorCheck privileges = check(r, "migration privileges");
        assertThat(privileges.status()).as(text(r)).isEqualTo(Status.PROBLEM);
        assertThat(privileges.detail()).contains("doctor_ro cannot CREATE in schema public (owner pg_database_owner,"
                + " i.e. postgres), and 1 migrations are pending: they would fail with 'permission denied for schema"
                + " public'");
        assertThat(privileges.fix()).contains("GRANT CREATE ON SCHEMA public TO doctor_ro;")
                .contains("botdb provision");
        assertSkippedAfter(r, "migration privileges");
        assertThat(r.exitCode()).isEqualTo(19);
    }

    @Test
    void aReadWriteRoleIsFineWhenNoMigrationIsPending() throws Exception {
        DoctorReport r = doctor(url("doctor_ro", PASSWORD, TestPostgres.port(), "doctor_ro_db", ""),
                "MIGRATIONS_PATH", dir.resolve("no-such-folder").toString());

        assertThat(check(r, "migration privileges").status()).as(text(r)).isEqualTo(Status.OK);
        assertThat(check(r, "migration privileges").detail()).isEqualTo("doctor_ro cannot CREATE in schema public"
                + " (owner pg_database_owner, i.e. postgres): a read/write role, fine while no migration is pending (no"
                + " migrations folder here); new migrations must run as postgres; CREATE on database no (owner postgres)");
        assertThat(check(r, "migrations").status()).isEqualTo(Status.SKIPPED);
        assertThat(check(r, "migrations").detail()).startsWith("no migrations folder");
        assertThat(r.exitCode()).as(text(r)).isZero();
    }

    @Test
    void aMigrationChangedAfterItWasAppliedIsDriftWithTheWaysOut() throws Exception {
        TestPostgres.createUserWithDatabase("doctor_drift", PASSWORD, "doctor_drift_db");
        String driftUrl = url("doctor_drift", PASSWORD, TestPostgres.port(), "doctor_drift_db", "");
        Path folder = migrations("001_a.sql", "CREATE TABLE a (id int);", "002_b.sql", "CREATE TABLE b (id int);");
        migrate(driftUrl, folder);
        Files.writeString(folder.resolve("001_a.sql"), "CREATE TABLE a (id bigint);");

        DoctorReport r = doctor(driftUrl, "MIGRATIONS_PATH", folder.toString());

        DoctorCheck m = check(r, "migrations");
        assertThat(m.status()).isEqualTo(Status.PROBLEM);
        assertThat(m.detail()).startsWith("1 of 2 migrations are not as applied: 001_a.sql changed (stored ");
        assertThat(m.fix()).contains("revert the change").contains("botdb repair");
        assertThat(check(r, "migration privileges").status()).isEqualTo(Status.OK);
        assertSkippedAfter(r, "migrations");
        assertThat(r.exitCode()).isEqualTo(13);
    }

    @Test
    void aPoolLargerThanTheServerAllowsIsNamedWithTheArithmetic() throws Exception {
        int max;
        try (Connection c = TestPostgres.superuser("postgres"); Statement st = c.createStatement();
             ResultSet rs = st.executeQuery("SELECT current_setting('max_connections')::int"
                     + " - current_setting('superuser_reserved_connections')::int")) {
            rs.next();
            max = rs.getInt(1);
        }
        DoctorReport r = doctor(botUrl(), "DB_MAX_OPEN_CONNS", Integer.toString(max + 1));

        DoctorCheck pool = check(r, "pool size");
        assertThat(pool.status()).as(text(r)).isEqualTo(Status.PROBLEM);
        assertThat(pool.detail()).contains("the pool opens up to " + (max + 1) + " connections (DB_MAX_OPEN_CONNS),"
                + " more than the server allows doctor_bot in all: max_connections ")
                .contains("superuser_reserved_connections").endsWith("= " + max);
        assertThat(pool.fix()).startsWith("Lower DB_MAX_OPEN_CONNS (or PG_POOL_SIZE + PG_MAX_OVERFLOW) to at most "
                + max);
        assertThat(r.exitCode()).isEqualTo(20);
    }

    @Test
    void aRoleThatUsedUpItsOwnConnectionLimitIsASlotsProblemNamingTheLimit() throws Exception {
        DoctorCheck slots = slotsWithOneHeld("doctor_full", "ALTER ROLE doctor_full CONNECTION LIMIT 1");
        assertThat(slots.detail()).contains("too many connections for role")
                .contains("has used up its own CONNECTION LIMIT (rolconnlimit)");
        assertThat(slots.fix()).contains("botdb maintain kill-idle");
    }

    @Test
    void aDatabaseWhoseConnectionLimitIsUsedUpIsASlotsProblemNamingTheLimit() throws Exception {
        DoctorCheck slots = slotsWithOneHeld("doctor_dblimit", "ALTER DATABASE doctor_dblimit_db CONNECTION LIMIT 1");
        assertThat(slots.detail()).contains("too many connections for database")
                .contains("CONNECTION LIMIT (datconnlimit) is used up");
    }

    /** Doctor as {@code role} on its own database while one session of it is held under {@code limit}: the slots link. */
    private DoctorCheck slotsWithOneHeld(String role, String limit) throws Exception {
        String db = role + "_db";
        TestPostgres.createUserWithDatabase(role, PASSWORD, db);
        TestPostgres.exec(limit);
        try (java.sql.Connection held = java.sql.DriverManager.getConnection("jdbc:postgresql://localhost:"
                + TestPostgres.port() + "/" + db, role, PASSWORD)) {
            DoctorReport r = doctor(url(role, PASSWORD, TestPostgres.port(), db, ""));
            DoctorCheck slots = check(r, "connection slots");
            assertThat(slots.status()).as(text(r)).isEqualTo(Status.PROBLEM);
            assertThat(r.exitCode()).isEqualTo(20);
            assertSkippedAfter(r, "connection slots");
            assertThat(held.isValid(1)).as("the held session is untouched").isTrue();
            return slots;
        }
    }

    @Test
    void aPoolLargerThanTheRolesConnectionLimitIsNamed() {
        TestPostgres.createUserWithDatabase("doctor_limited", PASSWORD, "doctor_limited_db");
        TestPostgres.exec("ALTER ROLE doctor_limited CONNECTION LIMIT 3");

        DoctorReport r = doctor(url("doctor_limited", PASSWORD, TestPostgres.port(), "doctor_limited_db", ""));

        DoctorCheck pool = check(r, "pool size");
        assertThat(pool.status()).as(text(r)).isEqualTo(Status.PROBLEM);
        assertThat(pool.detail()).isEqualTo("the pool opens up to 10 connections (default), but role doctor_limited"
                + " may open only 3 (its CONNECTION LIMIT, rolconnlimit)");
        assertThat(pool.fix()).contains("ALTER ROLE doctor_limited CONNECTION LIMIT 10;");
        assertThat(r.exitCode()).isEqualTo(20);
    }

    @Test
    void aSqliteFileInAWritableFolderPassesAndSaysWhichLinksDoNotApply() throws Exception {
        Path folder = migrations("001_notes.sql", "CREATE TABLE notes (id INTEGER PRIMARY KEY, body TEXT);");
        Path db = dir.resolve("data/bot.db");
        migrate("sqlite:///" + db, folder);

        DoctorReport r = doctor("sqlite:///" + db, "MIGRATIONS_PATH", folder.toString());

        assertThat(r.engine()).isEqualTo("sqlite");
        assertThat(r.checks()).extracting(DoctorCheck::name).containsExactly("configuration", "file", "open",
                "journal mode", "integrity", "migrations", "postgresql-only checks");
        assertThat(r.checks().subList(0, 6)).as(text(r)).allSatisfy(c -> assertThat(c.status()).isEqualTo(Status.OK));
        assertThat(check(r, "journal mode").detail()).startsWith("wal");
        assertThat(check(r, "integrity").detail()).isEqualTo("PRAGMA quick_check: ok");
        assertThat(check(r, "migrations").detail()).startsWith("1 applied, none pending");
        DoctorCheck pgOnly = check(r, "postgresql-only checks");
        assertThat(pgOnly.status()).isEqualTo(Status.SKIPPED);
        assertThat(pgOnly.detail()).contains("ssl, authentication").contains("pool size are PostgreSQL's");
        assertThat(r.exitCode()).isZero();
    }

    @Test
    void aSqliteFileInAFolderThatCannotBeWrittenIsAFileProblem() throws Exception {
        // root passes every permission check, so as root the folder is one no one can write: /proc
        boolean root = "root".equals(System.getProperty("user.name"));
        Path folder = root ? Path.of("/proc") : Files.createDirectories(dir.resolve("readonly"));
        if (!root) {
            Files.setPosixFilePermissions(folder, java.nio.file.attribute.PosixFilePermissions.fromString("r-xr-xr-x"));
        }
        DoctorReport r = doctor("sqlite:///" + folder.resolve("bot.db"));

        DoctorCheck file = check(r, "file");
        assertThat(file.status()).as(text(r)).isEqualTo(Status.PROBLEM);
        assertThat(file.detail()).startsWith("the folder " + folder + " is not writable (");
        assertThat(file.fix()).contains("-wal").contains("chown or chmod");
        assertSkippedAfter(r, "file");
        assertThat(r.exitCode()).isEqualTo(4);
        assertThat(Files.exists(folder.resolve("bot.db"))).isFalse();
    }

    @Test
    void aFileThatIsNotASqliteDatabaseCannotBeOpened() throws Exception {
        Path notDb = dir.resolve("bot.db");
        Files.write(notDb, "this is not a database, it is a text file that is long enough to be read".repeat(20)
                .getBytes(StandardCharsets.UTF_8));

        DoctorReport r = doctor("sqlite:///" + notDb);

        DoctorCheck problem = r.problem().orElseThrow(() -> new AssertionError(text(r)));
        assertThat(problem.name()).isEqualTo("open");
        assertThat(problem.detail()).startsWith("SQLite could not open " + notDb).contains("not a database");
        assertThat(r.exitCode()).isEqualTo(4);
    }
}
