package dev.botdb.backup.sqlite;

import dev.botdb.BotDbException;
import dev.botdb.ErrorCode;
import dev.botdb.backup.BackupRequest;
import dev.botdb.backup.BackupResult;
import dev.botdb.backup.BackupSettings;
import dev.botdb.backup.Backups;
import dev.botdb.backup.Manifest;
import dev.botdb.backup.RestoreRequest;
import dev.botdb.backup.RestoreResult;
import dev.botdb.backup.VerifyResult;
import dev.botdb.backup.archive.ArchiveReader;
import dev.botdb.backup.archive.ArchiveWriter;
import dev.botdb.backup.archive.BackupKey;
import dev.botdb.backup.archive.Entries;
import dev.botdb.backup.archive.EntryOutput;
import dev.botdb.config.SqliteTarget;
import dev.botdb.dialect.Dialect;
import dev.botdb.text.Human;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.MessageDigest;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;
import java.util.function.Consumer;

/**
 * SQLite backups: {@code VACUUM INTO} takes a consistent copy while the bot keeps writing (it is
 * one read transaction), the copy goes into a botdb archive with per-table row counts and
 * checksums; a restore copies the pages back with SQLite's online backup API in one step.
 */
public final class SqliteBackup {
    private SqliteBackup() {
    }

    public static BackupResult run(SqliteTarget target, BackupSettings settings, Optional<BackupKey> key, Path file,
                            Consumer<String> log) {
        long start = System.nanoTime();
        Instant at = Instant.now();
        if (target.inMemory()) {
            throw new BotDbException(ErrorCode.USAGE, "An in-memory SQLite database has nothing to back up: it lives only"
                    + " inside the bot's process. Point DATABASE_URL at a file (sqlite:///bot.db).");
        }
        if (!Files.isRegularFile(target.path())) {
            throw new BotDbException(ErrorCode.DATABASE_MISSING, "The SQLite database " + target.path() + " does not exist.");
        }
        Path snapshot = null;
        ArchiveWriter archive = null;
        try {
            snapshot = tempFile(file.getParent(), ".snapshot-");
            Files.delete(snapshot); // VACUUM INTO wants to create it
            try (Connection c = open(target.path()); Statement st = c.createStatement()) {
                st.execute("VACUUM INTO '" + snapshot.toString().replace("'", "''") + "'");
            }
            Files.setPosixFilePermissions(snapshot, PosixFilePermissions.fromString("rw-------"));
            Contents contents = contents(snapshot);
            archive = ArchiveWriter.create(file, key, settings.zstdLevel());
            try (EntryOutput out = archive.openEntry(Entries.SQLITE)) {
                Files.copy(snapshot, out);
                out.closeEntry();
            }
            Manifest manifest = new Manifest(Manifest.FORMAT, Manifest.runningRelease(), "sqlite", contents.version,
                    target.path().getFileName().toString(), at.toString(), (System.nanoTime() - start) / 1_000_000, false,
                    false, contents.schemaChecksum, contents.tables, List.of());
            archive.finish(manifest.toJson());
            archive = null;
            log.accept("[Backup] Wrote " + file + " (" + Human.bytes(Files.size(file)) + ", " + manifest.tables().size()
                    + " tables, " + manifest.totalRows() + " rows)");
            return new BackupResult(file, Files.size(file), manifest);
        } catch (SQLException | IOException e) {
            throw new BotDbException(ErrorCode.BACKUP_FAILED, "Backup of " + target.displayName() + " failed: "
                    + e.getMessage() + ". No backup file was left; if the disk is full, free space in "
                    + file.getParent().toAbsolutePath() + " (a SQLite backup needs about the database's size twice).", e);
        } finally {
            if (archive != null) {
                archive.abort();
            }
            deleteQuietly(snapshot);
            if (snapshot != null) {
                for (String suffix : List.of("-journal", "-wal", "-shm")) {
                    deleteQuietly(snapshot.resolveSibling(snapshot.getFileName() + suffix));
                }
            }
        }
    }

