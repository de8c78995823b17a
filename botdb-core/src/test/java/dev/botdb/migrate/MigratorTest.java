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
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The migration engine against a real PostgreSQL: one fresh database per test. */
class MigratorTest {
    private static final AtomicInteger DATABASES = new AtomicInteger();

    @TempDir
    Path dir;

    private String database;
    private HikariDataSource ds;
    private final List<String> log = new CopyOnWriteArrayList<>();

    @BeforeEach
    void freshDatabase() {
        database = "migrate_" + DATABASES.incrementAndGet();
        TestPostgres.exec("DROP DATABASE IF EXISTS " + database, "CREATE DATABASE " + database);
        ds = pool();
    }

    @AfterEach
    void closePool() {
        ds.close();
    }

    private HikariDataSource pool() {
        BotDbConfig c = BotDbConfig.fromEnv(TestPostgres.env(
                "postgres://postgres@localhost:" + TestPostgres.port() + "/" + database + "?sslmode=disable"));
        return Pools.open(c.target(), c.pool());
    }

    private Migrator migrator() {
        return Migrator.of(ds, Engine.POSTGRESQL, dir, log::add);
    }

    private void file(String name, String sql) throws Exception {
        Files.writeString(dir.resolve(name), sql);
    }

    private String one(String sql) throws SQLException {
        try (Connection c = ds.getConnection(); Statement st = c.createStatement(); ResultSet rs = st.executeQuery(sql)) {
            return rs.next() ? rs.getString(1) : null;
        }
    }

    @Test
    void appliesFilesInNumericOrderWithTheAlitaLogLines() throws Exception {
        file("9_first.sql", "CREATE TABLE steps (n int);\nINSERT INTO steps VALUES (9);\n");
        file("10_second.sql", "INSERT INTO steps VALUES (10);\n");
        file("10_second.rollback.sql", "DELETE FROM steps WHERE n = 10;\n");

        MigrationResult r = migrator().migrate();

        assertThat(r.applied()).containsExactly("9_first.sql", "10_second.sql");
        assertThat(one("SELECT string_agg(n::text, ',' ORDER BY n) FROM steps")).isEqualTo("9,10");
        assertThat(log).contains("[Migrations] Found 2 migration files", "[Migrations] Applying 9_first.sql...")
                .anyMatch(l -> l.startsWith("[Migrations] Successfully applied 10_second.sql ("))
                .anyMatch(l -> l.startsWith("[Migrations] Migration complete - Applied: 2, Skipped: 0 ("))
                .anyMatch(l -> l.contains("do not sort in version order") && l.contains("9_first.sql before 10_second.sql"));
        assertThat(one("SELECT count(*) FROM schema_migrations WHERE success AND checksum IS NOT NULL")).isEqualTo("2");

        log.clear();
        MigrationResult again = migrator().migrate();
        assertThat(again.applied()).isEmpty();
        assertThat(again.skipped()).isEqualTo(2);
        assertThat(log).anyMatch(l -> l.startsWith("[Migrations] Migration complete - Applied: 0, Skipped: 2"));
    }

    @Test
    void aFileThatEmptiesTheSearchPathLikeAPgDumpHeaderStillGetsRecordedAndTheNextFileRunsInTheUsualSchema()
            throws Exception {
        // a supabase db dump / pg_dump header without the RESET ALL at its end
        file("001_dump.sql", "SELECT pg_catalog.set_config('search_path', '', false);\n"
                + "CREATE TABLE public.users (id int);\n");
        file("002_more.sql", "CREATE TABLE chats (id int);\n");

        MigrationResult r = migrator().migrate();

        assertThat(r.applied()).containsExactly("001_dump.sql", "002_more.sql");
        assertThat(one("SELECT count(*) FROM schema_migrations")).isEqualTo("2");
        assertThat(one("SELECT to_regclass('public.chats') IS NOT NULL")).isEqualTo("t");
    }

