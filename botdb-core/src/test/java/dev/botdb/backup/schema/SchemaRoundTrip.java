package dev.botdb.backup.schema;

import dev.botdb.TestPostgres;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Collectors;
import org.postgresql.PGConnection;
import org.postgresql.copy.CopyManager;

/**
 * Test helpers: fresh databases, a fixture loader, a small restorer that follows
 * {@link SchemaDump}'s contract (post-data lanes in parallel), and pg_dump.
 */
public final class SchemaRoundTrip {
    public static final String ROLE = "botdb_schema_role";
    private static final AtomicInteger COUNTER = new AtomicInteger();

    private SchemaRoundTrip() {
    }

    /** A new empty database with a unique name. */
    public static String freshDatabase(String prefix) {
        String name = prefix + "_" + ProcessHandle.current().pid() + "_" + COUNTER.incrementAndGet();
        TestPostgres.exec("DROP DATABASE IF EXISTS " + name, "CREATE DATABASE " + name);
        return name;
    }

    public static void ensureRole() {
        TestPostgres.exec("""
                DO $$ BEGIN
                    IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'botdb_schema_role') THEN
                        CREATE ROLE botdb_schema_role NOLOGIN;
                    END IF;
                END $$""");
    }

    /**
     * Runs a fixture from src/test/resources as one simple-protocol query, so the server splits it
     * (pgjdbc's own splitter does not know {@code BEGIN ATOMIC} bodies).
     */
    public static void apply(String database, String resource) {
        String url = "jdbc:postgresql://localhost:" + TestPostgres.port() + "/" + database
                + "?user=postgres&preferQueryMode=simple";
        try (InputStream in = SchemaRoundTrip.class.getResourceAsStream(resource);
             Connection c = java.sql.DriverManager.getConnection(url); Statement st = c.createStatement()) {
            st.execute(new String(in.readAllBytes(), StandardCharsets.UTF_8));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (SQLException e) {
            throw new IllegalStateException(e);
        }
    }

    public static void exec(String database, String... sql) {
        try (Connection c = TestPostgres.superuser(database); Statement st = c.createStatement()) {
            for (String s : sql) {
                st.execute(s);
            }
        } catch (SQLException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Reads the schema the way a backup does: in a repeatable read, read-only transaction. */
    static SchemaDump read(String database, SchemaOptions options) throws SQLException {
        try (Connection c = TestPostgres.superuser(database)) {
            c.setAutoCommit(false);
            c.setTransactionIsolation(Connection.TRANSACTION_REPEATABLE_READ);
            c.setReadOnly(true);
            try {
                return PgSchemaReader.read(c, options);
            } finally {
                c.rollback();
            }
        }
    }

    /**
     * Restores {@code dump} with the rows of {@code source} into the empty {@code target}: pre-data,
     * COPY, sequence values, then post-data phase by phase with the lanes on three connections.
     */
    static void restore(SchemaDump dump, String source, String target) throws Exception {
        try (Connection t = connect(dump, target); Statement st = t.createStatement()) {
            for (DdlStatement s : dump.statements(Section.PRE_DATA)) {
                run(st, s);
            }
        }
        try (Connection from = TestPostgres.superuser(source); Connection to = connect(dump, target)) {
            CopyManager out = from.unwrap(PGConnection.class).getCopyAPI();
            CopyManager in = to.unwrap(PGConnection.class).getCopyAPI();
            for (TableInfo table : dump.tables()) {
                if (table.partitionedParent()) {
                    continue;
                }
                ByteArrayOutputStream rows = new ByteArrayOutputStream();
                out.copyOut("COPY " + table.copyTarget() + " TO STDOUT", rows);
                in.copyIn("COPY " + table.copyTarget() + " FROM STDIN", new ByteArrayInputStream(rows.toByteArray()));
            }
            try (Statement st = to.createStatement()) {
                for (DdlStatement s : dump.sequenceValues()) {
                    run(st, s);
                }
            }
        }
        List<DdlStatement> post = dump.statements(Section.POST_DATA);
        ExecutorService pool = Executors.newFixedThreadPool(3);
        try {
            for (int phase : new TreeSet<>(post.stream().map(DdlStatement::phase).toList())) {
                Map<String, List<DdlStatement>> lanes = new LinkedHashMap<>();
                post.stream().filter(s -> s.phase() == phase)
                        .forEach(s -> lanes.computeIfAbsent(String.valueOf(s.table()), k -> new ArrayList<>()).add(s));
                List<Future<?>> running = new ArrayList<>();
                for (List<DdlStatement> lane : lanes.values()) {
                    running.add(pool.submit(() -> {
                        try (Connection c = connect(dump, target); Statement st = c.createStatement()) {
                            for (DdlStatement s : lane) {
                                run(st, s);
                            }
                        }
                        return null;
                    }));
                }
                for (Future<?> f : running) {
                    f.get();
                }
            }
        } finally {
            pool.shutdown();
        }
    }

    private static Connection connect(SchemaDump dump, String database) throws SQLException {
        Connection c = TestPostgres.superuser(database);
        try (Statement st = c.createStatement()) {
            for (String p : dump.preamble()) {
                st.execute(p);
            }
        }
        return c;
    }

    private static void run(Statement st, DdlStatement s) throws SQLException {
        try {
            st.execute(s.sql());
        } catch (SQLException e) {
            throw new SQLException(s.section() + " " + s.kind() + " " + s.object() + " failed: " + e.getMessage()
                    + "\n" + s.sql(), e);
        }
    }

    /** The major version of the test server, e.g. 15. */
    public static int serverMajor() {
        try (Connection c = TestPostgres.superuser("postgres"); Statement st = c.createStatement();
             var rs = st.executeQuery("SELECT current_setting('server_version_num')::int / 10000")) {
            rs.next();
            return rs.getInt(1);
        } catch (SQLException e) {
            throw new IllegalStateException(e);
        }
    }

    /** The major version of the pg_dump on the PATH, or 0 when there is none. */
    public static int pgDumpMajor() {
        try {
            Process p = new ProcessBuilder("pg_dump", "--version").redirectErrorStream(true).start();
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            p.waitFor();
            java.util.regex.Matcher m = java.util.regex.Pattern.compile("\\) (\\d+)").matcher(out);
            return m.find() ? Integer.parseInt(m.group(1)) : 0;
        } catch (IOException e) {
            return 0;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return 0;
        }
    }

    /**
     * {@code pg_dump --schema-only} of a database, connected through the environment (the test
     * server trusts postgres on loopback), without the per-run {@code \restrict} key lines.
     */
    public static String pgDump(String database, String... options) throws IOException, InterruptedException {
        List<String> command = new ArrayList<>(List.of("pg_dump", "--schema-only"));
        command.addAll(List.of(options));
        ProcessBuilder pb = new ProcessBuilder(command);
        pb.environment().put("PGHOST", "localhost");
        pb.environment().put("PGPORT", String.valueOf(TestPostgres.port()));
        pb.environment().put("PGUSER", "postgres");
        pb.environment().put("PGDATABASE", database);
        pb.environment().remove("PGPASSWORD");
        Path err = Files.createTempFile("pg_dump", ".err");
        pb.redirectError(err.toFile());
        Process p = pb.start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        int exit = p.waitFor();
        String stderr = Files.readString(err);
        Files.delete(err);
        if (exit != 0) {
            throw new IllegalStateException("pg_dump exited " + exit + ": " + stderr);
        }
        String dump = out.lines()
                .filter(l -> !l.startsWith("\\restrict ") && !l.startsWith("\\unrestrict "))
                .collect(Collectors.joining("\n"));
        keep(database + String.join("", options) + ".pg_dump.sql", dump);
        return dump;
    }

    /** Keeps {@code text} in target/schema-dumps for a diff when a comparison fails. */
    static void keep(String name, String text) throws IOException {
        Path kept = Path.of("target", "schema-dumps", name);
        Files.createDirectories(kept.getParent());
        Files.writeString(kept, text);
    }

    /** Each table's rows as sorted text, to compare two databases. */
    static Map<String, String> rows(String database, SchemaDump dump) throws SQLException, IOException {
        Map<String, String> rows = new LinkedHashMap<>();
        try (Connection c = TestPostgres.superuser(database)) {
            CopyManager out = c.unwrap(PGConnection.class).getCopyAPI();
            for (TableInfo t : dump.tables()) {
                ByteArrayOutputStream bytes = new ByteArrayOutputStream();
                out.copyOut("COPY (SELECT * FROM " + t.name().sql() + " ORDER BY 1) TO STDOUT", bytes);
                rows.put(t.name().toString(), bytes.toString(StandardCharsets.UTF_8));
            }
        }
        return rows;
    }
}
