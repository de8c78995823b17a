package dev.botdb.pool;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.botdb.BotDbException;
import dev.botdb.ErrorCode;
import dev.botdb.TcpProxy;
import dev.botdb.TestPostgres;
import dev.botdb.config.BotDbConfig;
import dev.botdb.dialect.ServerInfo;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** Startup connection with retry, {@code wait}, and the explanation of each kind of failure. */
class ConnectorTest {
    private static final String PASSWORD = "Corr3ct-Horse";

    @BeforeAll
    static void users() {
        TestPostgres.createUserWithDatabase("connector_bot", PASSWORD, "connector_db");
    }

    private static BotDbConfig config(String url, String... more) {
        return BotDbConfig.fromEnv(TestPostgres.env(url, more));
    }

    private static String url(int port, String password, String database, String query) {
        return "postgres://connector_bot:" + password + "@localhost:" + port + "/" + database + query;
    }

    @Test
    void connectsFirstTimeAndReportsServerVersion() {
        BotDbConfig c = config(url(TestPostgres.port(), PASSWORD, "connector_db", "?sslmode=disable"));
        List<String> log = new CopyOnWriteArrayList<>();
        ServerInfo info = Connector.connectWithRetry(c.target(), c.pool(), Duration.ofMillis(10), log::add);
        assertThat(info.product()).isEqualTo("PostgreSQL");
        assertThat(info.major()).isBetween(14, 18);
        assertThat(log).isEmpty();
    }

    @Test
    void retriesWithDoublingDelayAndReportsEachFailedAttempt() {
        BotDbConfig c = config(url(TestPostgres.closedPort(), PASSWORD, "connector_db", ""),
                "BOTDB_CONNECT_ATTEMPTS", "3");
        List<String> log = new CopyOnWriteArrayList<>();
        assertThatThrownBy(() -> Connector.connectWithRetry(c.target(), c.pool(), Duration.ofMillis(100), log::add))
                .isInstanceOf(BotDbException.class)
                .hasMessageStartingWith("Failed to connect to database: connection refused")
                .hasMessageContaining("Is PostgreSQL running?")
                .extracting(e -> ((BotDbException) e).code()).isEqualTo(ErrorCode.CONNECTION_FAILED);
        assertThat(log).containsExactly(
                "Database connection attempt 1/3 failed: connection refused (localhost:" + portOf(c) + "); retrying in 0.1 s"
                        + " (botdb tries 3 times, set by BOTDB_CONNECT_ATTEMPTS; BOTDB_CONNECT_ATTEMPTS=1 fails at once,"
                        + " Ctrl-C stops now)",
                "Database connection attempt 2/3 failed: connection refused (localhost:" + portOf(c) + "); retrying in 0.2 s",
                "Database connection attempt 3/3 failed: connection refused (localhost:" + portOf(c) + "); giving up");
    }

    @Test
    void succeedsWhenTheServerComesUpDuringTheRetries() throws Exception {
        try (TcpProxy late = TcpProxy.startingAfter(TestPostgres.port(), 1200)) {
            BotDbConfig c = config(url(late.port(), PASSWORD, "connector_db", "?sslmode=disable"),
                    "BOTDB_CONNECT_ATTEMPTS", "6");
            List<String> log = new CopyOnWriteArrayList<>();
            ServerInfo info = Connector.connectWithRetry(c.target(), c.pool(), Duration.ofMillis(200), log::add);
            assertThat(info.product()).isEqualTo("PostgreSQL");
            assertThat(log).isNotEmpty().allMatch(l -> l.contains("connection refused") && l.contains("retrying"));
        }
    }

