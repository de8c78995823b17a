package dev.botdb;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.botdb.backup.BackupInfo;
import dev.botdb.backup.BackupResult;
import dev.botdb.config.BotDbConfig;
import dev.botdb.inspect.CheckResult;
import dev.botdb.inspect.InspectOptions;
import dev.botdb.inspect.InspectReport;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.util.List;
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
    void unpooledOpensAConnectionPerRequestAndLeavesNoneBehind() throws Exception {
        TestPostgres.createUserWithDatabase("direct_bot", "D1rect-pass", "direct_db");
        Files.writeString(Files.createDirectories(dir.resolve("m")).resolve("001_users.sql"), "CREATE TABLE users (id int);");
        BotDbConfig config = BotDbConfig.fromEnv(TestPostgres.env(
                "postgres://direct_bot:D1rect-pass@localhost:" + TestPostgres.port() + "/direct_db?sslmode=disable",
                "MIGRATIONS_PATH", dir.resolve("m").toString()));
        String sessions = "SELECT count(*) FROM pg_stat_activity WHERE usename = 'direct_bot'";
        try (BotDb db = BotDb.openUnpooled(config, Map.of(), line -> { }, Duration.ofMillis(10))) {
            assertThat(db.dataSource()).isNotInstanceOf(com.zaxxer.hikari.HikariDataSource.class);
            assertThat(sessions(sessions)).as("nothing is held open between requests").isZero();
            try (Connection a = db.dataSource().getConnection(); Connection b = db.dataSource().getConnection()) {
                assertThat(pid(a)).isNotEqualTo(pid(b));
                assertThat(sessions(sessions)).isEqualTo(2);
            }
            assertThat(sessions(sessions)).isZero();
            assertThat(db.migrator().status()).extracting(s -> s.state().name()).containsExactly("PENDING");
            assertThat(sessions(sessions)).isZero();
        }
    }

    private static int sessions(String sql) throws Exception {
        try (Connection c = TestPostgres.superuser("postgres"); Statement st = c.createStatement();
             ResultSet rs = st.executeQuery(sql)) {
            rs.next();
            return rs.getInt(1);
        }
    }

    private static int pid(Connection c) throws Exception {
        try (Statement st = c.createStatement(); ResultSet rs = st.executeQuery("SELECT pg_backend_pid()")) {
            rs.next();
            return rs.getInt(1);
        }
    }

    @Test
    void eachFeatureIsReachedFromBotDbWithTheSameVariables() throws Exception {
        TestPostgres.createUserWithDatabase("feature_bot", "F3ature-pass", "feature_db");
        TestPostgres.exec("ALTER ROLE feature_bot CREATEDB"); // backup verify restores into a scratch database
        Path migrations = Files.createDirectories(dir.resolve("migrations"));
        Files.writeString(migrations.resolve("001_chats.sql"), "CREATE TABLE chats (id bigint PRIMARY KEY);"
                + " INSERT INTO chats VALUES (1), (2);");
        Map<String, String> env = TestPostgres.env("postgres://feature_bot:F3ature-pass@localhost:" + TestPostgres.port()
                        + "/feature_db?sslmode=disable", "MIGRATIONS_PATH", migrations.toString(),
                "BACKUP_DIR", dir.resolve("nightly").toString());

        try (BotDb db = BotDb.fromEnv(env)) {
            assertThat(db.migrator().migrate().applied()).hasSize(1);
            BackupResult nightly = db.backups().backup();
            assertThat(nightly.file().getParent()).isEqualTo(dir.resolve("nightly"));
            assertThat(db.backups().verify(nightly.file()).problems()).isEmpty();
            assertThat(db.backups().list()).extracting(BackupInfo::file).containsExactly(nightly.file());
            InspectReport report = db.inspector().run(InspectOptions.builder().checks(List.of("database-size"))
                    .historyFile(dir.resolve("history.json")).build());
            assertThat(report.checks()).extracting(CheckResult::name).containsExactly("database-size");
            assertThat(db.maintenance()).isNotNull();
        }
    }

    @Test
    void anEmptyBackupDirIsRefusedByName() {
        Map<String, String> env = Map.of("DATABASE_URL", "sqlite:///" + dir.resolve("bot.db"), "BACKUP_DIR", " ");
        try (BotDb db = BotDb.fromEnv(env)) {
            assertThatThrownBy(db::backups).isInstanceOf(BotDbException.class)
                    .hasMessageContaining("BACKUP_DIR is set but empty")
                    .extracting(e -> ((BotDbException) e).code()).isEqualTo(ErrorCode.CONFIG_INVALID);
        }
    }

    @Test
    void opensSqliteFromTheUsnBotsUrl() throws Exception {
        BotDbConfig config = BotDbConfig.fromEnv(Map.of("DATABASE_URL", "sqlite+aiosqlite:///" + dir.resolve("bot_database.db")));
        try (BotDb db = BotDb.open(config)) {
            assertThat(db.server().product()).isEqualTo("SQLite");
            assertThat(dir.resolve("bot_database.db")).exists();
            assertThatThrownBy(db::tuner).isInstanceOf(BotDbException.class).hasMessageContaining("is SQLite");
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

    @Test
    void autoMigrateAppliesMigrationsOnOpenAsTheAlitaBotDoes() throws Exception {
        Path migrations = java.nio.file.Files.createDirectories(dir.resolve("migrations"));
        java.nio.file.Files.writeString(migrations.resolve("001_users.sql"), "CREATE TABLE users (id INTEGER PRIMARY KEY);");
        BotDbConfig config = BotDbConfig.fromEnv(Map.of("DATABASE_URL", "sqlite:///" + dir.resolve("auto.db"),
                "AUTO_MIGRATE", "true", "MIGRATIONS_PATH", migrations.toString()));
        java.util.List<String> lines = new java.util.ArrayList<>();
        try (BotDb db = BotDb.open(config, lines::add, Duration.ofMillis(10));
             Connection c = db.dataSource().getConnection(); Statement st = c.createStatement();
             ResultSet rs = st.executeQuery("SELECT count(*) FROM users")) {
            rs.next();
            assertThat(rs.getInt(1)).isZero();
        }
        assertThat(lines).contains("[Migrations] Starting automatic database migration...",
                "[Migrations] Found 1 migration files");
    }

    @Test
    void aFailedAutoMigrationStopsStartupUnlessSilentFailIsSet() throws Exception {
        Path migrations = java.nio.file.Files.createDirectories(dir.resolve("broken"));
        java.nio.file.Files.writeString(migrations.resolve("001_bad.sql"), "CREATE TABLE users (id INTEGER PRIMARY KEY);\nALTER TABLE nope ADD x INT;");
        Map<String, String> env = new java.util.HashMap<>(Map.of("DATABASE_URL", "sqlite:///" + dir.resolve("bad.db"),
                "AUTO_MIGRATE", "true", "MIGRATIONS_PATH", migrations.toString()));
        assertThatThrownBy(() -> BotDb.open(BotDbConfig.fromEnv(env), l -> { }, Duration.ofMillis(10)))
                .isInstanceOf(BotDbException.class)
                .hasMessageContaining("001_bad.sql line 2, statement 2")
                .extracting(e -> ((BotDbException) e).code()).isEqualTo(ErrorCode.MIGRATION_FAILED);

        env.put("AUTO_MIGRATE_SILENT_FAIL", "true");
        try (BotDb db = BotDb.open(BotDbConfig.fromEnv(env), l -> { }, Duration.ofMillis(10));
             Connection c = db.dataSource().getConnection(); Statement st = c.createStatement();
             ResultSet rs = st.executeQuery("SELECT count(*) FROM sqlite_master WHERE name = 'users'")) {
            rs.next();
            assertThat(rs.getInt(1)).as("the failed file was rolled back, the bot still starts").isZero();
        }
    }
}
