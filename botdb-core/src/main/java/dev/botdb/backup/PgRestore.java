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
import java.sql.Savepoint;
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
        EarlyKeys early = EarlyKeys.create(target, schema, log);
        SchemaDump rest = early.rest(); // the statements still to run
        Set<String> referenced = early.referenced();
        boolean replica = early.created() > 0;
        Progress progress = Progress.start("Restore", manifest.tables().size(), log);
        List<Manifest.Table> bySize = manifest.tables().stream()
                .sorted(Comparator.comparingLong(Manifest.Table::bytes).reversed()).toList();
        Map<String, List<String>> columns = rest.tables().stream().collect(Collectors.toMap(
                t -> t.name().schema() + "." + t.name().name(), t -> t.copyColumns(), (a, b) -> a));
        // a table that is most of the database would otherwise load on one connection while the
        // others idle: its rows are cut into blocks at row ends and loaded by every connection
        List<Manifest.Table> split = jobs < 2 ? List.of() : bySize.stream()
                .filter(t -> t.bytes() >= splitFrom && t.rowsHash() != null).toList();
        for (Manifest.Table t : split) {
            loadSplit(archive, t, Objects.requireNonNull(columns.get(t.qualified()), t.qualified()), target, rest, jobs,
                    replica);
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
                    List<String> cols = Objects.requireNonNull(columns.get(t.qualified()), t.qualified());
                    String table = new QualifiedName(t.schema(), t.name()).sql();
                    // emptied in the same transaction, the new table takes its rows already frozen: no
                    // later pass of the server (the first reads, the verify, autovacuum) rewrites every
                    // page to set hint bits or freeze them (not a table a foreign key already points
                    // at: TRUNCATE refuses those)
                    boolean freeze = !referenced.contains(table);
                    if (freeze) {
                        st.execute("TRUNCATE ONLY " + table);
                    }
                    try (InputStream in = archive.openEntry(t.entry())) {
                        long rows = copy.copyIn("COPY " + table + " (" + String.join(", ", cols)
                                + ") FROM STDIN" + (freeze ? t.copyOptions("FREEZE") : t.copyOptions()), in);
                        if (rows != t.rows()) {
                            throw new BotDbException(ErrorCode.BACKUP_INVALID, t.qualified() + ": the archive holds "
                                    + rows + " rows, its manifest says " + t.rows() + ". The backup is damaged.");
                        }
                    }
                    c.commit();
                    progress.tableDone(t.bytes());
                }
            } catch (SQLException | IOException | RuntimeException e) {
                c.rollback();
                throw e;
            }
        });
        progress.finish();
        try (Connection c = Connector.open(target); Statement st = c.createStatement()) {
            session(c, rest);
            for (DdlStatement d : rest.sequenceValues()) {
                execute(c, st, d, log);
            }
        }
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
        try (Connection c = Connector.open(target); Statement st = c.createStatement()) {
            // one synchronous commit flushes every earlier asynchronous one: the restore is on disk
            c.setAutoCommit(false);
            st.execute("SET synchronous_commit = on");
            st.execute("SELECT 1");
            c.commit();
        }
    }

    /** Tables at least this big (as COPY text) are loaded by all connections at once (tests lower it). */
    static volatile long splitFrom = 64L << 20;
    private static final int BLOCK = 1 << 20;
    private static final byte[] END = new byte[0];

    /**
     * One table's rows on {@code jobs} connections: one thread reads the entry and cuts it into
     * blocks of about 1 MiB that end at a row end (a raw newline: COPY text escapes the ones in
     * values), each connection runs one COPY fed from the shared queue of blocks. The rows land
     * in another physical order than in the backup, which the manifest's order-free rows hash
     * allows for.
     */
    private static void loadSplit(ArchiveReader archive, Manifest.Table t, List<String> cols, PostgresTarget target,
                                  SchemaDump schema, int jobs, boolean replica) throws SQLException, IOException {
        String sql = "COPY " + new QualifiedName(t.schema(), t.name()).sql() + " (" + String.join(", ", cols)
                + ") FROM STDIN" + t.copyOptions();
        java.util.concurrent.BlockingQueue<byte[]> blocks = new java.util.concurrent.ArrayBlockingQueue<>(jobs * 4);
        java.util.concurrent.atomic.AtomicInteger consumersDone = new java.util.concurrent.atomic.AtomicInteger();
        java.util.concurrent.atomic.AtomicLong rows = new java.util.concurrent.atomic.AtomicLong();
        java.util.concurrent.atomic.AtomicReference<Throwable> readFailure = new java.util.concurrent.atomic.AtomicReference<>();
        Thread reader = new Thread(() -> {
            try (InputStream in = archive.openEntry(t.entry())) {
                if (t.binary()) {
                    cutTuples(in, blocks, consumersDone, jobs);
                    return;
                }
                byte[] carry = new byte[0];
                byte[] buffer = new byte[BLOCK];
                int n;
                while ((n = in.readNBytes(buffer, 0, BLOCK)) > 0) {
                    byte[] data = new byte[carry.length + n];
                    System.arraycopy(carry, 0, data, 0, carry.length);
                    System.arraycopy(buffer, 0, data, carry.length, n);
                    int cut = data.length;
                    while (cut > 0 && data[cut - 1] != '\n') {
                        cut--;
                    }
                    carry = java.util.Arrays.copyOfRange(data, cut, data.length);
                    if (cut > 0 && !hand(blocks, java.util.Arrays.copyOf(data, cut), consumersDone, jobs)) {
                        return;
                    }
                }
                if (carry.length > 0) {
                    hand(blocks, carry, consumersDone, jobs);
                }
            } catch (Throwable e) {
                readFailure.set(e);
            } finally {
                for (int i = 0; i < jobs; i++) {
                    try {
                        if (!hand(blocks, END, consumersDone, jobs)) {
                            break;
                        }
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                        break;
                    }
                }
            }
        }, "botdb-restore-reader");
        reader.setDaemon(true);
        reader.start();
        try {
            parallel(target, schema, jobs, replica, c -> {
                try {
                    rows.addAndGet(new CopyManager(c.unwrap(BaseConnection.class)).copyIn(sql,
                            new Blocks(blocks, t.binary())));
                } finally {
                    consumersDone.incrementAndGet();
                }
            });
        } finally {
            try {
                reader.join();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        Throwable failure = readFailure.get();
        if (failure instanceof IOException io) {
            throw io;
        }
        if (failure instanceof RuntimeException r) {
            throw r;
        }
        if (failure != null) {
            throw new IOException(failure);
        }
        if (rows.get() != t.rows()) {
            throw new BotDbException(ErrorCode.BACKUP_INVALID, t.qualified() + ": the archive holds " + rows.get()
                    + " rows, its manifest says " + t.rows() + ". The backup is damaged.");
        }
    }

    /**
     * Binary rows cut into blocks of whole tuples (each connection's COPY gets its own header and
     * end marker from {@link Blocks}); fails when the entry ends inside a tuple or without its end
     * marker.
     */
    private static void cutTuples(InputStream in, java.util.concurrent.BlockingQueue<byte[]> blocks,
                                  java.util.concurrent.atomic.AtomicInteger consumersDone, int jobs)
            throws IOException, InterruptedException {
        java.io.ByteArrayOutputStream block = new java.io.ByteArrayOutputStream(BLOCK + (BLOCK >> 2));
        boolean[] stopped = new boolean[1];
        BinaryCopy tuples = new BinaryCopy() {
            @Override
            protected void row(byte[] b, int off, int len) {
                block.write(b, off, len);
                if (block.size() >= BLOCK && !stopped[0]) {
                    try {
                        stopped[0] = !hand(blocks, block.toByteArray(), consumersDone, jobs);
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                        stopped[0] = true;
                    }
                    block.reset();
                }
            }
        };
        byte[] buffer = new byte[BLOCK];
        int n;
        while (!stopped[0] && (n = in.read(buffer)) > 0) {
            tuples.write(buffer, 0, n);
        }
        if (stopped[0]) {
            return;
        }
        if (!tuples.ended()) {
            throw new IOException("the rows end inside a row or without COPY's end marker: the backup is damaged");
        }
        if (block.size() > 0) {
            hand(blocks, block.toByteArray(), consumersDone, jobs);
        }
    }

    /** Queues a block; false when every connection has stopped taking them. */
    private static boolean hand(java.util.concurrent.BlockingQueue<byte[]> blocks, byte[] block,
                                java.util.concurrent.atomic.AtomicInteger consumersDone, int consumers)
            throws InterruptedException {
        while (!blocks.offer(block, 100, java.util.concurrent.TimeUnit.MILLISECONDS)) {
            if (consumersDone.get() >= consumers) {
                return false;
            }
        }
        return true;
    }

    /** One connection's COPY input: blocks from the shared queue until an end marker. */
    private static final class Blocks extends InputStream {
        private final java.util.concurrent.BlockingQueue<byte[]> blocks;
        private final boolean binary;
        private byte[] current;
        private int position;
        private boolean ended;
        private boolean trailerSent;

        /** {@code binary}: the stream starts with COPY's binary header and ends with its end marker. */
        Blocks(java.util.concurrent.BlockingQueue<byte[]> blocks, boolean binary) {
            this.blocks = blocks;
            this.binary = binary;
            this.current = binary ? BinaryCopy.HEADER : new byte[0];
        }

        private boolean next() throws IOException {
            while (position == current.length) {
                if (ended) {
                    if (binary && !trailerSent) {
                        trailerSent = true;
                        current = BinaryCopy.TRAILER;
                        position = 0;
                        return true;
                    }
                    return false;
                }
                try {
                    current = blocks.take();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new java.io.InterruptedIOException("restore interrupted");
                }
                position = 0;
                if (current == END) {
                    ended = true;
                    current = new byte[0];
                }
            }
            return true;
        }

        @Override
        public int read() throws IOException {
            return next() ? current[position++] & 0xff : -1;
        }

        @Override
        public int read(byte[] b, int off, int len) throws IOException {
            if (len == 0) {
                return 0;
            }
            if (!next()) {
                return -1;
            }
            int n = Math.min(len, current.length - position);
            System.arraycopy(current, position, b, off, n);
            position += n;
            return n;
        }
    }

    interface Work {
        void run(Connection c) throws Exception;
    }

    /** A loading session with the dump's own preamble (an empty search_path: every name in the DDL is qualified). */
    static void session(Connection c, SchemaDump schema) throws SQLException {
        PgSession.forLoading(c, INDEX_MEMORY);
        try (Statement st = c.createStatement()) {
            for (String sql : schema.preamble()) {
                st.execute(sql);
            }
        }
    }

    /** Runs {@code work} on {@code jobs} connections at once, each its own loading session. */
    static void parallel(PostgresTarget target, SchemaDump schema, int jobs, Work work) throws SQLException, IOException {
        parallel(target, schema, jobs, false, work);
    }

    /**
     * As {@link #parallel(PostgresTarget, SchemaDump, int, Work)}; {@code replica}: the sessions fire
     * no triggers ({@code session_replication_role = replica}), so rows go into tables whose foreign
     * keys already exist without a check per row.
     */
    static void parallel(PostgresTarget target, SchemaDump schema, int jobs, boolean replica, Work work)
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
    static void execute(Connection c, Statement st, DdlStatement d, Consumer<String> log) throws SQLException {
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
