package dev.botdb.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.jr.ob.JSON;
import dev.botdb.TestPostgres;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code botdb doctor} as an operator types it, against the CLI's test server (PostgreSQL 18) and SQLite. */
class DoctorCommandTest {
    private static final String PASSWORD = "Doct0r-Cli-Pw";

    @TempDir
    Path dir;

    @BeforeAll
    static void user() {
        TestPostgres.createUserWithDatabase("doctor_cli", PASSWORD, "doctor_cli_db");
    }

    private static String url(int port, String password, String database) {
        return "postgres://doctor_cli:" + password + "@localhost:" + port + "/" + database;
    }

    private Map<String, String> env(String databaseUrl) {
        return TestPostgres.env(databaseUrl, "MIGRATIONS_PATH", dir.resolve("migrations").toString());
    }

    @Test
    void aHealthyDatabasePrintsALinePerLinkAndExitsZero() throws Exception {
        Files.createDirectories(dir.resolve("migrations"));
        Files.writeString(dir.resolve("migrations/001_users.sql"), "CREATE TABLE users (id bigserial PRIMARY KEY);");
        Map<String, String> env = env(url(TestPostgres.port(), PASSWORD, "doctor_cli_db"));
        assertThat(CliRun.of(env, "migrate").exitCode()).isZero();

        CliRun r = CliRun.of(env, "doctor");

        assertThat(r.exitCode()).as(r.all()).isZero();
        assertThat(r.out()).startsWith("botdb doctor: postgresql://doctor_cli@localhost:" + TestPostgres.port()
                + "/doctor_cli_db\n");
        assertThat(r.out().lines().filter(l -> l.startsWith("  ok       ")).toList()).hasSize(10);
        assertThat(r.out()).contains("  ok       authentication         logged in as doctor_cli\n")
                .contains("  ok       migrations             1 applied, none pending")
                .endsWith("Doctor: all 10 checks ok\n")
                .doesNotContain("Fix (");
        assertThat(r.all()).doesNotContain(PASSWORD);
    }

    @Test
    void aWrongPasswordExitsFiveWithTheFixAndNeverShowsThePassword() {
        CliRun r = CliRun.of(env(url(TestPostgres.port(), "Not-The-Password-9", "doctor_cli_db")), "doctor");

        assertThat(r.exitCode()).as(r.all()).isEqualTo(5);
        assertThat(r.out()).contains("  problem  authentication         password authentication failed for user"
                        + " \"doctor_cli\"")
                .contains("  skipped  database               not checked: authentication failed first")
                .contains("Fix (authentication): Check the user and password in DATABASE_URL")
                .endsWith("Doctor: authentication is broken (exit 5); 4 ok, 5 skipped\n");
        assertThat(r.all()).doesNotContain("Not-The-Password-9");
    }

    @Test
    void aMissingDatabaseExitsSixWithTheCreatedbLine() {
        CliRun r = CliRun.of(env(url(TestPostgres.port(), PASSWORD, "doctor_cli_nowhere")), "doctor");

        assertThat(r.exitCode()).as(r.all()).isEqualTo(6);
        assertThat(r.out()).contains("Fix (database): Create it: createdb -h localhost -p " + TestPostgres.port()
                + " -U doctor_cli doctor_cli_nowhere");
    }

    @Test
    void jsonNamesTheBrokenLinkAndItsExitCode() throws Exception {
        int port = TestPostgres.closedPort();
        CliRun r = CliRun.of(env(url(port, PASSWORD, "doctor_cli_db")), "doctor", "--json");

        assertThat(r.exitCode()).as(r.all()).isEqualTo(4);
        Map<String, Object> json = JSON.std.mapFrom(r.out());
        assertThat(json).containsEntry("ok", false).containsEntry("exit_code", 4).containsEntry("problem", "server")
                .containsEntry("engine", "postgresql");
        assertThat((String) json.get("fix")).contains("Is PostgreSQL running");
        @SuppressWarnings("unchecked")
        List<Map<String, Object>> checks = (List<Map<String, Object>>) json.get("checks");
        assertThat(checks).extracting(c -> c.get("name") + "=" + c.get("status")).containsExactly(
                "configuration=ok", "host=ok", "server=problem", "ssl=skipped", "authentication=skipped",
                "database=skipped", "connection slots=skipped", "migration privileges=skipped",
                "migrations=skipped", "pool size=skipped");
        assertThat(checks.get(2)).containsEntry("exit_code", 4);
        assertThat((String) checks.get(2).get("detail")).startsWith("connection refused (localhost:" + port + ")");
        assertThat(r.all()).doesNotContain(PASSWORD);
    }

    @Test
    void aBadDatabaseUrlExitsThree() {
        CliRun r = CliRun.of(env("postgres://doctor_cli:" + PASSWORD + "@localhost/doctor_cli_db?sslmode=maybe"),
                "doctor");

        assertThat(r.exitCode()).as(r.all()).isEqualTo(3);
        assertThat(r.out()).startsWith("botdb doctor: (configuration invalid)\n  problem  configuration ")
                .contains("unknown sslmode 'maybe'");
        assertThat(r.all()).doesNotContain(PASSWORD);
    }

    @Test
    void aSqliteFileSaysWhichLinksDoNotApply() {
        CliRun r = CliRun.of(env("sqlite:///" + dir.resolve("bot.db")), "doctor");

        assertThat(r.exitCode()).as(r.all()).isZero();
        assertThat(r.out()).contains("  ok       journal mode           wal")
                .contains("  ok       integrity              PRAGMA quick_check: ok")
                .contains("  skipped  postgresql-only checks host, server, ssl")
                .endsWith("Doctor: all 5 checks ok, 2 do not apply\n");
    }

    @Test
    void withNothingConfiguredItStartsTheEmbeddedServerAndChecksIt() {
        Path data = dir.resolve(".botdb/postgres");
        CliRun r = CliRun.of(Map.of("BOTDB_DATA_DIR", data.toString(), "MIGRATIONS_PATH",
                dir.resolve("migrations").toString()), "doctor");

        assertThat(r.exitCode()).as(r.all()).isZero();
        assertThat(r.out()).startsWith("botdb doctor: embedded PostgreSQL (data in " + data + ")")
                .contains("the embedded PostgreSQL is used")
                .containsPattern("  ok       embedded server        started PostgreSQL 18\\.[0-9]+ on localhost:[0-9]+"
                        + " with data in " + Pattern.quote(data.toString()))
                .contains("  ok       authentication         logged in as postgres (a superuser)")
                .endsWith("Doctor: all 10 checks ok, 1 do not apply\n");
        assertThat(r.err()).contains("starting the embedded PostgreSQL in " + data);
    }
}
