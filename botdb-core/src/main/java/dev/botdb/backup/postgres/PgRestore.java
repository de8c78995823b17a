package dev.botdb.backup.postgres;

import dev.botdb.BotDbException;
import dev.botdb.ErrorCode;
import dev.botdb.backup.Manifest;
import dev.botdb.backup.archive.ArchiveReader;
import dev.botdb.backup.schema.DdlStatement;
import dev.botdb.backup.tasks.Futures;
import dev.botdb.backup.tasks.Progress;
import dev.botdb.dialect.QualifiedName;
import dev.botdb.backup.schema.SchemaDump;
import dev.botdb.backup.schema.Section;
import dev.botdb.config.PostgresTarget;
import dev.botdb.pool.Connector;
import java.io.IOException;
import java.io.InputStream;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Savepoint;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.function.Consumer;
import java.util.stream.Collectors;
import org.postgresql.copy.CopyManager;
import org.postgresql.core.BaseConnection;

/**
 * Loads a botdb archive into a PostgreSQL database the way pg_restore -j does, and faster: the
 * schema in one transaction, the rows with COPY on several connections at once (a table that is
 * most of the database through {@link SplitLoad}), then indexes and constraints on several
 * connections, the longest builds first ({@link PostDataPlan}), then foreign keys, then the rest.
 * A failure at any point leaves the target as it was.
 */
public final class PgRestore {
    private PgRestore() {
    }

    /** The whole archive into {@code target}, which must exist and hold nothing (the caller checked). */
    public static void load(ArchiveReader archive, Manifest manifest, SchemaDump schema, PostgresTarget target, int jobs,
                            Consumer<String> log) throws SQLException, IOException {
        preData(schema, target, log);
        EarlyKeys early = EarlyKeys.create(target, schema, log);
        SchemaDump rest = early.rest(); // the statements still to run
        rows(archive, manifest, rest, early, target, jobs, log);
        sequenceValues(rest, target, log);
        postData(rest, target, jobs, log);
        flush(target);
    }

    /** Types, tables, functions...: everything the rows need, in one transaction. */
    private static void preData(SchemaDump schema, PostgresTarget target, Consumer<String> log) throws SQLException {
        try (Connection c = Connector.open(target)) {
            session(c, schema);
            c.setAutoCommit(false);
            try (Statement st = c.createStatement()) {
                for (DdlStatement d : schema.statements()) {
                    if (d.section() == Section.PRE_DATA) {
                        execute(c, st, d, log);
                    }
                }
            }
            c.commit();
        }
    }

    /**
     * Every table's rows: the largest first, a table that is most of the database split over every
     * connection, the others one per connection.
     */
    private static void rows(ArchiveReader archive, Manifest manifest, SchemaDump rest, EarlyKeys early,
                             PostgresTarget target, int jobs, Consumer<String> log) throws SQLException, IOException {
        Set<String> referenced = early.referenced();
        boolean replica = early.created() > 0;
        Progress progress = Progress.start("Restore", manifest.tables().size(), log);
        List<Manifest.Table> bySize = manifest.tables().stream()
                .sorted(Comparator.comparingLong(Manifest.Table::bytes).reversed()).toList();
        Map<String, List<String>> columns = rest.tables().stream().collect(Collectors.toMap(
                t -> t.name().schema() + "." + t.name().name(), t -> t.copyColumns(), (a, b) -> a));
        // a table that is most of the database loads on every connection at once
        List<Manifest.Table> split = jobs < 2 ? List.of() : bySize.stream()
                .filter(t -> t.bytes() >= SplitLoad.splitFrom && t.rowsHash() != null).toList();
        for (Manifest.Table t : split) {
            SplitLoad.load(archive, t, Objects.requireNonNull(columns.get(t.qualified()), t.qualified()), target, rest,
                    jobs, replica);
            progress.tableDone(t.bytes());
        }
        ConcurrentLinkedQueue<Manifest.Table> queue = new ConcurrentLinkedQueue<>(bySize);
        queue.removeAll(split);
        parallel(target, rest, jobs, replica, c -> {
            CopyManager copy = new CopyManager(c.unwrap(BaseConnection.class));
            Manifest.Table t;
            c.setAutoCommit(false);
            try (Statement st = c.createStatement()) {
                while ((t = queue.poll()) != null) {
                    copyTable(archive, t, Objects.requireNonNull(columns.get(t.qualified()), t.qualified()),
                            !referenced.contains(new QualifiedName(t.schema(), t.name()).sql()), copy, st);
                    c.commit();
                    progress.tableDone(t.bytes());
                }
            } catch (SQLException | IOException | RuntimeException e) {
                c.rollback();
                throw e;
            }
        });
        progress.finish();
    }

