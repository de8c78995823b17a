package dev.botdb.tune;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.botdb.BotDbException;
import dev.botdb.tune.TuneInput.Storage;
import dev.botdb.tune.TuneInput.Workload;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The tuning rules for a few machines, in the units postgresql.conf uses (pgtune's figures). */
class RulesTest {
    private static final long GB = 1L << 30;

    private static Map<String, String> recommend(long ram, int connections, Integer cpus, Storage storage, Workload w,
                                                 Rules.Facts facts) {
        TuneInput in = new TuneInput(ram, "--ram", connections, "--connections", cpus, "--cpus", storage, "--storage", w);
        Map<String, String> out = new LinkedHashMap<>();
        for (Recommendation r : Rules.recommend(in, facts).settings()) {
            out.put(r.name(), r.value().display());
            assertThat(r.reason()).as(r.name()).isNotBlank();
        }
        return out;
    }

    private static Map<String, String> recommend(long ram, int connections, Integer cpus, Storage storage, Workload w) {
        return recommend(ram, connections, cpus, storage, w, Rules.Facts.assumed());
    }

    @Test
    void fourGigabytesOfWebServerFollowPgtune() {
        Map<String, String> s = recommend(4 * GB, 100, 4, Storage.SSD, Workload.WEB);

        assertThat(s).containsEntry("max_connections", "100")
                .containsEntry("shared_buffers", "1GB")
                .containsEntry("effective_cache_size", "3GB")
                .containsEntry("maintenance_work_mem", "256MB")
                // (4194304 kB - 1048576 kB) / ((100 + 4) * 3)
                .containsEntry("work_mem", "10082kB")
                .containsEntry("wal_buffers", "16MB")
                .containsEntry("min_wal_size", "1GB")
                .containsEntry("max_wal_size", "4GB")
                .containsEntry("checkpoint_completion_target", "0.9")
                .containsEntry("default_statistics_target", "100")
                .containsEntry("random_page_cost", "1.1")
                .containsEntry("effective_io_concurrency", "200")
                .containsEntry("max_worker_processes", "4")
                .containsEntry("max_parallel_workers_per_gather", "2")
                .containsEntry("max_parallel_workers", "4")
                .containsEntry("max_parallel_maintenance_workers", "2")
                .containsEntry("jit", "off")
                .containsEntry("wal_compression", "lz4")
                .containsEntry("idle_in_transaction_session_timeout", "5min")
                .containsEntry("log_min_duration_statement", "1s");
        assertThat(s).doesNotContainKeys("autovacuum_vacuum_scale_factor", "autovacuum_work_mem");
    }

    @Test
    void oneGigabyteBotMatchesTheChatalotPage() {
        Map<String, String> s = recommend(GB, 100, 2, Storage.SSD, Workload.BOT);

        assertThat(s).containsEntry("shared_buffers", "256MB")
                .containsEntry("effective_cache_size", "768MB")
                .containsEntry("work_mem", "4MB") // 786432 kB / 324 = 2427 kB, below pgtune's 4MB floor
                .containsEntry("wal_buffers", "7864kB") // 3% of 256MB
                .containsEntry("maintenance_work_mem", "64MB")
                .containsEntry("autovacuum_vacuum_scale_factor", "0.05")
                .containsEntry("autovacuum_analyze_scale_factor", "0.02")
                .containsEntry("autovacuum_vacuum_insert_scale_factor", "0.1");
        assertThat(s).doesNotContainKeys("max_worker_processes", "max_parallel_workers");
    }

    @Test
    void aLargeServerCapsWorkMemForABotButNotForAWebApp() {
        Map<String, String> bot = recommend(64 * GB, 20, 16, Storage.SSD, Workload.BOT);
        Map<String, String> web = recommend(64 * GB, 20, 16, Storage.SSD, Workload.WEB);

        assertThat(bot).containsEntry("work_mem", "64MB");
        assertThat(web).containsEntry("work_mem", "455MB"); // 50331648 kB / ((20 + 16) * 3) = 466033kB, in whole MB
        assertThat(bot).containsEntry("shared_buffers", "16GB")
                .containsEntry("maintenance_work_mem", "4GB")
                .containsEntry("autovacuum_work_mem", "2GB")
                .containsEntry("autovacuum_max_workers", "4")
                .containsEntry("max_parallel_workers_per_gather", "4");
    }

    @Test
    void spinningDisksOltpAndOtherPlatforms() {
        Map<String, String> hdd = recommend(8 * GB, 300, null, Storage.HDD, Workload.OLTP);
        assertThat(hdd).containsEntry("random_page_cost", "4").containsEntry("effective_io_concurrency", "2")
                .containsEntry("min_wal_size", "2GB").containsEntry("max_wal_size", "8GB")
                .containsEntry("max_connections", "300");

        Map<String, String> mac = recommend(8 * GB, 100, 8, Storage.SSD, Workload.WEB,
                new Rules.Facts(16, false, List.of("pglz", "lz4", "on", "off")));
        assertThat(mac).doesNotContainKey("effective_io_concurrency").containsEntry("wal_compression", "lz4");

        Map<String, String> noLz4 = recommend(8 * GB, 100, 8, Storage.SSD, Workload.WEB,
                new Rules.Facts(15, true, List.of("pglz", "on", "off")));
        assertThat(noLz4).containsEntry("wal_compression", "pglz");
        Map<String, String> pg14 = recommend(8 * GB, 100, 8, Storage.SSD, Workload.WEB, new Rules.Facts(14, true, null));
        assertThat(pg14).containsEntry("wal_compression", "on");
    }

    @Test
    void manyConnectionsAndFewCpusAreExplained() {
        TuneInput in = new TuneInput(4 * GB, "--ram", 500, "--connections", 2, "--cpus", Storage.SSD, "assumed",
                Workload.BOT);
        Rules.Result r = Rules.recommend(in, Rules.Facts.assumed());
        assertThat(r.notes()).anyMatch(n -> n.contains("PgBouncer")).anyMatch(n -> n.contains("With 2 CPUs"));
    }

    @Test
    void pgSettingsUnitsAreConverted() {
        assertThat(PgValue.fromSetting("16384", "8kB", "integer").display()).isEqualTo("128MB");
        assertThat(PgValue.fromSetting("4096", "kB", "integer").display()).isEqualTo("4MB");
        assertThat(PgValue.fromSetting("1024", "MB", "integer").display()).isEqualTo("1GB");
        assertThat(PgValue.fromSetting("60", "s", "integer").display()).isEqualTo("1min");
        assertThat(PgValue.fromSetting("300000", "ms", "integer").display()).isEqualTo("5min");
        assertThat(PgValue.fromSetting("0.9", null, "real").display()).isEqualTo("0.9");
        assertThat(PgValue.fromSetting("on", null, "bool").closeTo(PgValue.text("ON"))).isTrue();
        assertThat(PgValue.kilobytes(1_048_576).closeTo(PgValue.fromSetting("131072", "8kB", "integer"))).isTrue();
        assertThat(PgValue.kilobytes(10082).closeTo(PgValue.fromSetting("10240", "kB", "integer"))).isTrue();
        assertThat(PgValue.kilobytes(10082).closeTo(PgValue.fromSetting("4096", "kB", "integer"))).isFalse();
        assertThat(PgValue.kilobytes(20971).literal()).isEqualTo("'20971kB'");
        assertThat(PgValue.millis(1000).literal()).isEqualTo("'1s'");
    }

    @Test
    void ramIsReadWithItsUnit() {
        assertThat(TuneInput.parseRam("4GB")).isEqualTo(4 * GB);
        assertThat(TuneInput.parseRam("4g")).isEqualTo(4 * GB);
        assertThat(TuneInput.parseRam("1.5 GiB")).isEqualTo(3 * GB / 2);
        assertThat(TuneInput.parseRam("512MB")).isEqualTo(512L << 20);
        assertThatThrownBy(() -> TuneInput.parseRam("4")).isInstanceOf(BotDbException.class)
                .hasMessageContaining("`ram` 4GB");
        assertThatThrownBy(() -> new TuneInput(100L << 20, "--ram", 10, "x", null, "x", Storage.SSD, "x", Workload.BOT))
                .hasMessageContaining("at least 256MB");
    }
}
