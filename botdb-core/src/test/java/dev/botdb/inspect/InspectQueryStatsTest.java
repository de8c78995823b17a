package dev.botdb.inspect;

import static org.assertj.core.api.Assertions.assertThat;

import dev.botdb.config.PostgresTarget;
import dev.botdb.config.SslMode;
import dev.botdb.inspect.CheckResult.Verdict;
import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The pg_stat_statements checks against a server of their own, started with
 * {@code shared_preload_libraries = 'pg_stat_statements'} (the shared test server runs without it,
 * which {@link InspectorTest} covers).
 */
class InspectQueryStatsTest {
    private static EmbeddedPostgres server;

    @TempDir
    Path dir;

    @BeforeAll
    static void start() throws Exception {
        server = EmbeddedPostgres.builder()
                .setPGStartupWait(Duration.ofSeconds(60))
                .setServerConfig("shared_preload_libraries", "pg_stat_statements")
                .start();
        try (Connection c = server.getPostgresDatabase().getConnection(); Statement st = c.createStatement()) {
            st.execute("CREATE DATABASE stats");
            st.execute("CREATE ROLE stats_plain LOGIN");
        }
        try (Connection c = server.getDatabase("postgres", "stats").getConnection(); Statement st = c.createStatement()) {
            st.execute("CREATE EXTENSION pg_stat_statements");
            st.execute("CREATE TABLE t (id int PRIMARY KEY)");
            for (int i = 0; i < 60; i++) {
                st.execute("SELECT pg_sleep(0.003)");
                st.execute("SELECT count(*) FROM t WHERE id = " + i);
            }
        }
    }

    @AfterAll
    static void stop() throws Exception {
        server.close();
    }

    private static PostgresTarget target(String user) {
        return new PostgresTarget("localhost", server.getPort(), "stats", user, null, SslMode.DISABLE, Map.of(), Map.of(),
                Map.of());
    }

    private InspectOptions.Builder options() {
        return InspectOptions.builder().checks(List.of("slow-queries", "top-queries"))
                .historyFile(dir.resolve("history.json"));
    }

    @Test
    void slowAndTopQueriesComeFromPgStatStatements() {
        InspectReport r = Inspector.of(target("postgres")).run(options().slowQuery(Duration.ofMillis(2))
                .slowQueryCalls(50).build());

        CheckResult slow = r.check("slow-queries").orElseThrow();
        assertThat(slow.verdict()).as(slow.toString()).isEqualTo(Verdict.WARN);
        assertThat(slow.rows()).singleElement().satisfies(row -> {
            assertThat(row.get(4).toString()).contains("pg_sleep");
            assertThat((Long) row.get(1)).isGreaterThanOrEqualTo(60L);
            assertThat((Double) row.get(2)).isGreaterThanOrEqualTo(0.002);
        });
        CheckResult top = r.check("top-queries").orElseThrow();
        assertThat(top.verdict()).isEqualTo(Verdict.OK);
        assertThat(top.rows().get(0).get(5).toString()).contains("pg_sleep");
        assertThat((Double) top.rows().get(0).get(4)).isGreaterThan(0.5);

        CheckResult defaults = Inspector.of(target("postgres")).run(options().build()).check("slow-queries").orElseThrow();
        assertThat(defaults.verdict()).as("PgHero's 20 ms").isEqualTo(Verdict.OK);
    }

    @Test
    void aPreloadedLibraryWithoutTheExtensionAsksOnlyForCreateExtensionAndItWorks() throws Exception {
        try (Connection c = server.getPostgresDatabase().getConnection(); Statement st = c.createStatement()) {
            st.execute("CREATE DATABASE stats_bare");
        }
        PostgresTarget plain = new PostgresTarget("localhost", server.getPort(), "stats_bare", "stats_plain", null,
                SslMode.DISABLE, Map.of(), Map.of(), Map.of());

        CheckResult slow = Inspector.of(plain).run(options().build()).check("slow-queries").orElseThrow();

        assertThat(slow.verdict()).isEqualTo(Verdict.NOT_APPLICABLE);
        String notes = String.join(" ", slow.notes());
        assertThat(notes).contains("already loads the library").contains("no restart is needed")
                .doesNotContain("set shared_preload_libraries").doesNotContain("restart the server");
        String line = "CREATE EXTENSION pg_stat_statements;";
        assertThat(notes).contains("as a superuser, run in this database: " + line);
        try (Connection c = server.getDatabase("postgres", "stats_bare").getConnection();
             Statement st = c.createStatement()) {
            st.execute(line);
        }
        CheckResult after = Inspector.of(plain).run(options().build()).check("slow-queries").orElseThrow();
        assertThat(after.verdict()).isNotEqualTo(Verdict.NOT_APPLICABLE);
    }

    @Test
    void anotherRolesStatementTextsAreNotPermittedWithTheGrant() {
        CheckResult top = Inspector.of(target("stats_plain")).run(options().build()).check("top-queries").orElseThrow();

        assertThat(top.verdict()).isEqualTo(Verdict.NOT_PERMITTED);
        assertThat(top.rows().get(0).get(5)).as("the pg_sleep calls of postgres").isEqualTo("<insufficient privilege>");
        assertThat(String.join(" ", top.notes())).contains("GRANT pg_read_all_stats TO stats_plain;");
    }

    @Test
    void theDefaultCatalogQueriesRunBareWithPgStatStatementsInstalled() throws Exception {
        List<String> queries = Inspector.catalogQueries(InspectOptions.defaults());

        assertThat(queries).hasSize(Inspector.catalogQueries(InspectOptions.defaults(), 150_000, null).size() + 2);
        try (Connection c = server.getDatabase("postgres", "stats").getConnection(); Statement st = c.createStatement()) {
            int rows = 0;
            for (String q : queries) {
                try (ResultSet rs = st.executeQuery(q)) {
                    while (rs.next()) {
                        rows++;
                    }
                }
            }
            assertThat(rows).isPositive();
        }
    }
}
