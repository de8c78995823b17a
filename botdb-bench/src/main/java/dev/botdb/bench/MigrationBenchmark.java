package dev.botdb.bench;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import dev.botdb.bench.Results.Measurement;
import dev.botdb.config.Engine;
import dev.botdb.migrate.MigrationResult;
import dev.botdb.migrate.Migrator;
import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Properties;
import java.util.concurrent.TimeUnit;
import org.flywaydb.core.Flyway;
import org.flywaydb.core.api.output.MigrateResult;

/**
 * The migration benchmark of issue 3: botdb's {@link Migrator} against Flyway and against plain
 * psql, on one embedded PostgreSQL, writing its figures to {@code BENCHMARKS.md}.
 *
 * <pre>{@code
 * ./mvnw -q -pl botdb-bench -am package -DskipTests && java -jar botdb-bench/target/botdb-bench.jar --migrations 1000 --runs 5
 * }</pre>
 *
 * <p>Options: {@code --migrations N} (default 1000), {@code --runs N} (default 5), {@code --checks N}
 * (startup checks per tool per run, default 5), {@code --output FILE} (default {@code BENCHMARKS.md}
 * at the repository root), {@code --no-write} (print only), {@code --data-dir DIR} (where the
 * server keeps its data, default the temporary folder; {@code /dev/shm} takes the disk out of the
 * figures).
 */
public final class MigrationBenchmark {
    private static final int POOL_SIZE = 4;
    private static final int WARM_UP_MIGRATIONS = 50;
    private static final String BUILD = "./mvnw -q -pl botdb-bench -am package -DskipTests";

    private final EmbeddedPostgres server;
    private final GeneratedMigrations files;
    private int databases;

    private MigrationBenchmark(EmbeddedPostgres server, GeneratedMigrations files) {
        this.server = server;
        this.files = files;
    }

    /** Runs the benchmark; see the class comment for the options. */
    public static void main(String[] args) throws Exception {
        Options options;
        try {
            options = Options.parse(args);
        } catch (IllegalArgumentException e) {
            System.err.println(e.getMessage());
            System.err.println("usage: java -jar botdb-bench/target/botdb-bench.jar [--migrations 1000] [--runs 5] [--checks 5]"
                    + " [--output BENCHMARKS.md] [--no-write] [--data-dir DIR]");
            System.exit(2);
            return;
        }
        if (!PgTool.available("psql")) {
            System.err.println("psql not found on PATH: the floor is measured with PostgreSQL's own client."
                    + " Install it, e.g.: apt-get install -y postgresql-client");
            System.exit(2);
            return;
        }
        Path work = Files.createTempDirectory("botdb-bench");
        try {
            run(options, work);
        } finally {
            BenchServer.deleteRecursively(work);
        }
    }

    private static void run(Options options, Path work) throws Exception {
        String loadBefore = Machine.loadAverage();
        Path data = Files.createTempDirectory(options.dataFolderParent(), "botdb-bench-pg");
        try (EmbeddedPostgres server = BenchServer.start(data)) {
            String version = BenchServer.queryOne(server, "SELECT version()");
            String settings = BenchServer.describe(server, data, List.of("fsync", "synchronous_commit", "shared_buffers"));
            Machine machine = Machine.describe(version);
            System.err.printf(Locale.ROOT, "%s on port %d (%s)%n", version, server.getPort(), settings);

            GeneratedMigrations warmUpFiles = GeneratedMigrations.write(Files.createDirectory(work.resolve("warm-up")),
                    Math.min(WARM_UP_MIGRATIONS, options.migrations()));
            GeneratedMigrations files = GeneratedMigrations.write(Files.createDirectory(work.resolve("measured")),
                    options.migrations());

            System.err.printf(Locale.ROOT, "warm-up: %d migrations, untimed%n", warmUpFiles.count());
            new MigrationBenchmark(server, warmUpFiles).oneRun(0, options.checks(), new Results(warmUpFiles.count()));

            MigrationBenchmark bench = new MigrationBenchmark(server, files);
            Results results = new Results(files.count());
            for (int run = 0; run < options.runs(); run++) {
                bench.oneRun(run, options.checks(), results);
                System.err.printf(Locale.ROOT, "run %d/%d:", run + 1, options.runs());
                for (Measurement m : Measurement.values()) {
                    System.err.printf(Locale.ROOT, " %s %.3f s", m.name().toLowerCase(Locale.ROOT),
                            results.runMs(m, run) / 1e3);
                }
                System.err.println();
            }
            String loadAfter = Machine.loadAverage();

            System.out.println();
            System.out.print(results.table());
            System.out.println();
            System.out.printf(Locale.ROOT, "machine: %d CPUs (%s), %s RAM, %s%n", machine.cpus(), machine.cpuModel(),
                    machine.memory(), machine.os());
            System.out.println("java:    " + machine.java());
            System.out.println("server:  " + version + " (" + settings + ")");
            System.out.println("psql:    " + machine.psql() + ", Flyway " + flywayVersion());
            System.out.println("load:    " + loadBefore + " before, " + loadAfter + " after");
            System.out.println("botdb:   " + Checkout.measuredCode());

            if (options.output() != null) {
                String date = DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm 'UTC'").format(ZonedDateTime.now(ZoneOffset.UTC));
                String section = BenchmarksFile.migrationsSection(results, machine, settings, date, options.command(),
                        loadBefore, loadAfter, flywayVersion(), Checkout.measuredCode());
                BenchmarksFile.update(options.output(), BenchmarksFile.HEADING, section);
                System.out.println("\nwrote section \"" + BenchmarksFile.HEADING.substring(3) + "\" of " + options.output());
            }
        }
    }

