package dev.botdb.migrate;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.tuple;

import com.zaxxer.hikari.HikariDataSource;
import dev.botdb.BotDbException;
import dev.botdb.ErrorCode;
import dev.botdb.TestPostgres;
import dev.botdb.config.BotDbConfig;
import dev.botdb.config.Engine;
import dev.botdb.migrate.MigrationState.State;
import dev.botdb.pool.Pools;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Switching to botdb from sqlx, the USN bot's history, golang-migrate, dbmate and Flyway: each
 * history table is created as its tool creates it, with the schema its migrations made, and the
 * already-applied files would fail if run again (CREATE TABLE without IF NOT EXISTS).
 * PostgreSQL: one fresh database per test; SQLite: a real file in {@code @TempDir}.
 */
class ForeignHistoriesTest {
    private static final AtomicInteger DATABASES = new AtomicInteger();

    @TempDir
    Path tmp;

    private Path dir;
    private HikariDataSource ds;
    private final List<String> log = new CopyOnWriteArrayList<>();

    @BeforeEach
    void freshDatabase() throws Exception {
        dir = Files.createDirectories(tmp.resolve("migrations"));
        String database = "adopt_" + DATABASES.incrementAndGet();
        TestPostgres.exec("DROP DATABASE IF EXISTS " + database, "CREATE DATABASE " + database);
        BotDbConfig c = BotDbConfig.fromEnv(TestPostgres.env(
                "postgres://postgres@localhost:" + TestPostgres.port() + "/" + database + "?sslmode=disable"));
        ds = Pools.open(c.target(), c.pool());
    }

    @AfterEach
    void closePool() {
        ds.close();
    }

    private Migrator migrator() {
        return Migrator.of(ds, Engine.POSTGRESQL, dir, log::add);
    }

    /** Writes a migration file and returns its text. */
    private String file(String name, String sql) throws Exception {
        Files.writeString(dir.resolve(name), sql);
        return sql;
    }

    private void run(String... sql) throws SQLException {
        try (Connection c = ds.getConnection(); Statement st = c.createStatement()) {
            for (String s : sql) {
                st.execute(s);
            }
        }
    }

    private List<String> rows(String sql) throws SQLException {
        try (Connection c = ds.getConnection(); Statement st = c.createStatement(); ResultSet rs = st.executeQuery(sql)) {
            List<String> rows = new ArrayList<>();
            int n = rs.getMetaData().getColumnCount();
            while (rs.next()) {
                List<String> cells = new ArrayList<>();
                for (int i = 1; i <= n; i++) {
                    cells.add(rs.getString(i));
                }
                rows.add(String.join("|", cells));
            }
            return rows;
        }
    }

    private String one(String sql) throws SQLException {
        try (Connection c = ds.getConnection(); Statement st = c.createStatement(); ResultSet rs = st.executeQuery(sql)) {
            return rs.next() ? rs.getString(1) : null;
        }
    }

    private static byte[] sha384(String text) throws Exception {
        return MessageDigest.getInstance("SHA-384").digest(text.getBytes(StandardCharsets.UTF_8));
    }

    private static ErrorCode code(Throwable e) {
        return ((BotDbException) e).code();
    }

    /** sqlx's own DDL (sqlx-postgres migrate.rs, ensure_migrations_table). */
    private static final String SQLX_TABLE = """
            CREATE TABLE IF NOT EXISTS _sqlx_migrations (
                version BIGINT PRIMARY KEY,
                description TEXT NOT NULL,
                installed_on TIMESTAMPTZ NOT NULL DEFAULT now(),
                success BOOLEAN NOT NULL,
                checksum BYTEA NOT NULL,
                execution_time BIGINT NOT NULL
            )""";

