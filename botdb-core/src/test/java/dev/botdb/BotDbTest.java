package dev.botdb;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.botdb.config.BotDbConfig;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The library entry point: {@code BotDb.fromEnv()} and friends. */
class BotDbTest {
    @TempDir
    Path dir;

    @Test
    void givesAPooledDataSourceForDatabaseUrl() throws Exception {
        TestPostgres.createUserWithDatabase("lib_bot", "L1b-pass", "lib_db");
        BotDbConfig config = BotDbConfig.fromEnv(TestPostgres.env(
                "postgres://lib_bot:L1b-pass@localhost:" + TestPostgres.port() + "/lib_db?sslmode=disable"));
        try (BotDb db = BotDb.open(config)) {
            assertThat(db.embedded()).isFalse();
            assertThat(db.server().product()).isEqualTo("PostgreSQL");
            try (Connection c = db.dataSource().getConnection(); Statement st = c.createStatement();
                 ResultSet rs = st.executeQuery("SELECT current_database()")) {
                rs.next();
                assertThat(rs.getString(1)).isEqualTo("lib_db");
            }
        }
    }

    @Test
    void opensSqliteFromTheUsnBotsUrl() throws Exception {
        BotDbConfig config = BotDbConfig.fromEnv(Map.of("DATABASE_URL", "sqlite+aiosqlite:///" + dir.resolve("bot_database.db")));
        try (BotDb db = BotDb.open(config)) {
            assertThat(db.server().product()).isEqualTo("SQLite");
            assertThat(dir.resolve("bot_database.db")).exists();
        }
    }

    @Test
    void startsTheEmbeddedServerWhenNothingIsConfiguredAndStopsItOnClose() throws Exception {
        Path data = dir.resolve(".botdb/postgres");
        BotDbConfig config = BotDbConfig.fromEnv(Map.of("BOTDB_DATA_DIR", data.toString()));
        try (BotDb db = BotDb.open(config, l -> { }, Duration.ofMillis(100))) {
            assertThat(db.embedded()).isTrue();
            try (Connection c = db.dataSource().getConnection(); Statement st = c.createStatement();
                 ResultSet rs = st.executeQuery("SELECT current_database()")) {
                rs.next();
                assertThat(rs.getString(1)).isEqualTo("botdb");
            }
            assertThat(data.resolve("postmaster.pid")).exists();
        }
        assertThat(data.resolve("postmaster.pid")).doesNotExist();
    }

    @Test
    void refusesAnUnencryptedRemoteConnectionInProductionBeforeConnecting() {
        BotDbConfig config = BotDbConfig.fromEnv(Map.of("BOTDB_ENV", "production",
                "DATABASE_URL", "postgres://bot:S3cret-Prod@db.example.com:5432/bot?sslmode=prefer"));
        assertThatThrownBy(() -> BotDb.open(config))
                .isInstanceOf(BotDbException.class)
                .hasMessageContaining("Refusing an unencrypted connection under BOTDB_ENV=production")
                .hasMessageContaining("--allow-insecure")
                .hasMessageNotContaining("S3cret-Prod")
                .extracting(e -> ((BotDbException) e).code()).isEqualTo(ErrorCode.INSECURE_CONNECTION);
    }
}
