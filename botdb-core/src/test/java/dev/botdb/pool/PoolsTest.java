package dev.botdb.pool;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.zaxxer.hikari.HikariDataSource;
import dev.botdb.LogCapture;
import dev.botdb.TestPostgres;
import dev.botdb.config.BotDbConfig;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.SQLTransientConnectionException;
import java.sql.Statement;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** HikariCP pools for PostgreSQL, configured from the reference projects' variables. */
class PoolsTest {
    private static final String PASSWORD = "P00l-Secret-9";

    @BeforeAll
    static void users() {
        TestPostgres.createUserWithDatabase("pool_bot", PASSWORD, "pool_db");
    }

    private static String url(String query) {
        return "postgresql://pool_bot:" + PASSWORD + "@localhost:" + TestPostgres.port() + "/pool_db" + query;
    }

    @Test
    void alitaVariablesSizeThePool() throws SQLException {
        BotDbConfig c = BotDbConfig.fromEnv(TestPostgres.env(url(""), "DB_MAX_OPEN_CONNS", "7",
                "DB_MAX_IDLE_CONNS", "3", "DB_CONN_MAX_LIFETIME_MIN", "120", "DB_CONN_MAX_IDLE_TIME_MIN", "30",
                "DB_ACQUIRE_TIMEOUT_SEC", "2"));
        try (HikariDataSource ds = Pools.open(c.target(), c.pool())) {
            assertThat(ds.getMaximumPoolSize()).isEqualTo(7);
            assertThat(ds.getMinimumIdle()).isEqualTo(3);
            assertThat(ds.getMaxLifetime()).isEqualTo(120 * 60_000L);
            assertThat(ds.getIdleTimeout()).isEqualTo(30 * 60_000L);
            assertThat(ds.getConnectionTimeout()).isEqualTo(2_000L);
            try (Connection conn = ds.getConnection(); Statement st = conn.createStatement();
                 ResultSet rs = st.executeQuery("SELECT current_user, current_setting('application_name')")) {
                rs.next();
                assertThat(rs.getString(1)).isEqualTo("pool_bot");
                assertThat(rs.getString(2)).isEqualTo("botdb");
            }
        }
    }

    @Test
    void usnVariablesGiveSizePlusOverflow() {
        BotDbConfig c = BotDbConfig.fromEnv(TestPostgres.env(
                "postgresql+asyncpg://pool_bot:" + PASSWORD + "@localhost:" + TestPostgres.port() + "/pool_db",
                "PG_POOL_SIZE", "3", "PG_MAX_OVERFLOW", "4"));
        try (HikariDataSource ds = Pools.open(c.target(), c.pool())) {
            assertThat(ds.getMaximumPoolSize()).isEqualTo(7);
            assertThat(ds.getMinimumIdle()).isEqualTo(3);
        }
    }

    @Test
    void acquireTimeoutReportsPoolStateWhenAllConnectionsAreBusy() throws SQLException {
        BotDbConfig c = BotDbConfig.fromEnv(TestPostgres.env(url(""), "DB_MAX_OPEN_CONNS", "1",
                "DB_MAX_IDLE_CONNS", "0", "DB_ACQUIRE_TIMEOUT_SEC", "1"));
        try (HikariDataSource ds = Pools.open(c.target(), c.pool()); Connection held = ds.getConnection()) {
            assertThat(held.isValid(1)).isTrue();
            assertThatThrownBy(ds::getConnection)
                    .isInstanceOf(SQLTransientConnectionException.class)
                    .hasMessageContaining("total=1, active=1");
        }
    }

    @Test
    void queryParametersReachTheDriver() throws SQLException {
        BotDbConfig c = BotDbConfig.fromEnv(TestPostgres.env(url(
                "?application_name=alita&options=-c%20search_path%3Dbotschema&connect_timeout=3")));
        try (HikariDataSource ds = Pools.open(c.target(), c.pool()); Connection conn = ds.getConnection();
             Statement st = conn.createStatement();
             ResultSet rs = st.executeQuery("SELECT current_setting('application_name'), current_setting('search_path')")) {
            rs.next();
            assertThat(rs.getString(1)).isEqualTo("alita");
            assertThat(rs.getString(2)).isEqualTo("botschema");
        }
    }

    @Test
    void passwordNeverAppearsInLogsEvenAtDebug() throws SQLException {
        try (LogCapture logs = new LogCapture()) {
            BotDbConfig c = BotDbConfig.fromEnv(TestPostgres.env(url(""), "DB_MAX_OPEN_CONNS", "2"));
            try (HikariDataSource ds = Pools.open(c.target(), c.pool()); Connection conn = ds.getConnection()) {
                assertThat(conn.isValid(1)).isTrue();
            }
            BotDbConfig wrong = BotDbConfig.fromEnv(TestPostgres.env(
                    "postgres://pool_bot:An0ther-Wrong-One@localhost:" + TestPostgres.port() + "/pool_db",
                    "DB_ACQUIRE_TIMEOUT_SEC", "1"));
            assertThatThrownBy(() -> Pools.open(wrong.target(), wrong.pool()).close()).isNotNull();
            assertThat(logs.text()).contains("botdb").doesNotContain(PASSWORD).doesNotContain("An0ther-Wrong-One");
        }
    }
}