    @Test
    void aHundredFilesAreReadInParallelButAppliedInVersionOrder() throws Exception {
        file("0_steps.sql", "CREATE TABLE steps (seq serial, n int);\n");
        for (int i = 1; i <= 100; i++) {
            file(i + "_step.sql", "INSERT INTO steps (n) VALUES (" + i + ");\n");
        }
        file("50_step.rollback.sql", "DELETE FROM steps WHERE n = 50;\n");
        file("101_last.postgres.sql", "INSERT INTO steps (n) VALUES (101);\n");
        file("101_last.sqlite.sql", "INSERT INTO steps (n) VALUES (-1);\n");
        Files.createDirectory(dir.resolve("102_a_folder.sql"));

        MigrationResult r = migrator().migrate();

        assertThat(r.applied()).hasSize(102).startsWith("0_steps.sql", "1_step.sql", "2_step.sql").endsWith("101_last.sql");
        String expected = String.join(",", java.util.stream.IntStream.rangeClosed(1, 101).mapToObj(String::valueOf).toList());
        assertThat(one("SELECT string_agg(n::text, ',' ORDER BY seq) FROM steps")).isEqualTo(expected);
        assertThat(migrator().migrate().skipped()).isEqualTo(102);

        file("103_broken.sql", "INSERT INTO steps (n) VALUES ('unterminated);\n");
        assertThatThrownBy(() -> migrator().migrate()).isInstanceOf(BotDbException.class)
                .hasMessageContaining("103_broken.sql");
    }

    @Test
    void aSyntaxErrorOnLine7RollsTheWholeFileBackAndSaysWhere() throws Exception {
        file("001_users.sql", """
                CREATE TABLE users (id bigint PRIMARY KEY);
                INSERT INTO users VALUES (1);
                -- the next statement is broken
                CREATE TABLE chats (
                    id bigint PRIMARY KEY,
                    title text,
                    owner bigint REFERENCES users(id) ON DELET CASCADE
                );
                """);
        assertThatThrownBy(() -> migrator().migrate())
                .isInstanceOf(BotDbException.class)
                .hasMessageContaining("001_users.sql line 7, statement 3 [SQLSTATE 42601]")
                .hasMessageContaining("syntax error")
                .hasMessageContaining("Nothing of 001_users.sql was applied")
                .extracting(e -> ((BotDbException) e).code()).isEqualTo(ErrorCode.MIGRATION_FAILED);
        assertThat(one("SELECT to_regclass('users')")).isNull();
        assertThat(one("SELECT count(*) FROM schema_migrations")).isEqualTo("0");
    }

    @Test
    void anUnterminatedDollarQuoteStopsTheRunBeforeAnyFileIsApplied() throws Exception {
        file("001_ok.sql", "CREATE TABLE ok (id int);");
        file("002_bad.sql", "CREATE FUNCTION f() RETURNS int AS $body$ SELECT 1; \n");
        assertThatThrownBy(() -> migrator().migrate())
                .hasMessageContaining("002_bad.sql line 1")
                .extracting(e -> ((BotDbException) e).code()).isEqualTo(ErrorCode.MIGRATION_INVALID);
        assertThat(one("SELECT to_regclass('ok')")).isNull();
    }

    @Test
    void aChangedFileStopsMigrateWithBothChecksumsButLineEndingsAreNoChange() throws Exception {
        file("001_a.sql", "CREATE TABLE a (id int);\nCREATE TABLE b (id int);\n");
        migrator().migrate();

        file("001_a.sql", "CREATE TABLE a (id int);   \r\nCREATE TABLE b (id int);\r\n\r\n");
        assertThat(migrator().migrate().applied()).as("CRLF and trailing spaces are not a change").isEmpty();

        file("001_a.sql", "CREATE TABLE a (id bigint);\nCREATE TABLE b (id int);\n");
        assertThatThrownBy(() -> migrator().migrate())
                .hasMessageContaining("001_a.sql was changed after it was applied")
                .hasMessageContaining("stored checksum:").hasMessageContaining("file on disk now:")
                .hasMessageContaining("revert").hasMessageContaining("botdb repair")
                .extracting(e -> ((BotDbException) e).code()).isEqualTo(ErrorCode.MIGRATION_DRIFT);
        assertThat(migrator().status()).extracting(MigrationState::state).containsExactly(MigrationState.State.CHANGED);
    }

