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
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Fencing of the migration lease: an instance frozen for longer than its lease (SIGSTOP, a long GC
 * pause, a suspended VM) while another one took over must not run anything once it resumes. The
 * freeze is simulated without waiting: while instance A is about to run a file, its lease is expired
 * by hand and instance B migrates to the end; then A carries on.
 */
class MigrationLeaseTest {
    private static final AtomicInteger DATABASES = new AtomicInteger();

    @TempDir
    Path dir;

    private HikariDataSource ds;
    private final List<String> aLog = new CopyOnWriteArrayList<>();
    private final List<String> bLog = new CopyOnWriteArrayList<>();

    @BeforeEach
    void freshDatabase() {
        String database = "lease_" + DATABASES.incrementAndGet();
        TestPostgres.exec("DROP DATABASE IF EXISTS " + database, "CREATE DATABASE " + database);
        BotDbConfig c = BotDbConfig.fromEnv(TestPostgres.env(
                "postgres://postgres@localhost:" + TestPostgres.port() + "/" + database + "?sslmode=disable"));
        ds = Pools.open(c.target(), c.pool());
    }

    @AfterEach
    void closePool() {
        ds.close();
    }

    private void file(String name, String sql) throws Exception {
        Files.writeString(dir.resolve(name), sql);
    }

    private String one(String sql) throws SQLException {
        try (Connection c = ds.getConnection(); Statement st = c.createStatement(); ResultSet rs = st.executeQuery(sql)) {
            return rs.next() ? rs.getString(1) : null;
        }
    }

    /** What a holder frozen past its lease sees happen meanwhile: the lease runs out, instance B migrates everything. */
    private void leaseRunsOutAndBMigrates(JavaMigration... javaMigrations) {
        try (Connection c = ds.getConnection(); Statement st = c.createStatement()) {
            st.execute("UPDATE botdb_lock SET expires_at = now() - interval '1 second'");
        } catch (SQLException e) {
            throw new IllegalStateException(e);
        }
        Migrator b = Migrator.of(ds, Engine.POSTGRESQL, dir, bLog::add);
        for (JavaMigration m : javaMigrations) {
            b.javaMigration(m);
        }
        b.migrate();
    }

    /**
     * Instance A with a lease so long its renewal never fires during the test; when it logs
     * {@code pauseAt}, it "freezes" while {@link #leaseRunsOutAndBMigrates} happens.
     */
    private Migrator frozenAt(String pauseAt, JavaMigration... javaMigrations) {
        Consumer<String> log = line -> {
            aLog.add(line);
            if (line.equals(pauseAt)) {
                leaseRunsOutAndBMigrates(javaMigrations);
            }
        };
        Migrator a = Migrator.of(ds, Engine.POSTGRESQL, dir, log).lease(Duration.ofHours(1));
        for (JavaMigration m : javaMigrations) {
            a.javaMigration(m);
        }
        return a;
    }

    private interface Body {
        void run(JavaMigration self, Connection c) throws SQLException;
    }

    private static JavaMigration javaMigration(String version, Body body) {
        return new JavaMigration() {
            @Override
            public String version() {
                return version;
            }

            @Override
            public void migrate(Connection c, Engine engine) throws SQLException {
                body.run(this, c);
            }
        };
    }

    private static void insertStep(Connection c, int n) throws SQLException {
        try (Statement st = c.createStatement()) {
            st.execute("INSERT INTO steps (n) VALUES (" + n + ")");
        }
    }

