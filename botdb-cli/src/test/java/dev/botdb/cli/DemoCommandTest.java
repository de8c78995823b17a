package dev.botdb.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.botdb.TestPostgres;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code botdb demo}: the main job, on the embedded default, on a server, on SQLite. */
class DemoCommandTest {
    @TempDir
    Path dir;

    @Test
    void runsEndToEndOnTheEmbeddedDefault() {
        Map<String, String> env = Map.of("BOTDB_DATA_DIR", dir.resolve(".botdb/postgres").toString());
        CliRun r = CliRun.of(env, "demo");
        assertThat(r.exitCode()).as(r.all()).isZero();
        assertThat(r.err()).contains("Using embedded PostgreSQL").contains(dir.resolve(".botdb/postgres").toString());
        assertThat(r.out()).contains("Server: PostgreSQL").contains("Connected to database 'botdb' as 'postgres'")
                .contains("Ran 100 queries from 4 threads through the pool").contains("Demo complete - PostgreSQL")
                .contains("[Migrations] Migration complete - Applied: 4, Skipped: 0")
                .contains("Example bot schema in database 'botdb_demo'");
        CliRun again = CliRun.of(env, "demo");
        assertThat(again.exitCode()).as(again.all()).isZero();
        assertThat(again.out()).contains("[Migrations] Migration complete - Applied: 0, Skipped: 4");
    }

    @Test
    void runsAgainstAConfiguredServerWithoutShowingThePassword() {
        TestPostgres.createUserWithDatabase("demo_bot", "D3mo-Pass", "demo_db");
        CliRun r = CliRun.of(TestPostgres.env(
                "postgresql+psycopg2://demo_bot:D3mo-Pass@localhost:" + TestPostgres.port() + "/demo_db"), "demo");
        assertThat(r.exitCode()).as(r.all()).isZero();
        assertThat(r.out()).contains("Connected to database 'demo_db' as 'demo_bot'").doesNotContain("D3mo-Pass");
        assertThat(r.err()).doesNotContain("D3mo-Pass");
    }

    @Test
    void runsOnSqlite() {
        CliRun r = CliRun.of(Map.of("DATABASE_URL", "sqlite:///" + dir.resolve("bot_database.db")), "demo");
        assertThat(r.exitCode()).as(r.all()).isZero();
        assertThat(r.out()).contains("Server: SQLite 3.").contains("Demo complete - SQLite");
    }

    @Test
    void connectionRefusedIsExitCode4WithTheAlitaMessage() {
        CliRun r = CliRun.of(TestPostgres.env("postgres://u:p@localhost:" + TestPostgres.closedPort() + "/x",
                "BOTDB_CONNECT_ATTEMPTS", "1"), "demo");
        assertThat(r.exitCode()).isEqualTo(4);
        assertThat(r.err()).contains("error: Failed to connect to database: connection refused");
    }
}
