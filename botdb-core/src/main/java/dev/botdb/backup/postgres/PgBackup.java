package dev.botdb.backup.postgres;

import dev.botdb.copy.RowsHash;
import dev.botdb.BotDbException;
import dev.botdb.ErrorCode;
import dev.botdb.backup.BackupRequest;
import dev.botdb.backup.BackupResult;
import dev.botdb.backup.BackupSettings;
import dev.botdb.backup.Backups;
import dev.botdb.backup.Manifest;
import dev.botdb.backup.archive.ArchiveWriter;
import dev.botdb.backup.archive.BackupKey;
import dev.botdb.backup.archive.Entries;
import dev.botdb.backup.archive.EntryInfo;
import dev.botdb.backup.archive.EntryOutput;
import dev.botdb.backup.schema.PgSchemaReader;
import dev.botdb.backup.schema.SchemaDump;
import dev.botdb.backup.schema.SchemaOptions;
import dev.botdb.backup.schema.TableInfo;
import dev.botdb.backup.tasks.Futures;
import dev.botdb.backup.tasks.Progress;
import dev.botdb.config.PostgresTarget;
import dev.botdb.pool.Connector;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.function.Consumer;
import org.postgresql.copy.CopyManager;
import org.postgresql.core.BaseConnection;

/**
 * A consistent snapshot of a PostgreSQL database into a botdb archive, without pg_dump: the schema
 * from the catalogs, each table's rows through {@code COPY ... TO STDOUT}, several tables at once
 * on connections that share one exported snapshot (so every table is seen at the same instant).
 */
public final class PgBackup {
    private PgBackup() {
    }

    public static BackupResult run(PostgresTarget target, BackupSettings settings, BackupRequest request,
                            Optional<BackupKey> key, Path file, Consumer<String> log) {
        long start = System.nanoTime();
        Instant at = Instant.now();
        ArchiveWriter archive = null;
        List<Connection> connections = new ArrayList<>();
        try {
            Connection leader = reader(target, null, connections);
            String snapshot = exportSnapshot(leader);
            SchemaDump schema = PgSchemaReader.read(leader, new SchemaOptions(request.tableNames(),
                    request.ownershipAndGrants()));
            List<TableInfo> tables = schema.tables().stream().filter(t -> !t.partitionedParent())
                    .sorted(Comparator.comparingLong(TableInfo::estimatedBytes).reversed()).toList();
            lockTables(leader, tables);
            Set<Integer> binary = binarySafe(leader, tables);
            schema.notes().forEach(n -> log.accept("[Backup] Note: " + n));
            int jobs = snapshot == null ? 1 : Math.max(1, Math.min(settings.jobs(), tables.size()));
            for (int i = 1; i < jobs; i++) {
                reader(target, snapshot, connections);
            }
            archive = ArchiveWriter.create(file, key, settings.zstdLevel());
            try (EntryOutput out = archive.openEntry(Entries.SCHEMA)) {
                out.write(schema.toJson().getBytes(StandardCharsets.UTF_8));
            }
            Progress progress = Progress.start("Backup", tables.size(), log);
            List<Manifest.Table> copied = copyAll(archive, tables, binary, connections, progress);
            progress.finish();
            long took = Duration.ofNanos(System.nanoTime() - start).toMillis();
            Manifest manifest = new Manifest(Manifest.FORMAT, Manifest.runningRelease(), "postgresql",
                    schema.serverVersion(), target.database(), at.toString(), took, !request.tables().isEmpty(),
                    request.ownershipAndGrants(), schema.checksum(), copied, schema.notes());
            archive.finish(manifest.toJson());
            archive = null;
            return new BackupResult(file, java.nio.file.Files.size(file), manifest);
        } catch (SQLException e) {
            throw new BotDbException(ErrorCode.BACKUP_FAILED, "Backup of " + target.displayName() + " failed: "
                    + e.getMessage() + ". No backup file was written.", e);
        } catch (java.io.IOException e) {
            throw new BotDbException(ErrorCode.BACKUP_FAILED, "Backup of " + target.displayName()
                    + " could not be written to " + file.getParent() + ": " + e.getMessage()
                    + ". Check free space and permissions; no backup file was left.", e);
        } finally {
            if (archive != null) {
                archive.abort();
            }
            for (Connection c : connections) {
                closeQuietly(c);
            }
        }
    }

    /** A read-only repeatable-read transaction, on {@code snapshot} when given; added to {@code opened} at once so it is closed. */
    private static Connection reader(PostgresTarget target, String snapshot, List<Connection> opened) throws SQLException {
        Connection c = Connector.open(target);
        opened.add(c);
        c.setAutoCommit(false);
        PgSession.forReading(c);
        try (Statement st = c.createStatement()) {
            st.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY");
            if (snapshot != null) {
                st.execute("SET TRANSACTION SNAPSHOT '" + snapshot + "'");
            }
        }
        return c;
    }

    /** The snapshot id other sessions can share, or null where that is impossible (a pooler in transaction mode, a standby without it). */
    private static String exportSnapshot(Connection leader) {
        try (Statement st = leader.createStatement(); ResultSet rs = st.executeQuery("SELECT pg_export_snapshot()")) {
            rs.next();
            return rs.getString(1);
        } catch (SQLException e) {
            return null;
        }
    }

