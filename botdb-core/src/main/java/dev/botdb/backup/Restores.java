package dev.botdb.backup;

import dev.botdb.BotDbException;
import dev.botdb.ErrorCode;
import dev.botdb.backup.archive.ArchiveReader;
import dev.botdb.backup.external.FileKind;
import dev.botdb.backup.external.PgTools;
import dev.botdb.backup.postgres.PgDatabases;
import dev.botdb.backup.postgres.PgRestore;
import dev.botdb.backup.postgres.Sessions;
import dev.botdb.backup.postgres.TargetState;
import dev.botdb.backup.schema.DdlStatement;
import dev.botdb.backup.sqlite.SqliteBackup;
import dev.botdb.backup.tasks.Cleanups;
import dev.botdb.dialect.Dialect;
import dev.botdb.dialect.QualifiedName;
import dev.botdb.backup.schema.SchemaDump;
import dev.botdb.backup.schema.Section;
import dev.botdb.config.ConnectionTarget;
import dev.botdb.config.PostgresTarget;
import dev.botdb.config.SqliteTarget;
import dev.botdb.pool.Connector;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Savepoint;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.function.Consumer;
import org.postgresql.copy.CopyManager;
import org.postgresql.core.BaseConnection;

/**
 * {@code botdb restore}: decides what the file is and what the target holds, refuses what would
 * lose data, takes the safety backup {@code --force} promises, and undoes a restore that fails
 * half way (drops the database it created, or empties the one that was empty, or puts the safety
 * backup back).
 */
final class Restores {
    private Restores() {
    }

    static RestoreResult run(Path file, RestoreRequest request, Backups backups) {
        long start = System.nanoTime();
        Consumer<String> log = backups.log();
        FileKind kind = FileKind.requireRestorable(file, ArchiveReader.magic());
        if (kind != FileKind.BOTDB_ARCHIVE) {
            return External.restore(file, kind, request, backups, start);
        }
        dev.botdb.backup.rows.RowsRestore.refusePending(file);
        try (ArchiveReader archive = backups.openChecked(file)) {
            var rows = dev.botdb.backup.rows.RowsManifest.of(archive.manifestJson(), file.toString());
            if (rows.isPresent()) {
                return dev.botdb.backup.rows.RowsRestore.run(file, archive, rows.get(), request.to(), request.tables(),
                        request.into(), log);
            }
            if (request.into() != null) {
                throw new BotDbException(ErrorCode.USAGE, "--into is for the archive files of botdb archive --to; "
                        + file + " is a backup. Restore one table of it with --table (and --to for another database).");
            }
            Manifest manifest = Manifest.fromJson(archive.manifestJson(), file.toString());
            log.accept("[Restore] " + file.getFileName() + ": " + manifest.engine() + " backup of " + manifest.database()
                    + " taken " + manifest.createdAt() + ", " + manifest.tables().size() + " tables, "
                    + manifest.totalRows() + " rows; every chunk checked in "
                    + String.format(java.util.Locale.ROOT, "%.1f s", (System.nanoTime() - start) / 1e9));
            if (manifest.engine().equals("sqlite")) {
                if (!(request.to() instanceof SqliteTarget sqlite)) {
                    throw new BotDbException(ErrorCode.USAGE, file + " is a SQLite backup; restore it into a SQLite database"
                            + " (`to` sqlite:///path/to/bot.db). To move a SQLite bot to PostgreSQL, see botdb's README.");
                }
                return SqliteBackup.restore(archive, manifest, sqlite, request, backups, start);
            }
            PostgresTarget to = postgres(request.to(), file);
            SchemaDump schema = Backups.schemaOf(archive);
            if (!request.tables().isEmpty()) {
                return restoreTables(archive, manifest, schema, to, request, backups, start);
            }
            return restoreAll(archive, manifest, schema, to, request, backups, start);
        } catch (SQLException e) {
            throw new BotDbException(ErrorCode.BACKUP_FAILED, "Restore into " + request.to().displayName() + " failed: "
                    + e.getMessage(), e);
        } catch (IOException e) {
            throw new BotDbException(ErrorCode.BACKUP_FAILED, "Restore failed reading " + file + ": " + e.getMessage(), e);
        }
    }