    private void sqlxRow(Connection c, long version, String description, String at, boolean success, String sql,
                         long nanos) throws Exception {
        try (PreparedStatement ps = c.prepareStatement("INSERT INTO _sqlx_migrations"
                + " (version, description, installed_on, success, checksum, execution_time)"
                + " VALUES (?, ?, CAST(? AS TIMESTAMPTZ), ?, ?, ?)")) {
            ps.setLong(1, version);
            ps.setString(2, description);
            ps.setString(3, at);
            ps.setBoolean(4, success);
            ps.setBytes(5, sha384(sql));
            ps.setLong(6, nanos);
            ps.executeUpdate();
        }
    }

    @Test
    void adoptsChatalotsSqlxHistoryAndRunsOnlyTheNewFile() throws Exception {
        String users = file("001_users.sql", "CREATE TABLE users (id UUID PRIMARY KEY, username TEXT NOT NULL UNIQUE);\n");
        String channels = file("002_channels.sql", """
                CREATE TABLE channels (id UUID PRIMARY KEY, name TEXT NOT NULL);
                CREATE INDEX idx_channels_name ON channels (name);
                """);
        file("003_messages.sql", "CREATE TABLE messages (id UUID PRIMARY KEY, channel_id UUID REFERENCES channels(id));\n");
        run(users, channels, SQLX_TABLE);
        try (Connection c = ds.getConnection()) {
            sqlxRow(c, 1, "users", "2024-03-01 10:00:00+00", true, users, 4_200_000);
            sqlxRow(c, 2, "channels", "2024-03-02 10:00:00+00", true, channels, 7_900_000);
        }

        assertThat(migrator().status()).as("status shows what adoption will record, and writes nothing")
                .extracting(MigrationState::version, MigrationState::state)
                .containsExactly(tuple("001_users.sql", State.APPLIED),
                        tuple("002_channels.sql", State.APPLIED),
                        tuple("003_messages.sql", State.PENDING));
        assertThat(log).contains("[Migrations] Would adopt 2 applied migrations from sqlx (_sqlx_migrations) on the next migrate");
        assertThat(one("SELECT to_regclass('schema_migrations')")).isNull();
        assertThat(migrator().plan()).extracting(Migrator.Planned::fileName).containsExactly("003_messages.sql");

        log.clear();
        MigrationResult r = migrator().migrate();

        assertThat(r.applied()).containsExactly("003_messages.sql");
        assertThat(r.skipped()).isEqualTo(2);
        assertThat(log).contains("[Migrations] Adopted 2 applied migrations from sqlx (_sqlx_migrations); nothing will be re-run")
                .noneMatch(l -> l.contains("differs"));
        assertThat(rows("SELECT version, to_char(executed_at, 'YYYY-MM-DD'), duration_ms, success FROM schema_migrations"
                + " ORDER BY version"))
                .as("sqlx's installed_on and execution_time (ns) are kept")
                .hasSize(3)
                .startsWith("001_users.sql|2024-03-01|4|t", "002_channels.sql|2024-03-02|7|t");
        assertThat(one("SELECT count(*) FROM _sqlx_migrations")).as("kept in step: sqlx's migrate!() finds the new"
                + " file applied").isEqualTo("3");
        assertThat(one("SELECT description || '|' || success FROM _sqlx_migrations WHERE version = 3"))
                .isEqualTo("messages|true");

        log.clear();
        MigrationResult again = migrator().migrate();
        assertThat(again.applied()).isEmpty();
        assertThat(again.skipped()).isEqualTo(3);
        assertThat(log).noneMatch(l -> l.contains("Adopted"));
    }