    @Test
    void wrongPasswordFailsAtOnceWithoutRetryingAndNeverShowsThePassword() {
        BotDbConfig c = config(url(TestPostgres.port(), "Wr0ngPassw0rd", "connector_db", "?sslmode=disable"));
        List<String> log = new CopyOnWriteArrayList<>();
        assertThatThrownBy(() -> Connector.connectWithRetry(c.target(), c.pool(), Duration.ofMillis(100), log::add))
                .isInstanceOf(BotDbException.class)
                .hasMessageContaining("password authentication failed for user \"connector_bot\"")
                .hasMessageContaining("pg_hba.conf")
                .hasMessageNotContaining("Wr0ngPassw0rd")
                .extracting(e -> ((BotDbException) e).code()).isEqualTo(ErrorCode.AUTH_FAILED);
        assertThat(log).isEmpty();
    }

    @Test
    void missingDatabaseNamesTheCreatedbCommand() {
        BotDbConfig c = config(url(TestPostgres.port(), PASSWORD, "no_such_db", "?sslmode=disable"));
        assertThatThrownBy(() -> Connector.connectWithRetry(c.target(), c.pool(), Duration.ofMillis(100), l -> { }))
                .hasMessageContaining("database \"no_such_db\" does not exist")
                .hasMessageContaining("createdb -h localhost -p " + TestPostgres.port() + " -U connector_bot no_such_db")
                .extracting(e -> ((BotDbException) e).code()).isEqualTo(ErrorCode.DATABASE_MISSING);
    }

    @Test
    void sslRequiredByClientButOffOnServerIsRefusedWithoutRetry() {
        for (String mode : List.of("require", "verify-ca", "verify-full")) {
            BotDbConfig c = config(url(TestPostgres.port(), PASSWORD, "connector_db", "?sslmode=" + mode));
            List<String> log = new CopyOnWriteArrayList<>();
            assertThatThrownBy(() -> Connector.connectWithRetry(c.target(), c.pool(), Duration.ofMillis(100), log::add))
                    .as("sslmode=%s", mode)
                    .hasMessageContaining("the server does not support SSL, but sslmode=" + mode + " requires it")
                    .extracting(e -> ((BotDbException) e).code()).isEqualTo(ErrorCode.CONNECTION_FAILED);
            assertThat(log).as("no retries for sslmode=%s", mode).isEmpty();
        }
    }

    @Test
    void sslModesThatMayFallBackConnectToAServerWithoutSsl() {
        for (String mode : List.of("disable", "allow", "prefer")) {
            BotDbConfig c = config(url(TestPostgres.port(), PASSWORD, "connector_db", "?sslmode=" + mode));
            ServerInfo info = Connector.connectWithRetry(c.target(), c.pool(), Duration.ofMillis(10), l -> { });
            assertThat(info.product()).as("sslmode=%s", mode).isEqualTo("PostgreSQL");
        }
    }

    @Test
    void waitReturnsAsSoonAsTheDatabaseAnswers() {
        BotDbConfig c = config(url(TestPostgres.port(), PASSWORD, "connector_db", ""));
        Connector.WaitResult r = Connector.waitUntilReady(c.target(), c.pool(), Duration.ofSeconds(30), l -> { });
        assertThat(r.tries()).isEqualTo(1);
        assertThat(r.server().product()).isEqualTo("PostgreSQL");
    }

    @Test
    void waitKeepsTryingUntilALateServerAnswers() throws Exception {
        try (TcpProxy late = TcpProxy.startingAfter(TestPostgres.port(), 1500)) {
            BotDbConfig c = config(url(late.port(), PASSWORD, "connector_db", ""));
            List<String> progress = new CopyOnWriteArrayList<>();
            Connector.WaitResult r = Connector.waitUntilReady(c.target(), c.pool(), Duration.ofSeconds(30), progress::add);
            assertThat(r.tries()).isGreaterThan(1);
            assertThat(progress).first().asString().contains("waiting for database: connection refused");
        }
    }

