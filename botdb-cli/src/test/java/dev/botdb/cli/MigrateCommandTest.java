package dev.botdb.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.jr.ob.JSON;
import dev.botdb.TestPostgres;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** migrate, status, validate, mark-applied, rollback, new and reset as an operator types them. */
class MigrateCommandTest {
    private static final AtomicInteger N = new AtomicInteger();

    @TempDir
    Path dir;

    private Map<String, String> env;
    private String db;

    @BeforeEach
    void database() {
        db = "cli_migrate_" + N.incrementAndGet();
        TestPostgres.createUserWithDatabase("cli_" + db, "Cl1-Pass", db);
        env = TestPostgres.env("postgres://cli_" + db + ":Cl1-Pass@localhost:" + TestPostgres.port() + "/" + db,
                "MIGRATIONS_PATH", dir.toString());
    }

    private void file(String name, String sql) throws Exception {
        Files.writeString(dir.resolve(name), sql);
    }

    @Test
    void migrateThenStatusShowsAppliedWithExecutedAtAndExitCodes() throws Exception {
        file("20240101_initial.sql", "CREATE TABLE users (id bigint PRIMARY KEY);");
        file("20240301_add_notes.sql", "CREATE TABLE notes (id bigint PRIMARY KEY);");

        CliRun pending = CliRun.of(env, "status");
        assertThat(pending.exitCode()).isEqualTo(12);
        assertThat(pending.out()).contains("20240101_initial.sql").contains("pending");

        CliRun up = CliRun.of(env, "up");
        assertThat(up.exitCode()).as(up.all()).isZero();
        assertThat(up.out()).contains("[Migrations] Found 2 migration files")
                .contains("[Migrations] Applying 20240101_initial.sql...")
                .contains("[Migrations] Migration complete - Applied: 2, Skipped: 0");

        CliRun status = CliRun.of(env, "status");
        assertThat(status.exitCode()).isZero();
        assertThat(status.out()).containsPattern("20240301_add_notes\\.sql\\s+\\| applied\\s+\\| 20\\d\\d-");

        CliRun json = CliRun.of(env, "status", "--json");
        List<Object> rows = JSON.std.listFrom(json.out());
        assertThat(rows).hasSize(2);
        @SuppressWarnings("unchecked")
        Map<String, Object> first = (Map<String, Object>) rows.get(0);
        assertThat(first).containsEntry("state", "applied").containsKey("executed_at");
        assertThat(CliRun.of(env, "validate").out()).contains("Validation passed: 2 migration files");
    }

    @Test
    void dryRunPrintsTheSqlAndChangesNothing() throws Exception {
        file("001_a.sql", "BEGIN;\nCREATE TABLE a (id int);\nCOMMIT;\n");
        CliRun dry = CliRun.of(env, "migrate", "--dry-run");
        assertThat(dry.exitCode()).as(dry.all()).isZero();
        assertThat(dry.out()).contains("-- 001_a.sql").contains("CREATE TABLE a (id int);")
                .doesNotContain("COMMIT;").contains("nothing was applied");
        assertThat(CliRun.of(env, "status").exitCode()).isEqualTo(12);
    }

    @Test
    void aFailedMigrationExits11WithFileLineAndSqlstate() throws Exception {
        file("001_a.sql", "CREATE TABLE a (id int);\nCREATE TABLE b (id int REFERENCES nowhere);\n");
        CliRun r = CliRun.of(env, "migrate");
        assertThat(r.exitCode()).isEqualTo(11);
        assertThat(r.err()).contains("001_a.sql line 2, statement 2 [SQLSTATE 42P01]").doesNotContain("\tat ");
    }

    @Test
    void markAppliedAndRollbackFromTheCommandLine() throws Exception {
        file("001_a.sql", "CREATE TABLE a (id int);");
        file("001_a.down.sql", "DROP TABLE a;");
        assertThat(CliRun.of(env, "mark-applied", "001_a.sql").exitCode()).isZero();
        assertThat(CliRun.of(env, "status").exitCode()).isZero();
        CliRun rollback = CliRun.of(env, "rollback");
        assertThat(rollback.exitCode()).as(rollback.all()).isEqualTo(11); // the table was never created
        assertThat(rollback.err()).contains("001_a.down.sql line 1");
        assertThat(CliRun.of(env, "migrate").exitCode()).isZero();
    }

