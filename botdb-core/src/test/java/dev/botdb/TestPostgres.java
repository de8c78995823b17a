package dev.botdb;

import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.HashMap;
import java.util.Map;

/**
 * The real PostgreSQL every test in a JVM shares: started on first use, stopped by a shutdown
 * hook. The major version is the binaries artifact on the test class path (15 by default;
 * {@code ./mvnw verify -Dbotdb.test.pg=18} selects another).
 *
 * <p>Authentication is real: the superuser {@code postgres} is trusted on loopback, every other
 * role must pass scram-sha-256, so wrong-password tests meet the server's own refusal.
 */
public final class TestPostgres {
    private static EmbeddedPostgres server;

    private TestPostgres() {
    }

    public static synchronized EmbeddedPostgres server() {
        if (server == null) {
            try {
                EmbeddedPostgres started = EmbeddedPostgres.builder()
                        .setPGStartupWait(java.time.Duration.ofSeconds(60))
                        .setServerConfig("password_encryption", "scram-sha-256")
                        .setDataDirectoryCustomizer(dir -> {
                            try {
                                Files.writeString(dir.toPath().resolve("pg_hba.conf"), """
                                        local all all                trust
                                        host  all postgres 127.0.0.1/32 trust
                                        host  all postgres ::1/128      trust
                                        host  all probe_md5 127.0.0.1/32 md5
                                        host  all probe_password 127.0.0.1/32 password
                                        host  all all      127.0.0.1/32 scram-sha-256
                                        host  all all      ::1/128      scram-sha-256
                                        """);
                            } catch (IOException e) {
                                throw new UncheckedIOException(e);
                            }
                        })
                        .start();
                checkRequestedMajor(started);
                server = started;
            } catch (IOException | SQLException e) {
                throw new IllegalStateException("could not start the test PostgreSQL", e);
            }
        }
        return server;
    }

    /** Fails loudly when -Dbotdb.test.pg=NN asked for one major and the class path gave another. */
    private static void checkRequestedMajor(EmbeddedPostgres pg) throws SQLException {
        String requested = System.getProperty("botdb.test.pg.version");
        try (Connection c = pg.getPostgresDatabase().getConnection(); Statement st = c.createStatement();
             java.sql.ResultSet rs = st.executeQuery("SELECT current_setting('server_version_num')::int / 10000")) {
            rs.next();
            int major = rs.getInt(1);
            if (requested != null && !requested.startsWith(major + ".")) {
                throw new IllegalStateException("test PostgreSQL is " + major + " but " + requested + " was requested");
            }
        }
    }

    public static int port() {
        return server().getPort();
    }

    /** A superuser connection to {@code database}. */
    public static Connection superuser(String database) throws SQLException {
        return server().getDatabase("postgres", database).getConnection();
    }

    /** Runs statements as superuser in the {@code postgres} database. */
    public static void exec(String... sql) {
        try (Connection c = superuser("postgres"); Statement st = c.createStatement()) {
            for (String s : sql) {
                st.execute(s);
            }
        } catch (SQLException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Creates (or resets) a login role with a scram password and a database it owns. */
    public static void createUserWithDatabase(String user, String password, String database) {
        exec("DROP DATABASE IF EXISTS \"" + database + "\"",
                "DROP ROLE IF EXISTS \"" + user + "\"",
                "CREATE ROLE \"" + user + "\" LOGIN PASSWORD '" + password.replace("'", "''") + "'",
                "CREATE DATABASE \"" + database + "\" OWNER \"" + user + "\"");
    }

    /** The test server's URL for {@code database}: the superuser, without TLS. */
    public static String url(String database) {
        return "postgres://postgres@localhost:" + port() + "/" + database + "?sslmode=disable";
    }

    /** An environment with only DATABASE_URL (and a HOME without .pgpass) set. */
    public static Map<String, String> env(String databaseUrl, String... more) {
        Map<String, String> env = new HashMap<>();
        env.put("DATABASE_URL", databaseUrl);
        env.put("HOME", System.getProperty("java.io.tmpdir") + "/botdb-test-home-without-pgpass");
        for (int i = 0; i + 1 < more.length; i += 2) {
            env.put(more[i], more[i + 1]);
        }
        return env;
    }

    /** A TCP port nothing listens on (bound and released, so nothing else took it a moment ago). */
    public static int closedPort() {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