    @Test
    void aHolderResumingAfterItsLeaseWasTakenRunsNoStatementOfANonTransactionalFileAgain() throws Exception {
        file("001_steps.sql", "CREATE TABLE steps (seq serial, n int);\n");
        file("002_steps.sql", """
                -- botdb:no-transaction
                INSERT INTO steps (n) VALUES (1);
                INSERT INTO steps (n) VALUES (2);
                INSERT INTO steps (n) VALUES (3);
                """);
        Migrator a = frozenAt("[Migrations] 002_steps.sql runs outside a transaction (declared by its header)");

        assertThatThrownBy(a::migrate).isInstanceOf(BotDbException.class)
                .satisfies(e -> assertThat(((BotDbException) e).code()).isEqualTo(ErrorCode.MIGRATION_FAILED))
                .hasMessageContaining("lost the migration lock").hasMessageContaining("002_steps.sql")
                .hasMessageContaining("ran none of its statements");

        assertThat(bLog).contains("[Migrations] Applying 002_steps.sql...");
        assertThat(one("SELECT string_agg(n::text, ',' ORDER BY seq) FROM steps")).isEqualTo("1,2,3");
        assertThat(one("SELECT count(*) FROM schema_migrations WHERE success")).isEqualTo("2");
        assertThat(Migrator.of(ds, Engine.POSTGRESQL, dir, line -> { }).status()).extracting(MigrationState::state)
                .containsOnly(MigrationState.State.APPLIED);
    }

    @Test
    void aHolderResumingAfterItsLeaseWasTakenDoesNotRunATransactionalFileAgainNorBlameTheFile() throws Exception {
        file("001_steps.sql", "CREATE TABLE steps (seq serial, n int);\n");
        file("002_tx.sql", "CREATE TABLE t2 (id int);\nINSERT INTO steps (n) VALUES (2);\n");
        file("003_tx.sql", "INSERT INTO steps (n) VALUES (3);\n");
        Migrator a = frozenAt("[Migrations] Applying 002_tx.sql...");

        assertThatThrownBy(a::migrate).isInstanceOf(BotDbException.class)
                .satisfies(e -> assertThat(((BotDbException) e).code()).isEqualTo(ErrorCode.MIGRATION_FAILED))
                .hasMessageContaining("lost the migration lock").hasMessageContaining("002_tx.sql")
                .hasMessageNotContaining("Fix the file");

        assertThat(one("SELECT string_agg(n::text, ',' ORDER BY seq) FROM steps")).isEqualTo("2,3");
        assertThat(one("SELECT count(*) FROM schema_migrations WHERE success")).isEqualTo("3");
    }

    @Test
    void aHolderResumingAfterItsLeaseWasTakenDoesNotRecordAJavaMigrationTwice() throws Exception {
        file("001_steps.sql", "CREATE TABLE steps (seq serial, n int);\n");
        JavaMigration two = javaMigration("002_java", (self, c) -> insertStep(c, 2));
        Migrator a = frozenAt("[Migrations] Applying 002_java (Java)...", two);

        assertThatThrownBy(a::migrate).hasMessageContaining("lost the migration lock");
        assertThat(one("SELECT string_agg(n::text, ',' ORDER BY seq) FROM steps")).isEqualTo("2");
    }

    @Test
    void aHolderFrozenInsideAFileTransactionDoesNotCommitItAfterATakeover() throws Exception {
        file("001_steps.sql", "CREATE TABLE steps (seq serial, n int);\n");
        java.util.concurrent.atomic.AtomicBoolean frozen = new java.util.concurrent.atomic.AtomicBoolean();
        JavaMigration two = javaMigration("002_java", (self, c) -> {
            if (frozen.compareAndSet(false, true)) { // A, in its transaction before its statements
                leaseRunsOutAndBMigrates(self);
            }
            insertStep(c, 2);
        });
        Migrator a = Migrator.of(ds, Engine.POSTGRESQL, dir, aLog::add).javaMigration(two).lease(Duration.ofHours(1));

        assertThatThrownBy(a::migrate).hasMessageContaining("lost the migration lock")
                .hasMessageContaining("before committing 002_java (Java)");
        assertThat(bLog).contains("[Migrations] Applying 002_java (Java)...");
        assertThat(one("SELECT string_agg(n::text, ',' ORDER BY seq) FROM steps")).isEqualTo("2");
    }
}
