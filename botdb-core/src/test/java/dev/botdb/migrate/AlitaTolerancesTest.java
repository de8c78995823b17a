package dev.botdb.migrate;

import static org.assertj.core.api.Assertions.assertThat;

import com.zaxxer.hikari.HikariDataSource;
import dev.botdb.BotDbException;
import dev.botdb.ErrorCode;
import dev.botdb.TestPostgres;
import dev.botdb.config.BotDbConfig;
import dev.botdb.config.Engine;
import dev.botdb.pool.Pools;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Alita's migration history (src/test/resources/alita/history) applies as Alita's own runner
 * applies it: an enum type, a constraint or an extension created again is passed over, and the loop
 * that drops every index of a table leaves the primary key's for the DROP TABLE. Both on a fresh
 * database and on one where Alita's runner already applied the first files. Each tolerance is
 * narrow: the negatives still stop with the server's error.
 */
class AlitaTolerancesTest {
    private static final List<String> HISTORY = List.of("20250101000001_types.sql", "20250101000002_members.sql",
            "20250101000003_supabase_export.sql", "20250101000004_drop_members.sql");
    private static final AtomicInteger DATABASES = new AtomicInteger();

    @TempDir
    Path dir;

    private String database;
    private HikariDataSource ds;
    private final List<String> log = new CopyOnWriteArrayList<>();

    @BeforeEach
    void freshDatabase() throws Exception {
        database = "alita_tol_" + DATABASES.incrementAndGet();
        TestPostgres.exec("DROP DATABASE IF EXISTS " + database, "CREATE DATABASE " + database);
        BotDbConfig c = BotDbConfig.fromEnv(TestPostgres.env(
                "postgres://postgres@localhost:" + TestPostgres.port() + "/" + database + "?sslmode=disable"));
        ds = Pools.open(c.target(), c.pool());
        for (String name : HISTORY) {
            try (InputStream in = AlitaTolerancesTest.class.getResourceAsStream("/alita/history/" + name)) {
                Files.write(dir.resolve(name), in.readAllBytes());
            }
        }
    }

    @AfterEach
    void closePool() {
        ds.close();
    }

    private Migrator migrator() {
        return Migrator.of(ds, Engine.POSTGRESQL, dir, log::add);
    }

    private String one(String sql) throws SQLException {
        try (Connection c = ds.getConnection(); Statement st = c.createStatement(); ResultSet rs = st.executeQuery(sql)) {
            return rs.next() ? rs.getString(1) : null;
        }
    }

