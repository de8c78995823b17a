package dev.botdb.bench;

import dev.botdb.bench.BackupResults.Measurement;
import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.SQLException;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.util.List;
import java.util.Locale;
import java.util.function.Consumer;
import javax.sql.DataSource;

/**
 * The backup benchmark of issue 4: botdb's backup, restore and verify against {@code pg_dump -Fc}
 * and {@code pg_restore -j 2}, on a generated chat-bot database of a few GiB in one embedded
 * PostgreSQL 15, writing its figures to the "Backups (issue 4)" section of {@code BENCHMARKS.md}.
 *
 * <pre>{@code
 * ./mvnw -q -pl botdb-bench -am package -DskipTests && java -cp botdb-bench/target/botdb-bench.jar dev.botdb.bench.BackupBenchmark --gigabytes 2 --runs 3 --data-dir /dev/shm
 * }</pre>
 *
 * <p>Options: {@code --gigabytes G} (size of the generated database in GiB, default 2),
 * {@code --runs N} (default 3), {@code --data-dir DIR} (where the server keeps its data and the
 * archives go, default the temporary folder; {@code /dev/shm} takes the disk out of the figures),
 * {@code --jobs N} (connections that generate the database, default 2), {@code --output FILE}
 * (default {@code BENCHMARKS.md} of the checkout the jar was built in), {@code --no-write} (print
 * only), {@code --peers-only} (pg_dump and pg_restore alone, to try the harness; never written),
 * {@code --verbose} (botdb's own log lines on stderr).
 */
public final class BackupBenchmark {
    static final String HEADING = "## Backups (issue 4)";
    private static final String BUILD = "./mvnw -q -pl botdb-bench -am package -DskipTests";
    private static final String SOURCE = "bench_source";
    /** Size of the untimed warm-up database (JIT, class loading, the first connections), in GiB. */
    private static final double WARM_UP_GIB = 0.003;
    private static final long TOOL_TIMEOUT_MINUTES = 60;

    private final EmbeddedPostgres server;
    private final Options options;
    private final Path archives;
    private final Consumer<String> botdbLog;

    private BackupBenchmark(EmbeddedPostgres server, Options options, Path archives) {
        this.server = server;
        this.options = options;
        this.archives = archives;
        this.botdbLog = options.verbose() ? line -> System.err.println("  botdb: " + line) : line -> { };
    }

    /** Runs the benchmark; see the class comment for the options. */
    public static void main(String[] args) throws Exception {
        Options options;
        try {
            options = Options.parse(args);
        } catch (IllegalArgumentException e) {
            System.err.println(e.getMessage());
            System.err.println("usage: java -cp botdb-bench/target/botdb-bench.jar dev.botdb.bench.BackupBenchmark"
                    + " [--gigabytes 2] [--runs 3] [--data-dir DIR] [--jobs 2] [--output BENCHMARKS.md] [--no-write]"
                    + " [--peers-only] [--verbose]");
            System.exit(2);
            return;
        }
        for (String tool : List.of("pg_dump", "pg_restore")) {
            if (!PgTool.available(tool)) {
                System.err.println(tool + " not found on PATH: the benchmark compares botdb with PostgreSQL's own tools."
                        + " Install them (version 15 or later), e.g.: apt-get install -y postgresql-client-15");
                System.exit(2);
                return;
            }
        }
        Path archives = Files.createTempDirectory(options.dataFolderParent(), "botdb-bench-archives");
        try {
            run(options, archives);
        } finally {
            BenchServer.deleteRecursively(archives);
        }
    }