    @Test
    void keepsItsHistoryInTheFirstSchemaOfTheSearchPathEvenWhenALaterOneHasATable() throws Exception {
        try (Connection c = ds.getConnection(); Statement st = c.createStatement()) {
            st.execute("CREATE SCHEMA bot");
            st.execute("CREATE TABLE public.schema_migrations (version VARCHAR(255) PRIMARY KEY, executed_at TIMESTAMP)");
            st.execute("INSERT INTO public.schema_migrations VALUES ('001_other_app.sql', now())");
        }
        BotDbConfig config = BotDbConfig.fromEnv(TestPostgres.env("postgres://postgres@localhost:" + TestPostgres.port()
                + "/" + database + "?sslmode=disable&options=-c%20search_path%3Dbot,public"));
        file("001_a.sql", "CREATE TABLE a (id int);");
        try (HikariDataSource bot = Pools.open(config.target(), config.pool())) {
            assertThat(Migrator.of(bot, Engine.POSTGRESQL, dir, log::add).migrate().applied()).containsExactly("001_a.sql");
        }
        assertThat(one("SELECT string_agg(version, ',') FROM bot.schema_migrations")).isEqualTo("001_a.sql");
        assertThat(one("SELECT string_agg(version, ',') FROM public.schema_migrations")).isEqualTo("001_other_app.sql");
        assertThat(one("SELECT count(*) FROM information_schema.columns WHERE table_schema = 'public'"
                + " AND table_name = 'schema_migrations'")).as("the other table is left as it was").isEqualTo("2");
    }

    @Test
    void adoptsAnAlitaDatabaseWithoutRerunningAnything() throws Exception {
        String sql = "CREATE TABLE users (id serial PRIMARY KEY);\n";
        file("20240101_initial_schema.sql", sql);
        file("20240301_add_notes.sql", "CREATE TABLE notes (id serial PRIMARY KEY);\n");
        try (Connection c = ds.getConnection(); Statement st = c.createStatement()) {
            st.execute("CREATE TABLE users (id serial PRIMARY KEY)");
            st.execute("""
                    CREATE TABLE schema_migrations (
                        version VARCHAR(255) PRIMARY KEY,
                        executed_at TIMESTAMP DEFAULT CURRENT_TIMESTAMP)""");
            st.execute("ALTER TABLE schema_migrations ADD COLUMN IF NOT EXISTS checksum VARCHAR(64)");
            st.execute("INSERT INTO schema_migrations (version, checksum) VALUES ('20240101_initial_schema.sql', '"
                    + MigrationFile.sha256(sql.getBytes(StandardCharsets.UTF_8)) + "')");
        }
        MigrationResult r = migrator().migrate();
        assertThat(r.applied()).containsExactly("20240301_add_notes.sql");
        assertThat(r.skipped()).isEqualTo(1);
        assertThat(one("SELECT count(*) FROM information_schema.columns WHERE table_name = 'schema_migrations'"))
                .isEqualTo("6");
    }

    @Test
    void aConcurrentIndexMigrationRunsOutsideATransactionAndCompletes() throws Exception {
        file("001_table.sql", "CREATE TABLE messages (id bigint, chat bigint);\n"
                + "INSERT INTO messages SELECT g, g % 10 FROM generate_series(1, 1000) g;");
        file("002_index.sql", "CREATE INDEX CONCURRENTLY messages_chat_idx ON messages (chat);");
        MigrationResult r = migrator().migrate();
        assertThat(r.applied()).hasSize(2);
        assertThat(one("SELECT indisvalid FROM pg_index WHERE indexrelid = 'messages_chat_idx'::regclass")).isEqualTo("t");
        assertThat(log).anyMatch(l -> l.contains("002_index.sql runs outside a transaction"));
    }

    @Test
    void aFailedNonTransactionalFileIsRecordedAndTheNextRunSaysWhatToDo() throws Exception {
        file("001_t.sql", "CREATE TABLE t (id int);");
        file("002_idx.sql", "CREATE INDEX CONCURRENTLY t_id ON t (id);\nCREATE INDEX CONCURRENTLY t_bad ON nope (id);");
        assertThatThrownBy(() -> migrator().migrate())
                .hasMessageContaining("002_idx.sql line 2, statement 2")
                .hasMessageContaining("statements 1-1 stayed applied");
        assertThatThrownBy(() -> migrator().migrate())
                .hasMessageContaining("002_idx.sql failed part way")
                .hasMessageContaining("botdb mark-applied 002_idx.sql")
                .extracting(e -> ((BotDbException) e).code()).isEqualTo(ErrorCode.MIGRATION_DRIFT);
        assertThat(migrator().status()).extracting(MigrationState::state)
                .containsExactly(MigrationState.State.APPLIED, MigrationState.State.FAILED);
    }

