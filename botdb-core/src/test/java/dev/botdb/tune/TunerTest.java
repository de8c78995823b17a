package dev.botdb.tune;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.botdb.BotDbException;
import dev.botdb.ErrorCode;
import dev.botdb.TestPostgres;
import dev.botdb.config.PostgresTarget;
import dev.botdb.config.Secret;
import dev.botdb.config.SslMode;
import dev.botdb.tune.TuneInput.Storage;
import dev.botdb.tune.TuneInput.Workload;
import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Map;
import java.util.function.Function;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * {@code botdb tune} against real servers: the comparison reads the shared test server (and
 * changes nothing there); ALTER SYSTEM runs only on a private server started for this class,
 * because it would change the shared one for every other test.
 */
class TunerTest {
    private static final long GB = 1L << 30;
    private static EmbeddedPostgres scratch;

    @BeforeAll
    static void startPrivateServer() throws Exception {
        scratch = EmbeddedPostgres.builder().setPGStartupWait(java.time.Duration.ofSeconds(60)).start();
    }

    @AfterAll
    static void stopPrivateServer() throws Exception {
        if (scratch != null) {
            scratch.close();
        }
    }

    private static PostgresTarget target(int port, String user, Secret password) {
        return new PostgresTarget("localhost", port, "postgres", user, password, SslMode.DISABLE, Map.of(), Map.of(),
                Map.of());
    }

    private static Map<String, TuneReport.Row> rows(TuneReport report) {
        return report.rows().stream().collect(Collectors.toMap(TuneReport.Row::name, Function.identity()));
    }

    private static String setting(Connection c, String name) throws SQLException {
        try (Statement st = c.createStatement();
             ResultSet rs = st.executeQuery("SELECT setting || coalesce(unit, '') || ' ' || pending_restart"
                     + " FROM pg_settings WHERE name = '" + name + "'")) {
            rs.next();
            return rs.getString(1);
        }
    }

    @Test
    void currentValuesAreReadInTheirUnitsAndCompared() {
        PostgresTarget shared = target(TestPostgres.port(), "postgres", null);

        TuneReport big = Tuner.of(shared).compare(new TuneOptions(4 * GB, 100, 4, Storage.SSD, Workload.BOT));
        Map<String, TuneReport.Row> r = rows(big);
        assertThat(r.get("shared_buffers").current().value().display()).isEqualTo("128MB"); // 16384 x 8kB
        assertThat(r.get("shared_buffers").verdict()).isEqualTo(TuneReport.Verdict.CHANGE);
        assertThat(r.get("shared_buffers").restart()).isTrue();
        assertThat(r.get("work_mem").current().value().display()).isEqualTo("4MB"); // 4096 kB
        assertThat(r.get("work_mem").restart()).isFalse();
        assertThat(r.get("checkpoint_completion_target").verdict()).isEqualTo(TuneReport.Verdict.OK);
        assertThat(r.get("default_statistics_target").verdict()).isEqualTo(TuneReport.Verdict.OK);
        // zonky starts the server with -c max_connections=300: ALTER SYSTEM cannot override that
        assertThat(r.get("max_connections").remark()).contains("command line");
        assertThat(big.alterSystem()).contains("ALTER SYSTEM SET shared_buffers = '1GB';",
                        "ALTER SYSTEM SET work_mem = '10082kB';", "ALTER SYSTEM SET random_page_cost = '1.1';")
                .noneMatch(l -> l.contains("checkpoint_completion_target"));
        assertThat(big.restartNeededFor()).contains("shared_buffers", "max_connections", "wal_buffers")
                .doesNotContain("work_mem");
        assertThat(big.server()).startsWith("PostgreSQL 15.").contains(" at postgresql://postgres@localhost:");

        // 512MB of RAM: 25% is 128MB, what the server has; work_mem 4MB is the floor
        TuneReport small = Tuner.of(shared).compare(new TuneOptions(512L << 20, 100, 4, Storage.SSD, Workload.BOT));
        assertThat(rows(small).get("shared_buffers").verdict()).isEqualTo(TuneReport.Verdict.OK);
        assertThat(rows(small).get("work_mem").verdict()).isEqualTo(TuneReport.Verdict.OK);
    }

