package dev.botdb.backup;

import dev.botdb.BotDbException;
import dev.botdb.ErrorCode;
import dev.botdb.backup.archive.ArchiveReader;
import dev.botdb.backup.archive.BackupKey;
import dev.botdb.backup.archive.Entries;
import dev.botdb.backup.postgres.PgBackup;
import dev.botdb.backup.postgres.Sessions;
import dev.botdb.backup.schema.SchemaDump;
import dev.botdb.backup.sqlite.SqliteBackup;
import dev.botdb.backup.tasks.Cleanups;
import dev.botdb.config.ConnectionTarget;
import dev.botdb.config.PostgresTarget;
import dev.botdb.config.SqliteTarget;
import dev.botdb.dialect.Dialect;
import dev.botdb.pool.Connector;
import dev.botdb.text.Human;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.function.Consumer;

/**
 * botdb's backups: {@code backup}, {@code restore}, {@code verify}, {@code list} and {@code prune}
 * for one database (PostgreSQL or SQLite). The entry point for the CLI and for library users.
 */
public final class Backups {
    static final DateTimeFormatter STAMP = DateTimeFormatter.ofPattern("yyyyMMdd'T'HHmmss'Z'", Locale.ROOT)
            .withZone(ZoneOffset.UTC);

    private final ConnectionTarget target;
    private final BackupSettings settings;
    private final Optional<BackupKey> key;
    private final Consumer<String> log;

    private Backups(ConnectionTarget target, BackupSettings settings, Optional<BackupKey> key, Consumer<String> log) {
        this.target = target;
        this.settings = settings;
        this.key = key;
        this.log = log;
    }

    /** Backups of {@code target} (a PostgreSQL server's database or a SQLite file), unencrypted. */
    public static Backups of(ConnectionTarget target, BackupSettings settings, Consumer<String> log) {
        return new Backups(target, settings, Optional.empty(), log);
    }

    /** The same, encrypting new backups with {@code key} and decrypting with it. */
    public Backups withKey(Optional<BackupKey> key) {
        return new Backups(target, settings, key, log);
    }

    /** Backups in {@code directory} without a database: for {@code list} and {@code prune}, which read only the files. */
    public static Backups folder(Path directory, Optional<BackupKey> key, Consumer<String> log) {
        return new Backups(new SqliteTarget(Path.of(":memory:"), "backups folder"), BackupSettings.of(directory), key, log);
    }


    /** A backup of the whole database into the backups folder. */
    public BackupResult backup() {
        return backup(BackupRequest.all());
    }

    /** A backup of the database or the chosen tables into the backups folder. */
    public BackupResult backup(BackupRequest request) {
        return backupNamed(request, null);
    }

    /** A backup whose file name starts with {@code prefix} (e.g. the safety backup before a forced restore). */
    BackupResult backupNamed(BackupRequest request, String prefix) {
        Path dir = prepareDirectory();
        String start = prefix == null ? "" : prefix + "-";
        if (target instanceof PostgresTarget pg) {
            Path file = freeName(dir, start + safeName(pg.database()) + tablesPart(request.tables()) + "-"
                    + STAMP.format(Instant.now()));
            log.accept("[Backup] Backing up " + pg.displayName() + " to " + file);
            BackupResult r = PgBackup.run(pg, settings, request, key, file, log);
            log.accept("[Backup] Wrote " + r.file() + " (" + Human.bytes(r.bytes()) + ", " + r.manifest().tables().size()
                    + " tables, " + r.manifest().totalRows() + " rows, " + r.manifest().durationMs() + " ms)");
            return r;
        }
        if (target instanceof SqliteTarget sqlite) {
            if (!request.tables().isEmpty()) {
                throw new BotDbException(ErrorCode.USAGE, "`table` is for PostgreSQL; a SQLite backup is always the whole"
                        + " file (restore `table` works on it).");
            }
            String base = sqlite.path() == null ? "memory" : sqlite.path().getFileName().toString().replaceFirst("\\.[^.]*$", "");
            Path file = freeName(dir, start + "sqlite_" + safeName(base) + "-" + STAMP.format(Instant.now()));
            log.accept("[Backup] Backing up " + sqlite.displayName() + " to " + file);
            return SqliteBackup.run(sqlite, settings, key, file, log);
        }
        throw new IllegalStateException("start the embedded server first: " + target.displayName());
    }