    /** As pg_dump does: no table can be dropped or altered while its rows are copied. */
    private static void lockTables(Connection leader, List<TableInfo> tables) throws SQLException {
        try (Statement st = leader.createStatement()) {
            st.execute("SET LOCAL lock_timeout = '30s'");
            for (TableInfo t : tables) {
                st.execute("LOCK TABLE " + t.name().sql() + " IN ACCESS SHARE MODE");
            }
        }
    }

    /**
     * Column types whose binary form means the same in any database: built-in types (and arrays
     * of them), enums (sent as their label) and domains over built-in types. Not: arrays of enums,
     * composite or extension types (their binary form carries this database's type OIDs), types
     * without binary I/O.
     */
    private static final String BINARY_SAFE = """
            SELECT r.i
            FROM unnest(?::text[]) WITH ORDINALITY AS r(name, i)
            WHERE NOT EXISTS (
              SELECT
              FROM pg_attribute a
              JOIN pg_type t ON t.oid = a.atttypid
              LEFT JOIN pg_type e ON e.oid = t.typelem AND t.typcategory = 'A'
              WHERE a.attrelid = r.name::regclass
                AND a.attnum > 0
                AND NOT a.attisdropped
                AND a.attgenerated = ''
                AND NOT ((t.oid < 16384 OR t.typtype = 'e' OR (t.typtype = 'd' AND t.typbasetype < 16384))
                         AND t.typsend <> 0 AND t.typreceive <> 0
                         AND (e.oid IS NULL OR (e.oid < 16384 AND e.typsend <> 0 AND e.typreceive <> 0))))
            """;

    /** Positions (in {@code tables}) of the tables whose rows are copied in binary: the server reads and writes that far faster than text. */
    private static Set<Integer> binarySafe(Connection c, List<TableInfo> tables) throws SQLException {
        Set<Integer> safe = new HashSet<>();
        try (PreparedStatement ps = c.prepareStatement(BINARY_SAFE)) {
            ps.setArray(1, c.createArrayOf("text", tables.stream().map(t -> t.name().sql()).toArray()));
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    safe.add(rs.getInt(1) - 1);
                }
            }
        }
        return safe;
    }

    private static List<Manifest.Table> copyAll(ArchiveWriter archive, List<TableInfo> tables, Set<Integer> binary,
                                                List<Connection> connections, Progress progress)
            throws SQLException, java.io.IOException {
        ConcurrentLinkedQueue<Integer> queue = new ConcurrentLinkedQueue<>();
        for (int i = 0; i < tables.size(); i++) {
            queue.add(i);
        }
        Manifest.Table[] done = new Manifest.Table[tables.size()];
        ExecutorService pool = Executors.newFixedThreadPool(connections.size(), r -> {
            Thread t = new Thread(r, "botdb-backup");
            t.setDaemon(true);
            return t;
        });
        try {
            List<Future<?>> workers = new ArrayList<>();
            for (Connection c : connections) {
                workers.add(pool.submit(() -> {
                    CopyManager copy = new CopyManager(c.unwrap(BaseConnection.class));
                    Integer i;
                    while ((i = queue.poll()) != null) {
                        TableInfo t = tables.get(i);
                        String entry = Entries.data(i);
                        long rows;
                        EntryInfo info;
                        boolean inBinary = binary.contains(i);
                        RowsHash rowsHash = new RowsHash(inBinary);
                        try (EntryOutput out = archive.openEntry(entry)) {
                            rows = copy.copyOut("COPY " + t.copyTarget() + " TO STDOUT"
                                    + (inBinary ? " WITH (FORMAT binary)" : ""), new Tee(out, rowsHash));
                            info = out.closeEntry();
                        }
                        done[i] = new Manifest.Table(t.name().schema(), t.name().name(), entry, rows,
                                info.rawBytes(), info.sha256(), rowsHash.hex(),
                                inBinary ? Manifest.Table.BINARY : Manifest.Table.TEXT);
                        progress.tableDone(info.rawBytes());
                    }
                    return null;
                }));
            }
            for (Future<?> f : workers) {
                Futures.await(f);
            }
        } finally {
            pool.shutdownNow();
        }
        return List.of(done);
    }

    /** Writes to the archive entry and to the rows' hash. */
    private static final class Tee extends java.io.OutputStream {
        private final java.io.OutputStream first;
        private final java.io.OutputStream second;

        Tee(java.io.OutputStream first, java.io.OutputStream second) {
            this.first = first;
            this.second = second;
        }

        @Override
        public void write(int b) throws java.io.IOException {
            first.write(b);
            second.write(b);
        }

        @Override
        public void write(byte[] b, int off, int len) throws java.io.IOException {
            first.write(b, off, len);
            second.write(b, off, len);
        }
    }

    public static void closeQuietly(Connection c) {
        try {
            c.close();
        } catch (SQLException | RuntimeException e) {
            // closing after a failure: the failure is what gets reported
        }
    }
}