    @Test
    void newCreatesAFileInMigrationsPath() {
        CliRun r = CliRun.of(env, "new", "add captcha");
        assertThat(r.exitCode()).isZero();
        assertThat(r.out()).startsWith("Created " + dir).contains("_add_captcha.sql");
    }

    @Test
    void resetAsksForYesAndIsRefusedInProductionWithoutForce() throws Exception {
        file("001_a.sql", "CREATE TABLE a (id int);");
        assertThat(CliRun.of(env, "migrate").exitCode()).isZero();

        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int no = Main.run(new String[] {"reset"}, env, new ByteArrayInputStream("no\n".getBytes(StandardCharsets.UTF_8)),
                new PrintStream(out, true, StandardCharsets.UTF_8), new PrintStream(err, true, StandardCharsets.UTF_8));
        assertThat(no).as("a cancelled reset is no failure: nothing was asked to change").isZero();
        assertThat(err.toString(StandardCharsets.UTF_8)).contains("Type yes to continue")
                .contains("Reset cancelled; nothing was changed.");
        assertThat(CliRun.of(env, "status").exitCode()).isZero();

        int yes = Main.run(new String[] {"reset"}, env, new ByteArrayInputStream("yes\n".getBytes(StandardCharsets.UTF_8)),
                new PrintStream(out, true, StandardCharsets.UTF_8), new PrintStream(err, true, StandardCharsets.UTF_8));
        assertThat(yes).isZero();
        assertThat(out.toString(StandardCharsets.UTF_8)).contains("Reset: dropped");

        Map<String, String> prod = new java.util.HashMap<>(env);
        prod.put("BOTDB_ENV", "production");
        CliRun refused = CliRun.of(prod, "reset", "--yes", "--allow-insecure");
        assertThat(refused.exitCode()).isEqualTo(2);
        assertThat(refused.err()).contains("Refusing to reset under BOTDB_ENV=production");
    }

    /** Runs statements as the database's owner (the role of DATABASE_URL). */
    private void asOwner(String... sql) throws Exception {
        try (Connection c = DriverManager.getConnection("jdbc:postgresql://localhost:" + TestPostgres.port() + "/" + db,
                "cli_" + db, "Cl1-Pass"); Statement st = c.createStatement()) {
            for (String s : sql) {
                st.execute(s);
            }
        }
    }

    private String columnsOfSchemaMigrations() throws Exception {
        try (Connection c = DriverManager.getConnection("jdbc:postgresql://localhost:" + TestPostgres.port() + "/" + db,
                "cli_" + db, "Cl1-Pass"); Statement st = c.createStatement();
             ResultSet rs = st.executeQuery("SELECT string_agg(column_name, ',' ORDER BY ordinal_position)"
                     + " FROM information_schema.columns WHERE table_name = 'schema_migrations'")) {
            rs.next();
            return rs.getString(1);
        }
    }

    @Test
    void statusValidateAndDryRunWorkOnAlitasOwnTableAndLeaveItUnchanged() throws Exception {
        String initial = "CREATE TABLE users (id bigint PRIMARY KEY);\n";
        file("20250805200527_initial_migration.sql", initial);
        file("20250901000000_add_notes.sql", "CREATE TABLE notes (id bigint PRIMARY KEY);\n");
        asOwner(initial, """
                CREATE TABLE IF NOT EXISTS schema_migrations (
                    version VARCHAR(255) PRIMARY KEY,
                    executed_at TIMESTAMP DEFAULT CURRENT_TIMESTAMP
                )""", "ALTER TABLE schema_migrations ADD COLUMN IF NOT EXISTS checksum VARCHAR(64)",
                "INSERT INTO schema_migrations (version, checksum) VALUES ('20250805200527_initial_migration.sql', '"
                        + HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256")
                        .digest(initial.getBytes(StandardCharsets.UTF_8))) + "')");

