package dev.botdb.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.botdb.TcpProxy;
import dev.botdb.TestPostgres;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** {@code botdb wait}: the compose health check that replaces pg_isready. */
class WaitCommandTest {
    private static final String PASSWORD = "W4it-For-Me";

    @BeforeAll
    static void user() {
        TestPostgres.createUserWithDatabase("wait_bot", PASSWORD, "wait_db");
    }

    private static String url(int port, String password) {
        return "postgres://wait_bot:" + password + "@localhost:" + port + "/wait_db";
    }

    @Test
    void exitsZeroWhenTheDatabaseAnswers() {
        CliRun r = CliRun.of(TestPostgres.env(url(TestPostgres.port(), PASSWORD)), "wait", "--timeout", "10s");
        assertThat(r.exitCode()).as(r.all()).isZero();
        assertThat(r.out()).startsWith("Database ready: PostgreSQL").doesNotContain(PASSWORD);
    }

    @Test
    void waitsForAServerThatComesUpLater() throws Exception {
        try (TcpProxy late = TcpProxy.startingAfter(TestPostgres.port(), 1500)) {
            CliRun r = CliRun.of(TestPostgres.env(url(late.port(), PASSWORD)), "wait", "--timeout", "30s");
            assertThat(r.exitCode()).as(r.all()).isZero();
            assertThat(r.err()).contains("waiting for database: connection refused");
        }
    }

    @Test
    void exitsEightWithTheLastErrorAfterTheTimeout() {
        CliRun r = CliRun.of(TestPostgres.env(url(TestPostgres.closedPort(), PASSWORD)), "wait", "--timeout", "1s");
        assertThat(r.exitCode()).isEqualTo(8);
        assertThat(r.err()).contains("error: Database not ready after 1 s").contains("Last error: connection refused")
                .doesNotContain(PASSWORD);
    }

    @Test
    void wrongPasswordIsNotReadyAndTheMessageSaysWhy() {
        CliRun r = CliRun.of(TestPostgres.env(url(TestPostgres.port(), "Not-The-Pw")), "wait", "--timeout", "1s");
        assertThat(r.exitCode()).isEqualTo(8);
        assertThat(r.err()).contains("password authentication failed for user \"wait_bot\"").doesNotContain("Not-The-Pw");
    }

    @Test
    void badTimeoutIsAUsageError() {
        CliRun r = CliRun.of(TestPostgres.env(url(TestPostgres.port(), PASSWORD)), "wait", "--timeout", "soon");
        assertThat(r.exitCode()).isEqualTo(2);
        assertThat(r.err()).contains("--timeout 'soon' is not a duration");
    }

    @Test
    void nothingConfiguredIsAConfigurationError() {
        CliRun r = CliRun.of(java.util.Map.of("BOTDB_DATA_DIR", "/nonexistent"), "wait");
        assertThat(r.exitCode()).isEqualTo(3);
        assertThat(r.err()).contains("No database is configured, so there is nothing to wait for");
    }
}