    /** What Alita's runner leaves: each file in one transaction (CREATE EXTENSION made IF NOT EXISTS), its row. */
    private void appliedByAlitasRunner(String name) throws Exception {
        byte[] raw = Files.readAllBytes(dir.resolve(name));
        String sql = new String(raw, java.nio.charset.StandardCharsets.UTF_8)
                .replaceAll("(?i)create\\s+extension\\s+", "CREATE EXTENSION IF NOT EXISTS ");
        try (Connection c = ds.getConnection(); Statement st = c.createStatement()) {
            c.setAutoCommit(false);
            st.execute("CREATE TABLE IF NOT EXISTS schema_migrations (version VARCHAR(255) PRIMARY KEY,"
                    + " executed_at TIMESTAMP DEFAULT CURRENT_TIMESTAMP)");
            st.execute("ALTER TABLE schema_migrations ADD COLUMN IF NOT EXISTS checksum VARCHAR(64)");
            st.execute(sql);
            try (PreparedStatement ps = c.prepareStatement(
                    "INSERT INTO schema_migrations (version, executed_at, checksum) VALUES (?, now(), ?)")) {
                ps.setString(1, name);
                ps.setString(2, HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(raw)));
                ps.executeUpdate();
            }
            c.commit();
        }
    }

    private void assertHistoryApplied() throws SQLException {
        assertThat(one("SELECT to_regclass('chat_users') IS NULL")).isEqualTo("t");
        assertThat(one("SELECT string_agg(enumlabel, ',' ORDER BY enumsortorder) FROM pg_enum"
                + " WHERE enumtypid = 'chat_status'::regtype")).isEqualTo("active,left");
        assertThat(one("SELECT role FROM chats WHERE id = 1")).isEqualTo("member");
        assertThat(one("SELECT count(*) FROM schema_migrations")).isEqualTo("4");
    }

    @Test
    void theWholeHistoryAppliesOnAFreshDatabase() throws Exception {
        MigrationResult r = migrator().migrate();

        assertThat(r.applied()).hasSize(4);
        assertHistoryApplied();
        assertThat(log).anyMatch(l -> l.contains("20250101000001_types.sql line 3: extension plpgsql already exists"
                + " (SQLSTATE 42710); passed over, as Alita's runner does"));
        assertThat(log).anyMatch(l -> l.contains("20250101000003_supabase_export.sql line 2: type chat_status already"
                + " exists"));
        assertThat(log).anyMatch(l -> l.contains("20250101000003_supabase_export.sql line 4: constraint"
                + " chat_users_chat_fk on public.chat_users already exists"));
        assertThat(log).anyMatch(l -> l.contains("20250101000004_drop_members.sql line 2: the DO block's EXECUTE"
                + " 'DROP INDEX ...' leaves an index a constraint still needs"));
    }

    @Test
    void afterAlitasRunnerAppliedTheFirstFilesBotdbAppliesTheRest() throws Exception {
        appliedByAlitasRunner(HISTORY.get(0));
        appliedByAlitasRunner(HISTORY.get(1));

        MigrationResult r = migrator().migrate();

        assertThat(r.applied()).containsExactly("20250101000003_supabase_export.sql",
                "20250101000004_drop_members.sql");
        assertHistoryApplied();
        assertThat(log).anyMatch(l -> l.contains("type chat_status already exists"))
                .anyMatch(l -> l.contains("extension plpgsql already exists"));
    }

    private BotDbException failing(String sql) throws Exception {
        migrator().migrate(); // the history first, so the names below exist
        Files.writeString(dir.resolve("20250101000009_negative.sql"), sql);
        try {
            migrator().migrate();
        } catch (BotDbException e) {
            assertThat(e.code()).isEqualTo(ErrorCode.MIGRATION_FAILED);
            return e;
        }
        throw new AssertionError("migrate passed over: " + sql);
    }

    @Test
    void anEnumThatIsWrongStillStops() throws Exception {
        assertThat(failing("CREATE TYPE mood AS ENUM ('happy', 'happy');").getMessage()).contains("'happy', 'happy'");
        assertThat(one("SELECT to_regtype('mood') IS NULL")).isEqualTo("t");
    }

    @Test
    void anEnumNamedLikeATableStillStops() throws Exception {
        // the name is taken (42710), but by the table's row type, not by an enum this file meant
        assertThat(failing("CREATE TYPE chats AS ENUM ('a');").getMessage()).contains("[SQLSTATE 42710]")
                .contains("type \"chats\" already exists");
    }

    @Test
    void aConstraintThatFailsForAnotherReasonStillStops() throws Exception {
        assertThat(failing("INSERT INTO chats VALUES (-5, 'left');\n"
                + "ALTER TABLE chats ADD CONSTRAINT chats_positive CHECK (id > 0);").getMessage())
                .contains("[SQLSTATE 23514]");
        assertThat(one("SELECT count(*) FROM chats WHERE id = -5")).isEqualTo("0");
    }

    @Test
    void aUniqueConstraintWhoseIndexNameIsTakenStillStops() throws Exception {
        assertThat(failing("ALTER TABLE chats ADD CONSTRAINT chats_pkey UNIQUE (id);").getMessage())
                .contains("[SQLSTATE 42P07]");
    }

    @Test
    void droppingAnIndexAConstraintNeedsOutsideTheLoopStillStops() throws Exception {
        assertThat(failing("DROP INDEX chats_pkey;").getMessage()).contains("[SQLSTATE 2BP01]");
        assertThat(one("SELECT to_regclass('chats_pkey') IS NOT NULL")).isEqualTo("t");
    }

    @Test
    void whatTheLoopCannotDropIsLeftOnlyWhenAConstraintNeedsIt() throws Exception {
        migrator().migrate();
        Files.writeString(dir.resolve("20250101000009_loop.sql"), """
                CREATE TABLE keep (id int PRIMARY KEY, note text);
                CREATE INDEX keep_note ON keep (note);
                DO $$
                DECLARE r record;
                BEGIN
                    FOR r IN SELECT indexname FROM pg_indexes WHERE tablename = 'keep' LOOP
                        EXECUTE 'DROP INDEX IF EXISTS ' || quote_ident(r.indexname);
                    END LOOP;
                END $$;
                """);

        migrator().migrate();

        assertThat(one("SELECT string_agg(indexname, ',') FROM pg_indexes WHERE tablename = 'keep'"))
                .isEqualTo("keep_pkey");
    }

    @Test
    void aStatementThatIsNotTolerableIsNotWrapped() {
        assertThat(Tolerances.of("CREATE TABLE t (id int)")).isNull();
        assertThat(Tolerances.of("CREATE EXTENSION IF NOT EXISTS pgcrypto")).isNull();
        assertThat(Tolerances.of("CREATE TYPE \"Mood\" AS ENUM ('a')").what()).isEqualTo("type \"Mood\"");
        assertThat(Tolerances.guardDropIndexLoop("DROP INDEX x")).isNull();
        assertThat(Tolerances.guardDropIndexLoop("DO $$ BEGIN RAISE NOTICE 'x'; END $$")).isNull();
    }
}