    @Test
    void eightInstancesStartingTogetherApplyEachFileExactlyOnce() throws Exception {
        file("000_log.sql", "CREATE TABLE applied_log (file text);");
        for (int i = 1; i <= 20; i++) {
            file(String.format("%03d_step.sql", i), "INSERT INTO applied_log VALUES ('" + i + "');\n"
                    + "SELECT pg_sleep(0.01);");
        }
        ExecutorService pool = Executors.newFixedThreadPool(8);
        List<Future<MigrationResult>> results = new ArrayList<>();
        List<HikariDataSource> pools = new ArrayList<>();
        for (int i = 0; i < 8; i++) {
            HikariDataSource own = pool();
            pools.add(own);
            results.add(pool.submit(() -> Migrator.of(own, Engine.POSTGRESQL, dir, l -> { }).migrate()));
        }
        int appliedTotal = 0;
        for (Future<MigrationResult> f : results) {
            appliedTotal += f.get().applied().size();
        }
        pool.shutdown();
        pools.forEach(HikariDataSource::close);
        assertThat(appliedTotal).isEqualTo(21);
        assertThat(one("SELECT count(*) FROM applied_log")).isEqualTo("20");
        assertThat(one("SELECT count(DISTINCT file) FROM applied_log")).isEqualTo("20");
    }

    @Test
    void instancesCreatingTheLockTableInTheSameInstantAllGetTheLockInTurn() throws Exception {
        // CI saw "type botdb_lock already exists" (42710) from the loser of this race on PostgreSQL 18
        ExecutorService threads = Executors.newFixedThreadPool(8);
        try {
            for (int round = 0; round < 15; round++) {
                try (Connection c = ds.getConnection(); Statement st = c.createStatement()) {
                    st.execute("DROP TABLE IF EXISTS botdb_lock");
                }
                CyclicBarrier start = new CyclicBarrier(8);
                List<Future<?>> takers = new ArrayList<>();
                for (int i = 0; i < 8; i++) {
                    takers.add(threads.submit(() -> {
                        start.await();
                        MigrationLock.acquire(ds, Engine.POSTGRESQL, Duration.ofSeconds(60), l -> { }).close();
                        return null;
                    }));
                }
                for (Future<?> f : takers) {
                    f.get(); // throws the taker's failure
                }
                assertThat(one("SELECT count(*) FROM botdb_lock")).as("every lease given back").isEqualTo("0");
            }
        } finally {
            threads.shutdownNow();
        }
    }

    @Test
    void anExpiredLockOfADeadInstanceDoesNotBlock() throws Exception {
        file("001_a.sql", "CREATE TABLE a (id int);");
        try (Connection c = ds.getConnection(); Statement st = c.createStatement()) {
            st.execute("CREATE TABLE botdb_lock (name TEXT PRIMARY KEY, owner TEXT NOT NULL, expires_at TIMESTAMPTZ NOT NULL)");
            st.execute("INSERT INTO botdb_lock VALUES ('migrate', 'killed-instance', now() + interval '2 seconds')");
        }
        MigrationResult r = migrator().migrate();
        assertThat(r.applied()).containsExactly("001_a.sql");
        assertThat(log).contains("[Migrations] Waiting for another instance to finish migrating");
        assertThat(one("SELECT count(*) FROM botdb_lock")).isEqualTo("0");
    }

    @Test
    void badFilesGetTheirOwnMessages() throws Exception {
        assertThatThrownBy(() -> Migrator.of(ds, Engine.POSTGRESQL, dir.resolve("nope"), l -> { }).migrate())
                .hasMessageContaining("does not exist").hasMessageContaining("MIGRATIONS_PATH");
        file("001_empty.sql", "-- nothing here\n");
        assertThatThrownBy(() -> migrator().migrate()).hasMessageContaining("001_empty.sql is empty");
        Files.delete(dir.resolve("001_empty.sql"));
        Files.write(dir.resolve("002_latin1.sql"), "SELECT 'caf\u00e9';".getBytes(StandardCharsets.ISO_8859_1));
        assertThatThrownBy(() -> migrator().migrate()).hasMessageContaining("002_latin1.sql is not UTF-8 text");
        Files.delete(dir.resolve("002_latin1.sql"));
        file("003_a.sql", "SELECT 1;");
        file("V3__b.sql", "SELECT 1;");
        assertThatThrownBy(() -> migrator().migrate()).hasMessageContaining("same version 3")
                .hasMessageContaining("003_a.sql").hasMessageContaining("V3__b.sql");
    }

