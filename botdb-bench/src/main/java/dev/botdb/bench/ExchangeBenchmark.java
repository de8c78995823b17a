package dev.botdb.bench;

import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * The export / import / archive benchmark of issue 15, against {@code psql \copy} on a server the operator runs
 * (Debian's PostgreSQL 15 with its default configuration): a 5-million-row activities table exported by both,
 * imported by both into an empty copy of the table, then half its rows archived in batches while a bot inserts,
 * against the same bot without the archive.
 *
 * <pre>{@code
 * ./mvnw -q -pl botdb-cli,botdb-bench -am package -DskipTests
 * PGPASSWORD=... java -cp botdb-bench/target/botdb-bench.jar dev.botdb.bench.ExchangeBenchmark \
 *     --server postgres://bench@localhost:5432 --rows 5000000 --runs 3 --work-dir /var/tmp/botdb-exchange-bench
 * }</pre>
 */
public final class ExchangeBenchmark {
    static final String HEADING = "## Export, import and archive (issue 15)";
    private static final String DB = "bench_exchange";

    private final ExternalPostgres pg;
    private final Path work;
    /** How botdb is started: the release's {@code bin/botdb} (--botdb) or {@code java -jar botdb.jar}. */
    private final List<String> botdb;

    private ExchangeBenchmark(ExternalPostgres pg, Path work, List<String> botdb) {
        this.pg = pg;
        this.work = work;
        this.botdb = botdb;
    }

    private List<String> botdb(String... args) {
        List<String> command = new ArrayList<>(botdb);
        command.addAll(List.of(args));
        return command;
    }

    public static void main(String[] args) throws Exception {
        Map<String, String> o = Args.options(args, "--no-write");
        long rows = Long.parseLong(o.getOrDefault("--rows", "5000000"));
        int runs = Integer.parseInt(o.getOrDefault("--runs", "3"));
        Path work = Path.of(o.getOrDefault("--work-dir", "/var/tmp/botdb-exchange-bench"));
        Files.createDirectories(work);
        Path root = Checkout.root();
        ExternalPostgres pg = new ExternalPostgres(o.getOrDefault("--server", "postgres://postgres@localhost:5432"), work);
        List<String> launcher = o.containsKey("--botdb") ? List.of(o.get("--botdb"))
                : List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-jar",
                root.resolve("botdb-cli/target/botdb.jar").toString());
        ExchangeBenchmark b = new ExchangeBenchmark(pg, work, launcher);
        String loadBefore = Machine.loadAverage();
        b.generate(rows);
        Map<String, List<Double>> t = new LinkedHashMap<>();
        for (int run = 1; run <= runs; run++) {
            boolean botdbFirst = run % 2 == 1;
            for (String who : botdbFirst ? List.of("botdb", "psql") : List.of("psql", "botdb")) {
                b.checkpoint();
                double s = who.equals("botdb") ? b.exportBotdb() : b.exportPsql();
                t.computeIfAbsent("export " + who, k -> new ArrayList<>()).add(s);
                System.err.printf(Locale.ROOT, "run %d export %s %.2f s%n", run, who, s);
            }
            for (String who : botdbFirst ? List.of("botdb", "psql") : List.of("psql", "botdb")) {
                b.emptyCopy();
                double s = who.equals("botdb") ? b.importBotdb() : b.importPsql();
                t.computeIfAbsent("import " + who, k -> new ArrayList<>()).add(s);
                System.err.printf(Locale.ROOT, "run %d import %s %.2f s%n", run, who, s);
            }
        }
        long[] sameFile = b.compareExports();
        Latency without = b.botInserts(null, null);
        Latency with = b.botInserts(b.botdb("archive", "activities", "--older-than", "365d", "--column", "activity_date",
                "--to-table", "activities_archive", "--batch", "10000"), "SELECT count(*) FROM activities_archive");
        b.putArchivedRowsBack();
        Path archiveFile = work.resolve("activities-archive.botdb");
        Files.deleteIfExists(archiveFile);
        Files.deleteIfExists(archiveFile.resolveSibling(archiveFile.getFileName() + ".journal"));
        Latency toFile = b.botInserts(b.botdb("archive", "activities", "--older-than", "365d", "--column", "activity_date",
                "--to", archiveFile.toString(), "--batch", "10000"), "SELECT sum(rows) FROM botdb_archive_batches");
        b.checkpoint();
        double restore = pg.timed(b.botdb("restore", archiveFile.toString(), "--into", "activities_restored"),
                Map.of("DATABASE_URL", pg.url(DB) + "?sslmode=disable"), work.resolve("restore.log"))[0];
        long[] file = {Files.size(archiveFile), b.restoredMatches()};
        String section = b.section(t, rows, runs, sameFile, without, with, loadBefore, String.join(" ", args))
                + b.fileSection(toFile, restore, file);
        if (o.containsKey("--no-write")) {
            System.out.println(section);
        } else {
            BenchmarksFile.update(root.resolve("BENCHMARKS.md"), HEADING, section);
            System.err.println("wrote the section to " + root.resolve("BENCHMARKS.md"));
        }
    }

    void generate(long rows) throws Exception {
        pg.freshDatabase(DB);
        try (Connection c = pg.connect(DB); Statement s = c.createStatement()) {
            s.execute("""
                    CREATE TABLE users (id bigserial PRIMARY KEY, username text);
                    INSERT INTO users (username) SELECT 'user' || g FROM generate_series(1, 1000) g;
                    CREATE TABLE activities (id bigserial PRIMARY KEY, user_id bigint NOT NULL REFERENCES users(id),
                      activity_type text NOT NULL, duration int NOT NULL, points int NOT NULL, note text,
                      activity_date date NOT NULL, created_at timestamptz NOT NULL DEFAULT now())""");
            s.execute("INSERT INTO activities (user_id, activity_type, duration, points, note, activity_date, created_at)"
                    + " SELECT 1 + g % 1000, (ARRAY['run','swim','walk','yoga, \"flow\"'])[1 + g % 4], g % 120, g % 500,"
                    + " CASE WHEN g % 7 = 0 THEN NULL WHEN g % 11 = 0 THEN '' ELSE 'note ' || md5(g::text) END,"
                    + " current_date - (g % 730), timestamptz '2024-01-01' + g * interval '7 seconds'"
                    + " FROM generate_series(1, " + rows + ") g");
            s.execute("CREATE INDEX activities_date ON activities (activity_date)");
            s.execute("CREATE TABLE activities_copy (LIKE activities INCLUDING ALL)");
            s.execute("VACUUM ANALYZE");
            s.execute("CHECKPOINT");
        }
    }

    private void checkpoint() throws SQLException {
        try (Connection c = pg.connect(DB); Statement s = c.createStatement()) {
            s.execute("CHECKPOINT");
        }
    }

    private void emptyCopy() throws SQLException {
        try (Connection c = pg.connect(DB); Statement s = c.createStatement()) {
            s.execute("TRUNCATE activities_copy");
            s.execute("SELECT setval(pg_get_serial_sequence('activities_copy', 'id'), 1, false)");
            s.execute("CHECKPOINT");
        }
    }

    double exportBotdb() throws Exception {
        return pg.timed(botdb("export", "activities", "--out", work.resolve("botdb.csv").toString(), "--force"), Map.of("DATABASE_URL", pg.url(DB) + "?sslmode=disable"),
                work.resolve("botdb.log"))[0];
    }

    double exportPsql() throws Exception {
        return pg.timed(List.of("psql", "-X", "-q", "-d", pg.url(DB), "-c", "\\copy (SELECT * FROM activities) TO '"
                + work.resolve("psql.csv") + "' CSV HEADER"), Map.of(), work.resolve("psql.log"))[0];
    }

    double importBotdb() throws Exception {
        return pg.timed(botdb("import", "activities_copy", work.resolve("psql.csv").toString()),
                Map.of("DATABASE_URL", pg.url(DB) + "?sslmode=disable"), work.resolve("botdb.log"))[0];
    }

    double importPsql() throws Exception {
        return pg.timed(List.of("psql", "-X", "-q", "-d", pg.url(DB), "-c", "\\copy activities_copy FROM '"
                + work.resolve("psql.csv") + "' CSV HEADER"), Map.of(), work.resolve("psql.log"))[0];
    }

    /** {both files' sizes, 1 when their bytes are equal}. */
    long[] compareExports() throws Exception {
        Path a = work.resolve("botdb.csv");
        Path b = work.resolve("psql.csv");
        return new long[] {Files.size(a), Files.size(b), Files.mismatch(a, b) == -1 ? 1 : 0};
    }

    /** The bot's insert latencies in microseconds over a run, and what ran beside it. */
    record Latency(long inserts, long p50, long p99, long max, double seconds, long archived) {
    }

    /** A bot inserting one activity at a time for the length of {@code beside} (or 15 s without it). */
    Latency botInserts(List<String> beside, String countArchived) throws Exception {
        AtomicBoolean stop = new AtomicBoolean();
        List<Long> micros = new ArrayList<>();
        Thread bot = new Thread(() -> {
            try (Connection c = pg.connect(DB); PreparedStatement ps = c.prepareStatement("INSERT INTO activities"
                    + " (user_id, activity_type, duration, points, activity_date) VALUES (1, 'run', 30, 10, current_date)")) {
                while (!stop.get()) {
                    long t0 = System.nanoTime();
                    ps.executeUpdate();
                    micros.add((System.nanoTime() - t0) / 1000);
                }
            } catch (SQLException e) {
                throw new IllegalStateException(e);
            }
        });
        checkpoint();
        long start = System.nanoTime();
        bot.start();
        long archived = 0;
        if (beside == null) {
            Thread.sleep(15_000);
        } else {
            pg.timed(beside, Map.of("DATABASE_URL", pg.url(DB) + "?sslmode=disable"), work.resolve("archive.log"));
            try (Connection c = pg.connect(DB); Statement s = c.createStatement();
                 ResultSet rs = s.executeQuery(countArchived)) {
                rs.next();
                archived = rs.getLong(1);
            }
        }
        stop.set(true);
        bot.join();
        double seconds = (System.nanoTime() - start) / 1e9;
        long[] sorted = micros.stream().mapToLong(Long::longValue).sorted().toArray();
        return new Latency(sorted.length, sorted[sorted.length / 2], sorted[(int) (sorted.length * 0.99)],
                sorted[sorted.length - 1], seconds, archived);
    }

    /** The archived rows back into the live table, for the archive into a file. */
    void putArchivedRowsBack() throws SQLException {
        try (Connection c = pg.connect(DB); Statement s = c.createStatement()) {
            s.execute("INSERT INTO activities SELECT * FROM activities_archive");
            s.execute("DROP TABLE activities_archive");
            s.execute("VACUUM ANALYZE activities");
            s.execute("CHECKPOINT");
        }
    }

    /** 1 when the restored table holds exactly the rows the file archive took (the old ones, by id). */
    long restoredMatches() throws SQLException {
        try (Connection c = pg.connect(DB); Statement s = c.createStatement(); ResultSet rs = s.executeQuery("""
                SELECT (SELECT count(*) FROM activities_restored) = (SELECT sum(rows) FROM botdb_archive_batches)
                   AND NOT EXISTS (SELECT 1 FROM activities a JOIN activities_restored r USING (id))
                   AND (SELECT count(*) FROM activities WHERE activity_date < now() - interval '365 days') = 0""")) {
            rs.next();
            return rs.getBoolean(1) ? 1 : 0;
        }
    }

    String fileSection(Latency toFile, double restoreSeconds, long[] file) {
        return String.format(Locale.ROOT, """

                The same half of the rows, put back, then archived into a file (`botdb archive ... --to FILE --batch
                10000`: each batch's rows fsynced into the file before its delete commits) with the same bot inserting,
                and the file restored into a new table (`botdb restore FILE --into activities_restored`):

                | archive into a file, a bot inserting throughout | inserts | p50 | p99 | slowest | rows archived | rows/s |
                |---|---:|---:|---:|---:|---:|---:|
                | bot during `botdb archive --to FILE` (%.1f s) | %,d | %.2f ms | %.2f ms | %.1f ms | %,d | %,.0f |

                The archive file: %,d bytes (zstd; %.0f bytes a row). `botdb restore FILE --into activities_restored`:
                %.2f s, %,.0f rows/s; the restored table %s.

                """, toFile.seconds(), toFile.inserts(), toFile.p50() / 1e3, toFile.p99() / 1e3, toFile.max() / 1e3,
                toFile.archived(), toFile.archived() / toFile.seconds(), file[0], (double) file[0] / toFile.archived(),
                restoreSeconds, toFile.archived() / restoreSeconds, file[1] == 1
                        ? "holds exactly the archived rows (count, no id also live, no old row left live)"
                        : "DOES NOT match the archived rows");
    }

    private static double median(List<Double> v) {
        double[] s = v.stream().mapToDouble(Double::doubleValue).sorted().toArray();
        return s[s.length / 2];
    }

    private String section(Map<String, List<Double>> t, long rows, int runs, long[] same, Latency without, Latency with,
                           String loadBefore, String args) throws Exception {
        double export = median(t.get("export botdb")) / median(t.get("export psql"));
        double imp = median(t.get("import botdb")) / median(t.get("import psql"));
        String postgres;
        try (Connection c = pg.connect("postgres"); Statement s = c.createStatement(); ResultSet rs = s.executeQuery(
                "SELECT version(), current_setting('shared_buffers'), current_setting('fsync'), current_setting('max_wal_size')")) {
            rs.next();
            postgres = rs.getString(1).replaceAll(" on x86_64.*", "") + "; shared_buffers " + rs.getString(2) + ", fsync "
                    + rs.getString(3) + ", max_wal_size " + rs.getString(4) + ", data on "
                    + Machine.fileSystem(Path.of("/var/lib/postgresql"));
        }
        Machine m = Machine.describe(postgres);
        StringBuilder sb = new StringBuilder(HEADING).append("\n\n");
        sb.append(String.format(Locale.ROOT, """
                A %,d-row activities table (ids, a foreign key, text with quotes and commas, NULL and empty notes, dates,
                timestamps; an index on the date) on Debian's PostgreSQL 15 with its default configuration, data on disk.
                Export and import against `psql \\copy` in the same run, %d runs each in alternating order (a `CHECKPOINT`
                before each; each import into an emptied copy of the table with its primary key and index); then half
                the rows (older than 365 days) archived by `botdb archive --batch 10000` while a bot inserts one row at a
                time, against the same bot for 15 s without it.

                ```bash
                ./mvnw -q -pl botdb-dist,botdb-bench -am install -DskipTests     # the release tarball and the benchmark
                tar xzf botdb-dist/target/botdb-*-linux-x86_64.tar.gz -C /tmp    # --botdb /tmp/botdb-*/bin/botdb
                java -cp botdb-bench/target/botdb-bench.jar dev.botdb.bench.ExchangeBenchmark %s
                ```

                | target | measured | limit | result |
                |---|---:|---:|---|
                | export: botdb / `psql -c "\\copy (SELECT * FROM activities) TO file CSV HEADER"` | %.2f | at most 1.1 | %s |
                | import: botdb / `psql -c "\\copy activities_copy FROM file CSV HEADER"` | %.2f | at most 1.1 | %s |

                """, rows, runs, args, export, export <= 1.1 ? "pass" : "FAIL", imp, imp <= 1.1 ? "pass" : "FAIL"));
        sb.append("| measurement | runs | median | min | max |\n|---|---:|---:|---:|---:|\n");
        t.forEach((k, v) -> {
            double[] s = v.stream().mapToDouble(Double::doubleValue).sorted().toArray();
            sb.append(String.format(Locale.ROOT, "| %s | %d | %.2f s | %.2f s | %.2f s |%n", k, s.length, median(v), s[0],
                    s[s.length - 1]));
        });
        sb.append(String.format(Locale.ROOT, "%nThe two exports: %,d bytes (botdb) and %,d bytes (psql), %s.%n%n",
                same[0], same[1], same[2] == 1 ? "byte for byte the same file" : "different bytes"));
        sb.append(String.format(Locale.ROOT, """
                | archive of half the rows, a bot inserting throughout | inserts | p50 | p99 | slowest | rows archived | rows/s |
                |---|---:|---:|---:|---:|---:|---:|
                | bot alone, 15 s | %,d | %.2f ms | %.2f ms | %.1f ms | | |
                | bot during `botdb archive` (%.1f s) | %,d | %.2f ms | %.2f ms | %.1f ms | %,d | %,.0f |

                """, without.inserts(), without.p50() / 1e3, without.p99() / 1e3, without.max() / 1e3, with.seconds(),
                with.inserts(), with.p50() / 1e3, with.p99() / 1e3, with.max() / 1e3, with.archived(),
                with.archived() / with.seconds()));
        sb.append("Measured ").append(ZonedDateTime.now(ZoneOffset.UTC).format(DateTimeFormatter.ISO_LOCAL_DATE)).append(" on:\n\n");
        sb.append("- ").append(m.cpus()).append(" CPUs (").append(m.cpuModel()).append("), ").append(m.memory())
                .append(" RAM, ").append(m.os()).append('\n');
        sb.append("- botdb ").append(Checkout.measuredCode()).append("; ").append(m.java()).append('\n');
        sb.append("- server: ").append(m.postgres()).append("; ").append(m.psql()).append('\n');
        sb.append("- load average before / after: ").append(loadBefore).append(" / ").append(Machine.loadAverage())
                .append("\n\nEach contender is the child process an operator would run (botdb as `")
                .append(botdb.size() == 1 ? "bin/botdb` from the release tarball, with its class-data archive" : "java -jar botdb.jar`")
                .append(", JVM start included; `psql -X -q -d URL -c ...`), timed by `/usr/bin/time`.\n");
        return sb.toString();
    }
}