    @Test
    void withoutFlagsRamAndCpusComeFromTheServerOrThisMachine() {
        TuneReport superuser = Tuner.of(target(TestPostgres.port(), "postgres", null)).compare(TuneOptions.none());
        assertThat(superuser.input().ramSource()).startsWith("the server's");
        assertThat(superuser.input().cpus()).isPositive();
        assertThat(superuser.input().connectionsSource()).startsWith("the server's current max_connections");
        assertThat(superuser.input().connections()).isEqualTo(300);

        TestPostgres.createUserWithDatabase("tune_user", "tune-pw", "tune_db");
        PostgresTarget plain = new PostgresTarget("localhost", TestPostgres.port(), "tune_db", "tune_user",
                Secret.of("tune-pw"), SslMode.DISABLE, Map.of(), Map.of(), Map.of());
        TuneReport local = Tuner.of(plain).compare(TuneOptions.none());
        assertThat(local.input().ramSource()).startsWith("this machine");
        assertThat(local.input().ramBytes()).isEqualTo(Hardware.machineRam());
    }

    @Test
    void everyAlterSystemLineIsAcceptedByTheServer() throws Exception {
        PostgresTarget target = target(scratch.getPort(), "postgres", null);
        // 64GB and 32 CPUs bring in every rule: autovacuum_work_mem, autovacuum_max_workers, parallel workers
        TuneReport all = Tuner.offline(new TuneOptions(64 * GB, 200, 32, Storage.SSD, Workload.BOT));
        try (Connection c = scratch.getPostgresDatabase().getConnection(); Statement st = c.createStatement()) {
            try {
                for (String line : all.alterSystem()) {
                    st.execute(line.replace("'lz4'", "'pglz'")); // these binaries are built without lz4
                }
            } finally {
                st.execute("ALTER SYSTEM RESET ALL");
            }
        }
        assertThat(all.alterSystem()).hasSizeGreaterThan(20);
        assertThat(target.port()).isEqualTo(scratch.getPort());
    }

    @Test
    void applyWritesTheSettingsReloadsAndSaysWhatWaitsForARestart() throws Exception {
        PostgresTarget target = target(scratch.getPort(), "postgres", null);
        try {
            TuneReport report = Tuner.of(target).compare(new TuneOptions(2 * GB, 100, 4, Storage.SSD, Workload.BOT));

            ApplyResult applied = Tuner.of(target).apply(report);

            assertThat(applied.applied()).contains("ALTER SYSTEM SET random_page_cost = '1.1';",
                    "ALTER SYSTEM SET shared_buffers = '512MB';");
            assertThat(applied.inEffect()).contains("random_page_cost", "work_mem", "idle_in_transaction_session_timeout");
            assertThat(applied.needRestart()).contains("shared_buffers");
            try (Connection c = scratch.getPostgresDatabase().getConnection()) {
                assertThat(setting(c, "random_page_cost")).isEqualTo("1.1 false");
                assertThat(setting(c, "idle_in_transaction_session_timeout")).isEqualTo("300000ms false");
                assertThat(setting(c, "shared_buffers")).isEqualTo("16384" + "8kB true"); // pending restart
            }
            TuneReport after = Tuner.of(target).compare(new TuneOptions(2 * GB, 100, 4, Storage.SSD, Workload.BOT));
            assertThat(rows(after).get("random_page_cost").verdict()).isEqualTo(TuneReport.Verdict.OK);
            assertThat(after.notes()).anyMatch(n -> n.startsWith("shared_buffers was already changed"));
        } finally {
            try (Connection c = scratch.getPostgresDatabase().getConnection(); Statement st = c.createStatement()) {
                st.execute("ALTER SYSTEM RESET ALL");
                st.execute("SELECT pg_reload_conf()");
            }
        }
    }

    @Test
    void applyAsANonSuperuserIsRefusedWithTheGrantThatWouldAllowIt() throws Exception {
        try (Connection c = scratch.getPostgresDatabase().getConnection(); Statement st = c.createStatement()) {
            st.execute("DROP ROLE IF EXISTS tuner");
            st.execute("CREATE ROLE tuner LOGIN");
        }
        PostgresTarget plain = target(scratch.getPort(), "tuner", null);
        TuneReport report = Tuner.of(plain).compare(new TuneOptions(2 * GB, 100, 4, Storage.SSD, Workload.BOT));

        assertThatThrownBy(() -> Tuner.of(plain).apply(report)).isInstanceOf(BotDbException.class)
                .hasMessageContaining("needs a superuser").hasMessageContaining("GRANT ALTER SYSTEM ON PARAMETER")
                .hasMessageContaining("Nothing was changed")
                .satisfies(e -> assertThat(((BotDbException) e).code()).isEqualTo(ErrorCode.MAINTENANCE_INCOMPLETE));
        try (Connection c = scratch.getPostgresDatabase().getConnection()) {
            assertThat(setting(c, "shared_buffers")).isEqualTo("16384" + "8kB false");
        }
    }
}