    @Test
    void statusListsAppliedPendingAndMissing() throws Exception {
        file("001_a.sql", "CREATE TABLE a (id int);");
        migrator().migrate();
        Files.delete(dir.resolve("001_a.sql"));
        file("002_b.sql", "CREATE TABLE b (id int);");
        assertThat(migrator().status()).extracting(MigrationState::version, MigrationState::state).containsExactly(
                org.assertj.core.groups.Tuple.tuple("002_b.sql", MigrationState.State.PENDING),
                org.assertj.core.groups.Tuple.tuple("001_a.sql", MigrationState.State.MISSING));
    }

    @Test
    void perEngineVariantsPickThePostgresFile() throws Exception {
        file("001_flags.postgres.sql", "CREATE TABLE flags (on_off boolean DEFAULT TRUE);");
        file("001_flags.sqlite.sql", "CREATE TABLE flags (on_off INTEGER DEFAULT 1);");
        assertThat(migrator().migrate().applied()).containsExactly("001_flags.sql");
        assertThat(one("SELECT data_type FROM information_schema.columns WHERE table_name = 'flags'")).isEqualTo("boolean");
    }

    @Test
    void markAppliedRecordsAHandFixedMigrationWithoutRunningIt() throws Exception {
        file("001_a.sql", "CREATE TABLE a (id int);");
        file("002_col.sql", "ALTER TABLE a ADD COLUMN note text;");
        migrator().migrate();
        file("003_dup.sql", "ALTER TABLE a ADD COLUMN note text;");
        assertThatThrownBy(() -> migrator().migrate()).hasMessageContaining("already exists");
        migrator().markApplied("003_dup.sql");
        assertThat(migrator().migrate().applied()).isEmpty();
        assertThatThrownBy(() -> migrator().markApplied("999_nope.sql")).hasMessageContaining("No migration file 999_nope.sql");
    }

    @Test
    void repairAcceptsAChangedFileAndForgetsAFailedAttempt() throws Exception {
        file("001_a.sql", "CREATE TABLE a (id int);");
        migrator().migrate();
        file("001_a.sql", "CREATE TABLE a (id bigint);");
        file("002_idx.sql", "CREATE INDEX CONCURRENTLY a_bad ON nope (id);");
        assertThatThrownBy(() -> migrator().migrate()).hasMessageContaining("was changed");
        List<String> changes = migrator().repair();
        assertThat(changes).hasSize(1).first().asString().contains("001_a.sql changed after it was applied: accepted as it is now");
        assertThatThrownBy(() -> migrator().migrate()).hasMessageContaining("002_idx.sql line 1");
        assertThat(migrator().repair()).anyMatch(c -> c.contains("forgot the failed attempt of 002_idx.sql"));
        file("002_idx.sql", "CREATE INDEX CONCURRENTLY a_id ON a (id);");
        assertThat(migrator().migrate().applied()).containsExactly("002_idx.sql");
        assertThat(migrator().validate()).isEqualTo(2);
    }

    @Test
    void rollbackRunsTheDownFilesNewestFirstAndRefusesWithoutOne() throws Exception {
        file("001_a.sql", "CREATE TABLE a (id int);");
        file("001_a.down.sql", "DROP TABLE a;");
        file("002_b.sql", "CREATE TABLE b (id int);");
        file("002_b.rollback.sql", "DROP TABLE b;");
        file("003_c.sql", "CREATE TABLE c (id int);");
        migrator().migrate();
        assertThatThrownBy(() -> migrator().rollback(1)).hasMessageContaining("no 003_c.down.sql or 003_c.rollback.sql")
                .hasMessageContaining("Nothing was rolled back");
        assertThat(one("SELECT to_regclass('c')")).isEqualTo("c");
        Files.delete(dir.resolve("003_c.sql"));
        try (Connection c = ds.getConnection(); Statement st = c.createStatement()) {
            st.execute("DROP TABLE c");
            st.execute("DELETE FROM schema_migrations WHERE version = '003_c.sql'");
        }
        assertThat(migrator().rollback(2)).containsExactly("002_b.sql", "001_a.sql");
        assertThat(one("SELECT coalesce(to_regclass('a')::text, '') || coalesce(to_regclass('b')::text, '')")).isEmpty();
        assertThat(migrator().status()).extracting(MigrationState::state)
                .containsExactly(MigrationState.State.PENDING, MigrationState.State.PENDING);
    }

