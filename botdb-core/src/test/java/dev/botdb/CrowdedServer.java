package dev.botdb;

import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;

/**
 * A small PostgreSQL server of its own whose connection slots a test can use up: max_connections 5,
 * one of them reserved for superusers, trust authentication, and an ordinary role {@code crowd}
 * owning database {@code crowd_db}. {@link #fill()} takes the four slots an ordinary role may use.
 */
public final class CrowdedServer implements AutoCloseable {
    private final EmbeddedPostgres server;
    private final List<Connection> holders = new ArrayList<>();

    private CrowdedServer(EmbeddedPostgres server) {
        this.server = server;
    }

    public static CrowdedServer start() throws Exception {
        EmbeddedPostgres server = EmbeddedPostgres.builder()
                .setPGStartupWait(Duration.ofSeconds(60))
                .setServerConfig("max_connections", "5")
                .setServerConfig("superuser_reserved_connections", "1")
                .setDataDirectoryCustomizer(dir -> {
                    try {
                        Files.writeString(dir.toPath().resolve("pg_hba.conf"), """
                                local all all              trust
                                host  all all 127.0.0.1/32 trust
                                host  all all ::1/128      trust
                                """);
                    } catch (IOException e) {
                        throw new UncheckedIOException(e);
                    }
                })
                .start();
        CrowdedServer crowded = new CrowdedServer(server);
        try (Connection c = crowded.connect("postgres", "postgres", "setup"); Statement st = c.createStatement()) {
            st.execute("CREATE ROLE crowd LOGIN");
            st.execute("CREATE DATABASE crowd_db OWNER crowd");
        }
        return crowded;
    }

    public int port() {
        return server.getPort();
    }

    public Connection connect(String user, String database, String application) throws SQLException {
        Properties p = new Properties();
        p.setProperty("user", user);
        p.setProperty("ApplicationName", application);
        return DriverManager.getConnection("jdbc:postgresql://localhost:" + port() + "/" + database, p);
    }

    /** Four sessions of another bot: every slot an ordinary role may take (5 - 1 reserved). */
    public void fill() throws SQLException {
        for (String app : List.of("crowd-bot", "crowd-bot", "crowd-bot", "crowd-admin")) {
            hold(connect("crowd", "crowd_db", app));
        }
    }

    /** Keeps a connection open until {@link #release()}. */
    public void hold(Connection c) {
        holders.add(c);
    }

    /** Closes the most recently held connection: one slot comes free. */
    public void freeOne() throws SQLException {
        holders.remove(holders.size() - 1).close();
    }

    public void release() throws SQLException {
        for (Connection c : holders) {
            c.close();
        }
        holders.clear();
        awaitBackendsGone();
    }

    /**
     * A closed connection's backend leaves the server a moment after the client hangs up; the next test's
     * {@link #fill()} would otherwise find a slot still taken. Polls (as superuser, retrying while even that
     * slot is busy) until no other client session is left, for up to 10 s.
     */
    private void awaitBackendsGone() throws SQLException {
        long deadline = System.nanoTime() + 10_000_000_000L;
        while (true) {
            try (Connection c = connect("postgres", "postgres", "release-check"); Statement st = c.createStatement();
                 java.sql.ResultSet rs = st.executeQuery("SELECT count(*) FROM pg_stat_activity"
                         + " WHERE backend_type = 'client backend' AND pid <> pg_backend_pid()")) {
                rs.next();
                if (rs.getLong(1) == 0) {
                    return;
                }
            } catch (SQLException e) {
                if (System.nanoTime() > deadline) {
                    throw e;
                }
            }
            if (System.nanoTime() > deadline) {
                throw new SQLException("sessions of the previous test are still connected after 10 s");
            }
            try {
                Thread.sleep(20);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
        }
    }

    @Override
    public void close() throws Exception {
        release();
        server.close();
    }
}
