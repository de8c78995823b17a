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

    @BeforeEach
    void database() {
        String db = "cli_migrate_" + N.incrementAndGet();
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
        assertThat(no).isEqualTo(2);
        assertThat(err.toString(StandardCharsets.UTF_8)).contains("Type yes to continue").contains("Reset cancelled");

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
}