    @Test
    void resetDropsEverythingInTheSchemaAndReapplies() throws Exception {
        file("001_schema.sql", """
                CREATE TYPE mood AS ENUM ('ok', 'sad');
                CREATE TABLE users (id serial PRIMARY KEY, m mood);
                CREATE VIEW v_users AS SELECT id FROM users;
                CREATE FUNCTION one() RETURNS int LANGUAGE sql AS $$ SELECT 1 $$;
                """);
        migrator().migrate();
        try (Connection c = ds.getConnection(); Statement st = c.createStatement()) {
            st.execute("INSERT INTO users (m) VALUES ('ok')");
            st.execute("CREATE TABLE stray (id int)");
        }
        MigrationResult r = migrator().reset();
        assertThat(r.applied()).containsExactly("001_schema.sql");
        assertThat(one("SELECT count(*) FROM users")).isEqualTo("0");
        assertThat(one("SELECT to_regclass('stray')")).isNull();
        assertThat(one("SELECT one()")).isEqualTo("1");
    }

    @Test
    void newCreatesATimestampedFileThatSortsLast() throws Exception {
        file("001_a.sql", "SELECT 1;");
        Path created = Migrator.create(dir, "Add captcha settings!", java.time.Clock.fixed(
                java.time.Instant.parse("2026-11-22T10:15:30Z"), java.time.ZoneOffset.UTC));
        assertThat(created.getFileName().toString()).isEqualTo("20261122101530_add_captcha_settings.sql");
        Files.writeString(created, Files.readString(created) + "CREATE TABLE captcha (id int);\n");
        assertThat(migrator().migrate().applied()).containsExactly("001_a.sql", "20261122101530_add_captcha_settings.sql");
    }

    @Test
    void javaMigrationsRunInVersionOrderBetweenFilesInTheirOwnTransaction() throws Exception {
        file("001_users.sql", "CREATE TABLE users (id int, name text);\nINSERT INTO users VALUES (1, 'ALICE');");
        file("003_after.sql", "ALTER TABLE users ADD COLUMN checked boolean DEFAULT true;");
        JavaMigration lower = new JavaMigration() {
            @Override
            public String version() {
                return "002_lowercase_names";
            }

            @Override
            public void migrate(Connection c, Engine engine) throws SQLException {
                try (Statement st = c.createStatement()) {
                    st.executeUpdate("UPDATE users SET name = lower(name)");
                }
            }
        };
        assertThat(migrator().javaMigration(lower).plan()).extracting(Migrator.Planned::fileName)
                .containsExactly("001_users.sql", "002_lowercase_names (Java)", "003_after.sql");
        MigrationResult r = migrator().javaMigration(lower).migrate();
        assertThat(migrator().javaMigration(lower).validate()).isEqualTo(3);
        assertThat(r.applied()).containsExactly("001_users.sql", "002_lowercase_names", "003_after.sql");
        assertThat(one("SELECT name FROM users")).isEqualTo("alice");

        JavaMigration failing = new JavaMigration() {
            @Override
            public String version() {
                return "004_broken";
            }

            @Override
            public void migrate(Connection c, Engine engine) throws SQLException {
                try (Statement st = c.createStatement()) {
                    st.executeUpdate("UPDATE users SET name = 'changed'");
                    st.executeUpdate("UPDATE no_such_table SET x = 1");
                }
            }
        };
        assertThatThrownBy(() -> migrator().javaMigration(lower).javaMigration(failing).migrate())
                .hasMessageContaining("004_broken (Java) [SQLSTATE 42P01]").hasMessageContaining("rolled back");
        assertThat(one("SELECT name FROM users")).isEqualTo("alice");
    }