    /**
     * One table's rows in one COPY. Emptied in the same transaction, the new table takes its rows
     * already frozen: no later pass of the server (the first reads, the verify, autovacuum)
     * rewrites every page to set hint bits or freeze them (not a table a foreign key already points
     * at: TRUNCATE refuses those).
     */
    private static void copyTable(ArchiveReader archive, Manifest.Table t, List<String> columns, boolean freeze,
                                  CopyManager copy, Statement st) throws SQLException, IOException {
        String table = new QualifiedName(t.schema(), t.name()).sql();
        if (freeze) {
            st.execute("TRUNCATE ONLY " + table);
        }
        try (InputStream in = archive.openEntry(t.entry())) {
            long rows = copy.copyIn("COPY " + table + " (" + String.join(", ", columns) + ") FROM STDIN"
                    + (freeze ? t.copyOptions("FREEZE") : t.copyOptions()), in);
            if (rows != t.rows()) {
                throw new BotDbException(ErrorCode.BACKUP_INVALID, t.qualified() + ": the archive holds " + rows
                        + " rows, its manifest says " + t.rows() + ". The backup is damaged.");
            }
        }
    }

    private static void sequenceValues(SchemaDump rest, PostgresTarget target, Consumer<String> log) throws SQLException {
        try (Connection c = Connector.open(target); Statement st = c.createStatement()) {
            session(c, rest);
            for (DdlStatement d : rest.sequenceValues()) {
                execute(c, st, d, log);
            }
        }
    }

    /** Indexes, keys, constraints, triggers...: phase by phase, each phase's lanes in parallel. */
    private static void postData(SchemaDump rest, PostgresTarget target, int jobs, Consumer<String> log)
            throws SQLException, IOException {
        long postStart = System.nanoTime();
        SchemaDump post = PostDataPlan.keysAsIndexes(rest);
        int[] phases = post.statements().stream().filter(d -> d.section() == Section.POST_DATA)
                .mapToInt(DdlStatement::phase).distinct().sorted().toArray();
        for (int phase : phases) {
            PostDataPlan plan = PostDataPlan.of(post, phase);
            parallel(target, rest, Math.min(jobs, Math.max(1, plan.size())), c -> {
                try (Statement st = c.createStatement()) {
                    PostDataPlan.Task task;
                    while ((task = plan.next()) != null) {
                        try {
                            for (DdlStatement d : task.statements()) {
                                execute(c, st, d, log);
                            }
                        } catch (SQLException | RuntimeException e) {
                            plan.abandon();
                            throw e;
                        } finally {
                            plan.done(task);
                        }
                    }
                }
            });
        }
        log.accept(String.format(java.util.Locale.ROOT, "[Restore] indexes, keys and constraints: %d statements in %.1f s",
                post.statements().stream().filter(d -> d.section() == Section.POST_DATA).count(),
                (System.nanoTime() - postStart) / 1e9));
    }

    private static void flush(PostgresTarget target) throws SQLException {
        try (Connection c = Connector.open(target); Statement st = c.createStatement()) {
            // one synchronous commit flushes every earlier asynchronous one: the restore is on disk
            c.setAutoCommit(false);
            st.execute("SET synchronous_commit = on");
            st.execute("SELECT 1");
            c.commit();
        }
    }

    public interface Work {
        void run(Connection c) throws Exception;
    }

