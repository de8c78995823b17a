package dev.botdb.bench;

import dev.botdb.config.Engine;
import dev.botdb.migrate.Migrator;
import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.io.File;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import javax.sql.DataSource;
import org.flywaydb.core.Flyway;

/**
 * Cold start of the botdb command as released (issue 13): the x86_64 tarball is unpacked into an
 * empty folder and its {@code bin/botdb} run, each measurement a new JVM, as cron and health checks
 * start it: {@code --version}, {@code wait} against a running server and {@code status} with 1,000
 * applied migrations, with the class-data sharing archive bin/botdb makes on its first run and with
 * BOTDB_CDS=off; beside the JVM's floor (an empty main on the tarball's own runtime) and Flyway 13's
 * cold no-op (a new JVM on the build's JDK whose migrate finds 1,000 applied).
 *
 * <pre>{@code
 * ./mvnw -q -pl botdb-dist,botdb-bench -am package -DskipTests && java -cp botdb-bench/target/botdb-bench.jar dev.botdb.bench.ColdStartBenchmark --runs 10
 * }</pre>
 */
public final class ColdStartBenchmark {
    private static final String COMMAND = "./mvnw -q -pl botdb-dist,botdb-bench -am package -DskipTests && java -cp"
            + " botdb-bench/target/botdb-bench.jar dev.botdb.bench.ColdStartBenchmark --runs 10";
    private static final String HEADING = "## Cold start (issue 13)";

    private ColdStartBenchmark() {
    }