    @Test
    void aFailedSqlxRowIsNotAdoptedAndMigrateStopsWithWhatToDo() throws Exception {
        String users = file("001_users.sql", "CREATE TABLE users (id BIGINT PRIMARY KEY);\n");
        String index = file("002_users_index.sql", """
                CREATE INDEX CONCURRENTLY idx_users_id ON users (id);
                CREATE INDEX CONCURRENTLY idx_users_missing ON users (missing_column);
                """);
        file("003_sessions.sql", "CREATE TABLE sessions (id BIGINT PRIMARY KEY);\n");
        run(users, "CREATE INDEX idx_users_id ON users (id)", SQLX_TABLE);
        try (Connection c = ds.getConnection()) {
            sqlxRow(c, 1, "users", "2024-03-01 10:00:00+00", true, users, 1_000_000);
            sqlxRow(c, 2, "users index", "2024-03-01 10:00:01+00", false, index, -1);
        }

        assertThatThrownBy(() -> migrator().migrate())
                .hasMessageContaining("002_users_index.sql failed part way")
                .hasMessageContaining("failed under sqlx")
                .hasMessageContaining("botdb mark-applied 002_users_index.sql")
                .hasMessageContaining("botdb repair")
                .extracting(ForeignHistoriesTest::code).isEqualTo(ErrorCode.MIGRATION_DRIFT);

        assertThat(log).contains("[Migrations] Adopted 1 applied migration from sqlx (_sqlx_migrations); nothing will be re-run")
                .anyMatch(l -> l.startsWith("[Migrations] sqlx recorded 002_users_index.sql as failed (success = false"
                        + " in _sqlx_migrations): not adopted"));
        assertThat(rows("SELECT version, success FROM schema_migrations ORDER BY version"))
                .containsExactly("001_users.sql|t", "002_users_index.sql|f");
        assertThat(one("SELECT to_regclass('sessions')")).as("nothing after the failed file ran").isNull();
        assertThat(migrator().status()).extracting(MigrationState::state)
                .containsExactly(State.APPLIED, State.FAILED, State.PENDING);
    }

    @Test
    void adoptsTheUsnBotsMigrationHistoryByFileStem() throws Exception {
        String initial = file("001_initial_schema.sql", """
                CREATE TABLE users (id SERIAL PRIMARY KEY, telegram_id BIGINT UNIQUE NOT NULL);
                CREATE TABLE reminders (id SERIAL PRIMARY KEY, user_id INT REFERENCES users(id) ON DELETE CASCADE);
                """);
        String cascades = file("002_add_settings.sql", "CREATE TABLE settings (user_id INT PRIMARY KEY REFERENCES users(id));\n");
        file("003_add_groups.sql", "CREATE TABLE groups (id SERIAL PRIMARY KEY);\n");
        run(initial, cascades, """
                CREATE TABLE IF NOT EXISTS migration_history (
                    id SERIAL PRIMARY KEY,
                    version VARCHAR(50) UNIQUE NOT NULL,
                    applied_at TIMESTAMP DEFAULT CURRENT_TIMESTAMP
                )""", """
                INSERT INTO migration_history (version, applied_at) VALUES
                    ('000_bootstrap', '2023-12-31 09:00:00'),
                    ('001_initial_schema', '2024-01-01 09:00:00'),
                    ('002_add_settings', '2024-02-01 09:00:00')""");

        MigrationResult r = migrator().migrate();

        assertThat(r.applied()).containsExactly("003_add_groups.sql");
        assertThat(log).contains("[Migrations] the USN bot version 000_bootstrap in migration_history has no file;"
                        + " recorded as missing (000_bootstrap.sql)",
                "[Migrations] Adopted 3 applied migrations from the USN bot (migration_history); nothing will be re-run");
        assertThat(rows("SELECT version, executed_at::date FROM schema_migrations ORDER BY version")).containsExactly(
                "000_bootstrap.sql|2023-12-31", "001_initial_schema.sql|2024-01-01", "002_add_settings.sql|2024-02-01",
                "003_add_groups.sql|" + one("SELECT current_date"));
        assertThat(migrator().status()).extracting(MigrationState::version, MigrationState::state).contains(
                tuple("000_bootstrap.sql", State.MISSING));
        assertThat(one("SELECT count(*) FROM migration_history")).as("kept in step").isEqualTo("4");
        assertThat(one("SELECT version FROM migration_history ORDER BY id DESC LIMIT 1")).isEqualTo("003_add_groups");
    }