    @Test
    void waitGivesUpAfterTheTimeoutWithTheLastError() {
        BotDbConfig c = config(url(TestPostgres.closedPort(), PASSWORD, "connector_db", ""));
        assertThatThrownBy(() -> Connector.waitUntilReady(c.target(), c.pool(), Duration.ofSeconds(1), l -> { }))
                .hasMessageStartingWith("Database not ready after 1 s")
                .hasMessageContaining("Last error: connection refused")
                .extracting(e -> ((BotDbException) e).code()).isEqualTo(ErrorCode.WAIT_TIMEOUT);
    }

    @Test
    void tooManyConnectionsForRoleIsRetriedAndExplained() throws Exception {
        TestPostgres.createUserWithDatabase("limited_bot", PASSWORD, "limited_db");
        TestPostgres.exec("ALTER ROLE limited_bot CONNECTION LIMIT 1");
        BotDbConfig c = config("postgres://limited_bot:" + PASSWORD + "@localhost:" + TestPostgres.port()
                + "/limited_db?sslmode=disable", "BOTDB_CONNECT_ATTEMPTS", "2");
        try (java.sql.Connection held = Connector.open(c.target(), c.pool())) {
            List<String> log = new CopyOnWriteArrayList<>();
            assertThatThrownBy(() -> Connector.connectWithRetry(c.target(), c.pool(), Duration.ofMillis(50), log::add))
                    .hasMessageStartingWith("Failed to connect to database: too many connections for role \"limited_bot\"")
                    .hasMessageContaining("DB_MAX_OPEN_CONNS")
                    .extracting(e -> ((BotDbException) e).code()).isEqualTo(ErrorCode.CONNECTION_FAILED);
            assertThat(log).hasSize(2).first().asString().contains("retrying");
            assertThat(held.isValid(1)).isTrue();
        }
    }

    @Test
    void aRoleOrDatabaseConnectionLimitIsNamedAndItsPrintedFixLetsTheNextConnectionIn() throws Exception {
        TestPostgres.createUserWithDatabase("capped_bot", PASSWORD, "capped_db");
        TestPostgres.exec("ALTER ROLE capped_bot CONNECTION LIMIT 1");
        BotDbConfig c = config("postgres://capped_bot:" + PASSWORD + "@localhost:" + TestPostgres.port()
                + "/capped_db?sslmode=disable", "BOTDB_CONNECT_ATTEMPTS", "1");
        try (java.sql.Connection held = Connector.open(c.target(), c.pool())) {
            String message = failure(c);
            assertThat(message).contains("too many connections for role \"capped_bot\"")
                    .contains("role's own CONNECTION LIMIT").doesNotContain("server's max_connections is used up");
            TestPostgres.exec(fixLine(message, "ALTER ROLE capped_bot CONNECTION LIMIT -1;"));
            Connector.open(c.target(), c.pool()).close();
        }

        TestPostgres.exec("ALTER DATABASE capped_db CONNECTION LIMIT 1");
        try (java.sql.Connection held = Connector.open(c.target(), c.pool())) {
            String message = failure(c);
            assertThat(message).contains("too many connections for database \"capped_db\"")
                    .contains("database's own CONNECTION LIMIT").doesNotContain("server's max_connections is used up");
            TestPostgres.exec(fixLine(message, "ALTER DATABASE capped_db CONNECTION LIMIT -1;"));
            Connector.open(c.target(), c.pool()).close();
        }
    }

    private static String failure(BotDbConfig c) {
        try {
            Connector.connectWithRetry(c.target(), c.pool(), Duration.ofMillis(10), l -> { });
        } catch (BotDbException e) {
            return e.getMessage();
        }
        throw new AssertionError("connected although the limit is used up");
    }

    /** The SQL the message prints, as a user would paste it. */
    private static String fixLine(String message, String expected) {
        assertThat(message).contains(expected);
        return expected;
    }