    /**
     * One run: each contender applies every file to its own empty database, in an order that
     * rotates with the run so none always goes first; then the two Java tools check their migrated
     * databases {@code checks} times, alternating, because a check takes milliseconds and one
     * sample on a shared machine says little.
     */
    private void oneRun(int run, int checks, Results results) throws Exception {
        List<String> created = new ArrayList<>();
        try {
            String botdb = null;
            String flyway = null;
            for (int i = 0; i < 3; i++) {
                switch ((run + i) % 3) {
                    case 0 -> created.add(botdb = botdbApply(run, results));
                    case 1 -> created.add(flyway = flywayApply(run, results));
                    default -> created.add(psqlApply(run, results));
                }
            }
            for (int k = 0; k < checks; k++) {
                if ((run + k) % 2 == 0) {
                    botdbCheck(botdb, run, results);
                    flywayCheck(flyway, run, results);
                } else {
                    flywayCheck(flyway, run, results);
                    botdbCheck(botdb, run, results);
                }
            }
        } finally {
            for (String db : created) {
                admin("DROP DATABASE IF EXISTS " + db + " WITH (FORCE)");
            }
        }
    }

    private String botdbApply(int run, Results results) throws Exception {
        String db = freshDatabase("botdb");
        try (HikariDataSource ds = pool(db)) {
            checkpoint();
            long start = System.nanoTime();
            MigrationResult r = Migrator.of(ds, Engine.POSTGRESQL, files.botdb(), line -> { }).migrate();
            results.add(run, Measurement.BOTDB_APPLY, System.nanoTime() - start);
            expect(r.applied().size() == files.count(), "botdb applied " + r.applied().size());
        }
        checkTables(db);
        return db;
    }

    private void botdbCheck(String db, int run, Results results) throws Exception {
        try (HikariDataSource ds = pool(db)) {
            checkpoint();
            long start = System.nanoTime();
            MigrationResult r = Migrator.of(ds, Engine.POSTGRESQL, files.botdb(), line -> { }).migrate();
            results.add(run, Measurement.BOTDB_NOOP, System.nanoTime() - start);
            expect(r.applied().isEmpty() && r.skipped() == files.count(), "botdb startup check: " + r.summary());
        }
    }

    private String flywayApply(int run, Results results) throws Exception {
        String db = freshDatabase("flyway");
        try (HikariDataSource ds = pool(db)) {
            checkpoint();
            long start = System.nanoTime();
            MigrateResult r = Flyway.configure().dataSource(ds).locations("filesystem:" + files.flyway()).load().migrate();
            results.add(run, Measurement.FLYWAY_APPLY, System.nanoTime() - start);
            expect(r.migrationsExecuted == files.count(), "Flyway applied " + r.migrationsExecuted);
        }
        checkTables(db);
        return db;
    }

    private void flywayCheck(String db, int run, Results results) throws Exception {
        try (HikariDataSource ds = pool(db)) {
            checkpoint();
            long start = System.nanoTime();
            // migrate() validates first (validateOnMigrate defaults to true): what a Flyway app does at startup
            MigrateResult r = Flyway.configure().dataSource(ds).locations("filesystem:" + files.flyway()).load().migrate();
            results.add(run, Measurement.FLYWAY_NOOP, System.nanoTime() - start);
            expect(r.migrationsExecuted == 0, "Flyway startup check applied " + r.migrationsExecuted);
        }
    }

    private String psqlApply(int run, Results results) throws Exception {
        String db = freshDatabase("psql");
        checkpoint();
        ProcessBuilder pb = PgTool.command(server.getPort(), db,
                List.of("psql", "-X", "-q", "-v", "ON_ERROR_STOP=1", "-f", files.psql().toString()));
        long elapsed = PgTool.run(pb, 30);
        results.add(run, Measurement.PSQL_APPLY, elapsed);
        checkTables(db);
        return db;
    }