    static PostgresTarget postgres(ConnectionTarget to, Path file) {
        if (to instanceof PostgresTarget pg) {
            return pg;
        }
        throw new BotDbException(ErrorCode.USAGE, file + " is a PostgreSQL backup; restore it into a PostgreSQL database"
                + " (`to` postgres://user@host:5432/name).");
    }

    private static RestoreResult restoreAll(ArchiveReader archive, Manifest manifest, SchemaDump schema, PostgresTarget to,
                                            RestoreRequest request, Backups backups, long start)
            throws SQLException, IOException {
        Prepared prepared = prepare(to, request, backups);
        try {
            Sessions.markRestoring(to, prepared.safety.map(Path::toString).orElse("none (the database was empty)"));
        } catch (SQLException e) {
            throw prepared.undo(e, backups);
        }
        try (Cleanups.Handle onStop = Cleanups.register("undoing the restore into " + to.database(),
                () -> prepared.undoOnStop(backups))) {
            PgRestore.load(archive, manifest, schema, to, backups.settings().jobs(), backups.log());
        } catch (SQLException | IOException | RuntimeException e) {
            throw prepared.undo(e, backups);
        } finally {
            prepared.reopen(backups);
        }
        Sessions.unmark(to);
        backups.log().accept("[Restore] Restored " + manifest.tables().size() + " tables, " + manifest.totalRows()
                + " rows into " + to.displayName());
        return new RestoreResult(manifest.tables().size(), manifest.totalRows(), prepared.created, prepared.safety,
                (System.nanoTime() - start) / 1_000_000);
    }

    /** What the target was before a whole-database restore, so a failure can put it back. */
    static final class Prepared {
        final PostgresTarget to;
        final boolean created;
        final Optional<Path> safety;
        /** The connection limit to put back when the restore kept other sessions out, else null. */
        Integer closedFrom;

        Prepared(PostgresTarget to, boolean created, Optional<Path> safety) {
            this.to = to;
            this.created = created;
            this.safety = safety;
        }

        /** Lets other sessions in again (on success and failure alike). */
        synchronized void reopen(Backups backups) {
            Sessions.reopen(to, closedFrom, backups.log());
            closedFrom = null;
        }

        /** The undo's outcome once it ran: SIGTERM's hook and the failing load may both ask for it. */
        private BotDbException undone;

        /**
         * On SIGTERM: ends botdb's own loading sessions on the target (so they hold no locks), undoes
         * the load and says on standard error what state the target is in.
         */
        void undoOnStop(Backups backups) {
            System.err.println("botdb: stopped while restoring into " + to.database() + "; putting it back");
            try {
                Sessions.endOthers(to);
            } catch (SQLException e) {
                // the undo below says what it could not do
            }
            BotDbException outcome = undo(new BotDbException(ErrorCode.BACKUP_FAILED, "botdb was stopped (SIGTERM)"),
                    backups);
            System.err.println(outcome.getMessage());
            reopen(backups);
        }

        /** Undoes a failed load (once) and returns the exception to throw, saying what state the target is in. */
        synchronized BotDbException undo(Exception failure, Backups backups) {
            if (undone == null) {
                undone = undoOnce(failure, backups);
            }
            return undone;
        }

        private BotDbException undoOnce(Exception failure, Backups backups) {
            String what = failure.getMessage();
            ErrorCode code = failure instanceof BotDbException b ? b.code() : ErrorCode.BACKUP_FAILED;
            try {
                if (created) {
                    PgDatabases.dropDatabase(to);
                    return new BotDbException(code, "Restore failed: " + what + "\n  The database " + to.database()
                            + " it had created was dropped again.", failure);
                }
                try (Connection c = Connector.open(to)) {
                    TargetState.wipe(c);
                }
                Sessions.unmark(to);
                if (safety.isEmpty()) {
                    return new BotDbException(code, "Restore failed: " + what + "\n  " + to.database()
                            + " is empty again, as it was before.", failure);
                }
                Backups.of(to, backups.settings(), backups.log()).withKey(backups.key())
                        .restore(safety.get(), new RestoreRequest(to, List.of(), false, true));
                return new BotDbException(code, "Restore failed: " + what + "\n  What " + to.database()
                        + " held before was put back from the safety backup " + safety.get() + ".", failure);
            } catch (SQLException | RuntimeException undoFailure) {
                failure.addSuppressed(undoFailure);
                return new BotDbException(code, "Restore failed: " + what + "\n  Undoing it failed too ("
                        + undoFailure.getMessage() + "): " + to.database() + " is NOT as it was before; it holds part"
                        + " of the backup." + safety.map(p -> " What it held before is in the safety backup " + p
                        + "; put it back with: botdb restore " + p + " --to " + to.displayName() + " --force")
                        .orElse(" Empty it, or drop it and restore again."), failure);
            }
        }
    }