    /** golang-migrate's DDL (database/postgres: ensureVersionTable). */
    private static final String GOLANG_TABLE =
            "CREATE TABLE IF NOT EXISTS \"schema_migrations\" (version bigint not null primary key, dirty boolean not null)";

    private void golangFiles() throws Exception {
        file("000001_create_users.up.sql", "CREATE TABLE users (id BIGINT PRIMARY KEY);\n");
        file("000001_create_users.down.sql", "DROP TABLE users;\n");
        file("000002_create_chats.up.sql", "CREATE TABLE chats (id BIGINT PRIMARY KEY, owner BIGINT REFERENCES users(id));\n");
        file("000002_create_chats.down.sql", "DROP TABLE chats;\n");
        file("000003_create_notes.up.sql", "CREATE TABLE notes (id BIGINT PRIMARY KEY, chat BIGINT REFERENCES chats(id));\n");
        file("000003_create_notes.down.sql", "DROP TABLE notes;\n");
        run("CREATE TABLE users (id BIGINT PRIMARY KEY)", GOLANG_TABLE);
    }

    @Test
    void adoptsGolangMigratesVersionAndKeepsItsTableAsABackup() throws Exception {
        golangFiles();
        run("CREATE TABLE chats (id BIGINT PRIMARY KEY, owner BIGINT REFERENCES users(id))",
                "INSERT INTO schema_migrations (version, dirty) VALUES (2, false)");

        MigrationResult r = migrator().migrate();

        assertThat(r.applied()).containsExactly("000003_create_notes.up.sql");
        assertThat(log).contains("[Migrations] Adopted 2 applied migrations from golang-migrate (schema_migrations,"
                + " kept as schema_migrations_golang_migrate); nothing will be re-run");
        assertThat(rows("SELECT version, success FROM schema_migrations ORDER BY version")).containsExactly(
                "000001_create_users.up.sql|t", "000002_create_chats.up.sql|t", "000003_create_notes.up.sql|t");
        assertThat(rows("SELECT version, dirty FROM schema_migrations_golang_migrate")).as("kept in step")
                .containsExactly("3|f");
        assertThat(rows("SELECT indexname, tablename FROM pg_indexes WHERE indexname LIKE 'schema_migrations%' ORDER BY 1"))
                .containsExactly("schema_migrations_golang_migrate_pkey|schema_migrations_golang_migrate",
                        "schema_migrations_pkey|schema_migrations");
        assertThat(migrator().migrate().skipped()).isEqualTo(3);
    }

    @Test
    void aDirtyGolangMigrateTableStopsWithNothingChangedAndTheWayOut() throws Exception {
        golangFiles();
        run("INSERT INTO schema_migrations (version, dirty) VALUES (2, true)");

        for (var call : List.<Runnable>of(() -> migrator().migrate(), () -> migrator().status())) {
            assertThatThrownBy(call::run)
                    .hasMessageContaining("golang-migrate's schema_migrations is dirty at version 2 (000002_create_chats.up.sql)")
                    .hasMessageContaining("Nothing was changed")
                    .hasMessageContaining("finished: UPDATE schema_migrations SET dirty = false;")
                    .hasMessageContaining("undone:   UPDATE schema_migrations SET version = 1, dirty = false;")
                    .extracting(ForeignHistoriesTest::code).isEqualTo(ErrorCode.MIGRATION_DRIFT);
        }
        assertThat(rows("SELECT version, dirty FROM schema_migrations")).containsExactly("2|t");
        assertThat(one("SELECT to_regclass('schema_migrations_golang_migrate')")).isNull();

        // the operator finishes 000002 by hand and records it, as the message says
        run("CREATE TABLE chats (id BIGINT PRIMARY KEY, owner BIGINT REFERENCES users(id))",
                "UPDATE schema_migrations SET dirty = false");
        assertThat(migrator().migrate().applied()).containsExactly("000003_create_notes.up.sql");
    }

