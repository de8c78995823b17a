package dev.botdb.migrate;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.zaxxer.hikari.HikariDataSource;
import dev.botdb.config.BotDbConfig;
import dev.botdb.config.Engine;
import dev.botdb.pool.Pools;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The same engine on a real SQLite file, as the USN bot runs in development. */
class SqliteMigratorTest {
    @TempDir
    Path dir;

    private HikariDataSource open() {
        BotDbConfig c = BotDbConfig.fromEnv(Map.of("DATABASE_URL", "sqlite:///" + dir.resolve("bot_database.db")));
        return Pools.open(c.target(), c.pool());
    }

    @Test
    void appliesTheSqliteVariantsAndRollsBackAFailedFile() throws Exception {
        Path m = Files.createDirectories(dir.resolve("migrations"));
        Files.writeString(m.resolve("001_users.sql"), "CREATE TABLE users (id INTEGER PRIMARY KEY AUTOINCREMENT, name TEXT);");
        Files.writeString(m.resolve("002_flags.sqlite.sql"), "ALTER TABLE users ADD COLUMN active INTEGER DEFAULT 1;");
        Files.writeString(m.resolve("002_flags.postgres.sql"), "ALTER TABLE users ADD COLUMN active BOOLEAN DEFAULT TRUE;");
        Files.writeString(m.resolve("003_trigger.sql"), """
                CREATE TABLE audit (user_id INTEGER);
                CREATE TRIGGER users_audit AFTER INSERT ON users
                BEGIN
                    INSERT INTO audit VALUES (NEW.id);
                    INSERT INTO audit VALUES (NEW.id * 10);
                END;
                """);
        try (HikariDataSource ds = open()) {
            MigrationResult r = Migrator.of(ds, Engine.SQLITE, m, l -> { }).migrate();
            assertThat(r.applied()).containsExactly("001_users.sql", "002_flags.sql", "003_trigger.sql");
            try (Connection c = ds.getConnection(); Statement st = c.createStatement()) {
                st.execute("INSERT INTO users (name) VALUES ('a')");
                try (ResultSet rs = st.executeQuery("SELECT count(*), max(active) FROM audit, users")) {
                    rs.next();
                    assertThat(rs.getInt(1)).isEqualTo(2);
                    assertThat(rs.getInt(2)).isEqualTo(1);
                }
            }

            Files.writeString(m.resolve("004_broken.sql"), "CREATE TABLE partial (id INTEGER);\nINSERT INTO nowhere VALUES (1);");
            assertThatThrownBy(() -> Migrator.of(ds, Engine.SQLITE, m, l -> { }).migrate())
                    .hasMessageContaining("004_broken.sql line 2, statement 2")
                    .hasMessageContaining("no such table: nowhere");
            try (Connection c = ds.getConnection(); Statement st = c.createStatement();
                 ResultSet rs = st.executeQuery("SELECT count(*) FROM sqlite_master WHERE name = 'partial'")) {
                rs.next();
                assertThat(rs.getInt(1)).as("rolled back").isZero();
            }
        }
    }

    @Test
    void aHolderResumingAfterItsLeaseWasTakenStopsBeforeTheFileTheOtherInstanceRan() throws Exception {
        Path m = Files.createDirectories(dir.resolve("migrations"));
        Files.writeString(m.resolve("001_steps.sql"), "CREATE TABLE steps (n INTEGER);");
        Files.writeString(m.resolve("002_step.sql"), "INSERT INTO steps VALUES (2);");
        try (HikariDataSource ds = open()) {
            java.util.function.Consumer<String> frozen = line -> {
                if (line.equals("[Migrations] Applying 002_step.sql...")) { // A freezes; its lease runs out
                    try (Connection c = ds.getConnection(); Statement st = c.createStatement()) {
                        st.execute("UPDATE botdb_lock SET expires_at = 0");
                    } catch (java.sql.SQLException e) {
                        throw new IllegalStateException(e);
                    }
                    Migrator.of(ds, Engine.SQLITE, m, l -> { }).migrate(); // B takes over and applies 002
                }
            };
            assertThatThrownBy(() -> Migrator.of(ds, Engine.SQLITE, m, frozen).lease(java.time.Duration.ofHours(1))
                    .migrate()).hasMessageContaining("lost the migration lock").hasMessageContaining("002_step.sql");
            try (Connection c = ds.getConnection(); Statement st = c.createStatement();
                 ResultSet rs = st.executeQuery("SELECT group_concat(n) FROM steps")) {
                rs.next();
                assertThat(rs.getString(1)).isEqualTo("2");
            }
        }
    }
}