    /** {@link #prepare(PostgresTarget, RestoreRequest, Backups)} refusing while other sessions are connected. */
    static Prepared prepare(PostgresTarget to, boolean force, Backups backups) throws SQLException {
        return prepare(to, new RestoreRequest(to, List.of(), force), backups);
    }

    /**
     * Creates the database, or checks it is empty, or (force) backs it up and empties it. An
     * existing target is refused while other sessions are connected to it, unless the request
     * says to end them; a superuser keeps new ones out until {@link Prepared#reopen}.
     */
    static Prepared prepare(PostgresTarget to, RestoreRequest request, Backups backups) throws SQLException {
        boolean force = request.force();
        Sessions.refuseTemplate(to);
        if (!PgDatabases.databaseExists(to)) {
            PgDatabases.createDatabase(to);
            backups.log().accept("[Restore] Created database " + to.database());
            return new Prepared(to, true, Optional.empty());
        }
        String interrupted = Sessions.interruptedRestore(to);
        if (interrupted != null && !force) {
            throw new BotDbException(ErrorCode.RESTORE_REFUSED, "Not restoring into " + to.database() + ": an earlier"
                    + " restore into it was killed half way (" + interrupted + "), so it holds part of a backup. What"
                    + " it held before is in that safety backup: botdb restore SAFETY_BACKUP --to " + to.displayName()
                    + " --force (or add `force` to restore this backup over it).");
        }
        List<String> objects;
        try (Connection c = Connector.open(to)) {
            objects = PgRestore.userObjects(c, 6);
        }
        Integer closedFrom = Sessions.takeOver(to, request.terminateSessions(), backups.log());
        if (objects.isEmpty()) {
            Prepared p = new Prepared(to, false, Optional.empty());
            p.closedFrom = closedFrom;
            return p;
        }
        String sample = String.join(", ", objects.subList(0, Math.min(5, objects.size()))) + (objects.size() > 5 ? ", ..." : "");
        if (!force) {
            Sessions.reopen(to, closedFrom, backups.log());
            throw new BotDbException(ErrorCode.RESTORE_REFUSED, "Not restoring into " + to.displayName()
                    + ": it already holds data (" + sample + "). Restore into a new database with `to`"
                    + " postgres://.../new_name (botdb creates it), or add `force` to replace what is there"
                    + " (botdb takes a safety backup of it first).");
        }
        backups.log().accept("[Restore] " + to.database() + " holds data (" + sample + "); taking a safety backup first");
        try {
            Path safety = backups.safetyBackup(to, BackupRequest.all());
            try (Connection c = Connector.open(to)) {
                TargetState.wipe(c);
            }
            Prepared p = new Prepared(to, false, Optional.of(safety));
            p.closedFrom = closedFrom;
            return p;
        } catch (SQLException | RuntimeException e) {
            Sessions.reopen(to, closedFrom, backups.log());
            throw e;
        }
    }