    private Path prepareDirectory() {
        Path dir = settings.directory();
        try {
            if (!Files.isDirectory(dir)) {
                Files.createDirectories(dir, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
            }
            return dir;
        } catch (IOException e) {
            throw new BotDbException(ErrorCode.BACKUP_FAILED, "Cannot create the backups folder " + dir.toAbsolutePath()
                    + ": " + e.getMessage() + ". Set BACKUP_DIR (or --out) to a folder botdb may write to.");
        }
    }

    /** {@code stem.botdb}, or {@code stem-2.botdb}, ... when a backup of the same second exists. */
    static Path freeName(Path dir, String stem) {
        for (int i = 1; ; i++) {
            String name = stem + (i == 1 ? "" : "-" + i) + ".botdb";
            if (!Files.exists(dir.resolve(name)) && !Files.exists(dir.resolve(name + ".partial"))) {
                return dir.resolve(name);
            }
        }
    }

    /** {@code -users}, {@code -users+orders}: a backup of chosen tables says which in its name (at most three named). */
    static String tablesPart(List<String> tables) {
        if (tables.isEmpty()) {
            return "";
        }
        String named = String.join("+", tables.stream().limit(3).map(Backups::safeName).toList());
        return "-" + named + (tables.size() > 3 ? "+" + (tables.size() - 3) + "_more" : "");
    }

    static String safeName(String name) {
        String s = name.replaceAll("[^A-Za-z0-9._-]", "_");
        return s.isEmpty() ? "db" : s;
    }

    /** Restores a whole backup into this target's database (which must be empty unless {@code force}). */
    public RestoreResult restore(Path file, ConnectionTarget to) {
        return restore(file, new RestoreRequest(to, List.of(), false));
    }

    /** Restores a backup as the request says. */
    public RestoreResult restore(Path file, RestoreRequest request) {
        return Restores.run(file, request, this);
    }

    /** Restores into a scratch database and compares it with the manifest. */
    public VerifyResult verify(Path file) {
        return Verifier.run(file, this);
    }

    /** Every file in the backups folder, newest first. */
    public List<BackupInfo> list() {
        return BackupFolder.list(settings.directory(), key);
    }

    /** Applies a retention policy to the backups folder; {@code dryRun} only reports. */
    public dev.botdb.backup.retention.RetentionPlan prune(dev.botdb.backup.retention.RetentionPolicy policy, boolean dryRun) {
        return BackupFolder.prune(settings.directory(), key, policy, dryRun, Instant.now(), log);
    }

    /** {@code backup --format pg_dump}: pg_dump's custom format, when a pg_dump that can dump this server is installed. */
    public BackupResult backupWithPgDump(BackupRequest request) {
        if (!(target instanceof PostgresTarget pg)) {
            throw new BotDbException(ErrorCode.USAGE, "`format` pg_dump is for PostgreSQL; a SQLite backup uses botdb's format.");
        }
        int major;
        try (Connection c = Connector.open(pg); Statement st = c.createStatement();
             ResultSet rs = st.executeQuery("SELECT current_setting('server_version_num')::int / 10000")) {
            rs.next();
            major = rs.getInt(1);
        } catch (SQLException e) {
            throw new BotDbException(ErrorCode.BACKUP_FAILED, "Cannot ask " + pg.displayName() + " for its version: "
                    + e.getMessage(), e);
        }
        return External.pgDump(pg, request, prepareDirectory(), major, log);
    }

    /** The newest complete backup in the folder. */
    public Optional<Path> newest() {
        return list().stream().filter(b -> b.kind().equals("botdb")).map(BackupInfo::file).findFirst();
    }

    ConnectionTarget target() {
        return target;
    }

    /** Where backups go, how many tables at once, the compression level. */
    public BackupSettings settings() {
        return settings;
    }

    /** The key backups are encrypted with, if any. */
    public Optional<BackupKey> key() {
        return key;
    }

    /** Where progress lines go. */
    public Consumer<String> log() {
        return log;
    }

    /**
     * Backs up {@code target} (its tables with rows, or all of it) into this backups folder under a
     * {@code pre-restore-} name, before something replaces its data; the file is the way back.
     */
    public Path safetyBackup(ConnectionTarget target, BackupRequest request) {
        return Backups.of(target, settings, log).withKey(key).backupNamed(request, "pre-restore").file();
    }

    /** Opens an archive for reading after checking every byte of it; nothing else is touched before this passes. */
    ArchiveReader openChecked(Path file) {
        if (!Files.isRegularFile(file)) {
            throw new BotDbException(ErrorCode.BACKUP_INVALID, file + " does not exist."
                    + (file.toString().endsWith(".partial") ? "" : " botdb backup list shows the backups there are."));
        }
        ArchiveReader reader = ArchiveReader.open(file, key);
        try {
            reader.verifyIntegrity();
            return reader;
        } catch (RuntimeException e) {
            reader.close();
            throw e;
        }
    }

    static SchemaDump schemaOf(ArchiveReader reader) throws IOException {
        try (var in = reader.openEntry(Entries.SCHEMA)) {
            return SchemaDump.fromJson(new String(in.readAllBytes(), StandardCharsets.UTF_8));
        }
    }

    /**
     * Whether a database's comment ({@code shobj_description(oid, 'pg_database')}) is the mark a
     * {@code botdb restore} leaves until it is done or undone, left by a process that is gone
     * (killed half way, SIGKILL): the database holds part of a backup. Returns the safety backup
     * the mark names (or "none ..." when the database was empty before).
     */
    public static Optional<String> interruptedRestore(String comment) {
        if (!Cleanups.leftByGoneProcess(comment, Sessions.RESTORING)) {
            return Optional.empty();
        }
        int at = comment.indexOf("; safety backup: ");
        return Optional.of(at < 0 ? "unknown" : comment.substring(at + "; safety backup: ".length()));
    }


}
