package dev.botdb.bench;

import dev.botdb.inspect.CheckResult;
import dev.botdb.inspect.InspectOptions;
import dev.botdb.inspect.InspectReport;
import dev.botdb.inspect.Inspector;
import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.stream.Collectors;

/**
 * The inspect benchmark of issue 5: {@code botdb inspect} on a database with 5,000 tables and
 * 10,000 indexes against the floor, its own catalog queries ({@link Inspector#catalogQueries})
 * run bare by one {@code psql} process, on one embedded PostgreSQL 15; writes the "Inspect
 * (issue 5)" section of {@code BENCHMARKS.md}.
 *
 * <pre>{@code
 * ./mvnw -q -pl botdb-cli,botdb-bench -am package -DskipTests && java -cp botdb-bench/target/botdb-bench.jar dev.botdb.bench.InspectBenchmark --runs 5 --data-dir /dev/shm
 * }</pre>
 *
 * <p>Options: {@code --tables N} (default 5,000; each has a primary key and one more index),
 * {@code --runs N} (default 5), {@code --data-dir DIR}, {@code --output FILE}, {@code --no-write}.
 * Three contenders each run: {@code psql -X -f queries.sql} (a child process: start, connect,
 * every statement, exit); {@code botdb inspect --json} as a child process of the shaded CLI jar
 * (JVM start included: what an operator waits for); and {@code Inspector.run} in this JVM (the
 * report alone, as a bot embedding botdb or the dashboard gets it).
 */
public final class InspectBenchmark {
    static final String HEADING = "## Inspect (issue 5)";
    private static final String BUILD = "./mvnw -q -pl botdb-cli,botdb-bench -am package -DskipTests";
    private static final String DATABASE = "inspect_bench";
    private static final double LIMIT = 3.0;

    enum Measurement {
        PSQL("psql: the catalog queries, bare"),
        CLI("botdb inspect --json (new JVM)"),
        LIBRARY("Inspector.run (warm JVM)");

        final String label;

        Measurement(String label) {
            this.label = label;
        }
    }

    private InspectBenchmark() {
    }

    public static void main(String[] args) throws Exception {
        int tables = 5_000;
        int runs = 5;
        Path dataDir = null;
        Path output = Checkout.benchmarksFile();
        try {
            for (int i = 0; i < args.length; i++) {
                switch (args[i]) {
                    case "--tables" -> tables = Args.whole("--tables", Args.value(args, ++i, "--tables"), 1, 100_000);
                    case "--runs" -> runs = Args.whole("--runs", Args.value(args, ++i, "--runs"), 1, 100);
                    case "--data-dir" -> dataDir = Args.directory("--data-dir", Args.value(args, ++i, "--data-dir"));
                    case "--output" -> output = Path.of(Args.value(args, ++i, "--output"));
                    case "--no-write" -> output = null;
                    default -> throw new IllegalArgumentException("unknown option " + args[i]);
                }
            }
        } catch (IllegalArgumentException e) {
            System.err.println(e.getMessage());
            System.err.println("usage: java -cp botdb-bench/target/botdb-bench.jar dev.botdb.bench.InspectBenchmark"
                    + " [--tables 5000] [--runs 5] [--data-dir DIR] [--output BENCHMARKS.md] [--no-write]");
            System.exit(2);
            return;
        }
        if (!PgTool.available("psql")) {
            System.err.println("psql not found on PATH: the benchmark compares botdb with its queries run bare in psql."
                    + " Install it, e.g.: apt-get install -y postgresql-client-15");
            System.exit(2);
            return;
        }
        Path cliJar = Checkout.root() == null ? null : Checkout.root().resolve("botdb-cli/target/botdb.jar");
        if (cliJar == null || !Files.isRegularFile(cliJar)) {
            System.err.println("botdb-cli/target/botdb.jar not found: build it first with " + BUILD);
            System.exit(2);
            return;
        }
        String command = BUILD + " && java -cp botdb-bench/target/botdb-bench.jar dev.botdb.bench.InspectBenchmark"
                + (tables != 5_000 ? " --tables " + tables : "") + " --runs " + runs
                + (dataDir != null ? " --data-dir " + dataDir : "");
        run(tables, runs, Args.dataFolderParent(dataDir), output, cliJar, command);
    }