    @Test
    void adoptsDbmatesRowsAndKeepsItsTableAsABackup() throws Exception {
        String users = """
                -- migrate:up
                CREATE TABLE users (id BIGSERIAL PRIMARY KEY, name TEXT);

                -- migrate:down
                DROP TABLE users;
                """;
        file("20240101120000_create_users.sql", users);
        file("20240215093000_create_groups.sql", """
                -- migrate:up
                CREATE TABLE groups (id BIGSERIAL PRIMARY KEY);
                CREATE TABLE memberships (user_id BIGINT REFERENCES users(id), group_id BIGINT REFERENCES groups(id));
                """);
        file("20240301080000_create_notes.sql", "-- migrate:up\nCREATE TABLE notes (id BIGSERIAL PRIMARY KEY);\n");
        run("CREATE TABLE users (id BIGSERIAL PRIMARY KEY, name TEXT)",
                "CREATE TABLE groups (id BIGSERIAL PRIMARY KEY)",
                "CREATE TABLE memberships (user_id BIGINT REFERENCES users(id), group_id BIGINT REFERENCES groups(id))",
                // dbmate's DDL (pkg/driver/postgres: CreateMigrationsTable)
                "create table if not exists public.schema_migrations (version varchar(128) primary key)",
                "insert into public.schema_migrations (version) values ('20240101120000'), ('20240215093000')");

        MigrationResult r = migrator().migrate();

        assertThat(r.applied()).containsExactly("20240301080000_create_notes.sql");
        assertThat(log).contains("[Migrations] Adopted 2 applied migrations from dbmate (schema_migrations,"
                + " kept as schema_migrations_dbmate); nothing will be re-run");
        assertThat(rows("SELECT version FROM schema_migrations ORDER BY version")).containsExactly(
                "20240101120000_create_users.sql", "20240215093000_create_groups.sql", "20240301080000_create_notes.sql");
        assertThat(rows("SELECT version FROM schema_migrations_dbmate ORDER BY version")).as("kept in step")
                .containsExactly("20240101120000", "20240215093000", "20240301080000");
        assertThat(one("SELECT to_regclass('users')")).as("the down section never ran").isEqualTo("users");
    }

    /** Flyway's DDL for PostgreSQL (createMetaDataTable.sql). */
    private static final String FLYWAY_TABLE = """
            CREATE TABLE "public"."flyway_schema_history" (
                "installed_rank" INT NOT NULL,
                "version" VARCHAR(50),
                "description" VARCHAR(200) NOT NULL,
                "type" VARCHAR(20) NOT NULL,
                "script" VARCHAR(1000) NOT NULL,
                "checksum" INTEGER,
                "installed_by" VARCHAR(100) NOT NULL,
                "installed_on" TIMESTAMP NOT NULL DEFAULT now(),
                "execution_time" INTEGER NOT NULL,
                "success" BOOLEAN NOT NULL
            );
            ALTER TABLE "public"."flyway_schema_history" ADD CONSTRAINT "flyway_schema_history_pk" PRIMARY KEY ("installed_rank");
            CREATE INDEX "flyway_schema_history_s_idx" ON "public"."flyway_schema_history" ("success");
            """;