    public static RestoreResult restore(ArchiveReader archive, Manifest manifest, SqliteTarget to, RestoreRequest request,
                                 Backups backups, long start) throws IOException, SQLException {
        if (to.inMemory()) {
            throw new BotDbException(ErrorCode.USAGE, "Restoring into an in-memory SQLite database would vanish at once;"
                    + " give a file: `to` sqlite:///bot.db");
        }
        Path dir = to.path().toAbsolutePath().getParent();
        Files.createDirectories(dir);
        Path copy = extract(archive, dir);
        try {
            Contents contents = contents(copy);
            if (!contents.schemaChecksum.equals(manifest.schemaChecksum())) {
                throw new BotDbException(ErrorCode.BACKUP_INVALID, "The database inside the backup does not match its"
                        + " manifest; the backup is damaged.");
            }
            Optional<Path> safety = Optional.empty();
            List<String> busy = Files.exists(to.path()) ? tablesWithRows(to.path(), request.tables()) : List.of();
            if (!busy.isEmpty()) {
                if (!request.force()) {
                    throw new BotDbException(ErrorCode.RESTORE_REFUSED, "Not restoring into " + to.path() + ": it holds"
                            + " data (" + String.join(", ", busy.subList(0, Math.min(5, busy.size()))) + "). Restore into"
                            + " a new file with `to` sqlite:///new.db, or add `force` to replace it (botdb backs it up first).");
                }
                safety = Optional.of(backups.safetyBackup(to, BackupRequest.all()));
            }
            long rows;
            try (Connection c = open(to.path()); Statement st = c.createStatement()) {
                if (request.tables().isEmpty()) {
                    // the online backup API: every page of the copy into the target in one step, under its write lock
                    st.executeUpdate("restore from '" + copy.toString().replace("'", "''") + "'");
                    rows = manifest.totalRows();
                } else {
                    rows = restoreTables(c, copy, manifest, request.tables());
                }
            }
            backups.log().accept("[Restore] Restored " + (request.tables().isEmpty() ? manifest.tables().size()
                    : request.tables().size()) + " table(s) into " + to.path());
            return new RestoreResult(request.tables().isEmpty() ? manifest.tables().size() : request.tables().size(), rows,
                    false, safety, (System.nanoTime() - start) / 1_000_000);
        } finally {
            deleteQuietly(copy);
        }
    }

    /** Chosen tables in one transaction: emptied (or created from the backup's definition), then filled. */
    private static long restoreTables(Connection c, Path copy, Manifest manifest, List<String> tables) throws SQLException {
        c.setAutoCommit(false);
        long rows = 0;
        try (Statement st = c.createStatement()) {
            st.execute("ATTACH DATABASE '" + copy.toString().replace("'", "''") + "' AS botdb_backup");
            for (String name : tables) {
                String table = name.contains(".") ? name.substring(name.indexOf('.') + 1) : name;
                if (manifest.tables().stream().noneMatch(t -> t.name().equals(table))) {
                    throw new BotDbException(ErrorCode.USAGE, "The backup has no table " + name + ". It has: "
                            + String.join(", ", manifest.tables().stream().map(Manifest.Table::name).toList()));
                }
                String q = Dialect.SQLITE.quote(table);
                boolean exists;
                try (ResultSet rs = st.executeQuery("SELECT count(*) FROM main.sqlite_schema WHERE type = 'table' AND name = '"
                        + table.replace("'", "''") + "'")) {
                    exists = rs.next() && rs.getInt(1) > 0;
                }
                if (exists) {
                    st.execute("DELETE FROM main." + q);
                } else {
                    List<String> ddl = new ArrayList<>();
                    try (ResultSet rs = st.executeQuery("SELECT sql FROM botdb_backup.sqlite_schema WHERE tbl_name = '"
                            + table.replace("'", "''") + "' AND sql IS NOT NULL ORDER BY type = 'table' DESC")) {
                        while (rs.next()) {
                            ddl.add(rs.getString(1));
                        }
                    }
                    for (String sql : ddl) {
                        st.execute(sql);
                    }
                }
                rows += st.executeUpdate("INSERT INTO main." + q + " SELECT * FROM botdb_backup." + q);
            }
            c.commit();
        } catch (SQLException | RuntimeException e) {
            c.rollback();
            throw e;
        } finally {
            c.setAutoCommit(true);
            try (Statement st = c.createStatement()) {
                st.execute("DETACH DATABASE botdb_backup");
            } catch (SQLException e) {
                // not attached
            }
        }
        return rows;
    }

    public static VerifyResult verify(Path file, ArchiveReader archive, Manifest manifest, long start) throws IOException, SQLException {
        Path copy = extract(archive, file.toAbsolutePath().getParent());
        try {
            List<String> problems = new ArrayList<>();
            try (Connection c = open(copy); Statement st = c.createStatement();
                 ResultSet rs = st.executeQuery("PRAGMA integrity_check")) {
                rs.next();
                if (!"ok".equals(rs.getString(1))) {
                    problems.add("PRAGMA integrity_check: " + rs.getString(1));
                }
            }
            Contents contents = contents(copy);
            if (!contents.schemaChecksum.equals(manifest.schemaChecksum())) {
                problems.add("the schema differs from the manifest's");
            }
            for (Manifest.Table expected : manifest.tables()) {
                Manifest.Table found = contents.tables.stream().filter(t -> t.name().equals(expected.name())).findFirst()
                        .orElse(null);
                if (found == null) {
                    problems.add(expected.name() + " is missing");
                } else if (found.rows() != expected.rows()) {
                    problems.add(expected.name() + ": " + found.rows() + " rows, the manifest says " + expected.rows());
                } else if (!found.sha256().equals(expected.sha256())) {
                    problems.add(expected.name() + ": the rows differ from the manifest's checksum");
                }
            }
            return new VerifyResult(file, problems, manifest.tables().size(), contents.tables.stream()
                    .mapToLong(Manifest.Table::rows).sum(), (System.nanoTime() - start) / 1_000_000);
        } finally {
            deleteQuietly(copy);
        }
    }

