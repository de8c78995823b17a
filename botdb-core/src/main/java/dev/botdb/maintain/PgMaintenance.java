package dev.botdb.maintain;

import dev.botdb.BotDbException;
import dev.botdb.ErrorCode;
import dev.botdb.config.PostgresTarget;
import dev.botdb.dialect.Dialect;
import dev.botdb.maintain.LockHolders.Mode;
import dev.botdb.maintain.TableResult.Status;
import dev.botdb.pool.Connector;
import dev.botdb.text.Human;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.SQLWarning;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;
import org.postgresql.util.PSQLException;

/**
 * ANALYZE, VACUUM, VACUUM FULL and REINDEX on PostgreSQL, one table at a time on one autocommit
 * connection (VACUUM cannot run in a transaction), each statement with a lock timeout so the bot
 * never queues behind it for longer, and the sizes and statistics before and after.
 */
final class PgMaintenance {
    /** Catalog and statistics queries around the work: they read, so they are quick or something is wrong. */
    static final Duration CATALOG_TIMEOUT = Duration.ofSeconds(30);

    private final PostgresTarget target;
    private final Consumer<String> log;

    PgMaintenance(PostgresTarget target, Consumer<String> log) {
        this.target = target;
        this.log = log;
    }

    /** A table, or for REINDEX --index an index, to work on. */
    record Relation(long oid, String qualified, String display, String relkind, long tableOid) {
        boolean index() {
            return relkind.equals("i") || relkind.equals("I");
        }
    }

    /** Who we are on the server. */
    record Server(int versionNum, String database, String user, boolean superuser, int pid) {
        int major() {
            return versionNum / 10_000;
        }
    }

    static Connection open(PostgresTarget target) {
        try {
            Connection c = Connector.open(target);
            try (Statement st = c.createStatement()) {
                st.execute("SET application_name = 'botdb maintain'");
            }
            return c;
        } catch (SQLException e) {
            throw new BotDbException(ErrorCode.CONNECTION_FAILED, "Cannot connect to " + target.displayName()
                    + " for maintenance: " + message(e) + ". Check it with: botdb doctor (or botdb wait).", e);
        }
    }

    private static final String SERVER = """
            SELECT current_setting('server_version_num')::int,
                   current_database(),
                   current_user,
                   (SELECT rolsuper FROM pg_roles WHERE rolname = current_user),
                   pg_backend_pid()
            """;

    static Server server(Connection c) throws SQLException {
        timeouts(c, CATALOG_TIMEOUT, CATALOG_TIMEOUT);
        try (Statement st = c.createStatement(); ResultSet rs = st.executeQuery(SERVER)) {
            rs.next();
            return new Server(rs.getInt(1), rs.getString(2), rs.getString(3), rs.getBoolean(4), rs.getInt(5));
        }
    }

    /** Session-level timeouts for the next statements (autocommit: SET LOCAL would end with each statement). */
    static void timeouts(Connection c, Duration lock, Duration statement) throws SQLException {
        try (Statement st = c.createStatement()) {
            st.execute("SET lock_timeout = " + lock.toMillis() + "; SET statement_timeout = " + statement.toMillis());
        }
    }

    MaintainResult run(MaintainRequest request) {
        long start = System.nanoTime();
        try (Connection c = open(target)) {
            Server server = server(c);
            List<Relation> relations = relations(c, request, server);
            log.accept(header(request, server, relations.size()));
            List<TableResult> results = new ArrayList<>();
            List<String> notes = new ArrayList<>();
            for (int i = 0; i < relations.size(); i++) {
                Relation r = relations.get(i);
                TableResult result;
                try {
                    result = runOne(c, request, server, r, notes);
                } catch (SQLException e) {
                    if (!connectionBroken(c, e)) {
                        throw e;
                    }
                    String why = "the connection was lost (" + message(e) + "); nothing after it ran";
                    for (Relation rest : relations.subList(i, relations.size())) {
                        results.add(TableResult.of(rest.display(), Status.FAILED, Duration.ZERO, why));
                    }
                    break;
                }
                log.accept("  " + result.describe());
                results.add(result);
            }
            notes.forEach(n -> log.accept("  note: " + n));
            return new MaintainResult(request.operation(), server.database(), results, notes,
                    Duration.ofNanos(System.nanoTime() - start));
        } catch (SQLException e) {
            throw new BotDbException(ErrorCode.INTERNAL, "Maintenance of " + target.displayName() + " failed: "
                    + message(e), e);
        }
    }