    @Test
    void withOneConnectAttemptARefusedPortFailsAtOnceWithoutARetryNotice() {
        BotDbConfig once = config(url(TestPostgres.closedPort(), PASSWORD, "connector_db", ""),
                "BOTDB_CONNECT_ATTEMPTS", "1");
        List<String> none = new CopyOnWriteArrayList<>();
        assertThatThrownBy(() -> Connector.connectWithRetry(once.target(), once.pool(), Duration.ofMillis(10), none::add))
                .hasMessageStartingWith("Failed to connect to database: connection refused");
        assertThat(none).isEmpty();
    }

    @Test
    void connectionErrorsNameTheVariablesTheValuesCameFrom() {
        Map<String, String> env = new java.util.HashMap<>(Map.of("HOME", System.getProperty("java.io.tmpdir"),
                "PSQL_DB_HOST", "localhost", "PSQL_DB_PORT", Integer.toString(TestPostgres.closedPort()),
                "PSQL_DB_USER", "connector_bot", "PSQL_DB_PASSWORD", PASSWORD, "PSQL_DB_NAME", "connector_db",
                "BOTDB_CONNECT_ATTEMPTS", "1"));
        BotDbConfig refused = BotDbConfig.fromEnv(env);
        assertThatThrownBy(() -> Connector.connectWithRetry(refused.target(), refused.pool(), Duration.ofMillis(10), l -> { }))
                .hasMessageContaining("connection refused").hasMessageContaining("host (PSQL_DB_HOST)")
                .hasMessageContaining("port (PSQL_DB_PORT)").hasMessageNotContaining("DATABASE_URL");

        env.put("PSQL_DB_PORT", Integer.toString(TestPostgres.port()));
        env.put("PSQL_DB_PASSWORD", "wrong-" + PASSWORD);
        env.put("PGSSLMODE", "disable");
        BotDbConfig wrong = BotDbConfig.fromEnv(env);
        assertThatThrownBy(() -> Connector.connectWithRetry(wrong.target(), wrong.pool(), Duration.ofMillis(10), l -> { }))
                .hasMessageContaining("password authentication failed").hasMessageContaining("user (PSQL_DB_USER)")
                .hasMessageContaining("password (PSQL_DB_PASSWORD)").hasMessageNotContaining("DATABASE_URL")
                .hasMessageNotContaining(PASSWORD);

        env.put("PSQL_DB_PASSWORD", PASSWORD);
        env.put("PSQL_DB_NAME", "no_such_db");
        BotDbConfig missing = BotDbConfig.fromEnv(env);
        assertThatThrownBy(() -> Connector.connectWithRetry(missing.target(), missing.pool(), Duration.ofMillis(10), l -> { }))
                .hasMessageContaining("does not exist").hasMessageContaining("database name (PSQL_DB_NAME)")
                .hasMessageNotContaining("DATABASE_URL");

        BotDbConfig unresolved = BotDbConfig.fromEnv(Map.of("HOME", System.getProperty("java.io.tmpdir"),
                "POSTGRES_HOST", "no-such-host.invalid", "POSTGRES_DB", "x", "BOTDB_CONNECT_ATTEMPTS", "1"));
        assertThatThrownBy(() -> Connector.connectWithRetry(unresolved.target(), unresolved.pool(), Duration.ofMillis(10),
                l -> { })).hasMessageContaining("host (POSTGRES_HOST)").hasMessageNotContaining("DATABASE_URL");
    }

    @Test
    void unresolvableHostIsExplained() {
        BotDbConfig c = config("postgres://u:p@no-such-host.invalid:5432/x?sslmode=disable", "BOTDB_CONNECT_ATTEMPTS", "1");
        assertThatThrownBy(() -> Connector.connectWithRetry(c.target(), c.pool(), Duration.ofMillis(10), l -> { }))
                .hasMessageContaining("host 'no-such-host.invalid' could not be resolved");
    }

    private static int portOf(BotDbConfig c) {
        return ((dev.botdb.config.PostgresTarget) c.target()).port();
    }
}
