package dev.botdb.migrate;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.zaxxer.hikari.HikariDataSource;
import dev.botdb.TestPostgres;
import dev.botdb.config.BotDbConfig;
import dev.botdb.config.Engine;
import dev.botdb.pool.Pools;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.flywaydb.core.Flyway;
import org.flywaydb.core.api.output.MigrateResult;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * After {@code botdb migrate} with MIGRATIONS_HISTORY_MIRROR set, the real tools find nothing to
 * do: Flyway 13 (from Maven Central) validates and migrates nothing; dbmate (the npm package, pinned,
 * installed into target/tools by this test when missing) shows nothing pending.
 */
class RealToolsMirrorTest {
    private static final String DBMATE_VERSION = "2.36.0";
    private static final AtomicInteger DATABASES = new AtomicInteger();

    @TempDir
    Path dir;

    private String database;
    private HikariDataSource ds;

    @BeforeEach
    void freshDatabase() throws Exception {
        database = "real_mirror_" + DATABASES.incrementAndGet();
        TestPostgres.exec("DROP DATABASE IF EXISTS " + database, "CREATE DATABASE " + database);
        BotDbConfig c = BotDbConfig.fromEnv(TestPostgres.env(
                "postgres://postgres@localhost:" + TestPostgres.port() + "/" + database + "?sslmode=disable"));
        ds = Pools.open(c.target(), c.pool());
        Files.writeString(dir.resolve("001_create_users.sql"), "\uFEFFCREATE TABLE users (id bigint PRIMARY KEY);\r\n"
                + "-- a comment, é\n");
        Files.writeString(dir.resolve("002_add_chats.sql"), "CREATE TABLE chats (id bigint PRIMARY KEY);\n\n");
        Files.writeString(dir.resolve("20250101120000_add_notes.sql"), "CREATE TABLE notes (id int);");
    }

    @AfterEach
    void closePool() {
        ds.close();
    }

    private void botdbMigrate(String mirror) {
        Migrator.of(ds, Engine.POSTGRESQL, dir, l -> { }).historyMirror(Map.of(HistoryMirror.VARIABLE, mirror)).migrate();
    }

    @Test
    void flywayValidatesAndMigratesNothing() throws Exception {
        botdbMigrate("flyway");

        Flyway flyway = Flyway.configure()
                .dataSource("jdbc:postgresql://localhost:" + TestPostgres.port() + "/" + database, "postgres", null)
                .locations("filesystem:" + dir).sqlMigrationPrefix("").sqlMigrationSeparator("_")
                .table("flyway_schema_history").load();
        flyway.validate();
        MigrateResult again = flyway.migrate();

        assertThat(again.migrationsExecuted).isZero();
        assertThat(flyway.info().pending()).isEmpty();
        assertThat(flyway.info().applied()).hasSize(3);

        // the checksums are really compared: one off by one and Flyway refuses
        try (Connection c = ds.getConnection(); Statement st = c.createStatement()) {
            st.execute("UPDATE flyway_schema_history SET checksum = checksum + 1 WHERE script = '001_create_users.sql'");
        }
        assertThatThrownBy(flyway::validate).hasMessageContaining("checksum mismatch");
    }

    private record Run(int exit, String output) {
    }

    private static Path dbmate() throws Exception {
        Path tools = Path.of("target", "tools").toAbsolutePath();
        Path binary = tools.resolve("node_modules/.bin/dbmate");
        if (!Files.isExecutable(binary)) {
            Files.createDirectories(tools);
            Run npm = run(tools, List.of("npm", "install", "--no-audit", "--no-fund", "--prefix", tools.toString(),
                    "dbmate@" + DBMATE_VERSION));
            assertThat(npm.exit()).as("npm install dbmate (needs Node.js and npm): " + npm.output()).isZero();
        }
        return binary;
    }

    private static Run run(Path workDir, List<String> command) throws Exception {
        Process p = new ProcessBuilder(command).directory(workDir.toFile()).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.waitFor(3, TimeUnit.MINUTES)).isTrue();
        return new Run(p.exitValue(), out);
    }

    @Test
    void dbmateShowsNothingPendingAndMigratesNothing() throws Exception {
        botdbMigrate("dbmate");

        List<String> dbmate = new ArrayList<>(List.of(dbmate().toString(), "--url", "postgres://postgres@localhost:"
                + TestPostgres.port() + "/" + database + "?sslmode=disable", "--migrations-dir", dir.toString(),
                "--migrations-table", "schema_migrations_dbmate", "--no-dump-schema"));
        List<String> status = new ArrayList<>(dbmate);
        status.addAll(List.of("status", "--exit-code"));
        Run s = run(dir, status);
        assertThat(s.exit()).as(s.output()).isZero();
        assertThat(s.output()).contains("[X] 001_create_users.sql").contains("[X] 20250101120000_add_notes.sql")
                .contains("Applied: 3").contains("Pending: 0");
        List<String> migrate = new ArrayList<>(dbmate);
        migrate.add("migrate");
        Run m = run(dir, migrate);
        assertThat(m.exit()).as(m.output()).isZero();
        assertThat(m.output()).doesNotContain("Applying");
    }

    @Test
    void golangMigrateHoldsTheNewestVersionClean() throws Exception {
        botdbMigrate("golang-migrate");
        try (Connection c = ds.getConnection(); Statement st = c.createStatement();
             ResultSet rs = st.executeQuery("SELECT version, dirty FROM schema_migrations_golang_migrate")) {
            assertThat(rs.next()).isTrue();
            assertThat(rs.getLong(1)).isEqualTo(20250101120000L);
            assertThat(rs.getBoolean(2)).isFalse();
            assertThat(rs.next()).as("one row, as golang-migrate keeps").isFalse();
        }
    }
}