    private static String header(MaintainRequest request, Server server, int count) {
        String what = switch (request.operation()) {
            case ANALYZE -> "ANALYZE";
            case VACUUM -> request.analyze() ? "VACUUM (ANALYZE)" : "VACUUM";
            case VACUUM_FULL -> request.analyze() ? "VACUUM (FULL, ANALYZE)" : "VACUUM FULL";
            case REINDEX -> server.major() >= 12 ? "REINDEX CONCURRENTLY" : "REINDEX";
            case INTEGRITY -> "integrity check";
        };
        return what + " of " + Human.plural(count, request.operation() == Operation.REINDEX && !request.indexes()
                .isEmpty() && request.tables().isEmpty() ? "index" : "table", request.operation() == Operation.REINDEX
                && !request.indexes().isEmpty() && request.tables().isEmpty() ? "indexes" : "tables")
                + " in " + server.database() + " (lock timeout " + MaintenanceText.timeout(request.lockTimeout())
                + ", statement timeout " + MaintenanceText.timeout(request.statementTimeout()) + ")";
    }

    // ---------------------------------------------------------------- which tables

    /** Every table, partitioned table and materialized view outside the system schemas. */
    private static final String ALL_TABLES = """
            SELECT c.oid,
                   quote_ident(n.nspname) || '.' || quote_ident(c.relname) AS qualified,
                   c.oid::regclass::text AS display,
                   c.relkind::text,
                   c.relhasindex
            FROM pg_class c
            JOIN pg_namespace n ON n.oid = c.relnamespace
            WHERE c.relkind IN ('r', 'm', 'p')
              AND n.nspname <> 'information_schema'
              AND n.nspname NOT LIKE 'pg\\_%'
            ORDER BY n.nspname, c.relname
            """;

    /** One relation by the name the operator typed, resolved as the session's search_path does. */
    private static final String NAMED = """
            SELECT c.oid,
                   quote_ident(n.nspname) || '.' || quote_ident(c.relname) AS qualified,
                   c.oid::regclass::text AS display,
                   c.relkind::text,
                   i.indrelid
            FROM pg_class c
            JOIN pg_namespace n ON n.oid = c.relnamespace
            LEFT JOIN pg_index i ON i.indexrelid = c.oid
            WHERE c.oid = to_regclass(?)
            """;

    static List<Relation> relations(Connection c, MaintainRequest request, Server server) throws SQLException {
        timeouts(c, CATALOG_TIMEOUT, CATALOG_TIMEOUT);
        Operation op = request.operation();
        List<Relation> all = new ArrayList<>();
        try (Statement st = c.createStatement(); ResultSet rs = st.executeQuery(ALL_TABLES)) {
            while (rs.next()) {
                String kind = rs.getString(4);
                boolean wanted = switch (op) {
                    // autovacuum never analyzes a partitioned parent, so its own statistics come from here only
                    case ANALYZE -> true;
                    // VACUUM of a partitioned parent would process its partitions a second time
                    case VACUUM, VACUUM_FULL -> !kind.equals("p");
                    case REINDEX -> !kind.equals("p") && rs.getBoolean(5);
                    case INTEGRITY -> false;
                };
                if (wanted || !request.wholeDatabase()) {
                    all.add(new Relation(rs.getLong(1), rs.getString(2), rs.getString(3), kind, rs.getLong(1)));
                }
            }
        }
        if (request.wholeDatabase()) {
            return all;
        }
        List<Relation> named = new ArrayList<>();
        for (String name : request.tables()) {
            Relation r = named(c, name, server, all);
            if (r.index()) {
                throw new BotDbException(ErrorCode.USAGE, name + " is an index; use `index` " + name + " with reindex.");
            }
            if (!List.of("r", "m", "p").contains(r.relkind())) {
                throw new BotDbException(ErrorCode.USAGE, name + " is " + kindName(r.relkind())
                        + "; only tables and materialized views can be maintained.");
            }
            named.add(r);
        }
        for (String name : request.indexes()) {
            Relation r = named(c, name, server, all);
            if (!r.index()) {
                throw new BotDbException(ErrorCode.USAGE, name + " is " + kindName(r.relkind())
                        + ", not an index; use `table` " + name + " to reindex all its indexes.");
            }
            named.add(r);
        }
        return named;
    }