    /** A loading session with the dump's own preamble (an empty search_path: every name in the DDL is qualified). */
    public static void session(Connection c, SchemaDump schema) throws SQLException {
        PgSession.forLoading(c);
        try (Statement st = c.createStatement()) {
            for (String sql : schema.preamble()) {
                st.execute(sql);
            }
        }
    }

    /** Runs {@code work} on {@code jobs} connections at once, each its own loading session. */
    public static void parallel(PostgresTarget target, SchemaDump schema, int jobs, Work work) throws SQLException, IOException {
        parallel(target, schema, jobs, false, work);
    }

    /**
     * As {@link #parallel(PostgresTarget, SchemaDump, int, Work)}; {@code replica}: the sessions fire
     * no triggers ({@code session_replication_role = replica}), so rows go into tables whose foreign
     * keys already exist without a check per row.
     */
    public static void parallel(PostgresTarget target, SchemaDump schema, int jobs, boolean replica, Work work)
            throws SQLException, IOException {
        ExecutorService pool = Executors.newFixedThreadPool(jobs, r -> {
            Thread t = new Thread(r, "botdb-restore");
            t.setDaemon(true);
            return t;
        });
        try {
            List<Future<?>> futures = new ArrayList<>();
            for (int i = 0; i < jobs; i++) {
                futures.add(pool.submit(() -> {
                    try (Connection c = Connector.open(target)) {
                        session(c, schema);
                        if (replica) {
                            try (Statement st = c.createStatement()) {
                                st.execute("SET session_replication_role = replica");
                            }
                        }
                        work.run(c);
                    }
                    return null;
                }));
            }
            for (Future<?> f : futures) {
                Futures.await(f);
            }
        } finally {
            pool.shutdownNow();
        }
    }

    /**
     * Runs one statement. Owner and grant statements for a role this server lacks (SQLSTATE
     * 42704) are skipped with a note instead of failing the restore: roles are not part of a
     * database backup.
     */
    public static void execute(Connection c, Statement st, DdlStatement d, Consumer<String> log) throws SQLException {
        boolean roleDependent = d.kind().equals("OWNER") || d.kind().equals("ACL") || d.kind().equals("DEFAULT ACL");
        Savepoint savepoint = roleDependent && !c.getAutoCommit() ? c.setSavepoint() : null;
        try {
            for (int attempt = 1; ; attempt++) {
                try {
                    st.execute(d.sql());
                    break;
                } catch (SQLException e) {
                    // two tables whose foreign keys point at each other, added at the same time on two
                    // connections, can deadlock; the server cancels one, which simply runs again
                    if (!"40P01".equals(e.getSQLState()) || !c.getAutoCommit() || attempt == 5) {
                        throw e;
                    }
                }
            }
            if (savepoint != null) {
                c.releaseSavepoint(savepoint);
            }
        } catch (SQLException e) {
            if (roleDependent && "42704".equals(e.getSQLState())) {
                if (savepoint != null) {
                    c.rollback(savepoint);
                }
                log.accept("[Restore] Skipped " + d.kind() + " (" + e.getMessage() + "): " + abbreviate(d.sql()));
                return;
            }
            throw new SQLException(d.kind() + " " + (d.object() == null ? "" : d.object().schema() + "." + d.object().name())
                    + ": " + e.getMessage() + "\n  statement: " + abbreviate(d.sql()), e.getSQLState(), e);
        }
    }

    private static String abbreviate(String sql) {
        String one = sql.replaceAll("\\s+", " ").trim();
        return one.length() <= 200 ? one : one.substring(0, 200) + "...";
    }

    /** The first few user objects of the target (tables, views, sequences, functions, types); empty = nothing to lose. */
    public static List<String> userObjects(Connection c, int limit) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement(TargetState.USER_OBJECTS)) {
            ps.setInt(1, limit);
            try (ResultSet rs = ps.executeQuery()) {
                List<String> names = new ArrayList<>();
                while (rs.next()) {
                    names.add(rs.getString(1));
                }
                return names;
            }
        }
    }
}