    private static void run(int tables, int runs, Path parent, Path output, Path cliJar, String command)
            throws Exception {
        String loadBefore = Machine.loadAverage();
        Path data = Files.createTempDirectory(parent, "botdb-bench-pg");
        Path work = Files.createTempDirectory(parent, "botdb-bench-inspect");
        try (EmbeddedPostgres server = BenchServer.start(data)) {
            String version = BenchServer.queryOne(server, "SELECT version()");
            String settings = BenchServer.describe(server, data, List.of("fsync", "shared_buffers"));
            System.err.printf(Locale.ROOT, "%s on port %d (%s)%n", version, server.getPort(), settings);
            BenchServer.admin(server, "CREATE DATABASE " + DATABASE);
            long t0 = System.nanoTime();
            ManyTables.generate(server.getDatabase("postgres", DATABASE), tables);
            BenchServer.admin(server, "CHECKPOINT");
            double generated = (System.nanoTime() - t0) / 1e9;
            String counts = counts(server);
            System.err.printf(Locale.ROOT, "generated %s in %.1f s%n", counts, generated);

            InspectOptions options = InspectOptions.builder().historyFile(work.resolve("inspect-history.json")).build();
            int versionNum = Integer.parseInt(BenchServer.queryOne(server, "SHOW server_version_num"));
            List<String> queries = Inspector.catalogQueries(options, versionNum, null);
            Path sql = work.resolve("queries.sql");
            Files.writeString(sql, queries.stream().map(q -> q.strip() + ";\n").collect(Collectors.joining("\n")));
            Inspector inspector = Inspector.of(BotdbSide.target(server.getPort(), DATABASE));

            // untimed: every contender once (JIT, the server's catalog caches, the page cache)
            InspectReport first = inspector.run(options);
            PgTool.run(psql(server, sql), 10);
            cli(server, cliJar, work);

            Map<Measurement, List<Long>> ns = new EnumMap<>(Measurement.class);
            for (Measurement m : Measurement.values()) {
                ns.put(m, new ArrayList<>());
            }
            for (int r = 0; r < runs; r++) {
                for (int k = 0; k < 3; k++) {
                    Measurement m = Measurement.values()[(r + k) % 3]; // rotating order
                    long start = System.nanoTime();
                    switch (m) {
                        case PSQL -> PgTool.run(psql(server, sql), 10);
                        case CLI -> cli(server, cliJar, work);
                        case LIBRARY -> inspector.run(options);
                    }
                    ns.get(m).add(System.nanoTime() - start);
                }
                System.err.printf(Locale.ROOT, "run %d/%d: psql %.3f s, botdb inspect %.3f s, Inspector.run %.3f s%n",
                        r + 1, runs, ns.get(Measurement.PSQL).get(r) / 1e9, ns.get(Measurement.CLI).get(r) / 1e9,
                        ns.get(Measurement.LIBRARY).get(r) / 1e9);
            }
            String loadAfter = Machine.loadAverage();
            Machine machine = Machine.describe(version);
            String date = DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm 'UTC'").format(ZonedDateTime.now(ZoneOffset.UTC));
            String section = section(ns, first, queries.size(), counts, generated, machine, settings, date, command,
                    loadBefore, loadAfter);
            System.out.println(section);
            if (output != null) {
                BenchmarksFile.update(output, HEADING, section);
                System.out.println("wrote section \"" + HEADING.substring(3) + "\" of " + output);
            }
        } finally {
            BenchServer.deleteRecursively(work);
        }
    }

    /** "5,000 tables, 10,000 indexes, ..." as the catalogs count them. */
    private static String counts(EmbeddedPostgres server) throws java.sql.SQLException {
        try (var c = server.getDatabase("postgres", DATABASE).getConnection(); var st = c.createStatement();
             var rs = st.executeQuery("""
                     SELECT count(*) FILTER (WHERE c.relkind = 'r'),
                            count(*) FILTER (WHERE c.relkind = 'i'),
                            count(*) FILTER (WHERE c.relkind = 'S'),
                            (SELECT count(*) FROM pg_constraint WHERE contype = 'f'),
                            pg_database_size(current_database())
                     FROM pg_class c
                     JOIN pg_namespace n ON n.oid = c.relnamespace
                     WHERE n.nspname = 'public'
                     """)) {
            rs.next();
            return String.format(Locale.ROOT, "%,d tables, %,d indexes, %,d sequences, %,d foreign keys (%.0f MB)",
                    rs.getLong(1), rs.getLong(2), rs.getLong(3), rs.getLong(4), rs.getLong(5) / 1e6);
        }
    }

    private static ProcessBuilder psql(EmbeddedPostgres server, Path sql) {
        return PgTool.command(server.getPort(), DATABASE, List.of("psql", "-X", "-q", "-v", "ON_ERROR_STOP=1",
                "-f", sql.toString()));
    }