    private String freshDatabase(String contender) throws SQLException {
        String db = "bench_" + (++databases) + "_" + contender;
        admin("DROP DATABASE IF EXISTS " + db + " WITH (FORCE)");
        admin("CREATE DATABASE " + db);
        return db;
    }

    /** A pool as a bot would have one, with every connection open before the clock starts. */
    private HikariDataSource pool(String db) throws InterruptedException {
        HikariConfig hc = new HikariConfig();
        hc.setPoolName("bench-" + db);
        hc.setJdbcUrl("jdbc:postgresql://localhost:" + server.getPort() + "/" + db);
        hc.setUsername("postgres");
        hc.setMaximumPoolSize(POOL_SIZE);
        hc.setMinimumIdle(POOL_SIZE);
        HikariDataSource ds = new HikariDataSource(hc);
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (ds.getHikariPoolMXBean().getTotalConnections() < POOL_SIZE && System.nanoTime() < deadline) {
            Thread.sleep(5);
        }
        return ds;
    }

    /** Writes out dirty pages now, so the next contender's time does not include the previous one's checkpoint. */
    private void checkpoint() throws SQLException {
        admin("CHECKPOINT");
    }

    /** Each contender must have created every table with its three rows, or its time means nothing. */
    private void checkTables(String db) throws SQLException {
        try (Connection c = server.getDatabase("postgres", db).getConnection(); Statement st = c.createStatement();
             ResultSet rs = st.executeQuery("""
                     SELECT count(*)
                     FROM pg_class c
                     JOIN pg_namespace n ON n.oid = c.relnamespace
                     WHERE n.nspname = 'public'
                       AND c.relkind = 'r'
                       AND c.relname ~ '^t_[0-9]+$'
                     """)) {
            rs.next();
            expect(rs.getInt(1) == files.count(), db + " has " + rs.getInt(1) + " of " + files.count() + " tables");
        }
        try (Connection c = server.getDatabase("postgres", db).getConnection(); Statement st = c.createStatement();
             ResultSet rs = st.executeQuery("SELECT count(*) FROM t_" + files.count())) {
            rs.next();
            expect(rs.getInt(1) == 3, db + ": the last table has " + rs.getInt(1) + " rows, not 3");
        }
    }

    private void admin(String sql) throws SQLException {
        BenchServer.admin(server, sql);
    }

    static void expect(boolean condition, String message) {
        if (!condition) {
            throw new IllegalStateException(message);
        }
    }

    static String flywayVersion() {
        try (InputStream in = Flyway.class.getResourceAsStream("/META-INF/maven/org.flywaydb/flyway-core/pom.properties")) {
            if (in == null) {
                return "unknown";
            }
            Properties p = new Properties();
            p.load(in);
            return p.getProperty("version", "unknown");
        } catch (IOException e) {
            return "unknown";
        }
    }

    /** The command line, checked once. */
    record Options(int migrations, int runs, int checks, Path output, Path dataParent) {

        static Options parse(String[] args) {
            int migrations = 1000;
            int runs = 5;
            int checks = 5;
            Path output = Checkout.benchmarksFile();
            Path dataParent = null;
            for (int i = 0; i < args.length; i++) {
                String a = args[i];
                switch (a) {
                    case "--migrations" -> migrations = Args.whole(a, Args.value(args, ++i, a), 1, 1_000_000);
                    case "--runs" -> runs = Args.whole(a, Args.value(args, ++i, a), 1, 1000);
                    case "--checks" -> checks = Args.whole(a, Args.value(args, ++i, a), 1, 1000);
                    case "--output" -> output = Path.of(Args.value(args, ++i, a));
                    case "--no-write" -> output = null;
                    case "--data-dir" -> dataParent = Args.directory(a, Args.value(args, ++i, a));
                    default -> throw new IllegalArgumentException("unknown option " + a);
                }
            }
            return new Options(migrations, runs, checks, output, dataParent);
        }

        /** Where the server's data folder goes: --data-dir, else the temporary folder (zonky's default place). */
        Path dataFolderParent() {
            return Args.dataFolderParent(dataParent);
        }

        /** What to type to get these figures again. */
        String command() {
            return BUILD + " && java -jar botdb-bench/target/botdb-bench.jar --migrations " + migrations + " --runs " + runs
                    + (checks == 5 ? "" : " --checks " + checks)
                    + (dataParent == null ? "" : " --data-dir " + dataParent);
        }
    }
}