    @Test
    void dbmateFilesRunTheirUpSectionAndRollBackWithTheirDownSection() throws Exception {
        file("20240101120000_create_users.sql", """
                -- migrate:up
                CREATE TABLE users (id int);

                -- migrate:down
                DROP TABLE users;
                """);
        assertThat(migrator().migrate().applied()).containsExactly("20240101120000_create_users.sql");
        assertThat(one("SELECT to_regclass('users')")).isEqualTo("users");
        assertThat(migrator().rollback(1)).containsExactly("20240101120000_create_users.sql");
        assertThat(one("SELECT to_regclass('users')")).isNull();
    }

    private void alitaTable(String... appliedSql) throws SQLException {
        try (Connection c = ds.getConnection(); Statement st = c.createStatement()) {
            // Alita's own DDL (internal/database/migrations.go), checksum added later as it does
            st.execute("""
                    CREATE TABLE IF NOT EXISTS schema_migrations (
                        version VARCHAR(255) PRIMARY KEY,
                        executed_at TIMESTAMP DEFAULT CURRENT_TIMESTAMP)""");
            st.execute("ALTER TABLE schema_migrations ADD COLUMN IF NOT EXISTS checksum VARCHAR(64)");
            for (int i = 0; i + 1 < appliedSql.length; i += 2) {
                st.execute("INSERT INTO schema_migrations (version, checksum) VALUES ('" + appliedSql[i] + "', '"
                        + MigrationFile.sha256(appliedSql[i + 1].getBytes(StandardCharsets.UTF_8)) + "')");
            }
        }
    }

    private String alitaShape() throws SQLException {
        return one("SELECT string_agg(column_name || ' ' || data_type, ', ' ORDER BY ordinal_position)"
                + " FROM information_schema.columns WHERE table_name = 'schema_migrations'");
    }

    @Test
    void statusValidateAndPlanReadAlitasOwnTableAsItIsAndLeaveItUnchanged() throws Exception {
        String initial = "CREATE TABLE users (id serial PRIMARY KEY);\n";
        file("20240101_initial_schema.sql", initial);
        file("20240301_add_notes.sql", "CREATE TABLE notes (id serial PRIMARY KEY);\n");
        alitaTable("20240101_initial_schema.sql", initial);
        String before = alitaShape();
        assertThat(before).isEqualTo("version character varying, executed_at timestamp without time zone,"
                + " checksum character varying");

        assertThat(migrator().status()).extracting(MigrationState::version, MigrationState::state).containsExactly(
                org.assertj.core.groups.Tuple.tuple("20240101_initial_schema.sql", MigrationState.State.APPLIED),
                org.assertj.core.groups.Tuple.tuple("20240301_add_notes.sql", MigrationState.State.PENDING));
        assertThat(migrator().plan()).extracting(Migrator.Planned::fileName).containsExactly("20240301_add_notes.sql");
        assertThat(migrator().validate()).isEqualTo(2);

        assertThat(alitaShape()).as("read-only commands never extend Alita's table").isEqualTo(before);
        assertThat(one("SELECT to_regclass('botdb_lock')")).as("nor take the lock").isNull();

        assertThat(migrator().migrate().applied()).containsExactly("20240301_add_notes.sql");
        assertThat(alitaShape()).as("migrate extends it in place").endsWith(", duration_ms bigint, success boolean, error text");
    }

    @Test
    void aNumberedFileThatIsNotSqlIsNamedInAWarningByMigrateAndStatus() throws Exception {
        file("001_a.sql", "CREATE TABLE a (id int);");
        file("008_add_x.py", "def upgrade(conn):\n    conn.execute('ALTER TABLE a ADD COLUMN x int')\n");
        file("009_seed.sql.bak", "INSERT INTO a VALUES (1);");
        file("README.md", "# migrations\n");
        file("notes.txt", "todo\n");

        migrator().migrate();
        assertThat(log).anyMatch(l -> l.startsWith("[Migrations] ") && l.contains("008_add_x.py")
                        && l.contains("not run"))
                .anyMatch(l -> l.contains("009_seed.sql.bak"))
                .noneMatch(l -> l.contains("README.md") || l.contains("notes.txt"));
        log.clear();
        assertThat(migrator().status()).extracting(MigrationState::state).containsExactly(MigrationState.State.APPLIED);
        assertThat(log).anyMatch(l -> l.contains("008_add_x.py") && l.contains("not run"));
    }

