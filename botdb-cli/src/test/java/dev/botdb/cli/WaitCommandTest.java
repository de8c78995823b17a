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

    /** One run through Main, with or without the fast path that skips picocli for plain wait lines. */
    private static CliRun run(boolean fastPaths, java.util.Map<String, String> env, String... args) {
        java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream();
        java.io.ByteArrayOutputStream err = new java.io.ByteArrayOutputStream();
        Cli cli = new Cli(env, System.in, new java.io.PrintStream(out, true, java.nio.charset.StandardCharsets.UTF_8),
                new java.io.PrintStream(err, true, java.nio.charset.StandardCharsets.UTF_8));
        int code = Main.run(args, cli, fastPaths);
        // the wait time printed ("after 0.0 s") may differ between two runs, and --verbose's stack frames
        // name the path taken; the exception and its message are compared
        return new CliRun(code, out.toString(java.nio.charset.StandardCharsets.UTF_8).replaceAll("after [0-9.]+ s", "after N s"),
                err.toString(java.nio.charset.StandardCharsets.UTF_8).replaceAll("(?m)^\\s+at .*\\R", ""));
    }

    @Test
    void theFastPathAnswersEveryLineItTakesExactlyAsPicocliDoes() {
        java.util.Map<String, String> up = TestPostgres.env(url(TestPostgres.port(), PASSWORD));
        java.util.Map<String, String> down = TestPostgres.env(url(TestPostgres.closedPort(), PASSWORD));
        java.util.Map<String, String> embedded = java.util.Map.of("HOME", "/nonexistent");
        String[][] lines = {
                {"wait"}, {"wait", "-q"}, {"wait", "--quiet", "--timeout", "5s"}, {"wait", "--timeout=5s"},
                {"--verbose", "wait", "--timeout", "5s"}, {"wait", "--timeout", "1m", "--allow-insecure"},
                {"wait", "--timeout", "soon"}, {"wait", "--timeout", "500ms", "--no-progress"},
        };
        for (java.util.Map<String, String> env : java.util.List.of(up, down, embedded)) {
            for (String[] line : lines) {
                if (env == down && !String.join(" ", line).contains("ms") && !String.join(" ", line).contains("soon")) {
                    continue; // a closed port is waited for until the timeout: only the short ones
                }
                CliRun fast = run(true, env, line);
                CliRun picocli = run(false, env, line);
                assertThat(fast).as(String.join(" ", line)).isEqualTo(picocli);
            }
        }
        assertThat(run(true, up, "wait").exitCode()).isZero();
        assertThat(run(true, down, "wait", "--timeout", "500ms").exitCode()).isEqualTo(8);
        assertThat(run(true, up, "wait", "--timeout", "soon").exitCode()).isEqualTo(2);
        assertThat(run(true, embedded, "wait").exitCode()).isNotZero();
    }

    @Test
    void linesTheFastPathDoesNotTakeGoToPicocli() {
        Cli cli = new Cli(java.util.Map.of(), System.in, System.out, System.err);
        for (String[] line : new String[][] {{"wait", "--help"}, {"wait", "-h"}, {"wait", "--timeot", "5s"},
                {"-q", "wait"}, {"wait", "--timeout"}, {"wait", "wait"}, {"status"}, {"--version"}, {}}) {
            assertThat(WaitCommand.fastPath(line, cli)).as(String.join(" ", line)).isNull();
        }
        CliRun typo = CliRun.of(java.util.Map.of(), "wait", "--timeot", "5s");
        assertThat(typo.exitCode()).isEqualTo(2);
        assertThat(typo.err()).contains("Did you mean: --timeout?");
    }
}
