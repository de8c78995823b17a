package dev.botdb.migrate;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.zaxxer.hikari.HikariDataSource;
import dev.botdb.PgBouncer;
import dev.botdb.TestPostgres;
import dev.botdb.config.BotDbConfig;
import dev.botdb.config.Engine;
import dev.botdb.pool.Pools;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Migrations through a real PgBouncer in transaction-pooling mode, where a session advisory lock
 * would be taken on one server connection and released (or not) on another.
 */
class PgBouncerMigrationTest {
    @TempDir
    Path dir;

    @Test
    void fourInstancesMigrateThroughTransactionPoolingExactlyOnce() throws Exception {
        assumeTrue(PgBouncer.installed(), "pgbouncer is not installed (apt-get install pgbouncer; .ci/run does)");
        TestPostgres.exec("DROP DATABASE IF EXISTS via_bouncer", "CREATE DATABASE via_bouncer");
        Files.writeString(dir.resolve("000_log.sql"), "CREATE TABLE applied_log (file text);\n"
                + "CREATE TABLE messages (id bigint, chat bigint);\n"
                + "INSERT INTO messages SELECT g, g % 7 FROM generate_series(1, 2000) g;");
        for (int i = 1; i <= 12; i++) {
            Files.writeString(dir.resolve(String.format("%03d_step.sql", i)),
                    "INSERT INTO applied_log VALUES ('" + i + "');\nSELECT pg_sleep(0.02);");
        }
        Files.writeString(dir.resolve("013_index.sql"), "CREATE INDEX CONCURRENTLY messages_chat ON messages (chat);");

        try (PgBouncer bouncer = PgBouncer.transactionMode(3)) {
            String url = "postgres://postgres@127.0.0.1:" + bouncer.port() + "/via_bouncer?sslmode=disable&pgbouncer=true";
            ExecutorService threads = Executors.newFixedThreadPool(4);
            List<HikariDataSource> pools = new ArrayList<>();
            List<Future<MigrationResult>> results = new ArrayList<>();
            for (int i = 0; i < 4; i++) {
                BotDbConfig c = BotDbConfig.fromEnv(TestPostgres.env(url, "DB_MAX_OPEN_CONNS", "3"));
                HikariDataSource ds = Pools.open(c.target(), c.pool());
                pools.add(ds);
                results.add(threads.submit(() -> Migrator.of(ds, Engine.POSTGRESQL, dir, l -> { }).migrate()));
            }
            int applied = 0;
            for (Future<MigrationResult> f : results) {
                applied += f.get().applied().size();
            }
            threads.shutdown();
            assertThat(applied).as(bouncer.log()).isEqualTo(14);
            try (Connection c = pools.get(0).getConnection(); Statement st = c.createStatement();
                 ResultSet rs = st.executeQuery("""
                         SELECT (SELECT count(*) FROM applied_log),
                                (SELECT count(DISTINCT file) FROM applied_log),
                                (SELECT indisvalid FROM pg_index WHERE indexrelid = 'messages_chat'::regclass)
                         """)) {
                rs.next();
                assertThat(rs.getInt(1)).isEqualTo(12);
                assertThat(rs.getInt(2)).isEqualTo(12);
                assertThat(rs.getBoolean(3)).isTrue();
            }
            pools.forEach(HikariDataSource::close);
        }
    }
}