    /** {@code botdb inspect --json} in a new JVM, in {@code work} (its size history goes there). */
    private static void cli(EmbeddedPostgres server, Path jar, Path work) throws Exception {
        ProcessBuilder pb = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-jar", jar.toString(), "inspect", "--json")
                .directory(work.toFile())
                .redirectOutput(ProcessBuilder.Redirect.DISCARD);
        pb.environment().keySet().removeIf(k -> k.startsWith("PG") || k.startsWith("POSTGRES") || k.startsWith("DATABASE"));
        pb.environment().put("DATABASE_URL", "postgresql://postgres@localhost:" + server.getPort() + "/" + DATABASE
                + "?sslmode=disable");
        Process p = pb.start();
        byte[] err = p.getErrorStream().readAllBytes();
        int exit = p.waitFor();
        // 0 = all ok or warn, 20 = a problem found (the generated tables have some): both are a full report
        if (exit != 0 && exit != 20) {
            throw new IllegalStateException("botdb inspect exited " + exit + ": " + new String(err,
                    java.nio.charset.StandardCharsets.UTF_8));
        }
    }

    private static String section(Map<Measurement, List<Long>> ns, InspectReport report, int statements, String counts,
                                  double generated, Machine machine, String settings, String date, String command,
                                  String loadBefore, String loadAfter) {
        double psql = Results.median(ns.get(Measurement.PSQL));
        double cli = Results.median(ns.get(Measurement.CLI));
        double lib = Results.median(ns.get(Measurement.LIBRARY));
        StringBuilder sb = new StringBuilder(HEADING).append("\n\n");
        sb.append(String.format(Locale.ROOT, """
                The issue's target: `botdb inspect` on a database with 5,000 tables and 10,000 indexes, the whole
                report in a recorded time and never more than %.0f x the time of running its catalog queries bare in
                psql. The floor is the %d statements `Inspector.catalogQueries` returns for this server (every check's
                SQL with its thresholds inlined), written to a file and run by `psql -X -q -f` as one child process
                (start, connect, run, exit; output discarded). `botdb inspect --json` runs as a child process of the
                shaded jar, JVM start included; `Inspector.run` is the same report in an already warm JVM. Every
                contender ran once untimed first, then in rotating order each run.

                Reproduce (from the repository root):

                ```bash
                %s
                ```

                """, LIMIT, statements, command));
        sb.append("| target | median ratio | limit | result |\n|---|---:|---:|---|\n");
        sb.append(String.format(Locale.ROOT, "| botdb inspect (new JVM) / psql | %.2f | %.1f | %s |%n", cli / psql, LIMIT,
                cli / psql <= LIMIT ? "pass" : "**fail**"));
        sb.append(String.format(Locale.ROOT, "| Inspector.run (warm) / psql | %.2f | %.1f | %s |%n%n", lib / psql, LIMIT,
                lib / psql <= LIMIT ? "pass" : "**fail**"));
        sb.append("| measurement | runs | median | min | max |\n|---|---:|---:|---:|---:|\n");
        for (Measurement m : Measurement.values()) {
            List<Long> v = ns.get(m);
            sb.append(String.format(Locale.ROOT, "| %s | %d | %.3f s | %.3f s | %.3f s |%n", m.label, v.size(),
                    Results.median(v) / 1e9, v.stream().mapToLong(Long::longValue).min().orElse(0) / 1e9,
                    v.stream().mapToLong(Long::longValue).max().orElse(0) / 1e9));
        }
        sb.append("\nEvery run (seconds):\n\n| run | psql | botdb inspect | Inspector.run |\n|---:|---:|---:|---:|\n");
        for (int r = 0; r < ns.get(Measurement.PSQL).size(); r++) {
            sb.append(String.format(Locale.ROOT, "| %d | %.3f | %.3f | %.3f |%n", r + 1,
                    ns.get(Measurement.PSQL).get(r) / 1e9, ns.get(Measurement.CLI).get(r) / 1e9,
                    ns.get(Measurement.LIBRARY).get(r) / 1e9));
        }
        sb.append(String.format(Locale.ROOT, "%nThe database: %s, generated in %.1f s (`ManyTables`: each table a"
                + " serial key, one more index, 20 rows, a foreign key on every tenth; statistics gathered; a tenth of the"
                + " tables scanned sequentially). The report it gave (first, untimed run): %s.%n%n", counts, generated,
                report.summary()));
        sb.append("| check | verdict | summary |\n|---|---|---|\n");
        for (CheckResult c : report.checks()) {
            sb.append("| ").append(c.name()).append(" | ").append(c.verdict().label()).append(" | ")
                    .append(c.summary().replace("|", "\\|")).append(" |\n");
        }
        sb.append(String.format(Locale.ROOT, """

                Measured %s on:

                - %d CPUs (%s), %s RAM, %s
                - botdb %s
                - %s
                - server: %s (embedded, zonky; %s); pg_stat_statements not loaded (its checks then run no SQL)
                - %s
                - load average before / after: %s / %s (a shared 2-core box: read the ratios)
                """, date, machine.cpus(), machine.cpuModel(), machine.memory(), machine.os(), Checkout.measuredCode(),
                machine.java(), machine.postgres(), settings, machine.psql(), loadBefore, loadAfter));
        return sb.toString();
    }
}