    @Test
    void adoptsFlywaysSqlAndJdbcRowsByScriptOrVersion() throws Exception {
        file("V1__init.sql", "CREATE TABLE users (id BIGINT PRIMARY KEY);\n");
        file("V1.1__chats.sql", "CREATE TABLE chats (id BIGINT PRIMARY KEY);\n");
        file("V2__backfill.sql", "CREATE TABLE backfill_done (at TIMESTAMP);\n"); // was a Java migration under Flyway
        file("V3__notes.sql", "CREATE TABLE notes (id BIGINT PRIMARY KEY);\n");
        run("CREATE TABLE users (id BIGINT PRIMARY KEY)", "CREATE TABLE chats (id BIGINT PRIMARY KEY)",
                "CREATE TABLE backfill_done (at TIMESTAMP)", FLYWAY_TABLE, """
                INSERT INTO flyway_schema_history VALUES
                    (1, '1', 'init', 'SQL', 'V1__init.sql', 1482732195, 'bot', '2024-01-01 10:00:00', 31, true),
                    (2, '1.1', 'chats', 'SQL', 'V1.1__chats.sql', -99813, 'bot', '2024-01-02 10:00:00', 12, true),
                    (3, '2', 'backfill', 'JDBC', 'db.migration.V2__Backfill', NULL, 'bot', '2024-01-03 10:00:00', 950, true),
                    (4, NULL, 'views', 'SQL', 'R__views.sql', 7, 'bot', '2024-01-03 10:00:01', 3, true)""");

        MigrationResult r = migrator().migrate();

        assertThat(r.applied()).containsExactly("V3__notes.sql");
        assertThat(log).contains("[Migrations] Adopted 3 applied migrations from Flyway (flyway_schema_history);"
                        + " nothing will be re-run",
                "[Migrations] Flyway repeatable migration R__views.sql is not adopted: botdb runs versioned files only");
        assertThat(rows("SELECT version, duration_ms, executed_at::date FROM schema_migrations ORDER BY executed_at"))
                .startsWith("V1__init.sql|31|2024-01-01", "V1.1__chats.sql|12|2024-01-02", "V2__backfill.sql|950|2024-01-03");
        assertThat(one("SELECT count(*) FROM flyway_schema_history")).as("kept in step").isEqualTo("5");
        assertThat(one("SELECT version || '|' || description || '|' || type || '|' || success FROM flyway_schema_history"
                + " WHERE script = 'V3__notes.sql'")).isEqualTo("3|notes|SQL|true");
    }

    @Test
    void filesUpToAFlywayBaselineCountAsAppliedAndAFailedRowIsReported() throws Exception {
        for (int i = 1; i <= 5; i++) {
            file("V" + i + "__t" + i + ".sql", "CREATE TABLE t" + i + " (id INT);\n");
            run("CREATE TABLE t" + i + " (id INT)");
        }
        file("V6__t6.sql", "CREATE TABLE t6 (id INT);\n");
        file("V7__t7_index.sql", "CREATE INDEX CONCURRENTLY t6_id ON t6 (id);\n");
        file("V8__t8.sql", "CREATE TABLE t8 (id INT);\n");
        run("CREATE TABLE t6 (id INT)", FLYWAY_TABLE, """
                INSERT INTO flyway_schema_history VALUES
                    (1, '5', '<< Flyway Baseline >>', 'BASELINE', '<< Flyway Baseline >>', NULL, 'bot', '2024-01-01 10:00:00', 0, true),
                    (2, '6', 't6', 'SQL', 'V6__t6.sql', 11, 'bot', '2024-02-01 10:00:00', 5, true),
                    (3, '7', 't7 index', 'SQL', 'V7__t7_index.sql', 12, 'bot', '2024-02-02 10:00:00', 5, false)""");

        assertThat(migrator().status()).extracting(MigrationState::state).containsExactly(State.APPLIED, State.APPLIED,
                State.APPLIED, State.APPLIED, State.APPLIED, State.APPLIED, State.FAILED, State.PENDING);
        assertThatThrownBy(() -> migrator().migrate())
                .hasMessageContaining("V7__t7_index.sql failed part way")
                .extracting(ForeignHistoriesTest::code).isEqualTo(ErrorCode.MIGRATION_DRIFT);
        assertThat(log).contains(
                "[Migrations] Flyway was baselined at version 5: 5 files up to it count as applied, as Flyway never runs them",
                "[Migrations] Flyway recorded V7__t7_index.sql as failed (success = false in flyway_schema_history):"
                        + " not adopted; recorded as failed, so migrate stops until it is finished or undone by hand",
                "[Migrations] Adopted 6 applied migrations from Flyway (flyway_schema_history); nothing will be re-run");
        assertThat(one("SELECT string_agg(version, ',' ORDER BY version) FROM schema_migrations WHERE success"))
                .isEqualTo("V1__t1.sql,V2__t2.sql,V3__t3.sql,V4__t4.sql,V5__t5.sql,V6__t6.sql");

        // nothing of the index was left behind; repair forgets the attempt and the file runs again
        assertThat(migrator().repair()).containsExactly("forgot the failed attempt of V7__t7_index.sql; migrate will run it again");
        assertThat(migrator().migrate().applied()).containsExactly("V7__t7_index.sql", "V8__t8.sql");
    }