    public static void main(String[] args) throws Exception {
        int runs = 10;
        int migrations = 1000;
        boolean write = true;
        Path output = Path.of("BENCHMARKS.md");
        Path tarball = null;
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--runs" -> runs = Integer.parseInt(args[++i]);
                case "--migrations" -> migrations = Integer.parseInt(args[++i]);
                case "--no-write" -> write = false;
                case "--output" -> output = Path.of(args[++i]);
                case "--tarball" -> tarball = Path.of(args[++i]).toAbsolutePath();
                default -> throw new IllegalArgumentException("unknown option " + args[i]);
            }
        }
        if (tarball == null) {
            try (var found = Files.newDirectoryStream(Path.of("botdb-dist/target"), "botdb-*-linux-x86_64.tar.gz")) {
                for (Path p : found) {
                    tarball = p.toAbsolutePath();
                }
            } catch (java.nio.file.NoSuchFileException e) {
                // reported below
            }
        }
        if (tarball == null || !Files.isRegularFile(tarball)) {
            throw new IllegalStateException("the x86_64 tarball is missing; build it first: " + COMMAND);
        }
        Path work = Files.createTempDirectory("botdb-cold");
        run(List.of("tar", "-xzf", tarball.toString(), "-C", work.toString()), Map.of());
        Path home;
        try (var unpacked = Files.newDirectoryStream(work, "botdb-*")) {
            home = unpacked.iterator().next();
        }
        String botdb = home.resolve("bin/botdb").toString();
        Path data = work.resolve("pg");
        try (EmbeddedPostgres server = BenchServer.start(data)) {
            GeneratedMigrations files = GeneratedMigrations.write(Files.createDirectory(work.resolve("files")), migrations);
            BenchServer.admin(server, "CREATE DATABASE cold");
            BenchServer.admin(server, "CREATE DATABASE cold_flyway");
            // a role that logs in with SCRAM-SHA-256, as PostgreSQL 14+ makes every password role by default
            // (the embedded server trusts local connections, so its pg_hba.conf gets a line for this role)
            BenchServer.admin(server, "CREATE ROLE cold_scram LOGIN PASSWORD 'Cold-Scram-1'");
            Path hba = Path.of(BenchServer.queryOne(server, "SHOW hba_file"));
            Files.writeString(hba, "host all cold_scram 127.0.0.1/32 scram-sha-256\n" + Files.readString(hba));
            BenchServer.queryOne(server, "SELECT pg_reload_conf()");
            DataSource botdbDb = server.getDatabase("postgres", "cold");
            DataSource flywayDb = server.getDatabase("postgres", "cold_flyway");
            Migrator.of(botdbDb, Engine.POSTGRESQL, files.botdb(), l -> { }).migrate();
            Flyway.configure().dataSource(flywayDb).locations("filesystem:" + files.flyway()).load().migrate();

            String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
            String runtimeJava = home.resolve("runtime/bin/java").toString();
            String classPath = System.getProperty("java.class.path");
            String benchJar = Path.of(EmptyMain.class.getProtectionDomain().getCodeSource().getLocation().toURI())
                    .toString();
            Map<String, String> env = new HashMap<>();
            env.put("DATABASE_URL", "postgres://postgres@localhost:" + server.getPort() + "/cold?sslmode=disable");
            env.put("MIGRATIONS_PATH", files.botdb().toString());
            // bin/botdb's first run in a new folder makes lib/botdb.jsa from lib/classes.lst
            run(List.of(botdb, "--version"), env);
            if (!Files.isRegularFile(home.resolve("lib/botdb.jsa"))) {
                throw new IllegalStateException("bin/botdb's first run made no class-data sharing archive");
            }
            Map<String, String> noCds = new HashMap<>(env);
            noCds.put("BOTDB_CDS", "off");

            Map<String, List<String>> commands = new LinkedHashMap<>();
            Map<String, Map<String, String>> envs = new HashMap<>();
            commands.put("JVM floor (empty main)", List.of(runtimeJava, "-XX:+UseSerialGC", "-cp", benchJar,
                    EmptyMain.class.getName()));
            commands.put("Flyway 13 cold no-op (" + migrations + " applied)", List.of(java, "-cp", classPath,
                    FlywayNoop.class.getName(), "jdbc:postgresql://localhost:" + server.getPort() + "/cold_flyway",
                    "filesystem:" + files.flyway()));
            for (String[] c : new String[][] {{"--version"}, {"wait", "--timeout", "10s"}, {"status"}}) {
                String name = "botdb " + String.join(" ", c) + (c[0].equals("status") ? " (" + migrations + " applied)" : "");
                List<String> command = new ArrayList<>(List.of(botdb));
                command.addAll(List.of(c));
                commands.put(name, command);
                commands.put(name + ", BOTDB_CDS=off", command);
                envs.put(name + ", BOTDB_CDS=off", noCds);
            }
            Map<String, String> scram = new HashMap<>(env);
            scram.put("DATABASE_URL", "postgres://cold_scram:Cold-Scram-1@localhost:" + server.getPort()
                    + "/cold?sslmode=disable");
            commands.put("botdb wait --timeout 10s, SCRAM-SHA-256 login", List.of(botdb, "wait", "--timeout", "10s"));
            envs.put("botdb wait --timeout 10s, SCRAM-SHA-256 login", scram);
            Map<String, List<Long>> samples = new LinkedHashMap<>();
            commands.keySet().forEach(k -> samples.put(k, new ArrayList<>()));
            for (int r = 0; r < runs + 1; r++) { // run 0 warms the page cache and is not counted
                for (Map.Entry<String, List<String>> e : commands.entrySet()) {
                    long ns = run(e.getValue(), envs.getOrDefault(e.getKey(), env));
                    if (r > 0) {
                        samples.get(e.getKey()).add(ns);
                    }
                }
            }
            String section = section(samples, migrations, runs, Machine.describe(
                    BenchServer.queryOne(server, "SELECT version()")), data);
            System.out.println(section);
            if (write) {
                BenchmarksFile.update(output, HEADING, section);
            }
        } finally {
            BenchServer.deleteRecursively(work);
        }
    }

    /** Runs one command in a new process; its wall time in ns; fails unless it exits 0 (status may exit 0 only). */
    private static long run(List<String> command, Map<String, String> env) throws Exception {
        ProcessBuilder pb = new ProcessBuilder(command).redirectErrorStream(true);
        pb.environment().putAll(env);
        pb.redirectOutput(ProcessBuilder.Redirect.DISCARD);
        long start = System.nanoTime();
        Process p = pb.start();
        if (!p.waitFor(5, TimeUnit.MINUTES) || p.exitValue() != 0) {
            throw new IllegalStateException(String.join(" ", command) + " failed (exit "
                    + (p.isAlive() ? "none" : p.exitValue()) + ")");
        }
        return System.nanoTime() - start;
    }

    private static double ms(List<Long> ns) {
        return Results.median(ns) / 1e6;
    }

    private static String section(Map<String, List<Long>> s, int migrations, int runs, Machine machine, Path data) {
        double floor = ms(s.get("JVM floor (empty main)"));
        double flyway = ms(s.get("Flyway 13 cold no-op (" + migrations + " applied)"));
        String status = "botdb status (" + migrations + " applied)";
        StringBuilder sb = new StringBuilder(HEADING).append("\n\n");
        sb.append("Every figure is a new JVM, the median of ").append(runs).append(" runs after one uncounted run, on ")
                .append(LocalDate.now()).append(". botdb is the released form: the x86_64 tarball unpacked into an empty"
                + " folder, `bin/botdb` on its jlink'd runtime, with the class-data sharing archive its first run made"
                + " (and with `BOTDB_CDS=off`). The JVM floor is an empty main on that same runtime; Flyway runs on the"
                + " build's JDK (with its default CDS archive). The server: embedded PostgreSQL, default settings,"
                + " data on ").append(Machine.fileSystem(data)).append(".\n\n");
        sb.append("Reproduce:\n\n```bash\n").append(COMMAND).append("\n```\n\n");
        sb.append("| targets | median ratio | limit | result |\n|---|---:|---:|---|\n");
        for (String variant : List.of("", ", BOTDB_CDS=off")) {
            double st = ms(s.get(status + variant));
            double wait = ms(s.get("botdb wait --timeout 10s" + variant));
            sb.append(String.format(Locale.ROOT, "| status%s / Flyway cold no-op | %.3f | 0.50 | %s |%n", variant,
                    st / flyway, st / flyway <= 0.5 ? "pass" : "FAIL"));
            sb.append(String.format(Locale.ROOT, "| wait%s / JVM floor | %.3f | 2.00 | %s |%n", variant,
                    wait / floor, wait / floor <= 2.0 ? "pass" : "FAIL"));
        }
        double scram = ms(s.get("botdb wait --timeout 10s, SCRAM-SHA-256 login"));
        sb.append(String.format(Locale.ROOT, "| wait, SCRAM-SHA-256 login / JVM floor | %.3f | 2.00 | %s |%n",
                scram / floor, scram / floor <= 2.0 ? "pass" : "FAIL"));
        sb.append("\n| command | median | min | max |\n|---|---:|---:|---:|\n");
        s.forEach((name, ns) -> sb.append(String.format(Locale.ROOT, "| %s | %.0f ms | %.0f ms | %.0f ms |%n", name,
                ms(ns), ns.stream().mapToLong(Long::longValue).min().orElse(0) / 1e6,
                ns.stream().mapToLong(Long::longValue).max().orElse(0) / 1e6)));
        sb.append("\nMachine: ").append(machine.cpus()).append(" cores (").append(machine.cpuModel()).append("), ")
                .append(machine.memory()).append(", ").append(machine.os()).append("; ").append(machine.java())
                .append("; load average at the end ").append(Machine.loadAverage()).append(".\n");
        return sb.toString();
    }
}
