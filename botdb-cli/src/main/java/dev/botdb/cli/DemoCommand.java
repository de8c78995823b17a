package dev.botdb.cli;

import com.zaxxer.hikari.HikariDataSource;
import com.zaxxer.hikari.HikariPoolMXBean;
import dev.botdb.BotDb;
import dev.botdb.config.BotDbConfig;
import dev.botdb.config.Engine;
import dev.botdb.config.Setting;
import dev.botdb.config.PostgresTarget;
import dev.botdb.migrate.Migrator;
import dev.botdb.pool.Connector;
import dev.botdb.pool.Pools;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import picocli.CommandLine.Command;

/**
 * {@code botdb demo}: botdb's main job end to end. With nothing configured it starts the embedded
 * PostgreSQL, then connects with retry, shows the resolved configuration and the server version,
 * and runs queries through the pool from several threads at once.
 */
@Command(name = "demo", description = "Connect (starting the embedded PostgreSQL if no database is configured),"
        + " show the configuration and server version, and run queries through the pool.")
final class DemoCommand extends BotDbCommand {
    private static final int WORKERS = 4;
    private static final String DEMO_DATABASE = "botdb_demo";
    private static final int QUERIES_PER_WORKER = 25;

    @Override
    public Integer call() throws Exception {
        long start = System.nanoTime();
        BotDbConfig config = config();
        try (BotDb db = BotDb.open(config, cli.err::println, Connector.FIRST_RETRY_DELAY)) {
            cli.out.println("Configuration (passwords are shown as ****):");
            List<Setting> rows = new ArrayList<>(db.target().describe());
            rows.addAll(config.pool().describe(db.target().engine()));
            Printer.settings(cli.out, rows);
            cli.out.println("Server: " + db.server());

            cli.out.println(identify(db));
            exampleSchema(db, config);
            long queries = System.nanoTime();
            int done = runConcurrently(db);
            double queryMs = (System.nanoTime() - queries) / 1e6;
            HikariPoolMXBean pool = ((HikariDataSource) db.dataSource()).getHikariPoolMXBean();
            cli.out.printf(Locale.ROOT, "Ran %d queries from %d threads through the pool in %.0f ms"
                            + " (pool: %d open, %d idle, max %d)%n",
                    done, WORKERS, queryMs, pool.getTotalConnections(), pool.getIdleConnections(),
                    config.pool().maxSize());
            cli.out.printf(Locale.ROOT, "Demo complete - %s on %s (%.1f s)%n", db.server(),
                    db.embedded() ? "the embedded server" : db.target().displayName(),
                    (System.nanoTime() - start) / 1e9);
        }
        return 0;
    }

    /**
     * On the embedded server, applies the bundled example bot schema to a database of its own
     * ({@value #DEMO_DATABASE}), so the demo never writes into a database the operator configured.
     */
    private void exampleSchema(BotDb db, BotDbConfig config) throws SQLException {
        if (!db.embedded()) {
            cli.out.println("Example schema: skipped (botdb demo only creates tables on its own embedded server)");
            return;
        }
        try (Connection c = db.dataSource().getConnection(); Statement st = c.createStatement();
             ResultSet rs = st.executeQuery("SELECT 1 FROM pg_database WHERE datname = '" + DEMO_DATABASE + "'")) {
            if (!rs.next()) {
                st.execute("CREATE DATABASE " + DEMO_DATABASE);
            }
        }
        PostgresTarget demo = ((PostgresTarget) db.target()).withDatabase(DEMO_DATABASE);
        try (HikariDataSource ds = Pools.open(demo, config.pool())) {
            Migrator.of(ds, Engine.POSTGRESQL, Migrator.classpathDirectory("botdb/example-migrations"), cli.out::println)
                    .migrate();
            try (Connection c = ds.getConnection(); Statement st = c.createStatement();
                 ResultSet rs = st.executeQuery("""
                         SELECT count(*)
                         FROM information_schema.tables
                         WHERE table_schema = 'public'
                         """)) {
                rs.next();
                cli.out.println("Example bot schema in database '" + DEMO_DATABASE + "': " + rs.getInt(1) + " tables");
            }
        }
    }

    private static String identify(BotDb db) throws SQLException {
        String sql = db.target().engine() == Engine.SQLITE
                ? "SELECT 'main', 'sqlite', datetime('now')"
                : """
                  SELECT current_database(),
                         current_user,
                         now()::timestamp(0)::text
                  """;
        try (Connection c = db.dataSource().getConnection();
             Statement st = c.createStatement();
             ResultSet rs = st.executeQuery(sql)) {
            rs.next();
            return "Connected to database '" + rs.getString(1) + "' as '" + rs.getString(2) + "' at "
                    + rs.getString(3);
        }
    }

    /** Each worker borrows a connection per query, so the pool hands connections back and forth. */
    private static int runConcurrently(BotDb db) throws Exception {
        String sql = db.target().engine() == Engine.SQLITE
                ? "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 1000) SELECT sum(i) FROM n"
                : "SELECT sum(i) FROM generate_series(1, 1000) AS i";
        ExecutorService pool = Executors.newFixedThreadPool(WORKERS);
        try {
            List<Future<Integer>> results = new ArrayList<>();
            for (int w = 0; w < WORKERS; w++) {
                results.add(pool.submit(() -> {
                    int ok = 0;
                    for (int q = 0; q < QUERIES_PER_WORKER; q++) {
                        try (Connection c = db.dataSource().getConnection();
                             Statement st = c.createStatement();
                             ResultSet rs = st.executeQuery(sql)) {
                            rs.next();
                            if (rs.getLong(1) != 500_500L) {
                                throw new IllegalStateException("wrong sum " + rs.getLong(1));
                            }
                            ok++;
                        }
                    }
                    return ok;
                }));
            }
            int total = 0;
            for (Future<Integer> f : results) {
                total += f.get();
            }
            return total;
        } finally {
            pool.shutdown();
        }
    }
}