    @Test
    void markAppliedAsTheFirstCommandAfterASwitchAdoptsTheOldHistoryFirst() throws Exception {
        String users = file("001_users.sql", "CREATE TABLE users (id SERIAL PRIMARY KEY);\n");
        file("002_chats.sql", "CREATE TABLE chats (id SERIAL PRIMARY KEY);\n");
        file("003_notes.sql", "CREATE TABLE notes (id SERIAL PRIMARY KEY);\n");
        run(users, "CREATE TABLE chats (id SERIAL PRIMARY KEY)", """
                CREATE TABLE IF NOT EXISTS migration_history (
                    id SERIAL PRIMARY KEY,
                    version VARCHAR(50) UNIQUE NOT NULL,
                    applied_at TIMESTAMP DEFAULT CURRENT_TIMESTAMP
                )""", "INSERT INTO migration_history (version) VALUES ('001_users')");

        migrator().markApplied("002_chats.sql"); // chats was created by hand

        assertThat(log).contains("[Migrations] Adopted 1 applied migration from the USN bot (migration_history);"
                + " nothing will be re-run", "[Migrations] Marked 002_chats.sql as applied (not run)");
        assertThat(migrator().migrate().applied()).containsExactly("003_notes.sql");
    }

    @Test
    void botdbsOwnHistoryWithRowsIsNeverMixedWithAnotherTools() throws Exception {
        file("001_users.sql", "CREATE TABLE users (id BIGINT PRIMARY KEY);\n");
        migrator().migrate();
        file("002_chats.sql", "CREATE TABLE chats (id BIGINT PRIMARY KEY);\n");
        run(SQLX_TABLE);
        try (Connection c = ds.getConnection()) {
            sqlxRow(c, 2, "chats", "2024-03-01 10:00:00+00", true, "whatever", 1);
        }
        log.clear();
        assertThat(migrator().migrate().applied()).containsExactly("002_chats.sql");
        assertThat(log).noneMatch(l -> l.contains("dopt"));
    }

    // SQLite: the USN bot's development database, with a sqlx or dbmate history

    private HikariDataSource sqlite() {
        BotDbConfig c = BotDbConfig.fromEnv(Map.of("DATABASE_URL", "sqlite:///" + tmp.resolve("bot_database.db")));
        return Pools.open(c.target(), c.pool());
    }

    private static List<String> rows(HikariDataSource db, String sql) throws SQLException {
        try (Connection c = db.getConnection(); Statement st = c.createStatement(); ResultSet rs = st.executeQuery(sql)) {
            List<String> rows = new ArrayList<>();
            while (rs.next()) {
                rows.add(rs.getString(1));
            }
            return rows;
        }
    }

