package dev.botdb.migrate;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.zaxxer.hikari.HikariDataSource;
import dev.botdb.BotDbException;
import dev.botdb.ErrorCode;
import dev.botdb.TestPostgres;
import dev.botdb.config.BotDbConfig;
import dev.botdb.config.Engine;
import dev.botdb.pool.Pools;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * MIGRATIONS_HISTORY_MIRROR: sqlx's and the USN bot's tables kept in step with botdb's, row by row
 * as those tools write them; sqlx's checksum compared with an independent SHA-384 of the file bytes.
 */
class HistoryMirrorTest {
    private static final AtomicInteger DATABASES = new AtomicInteger();

    @TempDir
    Path dir;

    private HikariDataSource ds;
    private final List<String> log = new ArrayList<>();

    @BeforeEach
    void freshDatabase() throws Exception {
        String database = "mirror_" + DATABASES.incrementAndGet();
        TestPostgres.exec("DROP DATABASE IF EXISTS " + database, "CREATE DATABASE " + database);
        BotDbConfig c = BotDbConfig.fromEnv(TestPostgres.env(
                "postgres://postgres@localhost:" + TestPostgres.port() + "/" + database + "?sslmode=disable"));
        ds = Pools.open(c.target(), c.pool());
        Files.writeString(dir.resolve("001_create_users.sql"), "CREATE TABLE users (id bigint PRIMARY KEY);\r\n");
        Files.writeString(dir.resolve("002_add_chats.sql"), "CREATE TABLE chats (id bigint PRIMARY KEY); -- é\n");
        Files.writeString(dir.resolve("002_add_chats.down.sql"), "DROP TABLE chats;\n");
    }

    @AfterEach
    void closePool() {
        ds.close();
    }

    private Migrator migrator(String mirror) {
        return Migrator.of(ds, Engine.POSTGRESQL, dir, log::add).historyMirror(Map.of(HistoryMirror.VARIABLE, mirror));
    }

    private List<String> rows(String sql) throws SQLException {
        List<String> out = new ArrayList<>();
        try (Connection c = ds.getConnection(); Statement st = c.createStatement(); ResultSet rs = st.executeQuery(sql)) {
            while (rs.next()) {
                out.add(rs.getString(1));
            }
        }
        return out;
    }

    private String sha384(String file) throws Exception {
        return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-384").digest(Files.readAllBytes(dir.resolve(file))));
    }

    @Test
    void sqlxRowsAreWhatSqlxWritesAndFollowRollbackMarkAppliedAndRepair() throws Exception {
        migrator("sqlx").migrate();

        assertThat(rows("SELECT version || '|' || description || '|' || success || '|' || encode(checksum, 'hex')"
                + " || '|' || (execution_time > 0) FROM _sqlx_migrations ORDER BY version")).containsExactly(
                "1|create users|true|" + sha384("001_create_users.sql") + "|true",
                "2|add chats|true|" + sha384("002_add_chats.sql") + "|true");

        migrator("sqlx").rollback(1);
        assertThat(rows("SELECT version FROM _sqlx_migrations")).containsExactly("1");

        migrator("sqlx").markApplied("002_add_chats.sql");
        assertThat(rows("SELECT version FROM _sqlx_migrations ORDER BY version")).containsExactly("1", "2");

        Files.writeString(dir.resolve("001_create_users.sql"), "CREATE TABLE users (id bigint PRIMARY KEY, x int);\n");
        migrator("sqlx").repair();
        assertThat(rows("SELECT encode(checksum, 'hex') FROM _sqlx_migrations WHERE version = 1"))
                .containsExactly(sha384("001_create_users.sql"));
    }

    @Test
    void usnRowsAreFileStems() throws Exception {
        migrator("usn").migrate();
        assertThat(rows("SELECT version FROM migration_history ORDER BY id")).containsExactly("001_create_users",
                "002_add_chats");
        migrator("usn").rollback(1);
        assertThat(rows("SELECT version FROM migration_history")).containsExactly("001_create_users");
    }

    @Test
    void aFailedFileLeavesNoMirrorRowBehind() throws Exception {
        Files.writeString(dir.resolve("003_broken.sql"), "CREATE TABLE ok3 (id int);\nSELECT * FROM nowhere;\n");
        assertThatThrownBy(() -> migrator("sqlx").migrate()).isInstanceOf(BotDbException.class);
        assertThat(rows("SELECT version FROM _sqlx_migrations ORDER BY version")).containsExactly("1", "2");
        assertThat(rows("SELECT count(*) FROM schema_migrations")).containsExactly("2");
    }

    @Test
    void aToolBotdbCannotMirrorIsRefusedByName() {
        assertThatThrownBy(() -> migrator("liquibase").migrate()).isInstanceOf(BotDbException.class)
                .hasMessageContaining("MIGRATIONS_HISTORY_MIRROR=liquibase is not a tool botdb mirrors")
                .extracting(e -> ((BotDbException) e).code()).isEqualTo(ErrorCode.CONFIG_INVALID);
    }
}