    private static Relation named(Connection c, String name, Server server, List<Relation> all) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement(NAMED)) {
            ps.setString(1, name);
            try (ResultSet rs = ps.executeQuery()) {
                if (rs.next()) {
                    long table = rs.getLong(5);
                    if (rs.wasNull()) { // not an index: the relation is its own table
                        table = rs.getLong(1);
                    }
                    return new Relation(rs.getLong(1), rs.getString(2), rs.getString(3), rs.getString(4), table);
                }
            }
        } catch (SQLException e) {
            if (!"42602".equals(e.getSQLState())) { // invalid_name: a typo such as a stray quote
                throw e;
            }
        }
        List<String> names = all.stream().map(Relation::display).limit(20).toList();
        throw new BotDbException(ErrorCode.USAGE, "There is no table or index " + name + " in " + server.database()
                + " (looked up through the search_path; write schema.name for another schema). "
                + (names.isEmpty() ? "The database has no tables." : "Tables: " + String.join(", ", names)
                + (all.size() > names.size() ? ", ..." : "") + "."));
    }

    private static String kindName(String relkind) {
        return switch (relkind) {
            case "v" -> "a view";
            case "S" -> "a sequence";
            case "f" -> "a foreign table";
            case "c" -> "a composite type";
            case "t" -> "a TOAST table";
            case "i", "I" -> "an index";
            default -> "a relation of kind '" + relkind + "'";
        };
    }

    // ---------------------------------------------------------------- one table

    /** Sizes and statistics of a table (or an index: its own size as index_bytes), found by its qualified name. */
    private static final String FIGURES = """
            SELECT pg_relation_size(c.oid) AS main_bytes,
                   pg_total_relation_size(c.oid) AS total_bytes,
                   CASE WHEN c.relkind IN ('i', 'I') THEN pg_relation_size(c.oid) ELSE pg_indexes_size(c.oid) END
                       AS index_bytes,
                   CASE WHEN c.relkind IN ('i', 'I') THEN 1
                        ELSE (SELECT count(*) FROM pg_index i WHERE i.indrelid = c.oid) END AS indexes,
                   s.n_live_tup,
                   s.n_dead_tup,
                   s.n_mod_since_analyze
            FROM pg_class c
            LEFT JOIN pg_stat_all_tables s ON s.relid = c.oid
            WHERE c.oid = to_regclass(?)
            """;

    record Figures(long mainBytes, long totalBytes, long indexBytes, long indexes, Long liveRows, Long deadRows,
                   Long modifiedRows) {
    }

    private static Figures figures(Connection c, Relation r, Duration lockTimeout) throws SQLException {
        timeouts(c, lockTimeout, CATALOG_TIMEOUT);
        try (PreparedStatement ps = c.prepareStatement(FIGURES)) {
            ps.setString(1, r.qualified()); // by name: REINDEX CONCURRENTLY gives an index a new oid
            try (ResultSet rs = ps.executeQuery()) {
                if (!rs.next()) {
                    throw new SQLException("relation " + r.display() + " does not exist any more", "42P01");
                }
                return new Figures(rs.getLong(1), rs.getLong(2), rs.getLong(3), rs.getLong(4), nullableLong(rs, 5),
                        nullableLong(rs, 6), nullableLong(rs, 7));
            }
        }
    }

    private static Long nullableLong(ResultSet rs, int column) throws SQLException {
        long v = rs.getLong(column);
        return rs.wasNull() ? null : v;
    }

    private TableResult runOne(Connection c, MaintainRequest request, Server server, Relation r, List<String> notes)
            throws SQLException {
        long start = System.nanoTime();
        Operation op = request.operation();
        boolean concurrently = op == Operation.REINDEX && server.major() >= 12;
        Mode[] wanted = switch (op) {
            case VACUUM_FULL -> new Mode[] {Mode.ACCESS_EXCLUSIVE};
            case REINDEX -> concurrently ? new Mode[] {Mode.SHARE_UPDATE_EXCLUSIVE, Mode.SHARE}
                    : new Mode[] {Mode.SHARE, Mode.ACCESS_EXCLUSIVE};
            default -> new Mode[] {Mode.SHARE_UPDATE_EXCLUSIVE};
        };
        List<String> extra = new ArrayList<>();
        Figures before = null;
        try {
            if (concurrently) {
                dropLeftovers(c, r, request.lockTimeout(), extra, notes);
            }
            before = figures(c, r, request.lockTimeout());
            if (op == Operation.REINDEX && before.indexes() == 0) {
                return TableResult.of(r.display(), Status.DONE, since(start), "it has no indexes");
            }
            timeouts(c, request.lockTimeout(), request.statementTimeout());
            try (Statement st = c.createStatement()) {
                st.execute(statement(request, r, concurrently));
                for (SQLWarning w = st.getWarnings(); w != null; w = w.getNextWarning()) {
                    String text = w.getMessage();
                    if (text.contains("skipping") && (text.contains("permission") || text.contains("owner"))) {
                        return TableResult.of(r.display(), Status.NOT_PERMITTED, since(start), text + ". "
                                + ownerHint(server, r));
                    }
                    if (text.contains("skipping") || text.contains("cannot")) {
                        extra.add(text);
                    }
                }
            }
            Figures after = figures(c, r, request.lockTimeout());
            return done(c, request, r, before, after, since(start), extra);
        } catch (SQLException e) {
            if (connectionBroken(c, e)) {
                throw e;
            }
            TableResult failed = failure(c, request, server, r, e, since(start), wanted, concurrently);
            if (concurrently && before != null) {
                // REINDEX CONCURRENTLY commits its new index before the waits that can time out
                dropLeftovers(c, r, min(request.lockTimeout(), Duration.ofSeconds(1)), new ArrayList<>(), notes);
            }
            return failed;
        }
    }

    private static Duration min(Duration a, Duration b) {
        return a.compareTo(b) <= 0 ? a : b;
    }

    private static String statement(MaintainRequest request, Relation r, boolean concurrently) {
        return switch (request.operation()) {
            case ANALYZE -> "ANALYZE " + r.qualified();
            case VACUUM -> (request.analyze() ? "VACUUM (ANALYZE) " : "VACUUM ") + r.qualified();
            case VACUUM_FULL -> (request.analyze() ? "VACUUM (FULL, ANALYZE) " : "VACUUM (FULL) ") + r.qualified();
            case REINDEX -> "REINDEX " + (r.index() ? "INDEX " : "TABLE ") + (concurrently ? "CONCURRENTLY " : "")
                    + r.qualified();
            case INTEGRITY -> throw new IllegalStateException("integrity is SQLite's");
        };
    }

    private TableResult done(Connection c, MaintainRequest request, Relation r, Figures before, Figures after,
                             Duration took, List<String> extra) throws SQLException {
        List<String> parts = new ArrayList<>();
        Long beforeBytes;
        Long afterBytes;
        Long deadBefore = null;
        Long deadAfter = null;
        switch (request.operation()) {
            case ANALYZE -> {
                parts.add("statistics refreshed" + (after.liveRows() == null ? ""
                        : " (" + Human.plural(after.liveRows(), "row", "rows")
                        + (before.modifiedRows() == null ? "" : ", " + Human.count(before.modifiedRows())
                        + " changed since the last analyze") + ")"));
                beforeBytes = before.mainBytes();
                afterBytes = after.mainBytes();
            }
            case VACUUM -> {
                deadBefore = before.deadRows();
                deadAfter = after.deadRows();
                if (deadBefore != null && deadAfter != null) {
                    parts.add("dead rows " + Human.count(deadBefore) + " -> " + Human.count(deadAfter));
                }
                beforeBytes = before.mainBytes();
                afterBytes = after.mainBytes();
                long freed = beforeBytes - afterBytes;
                if (freed > 0) {
                    parts.add("size " + Human.bytes(beforeBytes) + " -> " + Human.bytes(afterBytes) + " ("
                            + Human.bytes(freed) + " returned to the operating system)");
                } else {
                    parts.add("size " + Human.bytes(afterBytes) + (deadBefore != null && deadBefore > 0
                            ? " (the freed space is reused by new rows; vacuum-full returns it to the operating system)"
                            : ""));
                }
                if (deadAfter != null && deadAfter > 0) {
                    parts.add(Human.count(deadAfter) + " dead rows remain: " + oldestSnapshot(c));
                }
            }
            case VACUUM_FULL -> {
                beforeBytes = before.totalBytes();
                afterBytes = after.totalBytes();
                parts.add("size with indexes " + Human.bytes(beforeBytes) + " -> " + Human.bytes(afterBytes)
                        + (beforeBytes > afterBytes ? " (" + Human.bytes(beforeBytes - afterBytes)
                        + " returned to the operating system)" : ""));
            }
            case REINDEX -> {
                beforeBytes = before.indexBytes();
                afterBytes = after.indexBytes();
                parts.add((r.index() ? "index " : Human.plural(after.indexes(), "index", "indexes") + " ")
                        + Human.bytes(beforeBytes) + " -> " + Human.bytes(afterBytes));
            }
            default -> throw new IllegalStateException(request.operation().name());
        }
        parts.addAll(extra);
        return new TableResult(r.display(), Status.DONE, took, String.join("; ", parts), deadBefore, deadAfter,
                beforeBytes, afterBytes);
    }

    /** The session whose snapshot keeps dead rows alive, if one is visible. */
    private static final String OLDEST_SNAPSHOT = """
            SELECT pid,
                   NULL AS mode,
                   true AS granted,
                   usename,
                   application_name,
                   backend_type,
                   state,
                   extract(epoch FROM now() - xact_start) AS state_seconds,
                   query
            FROM pg_stat_activity
            WHERE datname = current_database()
              AND backend_xmin IS NOT NULL
              AND pid <> pg_backend_pid()
            ORDER BY age(backend_xmin) DESC
            LIMIT 1
            """;

    private static String oldestSnapshot(Connection c) throws SQLException {
        try (Statement st = c.createStatement(); ResultSet rs = st.executeQuery(OLDEST_SNAPSHOT)) {
            if (rs.next()) {
                return "an older transaction may still see them (" + LockHolders.session(rs, null)
                        + "); botdb maintain kill-idle --idle-in-transaction ends forgotten ones";
            }
        }
        return "an open transaction, a replication slot or a prepared transaction may still see them";
    }

    private TableResult failure(Connection c, MaintainRequest request, Server server, Relation r, SQLException e,
                                Duration took, Mode[] wanted, boolean concurrently) throws SQLException {
        String state = e.getSQLState() == null ? "" : e.getSQLState();
        String text = message(e);
        if (state.equals("55P03")) {
            timeouts(c, CATALOG_TIMEOUT, CATALOG_TIMEOUT);
            return TableResult.of(r.display(), Status.SKIPPED, took, "a lock was not granted within "
                    + MaintenanceText.timeout(request.lockTimeout()) + ": "
                    + LockHolders.describe(c, r.tableOid(), concurrently, wanted));
        }
        if (state.equals("57014")) {
            return text.contains("statement timeout")
                    ? TableResult.of(r.display(), Status.TIMED_OUT, took, "cancelled after the statement timeout of "
                    + MaintenanceText.timeout(request.statementTimeout()) + "; give it more with --statement-timeout (0 = no"
                    + " limit) at a quiet time")
                    : TableResult.of(r.display(), Status.FAILED, took, "cancelled by another session ("
                    + text + ")");
        }
        if (state.equals("42501")) {
            return TableResult.of(r.display(), Status.NOT_PERMITTED, took, text + ". " + ownerHint(server, r));
        }
        return TableResult.of(r.display(), Status.FAILED, took, "SQLSTATE " + state + ": " + text);
    }

    private static String ownerHint(Server server, Relation r) {
        return "Run it as the table's owner or a superuser" + (server.major() >= 17
                ? ", or: GRANT MAINTAIN ON " + r.qualified() + " TO " + Dialect.POSTGRESQL.quote(server.user()) + ";" : ".");
    }


    // ---------------------------------------------------------------- REINDEX CONCURRENTLY leftovers

    /**
     * Invalid indexes an interrupted REINDEX CONCURRENTLY leaves behind ({@code name_ccnew},
     * {@code name_ccold}): they slow every write and are never used.
     */
    private static final String LEFTOVERS = """
            SELECT quote_ident(n.nspname) || '.' || quote_ident(ic.relname)
            FROM pg_index i
            JOIN pg_class ic ON ic.oid = i.indexrelid
            JOIN pg_namespace n ON n.oid = ic.relnamespace
            WHERE i.indrelid = ?
              AND NOT i.indisvalid
              AND ic.relname ~ '_cc(new|old)[0-9]*$'
            ORDER BY 1
            """;

    private static void dropLeftovers(Connection c, Relation r, Duration lockTimeout, List<String> done,
                                      List<String> notes) throws SQLException {
        List<String> leftovers = new ArrayList<>();
        timeouts(c, CATALOG_TIMEOUT, CATALOG_TIMEOUT);
        try (PreparedStatement ps = c.prepareStatement(LEFTOVERS)) {
            ps.setLong(1, r.tableOid());
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    leftovers.add(rs.getString(1));
                }
            }
        }
        for (String index : leftovers) {
            try {
                timeouts(c, lockTimeout, CATALOG_TIMEOUT);
                try (Statement st = c.createStatement()) {
                    st.execute("DROP INDEX CONCURRENTLY IF EXISTS " + index);
                }
                done.add("dropped " + index + ", an invalid index left by an interrupted REINDEX CONCURRENTLY");
            } catch (SQLException e) {
                if (connectionBroken(c, e)) {
                    throw e;
                }
                notes.add(index + " is an invalid index left by an interrupted REINDEX CONCURRENTLY of " + r.display()
                        + " (" + message(e) + "); the next botdb maintain reindex --table " + r.display()
                        + " drops it, or run: DROP INDEX CONCURRENTLY " + index + ";");
            }
        }
    }

    // ---------------------------------------------------------------- errors

    static Duration since(long startNanos) {
        return Duration.ofNanos(System.nanoTime() - startNanos);
    }

    /** The server's message without pgjdbc's "ERROR: " prefix. */
    static String message(SQLException e) {
        if (e instanceof PSQLException p && p.getServerErrorMessage() != null
                && p.getServerErrorMessage().getMessage() != null) {
            return p.getServerErrorMessage().getMessage();
        }
        return String.valueOf(e.getMessage());
    }

    static boolean connectionBroken(Connection c, SQLException e) {
        String state = e.getSQLState();
        if (state != null && state.startsWith("08")) {
            return true;
        }
        try {
            return c.isClosed();
        } catch (SQLException ignored) {
            return true;
        }
    }
}