    private static void run(Options options, Path archives) throws Exception {
        String loadBefore = Machine.loadAverage();
        Path data = Files.createTempDirectory(options.dataFolderParent(), "botdb-bench-pg");
        try (EmbeddedPostgres server = BenchServer.start(data)) {
            String version = BenchServer.queryOne(server, "SELECT version()");
            String settings = BenchServer.describe(server, data, List.of("fsync", "synchronous_commit", "shared_buffers",
                    "max_wal_size", "maintenance_work_mem", "wal_level"));
            Machine machine = Machine.describe(version);
            String pgDump = PgTool.version("pg_dump");
            String pgRestore = PgTool.version("pg_restore");
            System.err.printf(Locale.ROOT, "%s on port %d (%s)%n%s, %s%n", version, server.getPort(), settings, pgDump,
                    pgRestore);
            BackupBenchmark bench = new BackupBenchmark(server, options, archives);

            System.err.printf(Locale.ROOT, "warm-up: a %.3f GiB database, every step once, untimed%n", WARM_UP_GIB);
            String warm = "bench_warm_up";
            bench.generate(warm, BotDatabase.ofSize(WARM_UP_GIB));
            bench.oneRun(warm, BotDatabase.fingerprint(bench.db(warm)), 0, new BackupResults());
            bench.admin("DROP DATABASE " + warm + " WITH (FORCE)");

            System.err.printf(Locale.ROOT, "generating a database of about %.2f GiB%n", options.gibibytes());
            BotDatabase rows = BotDatabase.ofSize(options.gibibytes());
            BotDatabase.Timings timings = bench.generate(SOURCE, rows);
            BotDatabase.Size size = BotDatabase.size(bench.db(SOURCE));
            List<String> tables = BotDatabase.tableSizes(bench.db(SOURCE));
            tables.forEach(t -> System.err.println("  " + t));
            System.err.printf(Locale.ROOT, "database: %s (%,d bytes; tables %.1f MB, indexes %.1f MB), generated in %.1f s%n",
                    gib(size.database()), size.database(), size.tables() / 1e6, size.indexes() / 1e6,
                    timings.totalMs() / 1e3);
            if (size.database() < options.gibibytes() * (1L << 30)) {
                System.err.printf(Locale.ROOT, "WARNING: the database is smaller than the %.2f GiB asked for;"
                        + " raise BotDatabase.MESSAGES_PER_GIB%n", options.gibibytes());
            }
            List<String> expected = BotDatabase.fingerprint(bench.db(SOURCE));

            BackupResults results = new BackupResults();
            for (int run = 0; run < options.runs(); run++) {
                bench.oneRun(SOURCE, expected, run, results);
                System.err.printf(Locale.ROOT, "run %d/%d:", run + 1, options.runs());
                for (Measurement m : Measurement.values()) {
                    if (results.has(m)) {
                        System.err.printf(Locale.ROOT, " %s %.2f s", m.name().toLowerCase(Locale.ROOT),
                                results.runMs(m, run) / 1e3);
                    }
                }
                System.err.printf(Locale.ROOT, "; archives: pg_dump %,d bytes, botdb %,d bytes%n",
                        results.pgDumpBytes(run), results.botdbBytes(run));
            }
            String loadAfter = Machine.loadAverage();

            System.out.println();
            System.out.print(results.table());
            System.out.println();
            System.out.printf(Locale.ROOT, "database:   %s (%,d bytes), %,d messages; generated in %.1f s (COPY %.1f s,"
                            + " indexes %.1f s, keys %.1f s, VACUUM ANALYZE %.1f s)%n", gib(size.database()), size.database(),
                    rows.messages(), timings.totalMs() / 1e3, timings.loadMs() / 1e3, timings.indexMs() / 1e3,
                    timings.keysMs() / 1e3, timings.vacuumMs() / 1e3);
            System.out.printf(Locale.ROOT, "machine:    %d CPUs (%s), %s RAM, %s%n", machine.cpus(), machine.cpuModel(),
                    machine.memory(), machine.os());
            System.out.println("java:       " + machine.java());
            System.out.println("server:     " + version + " (" + settings + ")");
            System.out.println("tools:      " + pgDump + ", " + pgRestore);
            System.out.println("load:       " + loadBefore + " before, " + loadAfter + " after");
            System.out.println("botdb:      " + Checkout.measuredCode());
            System.out.println("command:    " + options.command());

            if (options.output() != null && !options.peersOnly()) {
                String date = DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm 'UTC'").format(ZonedDateTime.now(ZoneOffset.UTC));
                String section = BenchmarksFile.backupsSection(new BenchmarksFile.BackupRun(results, machine, settings, date,
                        options.command(), loadBefore, loadAfter, pgDump, pgRestore, Checkout.measuredCode(), size,
                        timings, rows.messages(), tables));
                BenchmarksFile.update(options.output(), HEADING, section);
                System.out.println("\nwrote section \"" + HEADING.substring(3) + "\" of " + options.output());
            }
        }
    }

    /** Creates {@code db} and fills it with {@code data}, then a checkpoint. */
    private BotDatabase.Timings generate(String db, BotDatabase data) throws Exception {
        admin("DROP DATABASE IF EXISTS " + db + " WITH (FORCE)");
        admin("CREATE DATABASE " + db);
        BotDatabase.Timings t = data.generate(db(db), options.jobs(), line -> System.err.println("  " + line));
        checkpoint();
        return t;
    }