    @Test
    void adoptsASqlxHistoryOnSqlite() throws Exception {
        String users = file("001_users.sql", "CREATE TABLE users (id INTEGER PRIMARY KEY AUTOINCREMENT, name TEXT);\n");
        file("002_notes.sql", "CREATE TABLE notes (id INTEGER PRIMARY KEY, user_id INTEGER REFERENCES users(id));\n");
        try (HikariDataSource db = sqlite()) {
            try (Connection c = db.getConnection(); Statement st = c.createStatement()) {
                st.execute(users);
                // sqlx-sqlite's DDL
                st.execute("""
                        CREATE TABLE IF NOT EXISTS _sqlx_migrations (
                            version BIGINT PRIMARY KEY,
                            description TEXT NOT NULL,
                            installed_on TIMESTAMP NOT NULL DEFAULT CURRENT_TIMESTAMP,
                            success BOOLEAN NOT NULL,
                            checksum BLOB NOT NULL,
                            execution_time BIGINT NOT NULL
                        )""");
                try (PreparedStatement ps = c.prepareStatement("INSERT INTO _sqlx_migrations"
                        + " VALUES (1, 'users', '2024-03-01 10:00:00', TRUE, ?, 2500000)")) {
                    ps.setBytes(1, sha384(users));
                    ps.executeUpdate();
                }
            }
            Migrator m = Migrator.of(db, Engine.SQLITE, dir, log::add);
            assertThat(m.status()).extracting(MigrationState::state).containsExactly(State.APPLIED, State.PENDING);

            MigrationResult r = m.migrate();

            assertThat(r.applied()).containsExactly("002_notes.sql");
            assertThat(log).contains("[Migrations] Adopted 1 applied migration from sqlx (_sqlx_migrations);"
                    + " nothing will be re-run");
            assertThat(rows(db, "SELECT version || '|' || executed_at || '|' || duration_ms FROM schema_migrations"
                    + " ORDER BY version")).hasSize(2).startsWith("001_users.sql|2024-03-01 10:00:00|2");
            assertThat(m.status()).extracting(MigrationState::state).containsExactly(State.APPLIED, State.APPLIED);
        }
    }

    @Test
    void adoptsADbmateHistoryOnSqliteAndKeepsItsTable() throws Exception {
        String users = "-- migrate:up\nCREATE TABLE users (id INTEGER PRIMARY KEY, name TEXT);\n\n-- migrate:down\nDROP TABLE users;\n";
        file("20240101120000_create_users.sql", users);
        file("20240301080000_create_notes.sql", "-- migrate:up\nCREATE TABLE notes (id INTEGER PRIMARY KEY);\n");
        try (HikariDataSource db = sqlite()) {
            try (Connection c = db.getConnection(); Statement st = c.createStatement()) {
                st.execute("CREATE TABLE users (id INTEGER PRIMARY KEY, name TEXT)");
                // dbmate's DDL (pkg/driver/sqlite: CreateMigrationsTable)
                st.execute("create table if not exists schema_migrations (version varchar(128) primary key)");
                st.execute("insert into schema_migrations (version) values ('20240101120000')");
            }

            MigrationResult r = Migrator.of(db, Engine.SQLITE, dir, log::add).migrate();

            assertThat(r.applied()).containsExactly("20240301080000_create_notes.sql");
            assertThat(log).contains("[Migrations] Adopted 1 applied migration from dbmate (schema_migrations,"
                    + " kept as schema_migrations_dbmate); nothing will be re-run");
            assertThat(rows(db, "SELECT version FROM schema_migrations ORDER BY version")).containsExactly(
                    "20240101120000_create_users.sql", "20240301080000_create_notes.sql");
            assertThat(rows(db, "SELECT version FROM schema_migrations_dbmate ORDER BY version")).as("kept in step")
                    .containsExactly("20240101120000", "20240301080000");
            assertThat(rows(db, "SELECT name FROM sqlite_master WHERE type = 'index' AND name LIKE '%schema_migrations%' ORDER BY name")).containsExactly(
                    "sqlite_autoindex_schema_migrations_1", "sqlite_autoindex_schema_migrations_dbmate_1");
        }
    }
}
