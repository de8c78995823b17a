package dev.botdb.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.jr.ob.JSON;
import dev.botdb.TestPostgres;
import dev.botdb.backup.schema.SchemaRoundTrip;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code botdb inspect} as an operator types it, against the CLI's test server (PostgreSQL 18) and a SQLite file. */
class InspectCommandTest {
    @TempDir
    Path dir;

    private static Map<String, String> env(String database) {
        return TestPostgres.env("postgres://postgres@localhost:" + TestPostgres.port() + "/" + database);
    }

    private static String database(String prefix, String... sql) {
        String db = SchemaRoundTrip.freshDatabase(prefix);
        SchemaRoundTrip.exec(db, sql);
        return db;
    }

    private String history() {
        return dir.resolve("history.json").toString();
    }

    /** A database with an invalid index left by a failed CREATE UNIQUE INDEX CONCURRENTLY. */
    private static String withInvalidIndex() throws SQLException {
        String db = database("cli_inspect_invalid",
                "CREATE TABLE members (id int PRIMARY KEY, email text)",
                "INSERT INTO members VALUES (1, 'a@example.org'), (2, 'a@example.org')");
        try (Connection c = DriverManager.getConnection("jdbc:postgresql://localhost:" + TestPostgres.port() + "/" + db,
                "postgres", null); Statement st = c.createStatement()) {
            st.execute("CREATE UNIQUE INDEX CONCURRENTLY members_email ON members (email)");
        } catch (SQLException expected) {
            // the duplicate rows fail the build and leave the invalid index behind
        }
        return db;
    }

    @Test
    void aProblemPrintsItsFixGroupedWithTheSummaryLineAndExits20() throws Exception {
        String db = withInvalidIndex();

        CliRun r = CliRun.of(env(db), "inspect", "--history", history());

        assertThat(r.exitCode()).as(r.all()).isEqualTo(20);
        assertThat(r.out()).contains("Inspecting postgresql://postgres@localhost:" + TestPostgres.port() + "/" + db)
                .contains("(PostgreSQL 18.")
                .contains("\nindexes\n")
                .containsPattern("✗ invalid-indexes +problem: 1 index is invalid")
                .contains("public.members_email")
                .contains("REINDEX INDEX CONCURRENTLY public.members_email;")
                .containsPattern("✓ database-size +\\d")
                .containsPattern("- slow-queries +not applicable: pg_stat_statements is not installed");
        String last = r.out().strip().lines().reduce((a, b) -> b).orElseThrow();
        assertThat(last).matches("\\d+ checks: \\d+ ok, 1 warn, 1 problem, 2 not applicable \\(\\d+\\.\\d\\d s\\)");
    }

    @Test
    void jsonCarriesEveryCheckWithVerdictRowsAndFigures() throws Exception {
        String db = withInvalidIndex();

        CliRun r = CliRun.of(env(db), "inspect", "--json", "--history", history());

        assertThat(r.exitCode()).as(r.all()).isEqualTo(20);
        Map<String, Object> json = JSON.std.mapFrom(r.out());
        assertThat(json.get("engine")).isEqualTo("postgresql");
        assertThat(json.get("problems")).isEqualTo(true);
        assertThat(((Map<?, ?>) json.get("counts")).get("problem")).isEqualTo(1);
        List<?> checks = (List<?>) json.get("checks");
        Map<?, ?> invalid = checks.stream().map(c -> (Map<?, ?>) c)
                .filter(c -> "invalid-indexes".equals(c.get("name"))).findFirst().orElseThrow();
        assertThat(invalid.get("verdict")).isEqualTo("problem");
        assertThat((List<?>) invalid.get("rows")).singleElement()
                .satisfies(row -> assertThat(((Map<?, ?>) row).get("index")).isEqualTo("public.members_email"));
        Map<?, ?> size = checks.stream().map(c -> (Map<?, ?>) c)
                .filter(c -> "database-size".equals(c.get("name"))).findFirst().orElseThrow();
        assertThat(((Number) ((Map<?, ?>) size.get("figures")).get("bytes")).longValue()).isGreaterThan(1_000_000L);
    }

    @Test
    void oneCheckByNameOnAHealthyDatabaseExitsZero() {
        String db = database("cli_inspect_one", "CREATE TABLE users (id serial PRIMARY KEY, name text)",
                "CREATE INDEX users_name ON users (name)");

        CliRun r = CliRun.of(env(db), "inspect", "largest-tables", "--no-history");

        assertThat(r.exitCode()).as(r.all()).isZero();
        assertThat(r.out()).contains("✓ largest-tables").contains("public.users").contains("total_bytes")
                .doesNotContain("unused-indexes")
                .contains("1 check: 1 ok");

        CliRun unused = CliRun.of(env(db), "inspect", "unused-indexes", "--unused-index-min-size", "0", "--no-history");
        assertThat(unused.exitCode()).as("a warning does not fail the run: " + unused.all()).isZero();
        assertThat(unused.out()).containsPattern("! unused-indexes +warn: 1 index never scanned")
                .contains("DROP INDEX CONCURRENTLY public.users_name;").contains("1 check: 1 warn");
    }

    @Test
    void anUnknownCheckIsAUsageErrorThatListsTheChecks() {
        CliRun r = CliRun.of(env("postgres"), "inspect", "unused-indexs");

        assertThat(r.exitCode()).isEqualTo(2);
        assertThat(r.err()).contains("unknown check 'unused-indexs'").contains("unused-indexes")
                .contains("sequences").contains("--list");

        CliRun list = CliRun.of(env("postgres"), "inspect", "--list");
        assertThat(list.exitCode()).isZero();
        assertThat(list.out()).contains("duplicate-indexes").contains("Duplicate indexes (indexes)")
                .contains("freelist");
    }

    @Test
    void sqliteFilesGetTheirOwnChecksAndNotApplicableForTheRest() throws Exception {
        Path file = dir.resolve("bot.db");
        try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + file); Statement st = c.createStatement()) {
            st.execute("CREATE TABLE users (id INTEGER PRIMARY KEY, name TEXT)");
            st.execute("INSERT INTO users (name) VALUES ('a')");
        }

        CliRun r = CliRun.of(TestPostgres.env("sqlite:///" + file), "inspect", "--history", history());

        assertThat(r.exitCode()).as(r.all()).isZero();
        assertThat(r.out()).contains("(SQLite 3.").containsPattern("✓ integrity +PRAGMA quick_check: ok")
                .containsPattern("- unused-indexes +not applicable on SQLite")
                .containsPattern("✓ database-size +\\d+(\\.\\d)? KiB; no earlier sample");
    }
}
