package dev.botdb.bench;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.TimeUnit;

/**
 * A PostgreSQL server the operator runs (Debian's postgresql-15 with its default configuration, say), given as
 * {@code postgres://user@host:port} with the password in PGPASSWORD, and the child processes the benchmarks
 * time against it under {@code /usr/bin/time}.
 */
final class ExternalPostgres {
    private final String server;
    private final Path work;

    ExternalPostgres(String server, Path work) {
        this.server = server.endsWith("/") ? server.substring(0, server.length() - 1) : server;
        this.work = work;
    }

    /** {@code postgres://user@host:port/database}. */
    String url(String database) {
        return server + "/" + database;
    }

    Connection connect(String database) throws SQLException {
        Properties p = new Properties();
        String rest = server.substring(server.indexOf("://") + 3);
        p.setProperty("user", rest.contains("@") ? rest.substring(0, rest.indexOf('@')) : "postgres");
        if (System.getenv("PGPASSWORD") != null) {
            p.setProperty("password", System.getenv("PGPASSWORD"));
        }
        String hostPort = rest.contains("@") ? rest.substring(rest.indexOf('@') + 1) : rest;
        return DriverManager.getConnection("jdbc:postgresql://" + hostPort + "/" + database, p);
    }

    /** Drops (with its sessions) and creates {@code name}. */
    void freshDatabase(String name) throws SQLException {
        try (Connection c = connect("postgres"); Statement s = c.createStatement()) {
            s.execute("DROP DATABASE IF EXISTS " + name + " WITH (FORCE)");
            s.execute("CREATE DATABASE " + name);
        }
    }

    /** Runs a command under /usr/bin/time: {wall seconds, peak resident KB}; fails on a non-zero exit. */
    double[] timed(List<String> command, Map<String, String> env, Path log) throws Exception {
        Path times = work.resolve("time.txt");
        List<String> argv = new ArrayList<>(List.of("/usr/bin/time", "-o", times.toString(), "-f", "%e %M"));
        argv.addAll(command);
        ProcessBuilder pb = new ProcessBuilder(argv).redirectErrorStream(true).redirectOutput(log.toFile());
        pb.environment().putAll(env);
        Process p = pb.start();
        if (!p.waitFor(60, TimeUnit.MINUTES) || p.exitValue() != 0) {
            throw new IllegalStateException(String.join(" ", command) + " failed (exit " + p.exitValue() + "): "
                    + Files.readString(log, StandardCharsets.UTF_8));
        }
        String[] f = Files.readString(times).trim().split("\\s+");
        return new double[] {Double.parseDouble(f[f.length - 2]), Double.parseDouble(f[f.length - 1])};
    }
}
