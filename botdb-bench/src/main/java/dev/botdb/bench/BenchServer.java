package dev.botdb.bench;

import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.Comparator;
import java.util.List;
import java.util.stream.Stream;

/**
 * The one embedded PostgreSQL (the test suite's version, zonky's binaries) a benchmark measures
 * on, and the few things every benchmark asks of it.
 */
final class BenchServer {
    private BenchServer() {
    }

    /** Starts a fresh server whose data folder is {@code data} (created empty; removed when the server closes). */
    static EmbeddedPostgres start(Path data) throws IOException {
        return EmbeddedPostgres.builder()
                .setPGStartupWait(Duration.ofSeconds(60))
                .setDataDirectory(data)
                .setCleanDataDirectory(true)
                .start();
    }

    /** "data folder on tmpfs, fsync=off, ..." for the settings that move the figures. */
    static String describe(EmbeddedPostgres server, Path data, List<String> settings) throws SQLException {
        StringBuilder sb = new StringBuilder("data folder on ").append(Machine.fileSystem(data));
        for (String s : settings) {
            sb.append(", ").append(s).append('=').append(queryOne(server, "SHOW " + s));
        }
        return sb.toString();
    }

    static String queryOne(EmbeddedPostgres server, String sql) throws SQLException {
        try (Connection c = server.getPostgresDatabase().getConnection(); Statement st = c.createStatement();
             ResultSet rs = st.executeQuery(sql)) {
            rs.next();
            return rs.getString(1);
        }
    }

    /** Runs {@code sql} in the maintenance database ({@code CREATE DATABASE}, {@code CHECKPOINT}, ...). */
    static void admin(EmbeddedPostgres server, String sql) throws SQLException {
        try (Connection c = server.getPostgresDatabase().getConnection(); Statement st = c.createStatement()) {
            st.execute(sql);
        }
    }

    static void deleteRecursively(Path root) throws IOException {
        try (Stream<Path> all = Files.walk(root)) {
            for (Path p : all.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(p);
            }
        }
    }
}