    /**
     * Chosen tables into an existing database, all in one transaction: a table that is missing is
     * created with its indexes and constraints; one that exists keeps its definition and gets the
     * backup's rows (refused when it has rows, unless --force, which backs the table up first).
     */
    private static RestoreResult restoreTables(ArchiveReader archive, Manifest manifest, SchemaDump schema, PostgresTarget to,
                                               RestoreRequest request, Backups backups, long start)
            throws SQLException, IOException {
        List<Manifest.Table> chosen = new ArrayList<>();
        for (String name : request.tables()) {
            QualifiedName q = QualifiedName.parse(name);
            // the same reading as backup --table: quoted parts keep dots, quotes and case; exact match first
            Manifest.Table t = manifest.tables().stream()
                    .filter(m -> m.name().equals(q.name()) && (q.schema() == null || m.schema().equals(q.schema())))
                    .findFirst()
                    .or(() -> manifest.tables().stream()
                            .filter(m -> m.name().equalsIgnoreCase(q.name())
                                    && (q.schema() == null || m.schema().equalsIgnoreCase(q.schema())))
                            .findFirst())
                    .orElseThrow(() -> new BotDbException(ErrorCode.USAGE, "The backup has no table " + name + ". It has: "
                            + String.join(", ", manifest.tables().stream().map(Manifest.Table::qualified).toList())));
            chosen.add(t);
        }
        if (!PgDatabases.databaseExists(to)) {
            throw new BotDbException(ErrorCode.DATABASE_MISSING, "The database " + to.database() + " does not exist. Create it"
                    + " (createdb " + to.database() + "), or restore the whole backup, which creates it.");
        }
        Optional<Path> safety = Optional.empty();
        long rows = 0;
        try (Connection c = Connector.open(to)) {
            List<String> withRows = new ArrayList<>();
            for (Manifest.Table t : chosen) {
                if (exists(c, t) && hasRows(c, t)) {
                    withRows.add(t.qualified());
                }
            }
            if (!withRows.isEmpty()) {
                if (!request.force()) {
                    throw new BotDbException(ErrorCode.RESTORE_REFUSED, "Not restoring " + String.join(", ", withRows)
                            + ": it already has rows in " + to.database() + ". Add `force` to replace them (botdb backs"
                            + " the table up first), or restore into another database with `to`.");
                }
                safety = Optional.of(backups.safetyBackup(to, new BackupRequest(withRows, false)));
            }
            PgRestore.session(c, schema);
            c.setAutoCommit(false);
            try (Statement st = c.createStatement()) {
                CopyManager copy = new CopyManager(c.unwrap(BaseConnection.class));
                List<DdlStatement> later = new ArrayList<>();
                for (Manifest.Table t : chosen) {
                    QualifiedName q = new QualifiedName(t.schema(), t.name());
                    if (exists(c, t)) {
                        empty(c, st, q);
                    } else {
                        createDependencies(c, st, schema, backups.log());
                        for (DdlStatement d : schema.statements()) {
                            if (q.equals(d.table()) && d.section() == Section.PRE_DATA) {
                                PgRestore.execute(c, st, d, backups.log());
                            } else if (q.equals(d.table())) {
                                later.add(d);
                            }
                        }
                    }
                    List<String> cols = schema.tables().stream().filter(i -> i.name().equals(q)).findFirst()
                            .orElseThrow().copyColumns();
                    try (InputStream in = archive.openEntry(t.entry())) {
                        rows += copy.copyIn("COPY " + q.sql() + " (" + String.join(", ", cols) + ") FROM STDIN"
                                + t.copyOptions(), in);
                    }
                    for (DdlStatement d : schema.sequenceValues()) {
                        if (q.equals(d.table())) {
                            st.execute(d.sql());
                        }
                    }
                }
                later.sort(java.util.Comparator.comparingInt(DdlStatement::phase));
                for (DdlStatement d : later) {
                    SQLException e = attempt(c, st, d.sql());
                    if (e != null && !"FK CONSTRAINT".equals(d.kind())) {
                        throw e;
                    }
                    if (e != null) {
                        backups.log().accept("[Restore] Left out " + d.kind() + " " + d.object().name() + ": "
                                + e.getMessage() + " (the table it refers to is not in " + to.database() + ")");
                    }
                }
                c.commit();
            } catch (SQLException | IOException | RuntimeException e) {
                c.rollback();
                throw new BotDbException(e instanceof BotDbException b ? b.code() : ErrorCode.BACKUP_FAILED,
                        "Restore of " + String.join(", ", request.tables()) + " failed: " + e.getMessage()
                        + "\n  Nothing was changed (one transaction, rolled back).", e);
            }
        }
        backups.log().accept("[Restore] Restored " + chosen.size() + " table(s), " + rows + " rows into " + to.database());
        return new RestoreResult(chosen.size(), rows, false, safety, (System.nanoTime() - start) / 1_000_000);
    }

