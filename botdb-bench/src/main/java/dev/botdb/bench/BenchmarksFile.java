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

    /** Everything the "Backups (issue 4)" section reports about one invocation. */
    record BackupRun(BackupResults results, Machine machine, String serverSettings, String date, String command,
                     String loadBefore, String loadAfter, String pgDump, String pgRestore, String measuredCode,
                     BotDatabase.Size size, BotDatabase.Timings generation, long messages, List<String> tables) {
    }

    /** The "Backups (issue 4)" section. */
    static String backupsSection(BackupRun run) {
        BackupResults r = run.results();
        StringBuilder sb = new StringBuilder();
        sb.append(BackupBenchmark.HEADING).append("\n\n");
        sb.append(String.format(Locale.ROOT, """
                The issue's targets, against PostgreSQL's own tools as operators run them (`pg_dump -Fc` with its
                default compression, `pg_restore -j 2` into a freshly created empty database), on a generated
                chat-bot database of %s (%,d bytes by `pg_database_size`: %,d messages and their users, chats,
                members, warnings and filters, with keys, foreign keys and indexes), all in one run:

                - backup: botdb at most 0.5 x the time of `pg_dump -Fc`, with an archive at most 1.1 x its size;
                - restore: botdb at most 0.7 x the time of `pg_restore -j 2` of that archive;
                - verifying a backup: at most 1.5 x the time of restoring it.

                """, BackupBenchmark.gib(run.size().database()), run.size().database(), run.messages()));
        sb.append("Reproduce (from the repository root):\n\n```bash\n").append(run.command()).append("\n```\n\n");

        sb.append("| target | median ratio | limit | result |\n|---|---:|---:|---|\n");
        for (BackupResults.Target t : BackupResults.TIME_TARGETS) {
            sb.append(String.format(Locale.ROOT, "| %s | %.3f | %.2f | %s |%n", t.name(), r.ratio(t), t.limit(),
                    r.passes(t) ? "pass" : "**fail**"));
        }
        sb.append(String.format(Locale.ROOT, "| %s | %.3f | %.2f | %s |%n%n", BackupResults.SIZE_TARGET, r.sizeRatio(),
                BackupResults.SIZE_LIMIT, r.sizePasses() ? "pass" : "**fail**"));

        double dbMb = run.size().database() / 1e6;
        sb.append(String.format(Locale.ROOT, "| measurement (%s database) | runs | median | min | max | MB of database"
                + " per second |%n|---|---:|---:|---:|---:|---:|%n", BackupBenchmark.gib(run.size().database())));
        for (BackupResults.Measurement m : BackupResults.Measurement.values()) {
            sb.append(String.format(Locale.ROOT, "| %s | %d | %s | %s | %s | %.0f |%n", m.label, r.runs(),
                    seconds(r.medianMs(m)), seconds(r.minMs(m)), seconds(r.maxMs(m)), dbMb / (r.medianMs(m) / 1e3)));
        }
        sb.append('\n');

        sb.append("| archive | bytes (median) | of the database |\n|---|---:|---:|\n");
        sb.append(String.format(Locale.ROOT, "| `pg_dump -Fc` | %,.0f | %.1f %% |%n", r.pgDumpBytes(),
                100 * r.pgDumpBytes() / run.size().database()));
        sb.append(String.format(Locale.ROOT, "| botdb | %,.0f | %.1f %% |%n%n", r.botdbBytes(),
                100 * r.botdbBytes() / run.size().database()));

        sb.append("<details><summary>Every run (seconds; archives in bytes; each run's own ratios)</summary>\n\n| run |");
        for (BackupResults.Measurement m : BackupResults.Measurement.values()) {
            sb.append(' ').append(m.name().toLowerCase(Locale.ROOT)).append(" |");
        }
        sb.append(" pg_dump archive | botdb archive | backup ratio | restore ratio | verify ratio |\n|---|");
        sb.append("---:|".repeat(BackupResults.Measurement.values().length + 5)).append('\n');
        for (int i = 0; i < r.runs(); i++) {
            sb.append("| ").append(i + 1).append(" |");
            for (BackupResults.Measurement m : BackupResults.Measurement.values()) {
                sb.append(String.format(Locale.ROOT, " %.2f |", r.runMs(m, i) / 1e3));
            }
            sb.append(String.format(Locale.ROOT, " %,d | %,d |", r.pgDumpBytes(i), r.botdbBytes(i)));
            for (BackupResults.Target t : BackupResults.TIME_TARGETS) {
                sb.append(String.format(Locale.ROOT, " %.3f |", r.runMs(t.numerator(), i) / r.runMs(t.denominator(), i)));
            }
            sb.append('\n');
        }
        sb.append("\nThe targets above are ratios of the medians; the ratios within each run are in the last columns.\n");
        sb.append("\nThe generated database (`count(*)`, `pg_table_size` with TOAST, `pg_indexes_size`):\n\n```\n");
        run.tables().forEach(t -> sb.append(t).append('\n'));
        BotDatabase.Timings g = run.generation();
        sb.append(String.format(Locale.ROOT, "```%n%nGenerated in %.1f s: COPY of %.0f MB of rows %.1f s, indexes %.1f s,"
                        + " keys and foreign key checks %.1f s, VACUUM ANALYZE %.1f s.%n%n</details>%n%n",
                g.totalMs() / 1e3, g.copiedBytes() / 1e6, g.loadMs() / 1e3, g.indexMs() / 1e3, g.keysMs() / 1e3,
                g.vacuumMs() / 1e3));

        Machine machine = run.machine();
        sb.append("Measured ").append(run.date()).append(" on:\n\n");
        sb.append("- ").append(machine.cpus()).append(" CPUs (").append(machine.cpuModel()).append("), ")
                .append(machine.memory()).append(" RAM, ").append(machine.os()).append('\n');
        sb.append("- botdb ").append(run.measuredCode()).append('\n');
        sb.append("- ").append(machine.java()).append('\n');
        sb.append("- server: ").append(machine.postgres()).append(" (embedded, zonky; ").append(run.serverSettings())
                .append(")\n");
        sb.append("- tools: ").append(run.pgDump()).append(", ").append(run.pgRestore()).append('\n');
        sb.append("- load average before / after: ").append(run.loadBefore()).append(" / ").append(run.loadAfter())
                .append(". A shared 2-core box where other builds may run at the same time: read the ratios (every")
                .append(" contender ran in each run, in rotating order) rather than the absolute times.\n\n");

        sb.append("""
                How it is measured: one server for everything. The database is generated once per invocation
                (tables bare, rows by `COPY ... FROM STDIN` streamed from Java on parallel connections, then indexes,
                keys and foreign keys, `VACUUM ANALYZE`, `CHECKPOINT`); its rows are the same in every
                invocation (fixed seeds). Each run: both backups of it, in an order that alternates with the
                run (`pg_dump -Fc -f FILE DB` as a child process; `Backups.of(target,
                BackupSettings.of(dir), log).backup()` in the benchmark's JVM with botdb's defaults); then both
                restores, in alternating order, each into a database created empty just before (untimed),
                `pg_restore -j 2 -d DB FILE` of pg_dump's archive and `backups.restore(file, target)` of
                botdb's; then `backups.verify(file)` of botdb's archive (which restores it into a scratch
                database of its own and compares it with the manifest). A `CHECKPOINT` precedes every timed
                step, so no contender pays for another's dirty pages. The child processes get the connection
                in the environment (`PGHOST`, `PGPORT`, ...) and their time includes starting them. After
                each restore the benchmark compares the restored database with the source: row counts, a hash
                of every table's rows (the sum of a 64-bit hash of each row's text), the columns, indexes,
                constraints (validated or not), enum labels and sequence positions; any difference ends
                the benchmark. botdb's verify must report the backup verified. Then the restored database
                is dropped. One untimed round on a small database warms the JVM first. Ratios are of the
                medians.
                """);
        return sb.toString();
    }

    private static String seconds(double ms) {
        return ms >= 1000 ? String.format(Locale.ROOT, "%.2f s", ms / 1000) : String.format(Locale.ROOT, "%.1f ms", ms);
    }
}