        CliRun status = CliRun.of(env, "status");
        assertThat(status.exitCode()).as(status.all()).isEqualTo(12);
        assertThat(status.out()).containsPattern("20250805200527_initial_migration\\.sql\\s+\\| applied")
                .containsPattern("20250901000000_add_notes\\.sql\\s+\\| pending");
        CliRun validate = CliRun.of(env, "validate");
        assertThat(validate.exitCode()).as(validate.all()).isZero();
        CliRun dry = CliRun.of(env, "migrate", "--dry-run");
        assertThat(dry.exitCode()).as(dry.all()).isZero();
        assertThat(dry.out()).contains("-- 20250901000000_add_notes.sql").doesNotContain("-- 20250805200527");
        assertThat(columnsOfSchemaMigrations()).isEqualTo("version,executed_at,checksum");

        CliRun up = CliRun.of(env, "migrate");
        assertThat(up.exitCode()).as(up.all()).isZero();
        assertThat(up.out()).contains("Applied: 1, Skipped: 1");
        assertThat(columnsOfSchemaMigrations()).isEqualTo("version,executed_at,checksum,duration_ms,success,error");
    }

    @Test
    void aNumberedPythonFileIsNamedByMigrateAndStatus() throws Exception {
        file("001_a.sql", "CREATE TABLE a (id int);");
        file("008_add_x.py", "def upgrade(conn): pass\n");
        CliRun up = CliRun.of(env, "migrate");
        assertThat(up.exitCode()).as(up.all()).isZero();
        assertThat(up.out()).contains("008_add_x.py");
        CliRun status = CliRun.of(env, "status");
        assertThat(status.err()).contains("008_add_x.py").contains("not run");
        CliRun json = CliRun.of(env, "status", "--json");
        assertThat(JSON.std.listFrom(json.out())).hasSize(1);
        assertThat(json.err()).contains("008_add_x.py");
    }

    @Test
    void repairSaysWhatWasNotAppliedAndStatusKeepsShowingIt() throws Exception {
        file("001_users.sql", "CREATE TABLE users (id int);\n");
        assertThat(CliRun.of(env, "migrate").exitCode()).isZero();
        file("001_users.sql", "CREATE TABLE users (id int);\nALTER TABLE users ADD COLUMN email text;\n");
        CliRun repair = CliRun.of(env, "repair");
        assertThat(repair.exitCode()).as(repair.all()).isZero();
        assertThat(repair.out()).contains("001_users.sql").contains("new content was not applied")
                .contains("botdb new").doesNotContain("accepted the changed file 001_users.sql (");
        CliRun status = CliRun.of(env, "status");
        assertThat(status.out()).contains("001_users.sql").contains("accepted by repair");
    }

    @Test
    void aPendingMigrationNeedingCreateNamesThePrivilegeAndTheStatementNotTheLock() throws Exception {
        String app = "app_" + db;
        TestPostgres.exec("DROP ROLE IF EXISTS " + app, "CREATE ROLE " + app + " LOGIN PASSWORD 'App-Pass1'");
        file("001_a.sql", "CREATE TABLE a (id int);");
        assertThat(CliRun.of(env, "migrate").exitCode()).isZero(); // the owner creates botdb_lock and schema_migrations
        asOwner("GRANT SELECT, INSERT, UPDATE, DELETE ON schema_migrations TO " + app);
        file("002_b.sql", "-- notes\nCREATE TABLE b (id int);\n");
        Map<String, String> appEnv = TestPostgres.env("postgres://" + app + ":App-Pass1@localhost:" + TestPostgres.port()
                + "/" + db, "MIGRATIONS_PATH", dir.toString());

        CliRun noLock = CliRun.of(appEnv, "migrate");
        assertThat(noLock.exitCode()).as(noLock.all()).isEqualTo(11);
        assertThat(noLock.err()).contains("may not use table botdb_lock, which exists")
                .contains("permission denied for table botdb_lock").doesNotContain("needs CREATE");
        String lockGrant = noLock.err().lines().filter(l -> l.strip().startsWith("GRANT ")).findFirst().orElseThrow().strip();
        assertThat(lockGrant).isEqualTo("GRANT SELECT, INSERT, UPDATE, DELETE ON botdb_lock TO " + app + ";");
        asOwner(lockGrant);

        CliRun r = CliRun.of(appEnv, "migrate");

        assertThat(r.exitCode()).as(r.all()).isEqualTo(11);
        assertThat(r.err()).contains("002_b.sql line 2, statement 1 [SQLSTATE 42501]: permission denied for schema public")
                .contains("CREATE TABLE b").contains(app + " lacks CREATE on schema public")
                .doesNotContain("migration lock").doesNotContain("\tat ");
        String grant = r.err().lines().filter(l -> l.strip().startsWith("GRANT ")).findFirst().orElseThrow().strip();
        assertThat(grant).isEqualTo("GRANT CREATE ON SCHEMA public TO " + app + ";");
        asOwner(grant);
        CliRun again = CliRun.of(appEnv, "migrate");
        assertThat(again.exitCode()).as(again.all()).isZero();
        assertThat(again.out()).contains("Applied: 1, Skipped: 1");
    }

    @Test
    void aNulByteExits10WithFileAndLineAndNoStackTrace() throws Exception {
        file("001_nul.sql", "CREATE TABLE a (id int);\nINSERT INTO a VALUES (1);\0\n");
        CliRun r = CliRun.of(env, "migrate");
        assertThat(r.exitCode()).as(r.all()).isEqualTo(10);
        assertThat(r.err()).contains("001_nul.sql").contains("line 2").doesNotContain("\tat ");
    }

    @Test
    void migrateStartsWithAlitasLineAndWarnsAboutADeletedAppliedFile() throws Exception {
        file("001_a.sql", "CREATE TABLE a (id int);");
        file("002_b.sql", "CREATE TABLE b (id int);");
        CliRun up = CliRun.of(env, "migrate");
        assertThat(up.out()).startsWith("[Migrations] Starting automatic database migration...\n");
        Files.delete(dir.resolve("001_a.sql"));
        CliRun again = CliRun.of(env, "migrate");
        assertThat(again.exitCode()).as(again.all()).isZero();
        assertThat(again.out()).contains("001_a.sql").contains("no file");
        assertThat(CliRun.of(env, "status").exitCode()).isEqualTo(13);
    }

    @Test
    void markAppliedTwiceSaysAlreadyAppliedAndTakesTheNameWithoutSql() throws Exception {
        file("001_a.sql", "CREATE TABLE a (id int);");
        CliRun first = CliRun.of(env, "mark-applied", "001_a");
        assertThat(first.exitCode()).as(first.all()).isZero();
        assertThat(first.out()).contains("Marked 001_a.sql as applied");
        CliRun second = CliRun.of(env, "mark-applied", "001_a.sql");
        assertThat(second.exitCode()).as(second.all()).isZero();
        assertThat(second.out()).contains("001_a.sql is already applied").doesNotContain("Marked");
    }

    @Test
    void rollbackWithoutADownFileExits11() throws Exception {
        file("001_a.sql", "CREATE TABLE a (id int);");
        assertThat(CliRun.of(env, "migrate").exitCode()).isZero();
        CliRun r = CliRun.of(env, "rollback");
        assertThat(r.exitCode()).as(r.all()).isEqualTo(11);
        assertThat(r.err()).contains("no 001_a.down.sql or 001_a.rollback.sql");
    }

    @Test
    void alitasHistoryAppliesWithWhatItsRunnerPassesOver() throws Exception {
        for (String name : List.of("20250101000001_types.sql", "20250101000002_members.sql",
                "20250101000003_supabase_export.sql", "20250101000004_drop_members.sql")) {
            try (java.io.InputStream in = MigrateCommandTest.class.getResourceAsStream("/alita/history/" + name)) {
                Files.write(dir.resolve(name), in.readAllBytes());
            }
        }

        CliRun up = CliRun.of(env, "migrate");

        assertThat(up.exitCode()).as(up.all()).isZero();
        assertThat(up.out()).contains("20250101000003_supabase_export.sql line 2: type chat_status already exists"
                        + " (SQLSTATE 42710); passed over, as Alita's runner does")
                .contains("line 4: constraint chat_users_chat_fk on public.chat_users already exists")
                .contains("Migration complete - Applied: 4");
        CliRun status = CliRun.of(env, "status");
        assertThat(status.exitCode()).as(status.all()).isZero();
    }
}
