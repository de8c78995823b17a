package dev.botdb.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.jr.ob.JSON;
import dev.botdb.TestPostgres;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code botdb tune} as an operator types it, against the CLI's test server (PostgreSQL 18). Only
 * reads: --apply is tested on a private server in botdb-core's TunerTest, since ALTER SYSTEM would
 * change the shared server for every other test.
 */
class TuneCommandTest {
    @TempDir
    Path dir;

    private static Map<String, String> env() {
        return TestPostgres.env("postgres://postgres@localhost:" + TestPostgres.port() + "/postgres");
    }

    @Test
    void recommendationsAreComparedWithTheServerAndComeWithAlterSystemLines() {
        CliRun r = CliRun.of(env(), "tune", "--ram", "4GB", "--connections", "100", "--cpus", "4");

        assertThat(r.exitCode()).as(r.all()).isZero();
        assertThat(r.out()).contains("Settings for 4GB RAM (--ram), 100 connections (--connections), 4 CPUs (--cpus),"
                        + " SSD (assumed; pass --storage hdd for spinning disks), workload bot")
                .contains("Server: PostgreSQL 18.")
                .containsPattern("shared_buffers +128MB +1GB +change \\(restart\\)")
                .containsPattern("work_mem +4MB +10082kB +change\n")
                .containsPattern("checkpoint_completion_target +0.9 +0.9 +ok")
                .contains("25% of 4GB RAM")
                .contains("ALTER SYSTEM SET shared_buffers = '1GB';")
                .contains("ALTER SYSTEM SET work_mem = '10082kB';")
                .contains("SELECT pg_reload_conf();")
                .contains("Restart needed for: max_connections, shared_buffers, wal_buffers, max_worker_processes")
                .contains("note: set on the server's command line");
    }

    @Test
    void jsonGivesCurrentValuesWithTheirRawUnits() throws Exception {
        CliRun r = CliRun.of(env(), "tune", "--ram", "2GB", "--json");

        assertThat(r.exitCode()).as(r.all()).isZero();
        Map<String, Object> json = JSON.std.mapFrom(r.out());
        Map<?, ?> input = (Map<?, ?>) json.get("input");
        assertThat(input.get("ram_bytes")).isEqualTo(2L << 30);
        assertThat(input.get("connections_source").toString()).startsWith("the server's current max_connections");
        Map<?, ?> shared = ((List<?>) json.get("settings")).stream().map(Map.class::cast)
                .filter(m -> m.get("name").equals("shared_buffers")).findFirst().orElseThrow();
        assertThat(shared.get("current")).isEqualTo("128MB");
        assertThat(shared.get("current_raw")).isEqualTo("16384");
        assertThat(shared.get("current_unit")).isEqualTo("8kB");
        assertThat(shared.get("recommended")).isEqualTo("512MB");
        assertThat(shared.get("restart")).isEqualTo(true);
        assertThat(json.get("alter_system").toString()).contains("ALTER SYSTEM SET shared_buffers = '512MB';");
    }

    @Test
    void offlineBadFlagsAndSqlite() {
        CliRun offline = CliRun.of(Map.of("HOME", dir.toString()), "tune", "--offline", "--ram", "1GB", "--cpus", "2");
        assertThat(offline.exitCode()).as(offline.all()).isZero();
        assertThat(offline.out()).contains("shared_buffers").contains("= 256MB").contains("effective_cache_size")
                .contains("= 768MB").contains("Not compared with a server");

        CliRun badRam = CliRun.of(env(), "tune", "--ram", "lots");
        assertThat(badRam.exitCode()).isEqualTo(2);
        assertThat(badRam.err()).contains("--ram 'lots' is not a size");

        CliRun badWorkload = CliRun.of(env(), "tune", "--workload", "game");
        assertThat(badWorkload.exitCode()).isEqualTo(2);
        assertThat(badWorkload.err()).contains("--workload must be bot, web or oltp");

        CliRun sqlite = CliRun.of(TestPostgres.env("sqlite:///" + dir.resolve("bot.db")), "tune");
        assertThat(sqlite.exitCode()).isEqualTo(2);
        assertThat(sqlite.err()).contains("tune is for PostgreSQL");
    }

    @Test
    void theLibrarysFieldNamesReachTheOperatorAsFlags() {
        CliRun r = CliRun.of(env(), "tune", "--offline", "--ram", "100MB");

        assertThat(r.exitCode()).as(r.all()).isEqualTo(2);
        assertThat(r.err()).contains("error: --ram must be at least 256MB").doesNotContain("`");
    }
}