    @Test
    void repairSaysTheChangedContentWasNotRunAndStatusShowsItUntilANewMigrationRuns() throws Exception {
        file("001_users.sql", "CREATE TABLE users (id int);\n");
        migrator().migrate();
        file("001_users.sql", "CREATE TABLE users (id int);\nALTER TABLE users ADD COLUMN email text;\n");

        List<String> changes = migrator().repair();

        assertThat(changes).singleElement().asString().contains("001_users.sql")
                .contains("new content was not applied").contains("botdb new");
        assertThat(one("SELECT count(*) FROM information_schema.columns WHERE table_name = 'users'"
                + " AND column_name = 'email'")).isEqualTo("0");
        assertThat(migrator().migrate().applied()).isEmpty();
        assertThat(migrator().status()).singleElement().satisfies(s -> {
            assertThat(s.state()).isEqualTo(MigrationState.State.APPLIED);
            assertThat(s.detail()).contains("accepted by repair").contains("not applied");
        });

        file("002_users_email.sql", "ALTER TABLE users ADD COLUMN email text;\n");
        assertThat(migrator().migrate().applied()).containsExactly("002_users_email.sql");
        assertThat(one("SELECT count(*) FROM information_schema.columns WHERE table_name = 'users'"
                + " AND column_name = 'email'")).isEqualTo("1");
        assertThat(migrator().status()).allSatisfy(s -> assertThat(s.detail()).isNull());
    }

    @Test
    void aNulByteIsAnUnusableFileNamingItsLine() throws Exception {
        file("001_nul.sql", "CREATE TABLE a (id int);\nINSERT INTO a VALUES (1); \0\n");
        assertThatThrownBy(() -> migrator().migrate()).isInstanceOf(BotDbException.class)
                .satisfies(e -> assertThat(((BotDbException) e).code()).isEqualTo(ErrorCode.MIGRATION_INVALID))
                .hasMessageContaining("001_nul.sql").hasMessageContaining("line 2");
        assertThat(one("SELECT to_regclass('a')")).isNull();
    }

    @Test
    void migrateWarnsNamingAnAppliedFileThatWasDeleted() throws Exception {
        file("001_a.sql", "CREATE TABLE a (id int);");
        file("002_b.sql", "CREATE TABLE b (id int);");
        migrator().migrate();
        Files.delete(dir.resolve("001_a.sql"));
        log.clear();

        MigrationResult upToDate = migrator().migrate();

        assertThat(upToDate.applied()).isEmpty();
        assertThat(log).first().isEqualTo("[Migrations] Starting automatic database migration...");
        assertThat(log).anyMatch(l -> l.startsWith("[Migrations] Warning: ") && l.contains("001_a.sql")
                && l.contains("no file"));
        file("003_c.sql", "CREATE TABLE c (id int);");
        log.clear();
        assertThat(migrator().migrate().applied()).containsExactly("003_c.sql");
        assertThat(log).anyMatch(l -> l.contains("001_a.sql") && l.contains("no file"));
    }

    @Test
    void markAppliedTakesAVersionOrANameWithOrWithoutSqlAndSaysWhenAlreadyApplied() throws Exception {
        file("001_a.sql", "CREATE TABLE a (id int);");
        file("002_b.sql", "CREATE TABLE b (id int);");
        migrator().markApplied("001_a");
        assertThat(log).contains("[Migrations] Marked 001_a.sql as applied (not run)");
        log.clear();
        migrator().markApplied("001_a.sql");
        assertThat(log).anyMatch(l -> l.contains("001_a.sql is already applied")).noneMatch(l -> l.contains("Marked"));
        migrator().markApplied("2");
        assertThat(log).contains("[Migrations] Marked 002_b.sql as applied (not run)");
        assertThat(migrator().status()).extracting(MigrationState::state)
                .containsExactly(MigrationState.State.APPLIED, MigrationState.State.APPLIED);
        assertThat(one("SELECT to_regclass('a')")).isNull();
    }

    @Test
    void rollbackWithoutACompanionFileIsExitCode11() throws Exception {
        file("001_a.sql", "CREATE TABLE a (id int);");
        migrator().migrate();
        assertThatThrownBy(() -> migrator().rollback(1)).isInstanceOf(BotDbException.class)
                .satisfies(e -> assertThat(((BotDbException) e).code()).isEqualTo(ErrorCode.MIGRATION_FAILED))
                .hasMessageContaining("no 001_a.down.sql or 001_a.rollback.sql");
    }
}
