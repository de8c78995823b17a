package dev.botdb.bench;

import dev.botdb.bench.Results.Measurement;
import dev.botdb.bench.Results.Target;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;

/**
 * BENCHMARKS.md at the repository root: one {@code ## } section per benchmark, each rewritten in
 * place by its own run, so the other sections (and hand-written notes under their own headings)
 * survive.
 */
final class BenchmarksFile {
    static final String HEADING = "## Migrations (issue 3)";

    private static final String PREAMBLE = """
            # Benchmarks

            Figures written by the `botdb-bench` module. Each section says what was measured, on which
            machine, and the command that reproduces it. Benchmarks are not tests: `./mvnw verify` only
            compiles the module.

            """;

    private BenchmarksFile() {
    }

    /** Replaces the section starting at {@code heading} (up to the next {@code ## }) or appends it. */
    static void update(Path file, String heading, String section) throws IOException {
        String text = Files.exists(file) ? Files.readString(file) : PREAMBLE;
        List<String> lines = text.lines().toList();
        int start = lines.indexOf(heading);
        String updated;
        if (start < 0) {
            updated = text.stripTrailing() + "\n\n" + section.stripTrailing() + "\n";
        } else {
            int end = start + 1;
            while (end < lines.size() && !lines.get(end).startsWith("## ")) {
                end++;
            }
            StringBuilder sb = new StringBuilder();
            lines.subList(0, start).forEach(l -> sb.append(l).append('\n'));
            sb.append(section.stripTrailing()).append("\n\n");
            lines.subList(end, lines.size()).forEach(l -> sb.append(l).append('\n'));
            updated = sb.toString().stripTrailing() + "\n";
        }
        Files.writeString(file, updated);
    }

    /** The "Migrations (issue 3)" section. */
    static String migrationsSection(Results r, Machine machine, String serverSettings, String date, String command,
                                    String loadBefore, String loadAfter, String flywayVersion, String measuredCode) {
        StringBuilder sb = new StringBuilder();
        sb.append(HEADING).append("\n\n");
        sb.append("""
                The issue's targets, against Flyway %s (same JVM, same server, the same files under Flyway's names)
                and against the floor (the same files applied by one `psql` process, each file between `BEGIN;`
                and `COMMIT;`, no history table, no lock, no checksums):

                - apply %d generated migrations (each a table, an index and three rows) to an empty database:
                  botdb at most 0.5 x Flyway's time and at most 1.3 x the psql floor;
                - the startup check with all of them applied and nothing to do: botdb at most 0.25 x Flyway's time.

                """.formatted(flywayVersion, r.migrations()));
        sb.append("Reproduce (from the repository root):\n\n```bash\n").append(command).append("\n```\n\n");

        sb.append("| target | median ratio | limit | result |\n|---|---:|---:|---|\n");
        for (Target t : Results.TARGETS) {
            sb.append(String.format(Locale.ROOT, "| %s | %.3f | %.2f | %s |%n", t.name(), r.ratio(t), t.limit(),
                    r.passes(t) ? "pass" : "**fail**"));
        }
        sb.append('\n');

        sb.append(String.format(Locale.ROOT, "| measurement (%d migrations) | samples | median | min | max | median per"
                + " migration |%n|---|---:|---:|---:|---:|---:|%n", r.migrations()));
        for (Measurement m : Measurement.values()) {
            sb.append(String.format(Locale.ROOT, "| %s | %s | %s | %s | %s | %.3f ms |%n", m.label, r.samples(m),
                    seconds(r.medianMs(m)), seconds(r.minMs(m)), seconds(r.maxMs(m)), r.medianMs(m) / r.migrations()));
        }
        sb.append('\n');

        sb.append("<details><summary>Every run (ms; a startup check's figure is the median of its run's samples)"
                + "</summary>\n\n| run |");
        for (Measurement m : Measurement.values()) {
            sb.append(' ').append(m.name().toLowerCase(Locale.ROOT)).append(" |");
        }
        sb.append("\n|---|");
        sb.append("---:|".repeat(Measurement.values().length)).append('\n');
        for (int i = 0; i < r.runCount(); i++) {
            sb.append("| ").append(i + 1).append(" |");
            for (Measurement m : Measurement.values()) {
                sb.append(String.format(Locale.ROOT, " %.1f |", r.runMs(m, i)));
            }
            sb.append('\n');
        }
        sb.append("\n</details>\n\n");

        sb.append("Measured ").append(date).append(" on:\n\n");
        sb.append("- ").append(machine.cpus()).append(" CPUs (").append(machine.cpuModel()).append("), ")
                .append(machine.memory()).append(" RAM, ").append(machine.os()).append('\n');
        sb.append("- botdb ").append(measuredCode).append('\n');
        sb.append("- ").append(machine.java()).append('\n');
        sb.append("- server: ").append(machine.postgres()).append(" (embedded, zonky; ").append(serverSettings)
                .append(")\n");
        sb.append("- client: ").append(machine.psql()).append(", Flyway ").append(flywayVersion)
                .append(", HikariCP for both Java tools\n");
        sb.append("- load average before / after: ").append(loadBefore).append(" / ").append(loadAfter)
                .append(". A shared 2-core box where other builds may run at the same time, on a virtual disk whose")
                .append(" speed changes from minute to minute (the server creates several files per migration):")
                .append(" read the ratios (every contender ran in each run, in rotating order) rather than the")
                .append(" absolute times; `--data-dir /dev/shm` keeps the disk out of the figures.\n\n");

        sb.append("""
                How it is measured: one server for everything; every run makes a fresh database per contender
                (`CREATE DATABASE`, then `CHECKPOINT` before each timed step so no contender pays for another's
                dirty pages). The Java tools get a fresh HikariCP pool per step, filled before the clock starts;
                the clock covers `Migrator.of(...).migrate()` and `Flyway.configure()...load().migrate()`
                (Flyway validates on migrate by default, as at a real start). The psql time includes starting
                `psql` and its connection. The startup check is the same call again on the migrated database,
                several times per run (botdb and Flyway alternating, each with a fresh pool, so each start meets
                fresh server sessions as a real start does). After each apply the benchmark checks that every
                table exists. One untimed run of 50 migrations warms the JVM first. Ratios are of the medians.
                """);
        return sb.toString();
    }

    private static String seconds(double ms) {
        return ms >= 1000 ? String.format(Locale.ROOT, "%.2f s", ms / 1000) : String.format(Locale.ROOT, "%.1f ms", ms);
    }
}