    /**
     * One run: both backups of {@code source} in an order that rotates with the run, then both
     * restores of them (each into a freshly created empty database, checked against the source
     * and dropped), then botdb's verify of its backup. The archives are deleted at the end.
     */
    private void oneRun(String source, List<String> expected, int run, BackupResults results) throws Exception {
        Path dump = archives.resolve("run-" + (run + 1) + ".dump");
        Path botdbDir = archives.resolve("botdb-run-" + (run + 1));
        BotdbSide botdb = options.peersOnly() ? null : new BotdbSide(server.getPort(), source, botdbDir, botdbLog);
        BotdbSide.Archive archive = null;
        try {
            for (int i = 0; i < 2; i++) {
                if ((run + i) % 2 == 0) {
                    checkpoint();
                    long ns = PgTool.run(PgTool.command(server.getPort(), source,
                            List.of("pg_dump", "-Fc", "-f", dump.toString(), source)), TOOL_TIMEOUT_MINUTES);
                    results.add(Measurement.PG_DUMP, ns);
                } else if (botdb != null) {
                    checkpoint();
                    long start = System.nanoTime();
                    archive = botdb.backup();
                    results.add(Measurement.BOTDB_BACKUP, System.nanoTime() - start);
                }
            }
            results.archiveSizes(Files.size(dump), archive == null ? -1 : archive.bytes());
            for (int i = 0; i < 2; i++) {
                if ((run + i) % 2 == 0) {
                    String db = freshDatabase("bench_run" + (run + 1) + "_pg_restore");
                    long ns = PgTool.run(PgTool.command(server.getPort(), db,
                            List.of("pg_restore", "-j", "2", "-d", db, dump.toString())), TOOL_TIMEOUT_MINUTES);
                    results.add(Measurement.PG_RESTORE, ns);
                    check(db, expected, "pg_restore -j 2");
                } else if (botdb != null) {
                    String db = freshDatabase("bench_run" + (run + 1) + "_botdb_restore");
                    long start = System.nanoTime();
                    String what = botdb.restore(archive.file(), server.getPort(), db);
                    results.add(Measurement.BOTDB_RESTORE, System.nanoTime() - start);
                    botdbLog.accept("restored " + what);
                    check(db, expected, "botdb restore");
                }
            }
            if (botdb != null) {
                checkpoint();
                long start = System.nanoTime();
                botdb.verify(archive.file());
                results.add(Measurement.BOTDB_VERIFY, System.nanoTime() - start);
            }
        } finally {
            Files.deleteIfExists(dump);
            if (Files.exists(botdbDir)) {
                BenchServer.deleteRecursively(botdbDir);
            }
        }
    }

    /** The restored database must hold what the source holds, or the time measured means nothing; then it goes. */
    private void check(String db, List<String> expected, String who) throws SQLException {
        List<String> diff = BotDatabase.differences(expected, BotDatabase.fingerprint(db(db)));
        admin("DROP DATABASE " + db + " WITH (FORCE)");
        if (!diff.isEmpty()) {
            throw new IllegalStateException(who + " restored a database that differs from the source:\n  "
                    + String.join("\n  ", diff));
        }
    }

    /** An empty database created from template1, and a checkpoint, both before any clock starts. */
    private String freshDatabase(String db) throws SQLException {
        admin("DROP DATABASE IF EXISTS " + db + " WITH (FORCE)");
        admin("CREATE DATABASE " + db);
        checkpoint();
        return db;
    }

    /** Writes out dirty pages now, so no contender pays for the previous one's writes. */
    private void checkpoint() throws SQLException {
        admin("CHECKPOINT");
    }

    private DataSource db(String name) {
        return server.getDatabase("postgres", name);
    }

    private void admin(String sql) throws SQLException {
        BenchServer.admin(server, sql);
    }

    static String gib(long bytes) {
        return String.format(Locale.ROOT, "%.2f GiB", bytes / (double) (1L << 30));
    }

    /** The command line, checked once. */
    record Options(double gibibytes, int runs, int jobs, Path output, Path dataParent, boolean peersOnly,
                   boolean verbose) {

        static Options parse(String[] args) {
            double gibibytes = 2;
            int runs = 3;
            int jobs = 2;
            Path output = Checkout.benchmarksFile();
            Path dataParent = null;
            boolean peersOnly = false;
            boolean verbose = false;
            for (int i = 0; i < args.length; i++) {
                String a = args[i];
                switch (a) {
                    case "--gigabytes" -> gibibytes = positiveNumber(a, Args.value(args, ++i, a));
                    case "--runs" -> runs = Args.whole(a, Args.value(args, ++i, a), 1, 1000);
                    case "--jobs" -> jobs = Args.whole(a, Args.value(args, ++i, a), 1, 64);
                    case "--output" -> output = Path.of(Args.value(args, ++i, a));
                    case "--no-write" -> output = null;
                    case "--peers-only" -> peersOnly = true;
                    case "--verbose" -> verbose = true;
                    case "--data-dir" -> dataParent = Args.directory(a, Args.value(args, ++i, a));
                    default -> throw new IllegalArgumentException("unknown option " + a);
                }
            }
            return new Options(gibibytes, runs, jobs, output, dataParent, peersOnly, verbose);
        }

        /** Where the server's data folder and the archives go: --data-dir, else the temporary folder. */
        Path dataFolderParent() {
            return Args.dataFolderParent(dataParent);
        }

        /** What to type to get these figures again. */
        String command() {
            return BUILD + " && java -cp botdb-bench/target/botdb-bench.jar dev.botdb.bench.BackupBenchmark --gigabytes "
                    + java.math.BigDecimal.valueOf(gibibytes).stripTrailingZeros().toPlainString() + " --runs " + runs
                    + (jobs == 2 ? "" : " --jobs " + jobs)
                    + (dataParent == null ? "" : " --data-dir " + dataParent)
                    + (peersOnly ? " --peers-only" : "");
        }

        private static double positiveNumber(String option, String value) {
            try {
                double d = Double.parseDouble(value);
                if (d > 0 && d <= 1000) {
                    return d;
                }
            } catch (NumberFormatException e) {
                // reported below
            }
            throw new IllegalArgumentException(option + " takes a number of GiB above 0 (e.g. 2 or 0.05), not " + value);
        }
    }
}