    /**
     * Empties a table whose rows are replaced: TRUNCATE, or where other tables' foreign keys point
     * at it, DELETE with their triggers off (session_replication_role = replica, superuser only),
     * so their rows keep their references instead of being cascaded or set to null.
     */
    private static void empty(Connection c, Statement st, QualifiedName q) throws SQLException {
        Savepoint sp = c.setSavepoint();
        try {
            st.execute("TRUNCATE " + q.sql());
            c.releaseSavepoint(sp);
            return;
        } catch (SQLException truncate) {
            c.rollback(sp);
            try {
                st.execute("SET LOCAL session_replication_role = replica");
            } catch (SQLException notSuperuser) {
                throw new BotDbException(ErrorCode.RESTORE_REFUSED, "Cannot replace the rows of " + q.sql() + ": "
                        + truncate.getMessage() + ". Replacing them without cascading into the tables that refer to it"
                        + " needs a superuser (session_replication_role). Restore the whole backup into a new database"
                        + " (`to` new_name) and copy what you need from there.");
            }
            st.execute("DELETE FROM " + q.sql());
        }
    }

    /**
     * What a table restored alone may need and the target may lack: schemas, extensions, types,
     * domains, sequences, and functions that do not exist there yet. Existing ones are left as
     * they are (never replaced).
     */
    private static void createDependencies(Connection c, Statement st, SchemaDump schema, Consumer<String> log)
            throws SQLException {
        java.util.Set<String> kinds = java.util.Set.of("SCHEMA", "EXTENSION", "TYPE", "DOMAIN", "SEQUENCE", "FUNCTION",
                "PROCEDURE");
        for (DdlStatement d : schema.statements()) {
            if (d.section() != Section.PRE_DATA || d.table() != null || !kinds.contains(d.kind())) {
                continue;
            }
            if ((d.kind().equals("FUNCTION") || d.kind().equals("PROCEDURE")) && functionExists(c, d)) {
                continue;
            }
            // exists already, or needs something the target lacks (e.g. another table's row type):
            // if the table needs it after all, its CREATE TABLE names what is missing
            attempt(c, st, d.sql());
        }
    }

    private static boolean functionExists(Connection c, DdlStatement d) throws SQLException {
        Savepoint sp = c.setSavepoint();
        try (PreparedStatement ps = c.prepareStatement("SELECT to_regprocedure(?) IS NOT NULL")) {
            ps.setString(1, Dialect.POSTGRESQL.quote(d.object().schema()) + "." + d.object().name());
            try (ResultSet rs = ps.executeQuery()) {
                rs.next();
                boolean found = rs.getBoolean(1);
                c.releaseSavepoint(sp);
                return found;
            }
        } catch (SQLException e) {
            c.rollback(sp);
            return false;
        }
    }

    private static boolean exists(Connection c, Manifest.Table t) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("SELECT to_regclass(?) IS NOT NULL")) {
            ps.setString(1, new QualifiedName(t.schema(), t.name()).sql());
            try (ResultSet rs = ps.executeQuery()) {
                rs.next();
                return rs.getBoolean(1);
            }
        }
    }

    private static boolean hasRows(Connection c, Manifest.Table t) throws SQLException {
        try (Statement st = c.createStatement();
             ResultSet rs = st.executeQuery("SELECT EXISTS (SELECT 1 FROM " + new QualifiedName(t.schema(), t.name()).sql() + ")")) {
            rs.next();
            return rs.getBoolean(1);
        }
    }

    /** Runs one statement inside the open transaction; when it fails, only it is undone, and its error returned. */
    private static SQLException attempt(Connection c, Statement st, String sql) throws SQLException {
        Savepoint sp = c.setSavepoint();
        try {
            st.execute(sql);
            c.releaseSavepoint(sp);
            return null;
        } catch (SQLException e) {
            c.rollback(sp);
            return e;
        }
    }
}