    private record Contents(String version, String schemaChecksum, List<Manifest.Table> tables) {
    }

    /** Row counts and checksums of every table, independent of row order (VACUUM may renumber rowids). */
    private static Contents contents(Path db) throws SQLException {
        try (Connection c = open(db); Statement st = c.createStatement()) {
            String version;
            try (ResultSet rs = st.executeQuery("SELECT sqlite_version()")) {
                rs.next();
                version = "SQLite " + rs.getString(1);
            }
            MessageDigest schema = sha256();
            List<String> tables = new ArrayList<>();
            try (ResultSet rs = st.executeQuery("SELECT type, name, tbl_name, sql FROM sqlite_schema ORDER BY type, name")) {
                while (rs.next()) {
                    for (int i = 1; i <= 4; i++) {
                        schema.update(String.valueOf(rs.getString(i)).getBytes(StandardCharsets.UTF_8));
                        schema.update((byte) 0);
                    }
                    if (rs.getString(1).equals("table") && !rs.getString(2).startsWith("sqlite_")) {
                        tables.add(rs.getString(2));
                    }
                }
            }
            List<Manifest.Table> result = new ArrayList<>();
            for (String table : tables) {
                String q = Dialect.SQLITE.quote(table);
                List<String> columns = new ArrayList<>();
                try (ResultSet rs = st.executeQuery("SELECT name FROM pragma_table_info('" + table.replace("'", "''") + "')")) {
                    while (rs.next()) {
                        columns.add("quote(" + Dialect.SQLITE.quote(rs.getString(1)) + ")");
                    }
                }
                MessageDigest rowsDigest = sha256();
                long rows = 0;
                long bytes = 0;
                try (ResultSet rs = st.executeQuery("SELECT " + String.join(" || ',' || ", columns) + " AS r FROM " + q
                        + " ORDER BY r")) {
                    while (rs.next()) {
                        byte[] row = (rs.getString(1) + "\n").getBytes(StandardCharsets.UTF_8);
                        rowsDigest.update(row);
                        bytes += row.length;
                        rows++;
                    }
                }
                result.add(new Manifest.Table("main", table, Entries.SQLITE, rows, bytes,
                        HexFormat.of().formatHex(rowsDigest.digest()), null, Manifest.Table.TEXT));
            }
            return new Contents(version, HexFormat.of().formatHex(schema.digest()), result);
        }
    }

    private static List<String> tablesWithRows(Path db, List<String> only) throws SQLException {
        List<String> busy = new ArrayList<>();
        try (Connection c = open(db); Statement st = c.createStatement()) {
            List<String> tables = new ArrayList<>();
            try (ResultSet rs = st.executeQuery("SELECT name FROM sqlite_schema WHERE type = 'table' AND name NOT LIKE 'sqlite_%'")) {
                while (rs.next()) {
                    tables.add(rs.getString(1));
                }
            }
            for (String t : tables) {
                if (!only.isEmpty() && only.stream().noneMatch(o -> o.equals(t) || o.endsWith("." + t))) {
                    continue;
                }
                try (ResultSet rs = st.executeQuery("SELECT EXISTS (SELECT 1 FROM " + Dialect.SQLITE.quote(t) + ")")) {
                    if (rs.next() && rs.getBoolean(1)) {
                        busy.add(t);
                    }
                }
            }
        }
        return busy;
    }

    private static Path extract(ArchiveReader archive, Path dir) throws IOException {
        Path copy = tempFile(dir, ".botdb-restore-");
        try (InputStream in = archive.openEntry(Entries.SQLITE)) {
            Files.copy(in, copy, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
        } catch (IOException | RuntimeException e) {
            deleteQuietly(copy);
            throw e;
        }
        return copy;
    }

    private static Path tempFile(Path dir, String prefix) throws IOException {
        return Files.createTempFile(dir, prefix, ".db",
                PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
    }

    private static Connection open(Path db) throws SQLException {
        Connection c = DriverManager.getConnection("jdbc:sqlite:" + db.toAbsolutePath());
        try (Statement st = c.createStatement()) {
            st.execute("PRAGMA busy_timeout = 10000");
        }
        return c;
    }

    private static MessageDigest sha256() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException("every JVM has SHA-256", e);
        }
    }

    public static void deleteQuietly(Path p) {
        if (p != null) {
            try {
                Files.deleteIfExists(p);
            } catch (IOException e) {
                // a temporary file; the next run's name differs
            }
        }
    }
}
