package dev.botdb.backup;

import dev.botdb.BotDbException;
import dev.botdb.ErrorCode;
import dev.botdb.backup.archive.ArchiveReader;
import dev.botdb.backup.schema.DdlStatement;
import dev.botdb.backup.schema.QualifiedName;
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
import java.sql.Statement;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
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
 * schema in one transaction, the rows with COPY on several connections at once, then indexes and
 * constraints table by table on several connections with generous maintenance memory, then
 * foreign keys, then the rest. A failure at any point leaves the target as it was.
 */
final class PgRestore {
    /** Memory for each index build; pg_restore leaves the server default (64 MB). */
    static final String INDEX_MEMORY = "256MB";

    private PgRestore() {
    }

    /** The whole archive into {@code target}, which must exist and hold nothing (the caller checked). */
    static void load(ArchiveReader archive, Manifest manifest, SchemaDump schema, PostgresTarget target, int jobs,
                     Consumer<String> log) throws SQLException, IOException {
        try (Connection c = Connector.open(target)) {
            PgSession.forLoading(c, INDEX_MEMORY);
            c.setAutoCommit(false);
            Set<String> roles = roles(c);
            try (Statement st = c.createStatement()) {
                for (DdlStatement d : schema.statements()) {
                    if (d.section() == Section.PRE_DATA && applies(d, roles, log)) {
                        execute(st, d);
                    }
                }
            }
            c.commit();
        }
        Progress progress = Progress.start("Restore", manifest.tables().size(), log);
        List<Manifest.Table> bySize = manifest.tables().stream()
                .sorted(Comparator.comparingLong(Manifest.Table::bytes).reversed()).toList();
        ConcurrentLinkedQueue<Manifest.Table> queue = new ConcurrentLinkedQueue<>(bySize);
        Map<String, List<String>> columns = schema.tables().stream().collect(Collectors.toMap(
                t -> t.name().schema() + "." + t.name().name(), t -> t.copyColumns(), (a, b) -> a));
        parallel(target, jobs, c -> {
            CopyManager copy = new CopyManager(c.unwrap(BaseConnection.class));
            Manifest.Table t;
            while ((t = queue.poll()) != null) {
                List<String> cols = Objects.requireNonNull(columns.get(t.qualified()), t.qualified());
                try (InputStream in = archive.openEntry(t.entry())) {
                    long rows = copy.copyIn("COPY " + new QualifiedName(t.schema(), t.name()).sql() + " ("
                            + String.join(", ", cols) + ") FROM STDIN", in);
                    if (rows != t.rows()) {
                        throw new BotDbException(ErrorCode.BACKUP_INVALID, t.qualified() + ": the archive holds "
                                + rows + " rows, its manifest says " + t.rows() + ". The backup is damaged.");
                    }
                }
                progress.tableDone(t.bytes());
            }
        });
        progress.finish();
        try (Connection c = Connector.open(target); Statement st = c.createStatement()) {
            PgSession.forLoading(c, INDEX_MEMORY);
            for (DdlStatement d : schema.sequenceValues()) {
                execute(st, d);
            }
        }
        Set<String> roles;
        try (Connection c = Connector.open(target)) {
            roles = roles(c);
        }
        int[] phases = schema.statements().stream().filter(d -> d.section() == Section.POST_DATA)
                .mapToInt(DdlStatement::phase).distinct().sorted().toArray();
        for (int phase : phases) {
            Map<String, List<DdlStatement>> byTable = new LinkedHashMap<>();
            for (DdlStatement d : schema.statements()) {
                if (d.section() == Section.POST_DATA && d.phase() == phase && applies(d, roles, log)) {
                    String key = d.table() == null ? "" : d.table().schema() + "." + d.table().name();
                    byTable.computeIfAbsent(key, k -> new ArrayList<>()).add(d);
                }
            }
            ConcurrentLinkedQueue<List<DdlStatement>> groups = new ConcurrentLinkedQueue<>(byTable.values());
            parallel(target, Math.min(jobs, Math.max(1, groups.size())), c -> {
                try (Statement st = c.createStatement()) {
                    List<DdlStatement> group;
                    while ((group = groups.poll()) != null) {
                        for (DdlStatement d : group) {
                            execute(st, d);
                        }
                    }
                }
            });
        }
        try (Connection c = Connector.open(target); Statement st = c.createStatement()) {
            // one synchronous commit flushes every earlier asynchronous one: the restore is on disk
            c.setAutoCommit(false);
            st.execute("SET synchronous_commit = on");
            st.execute("SELECT 1");
            c.commit();
        }
    }

    interface Work {
        void run(Connection c) throws Exception;
    }

    /** Runs {@code work} on {@code jobs} connections at once, each its own loading session. */
    static void parallel(PostgresTarget target, int jobs, Work work) throws SQLException, IOException {
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
                        PgSession.forLoading(c, INDEX_MEMORY);
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

    private static void execute(Statement st, DdlStatement d) throws SQLException {
        try {
            st.execute(d.sql());
        } catch (SQLException e) {
            throw new SQLException(d.kind() + " " + (d.object() == null ? "" : d.object().schema() + "." + d.object().name())
                    + ": " + e.getMessage() + "\n  statement: " + abbreviate(d.sql()), e.getSQLState(), e);
        }
    }

    private static String abbreviate(String sql) {
        String one = sql.replaceAll("\\s+", " ").trim();
        return one.length() <= 200 ? one : one.substring(0, 200) + "...";
    }

    /** Owner and grant statements only for roles the target has; the others are skipped with a note. */
    private static boolean applies(DdlStatement d, Set<String> roles, Consumer<String> log) {
        if (d.role() == null || roles.contains(d.role())) {
            return true;
        }
        log.accept("[Restore] Skipped (role " + d.role() + " does not exist here): " + abbreviate(d.sql()));
        return false;
    }

    private static Set<String> roles(Connection c) throws SQLException {
        try (Statement st = c.createStatement(); ResultSet rs = st.executeQuery("SELECT rolname FROM pg_catalog.pg_roles")) {
            Set<String> roles = new java.util.HashSet<>();
            while (rs.next()) {
                roles.add(rs.getString(1));
            }
            return roles;
        }
    }

    /** The first few user objects of the target (tables, views, sequences, functions, types); empty = nothing to lose. */
    static List<String> userObjects(Connection c, int limit) throws SQLException {
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
