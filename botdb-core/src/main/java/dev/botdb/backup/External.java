package dev.botdb.backup;

import dev.botdb.BotDbException;
import dev.botdb.ErrorCode;
import dev.botdb.backup.external.FileKind;
import dev.botdb.backup.external.PgTools;
import dev.botdb.backup.external.PlainSqlScan;
import dev.botdb.backup.external.Tool;
import dev.botdb.backup.external.ToolRun;
import dev.botdb.backup.postgres.PgDatabases;
import dev.botdb.backup.postgres.Sessions;
import dev.botdb.dialect.Dialect;
import dev.botdb.dialect.QualifiedName;
import dev.botdb.config.PostgresTarget;
import dev.botdb.pool.Connector;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * The files operators already have: plain {@code .sql}, {@code .sql.gz} and {@code pg_dump -Fc}
 * archives, restored through psql / pg_restore with the same promises as botdb's own archives
 * (refuse a target with data unless --force, safety backup first, undo on failure); and
 * {@code backup --format pg_dump}.
 */
public final class External {
    private External() {
    }

    public static RestoreResult restore(Path file, FileKind kind, RestoreRequest request, Backups backups, long start) {
        PostgresTarget to = Restores.postgres(request.to(), file);
        PgTools tools = PgTools.find();
        boolean plain = kind == FileKind.PLAIN_SQL || kind == FileKind.GZIP_SQL;
        if (plain) {
            if (!request.tables().isEmpty()) {
                throw new BotDbException(ErrorCode.USAGE, "--table needs a botdb archive or a pg_dump -Fc archive; "
                        + file + " is " + kind.description() + ", which can only be restored whole.");
            }
            tools.require(Tool.PSQL); // before anything is created or backed up
        } else {
            tools.requireCanRestore(dev.botdb.backup.external.PgArchiveHeader.read(file), file);
        }
        try {
            if (!request.tables().isEmpty()) {
                return restoreArchiveTables(file, tools, to, request, backups, start);
            }
            // read before anything is created or backed up: a meta-command is refused here
            Set<QualifiedName> fileTables = plain ? PlainSqlScan.of(file, kind == FileKind.GZIP_SQL).tables()
                    : tools.archiveTables(file);
            if (PgDatabases.databaseExists(to)) {
                List<QualifiedName> others = new ArrayList<>();
                List<QualifiedName> replaced = new ArrayList<>();
                try (Connection c = Connector.open(to)) {
                    for (QualifiedName t : userTables(c)) {
                        (fileTables.contains(t) ? replaced : others).add(t);
                    }
                }
                if (!others.isEmpty()) {
                    return replaceTables(file, kind, tools, to, request, fileTables, replaced, others, backups,
                            start);
                }
            }
            Restores.Prepared prepared = Restores.prepare(to, request, backups);
            try {
                ToolRun run = kind == FileKind.PG_DUMP_CUSTOM
                        ? tools.restoreCustomFormat(to, file, List.of(), backups.settings().jobs())
                        : tools.restorePlainSql(to, file);
                backups.log().accept("[Restore] " + run.summary());
            } catch (RuntimeException e) {
                throw prepared.undo(e, backups);
            } finally {
                prepared.reopen(backups);
            }
            return new RestoreResult(-1, -1, prepared.created, prepared.safety, (System.nanoTime() - start) / 1_000_000);
        } catch (SQLException e) {
            throw new BotDbException(ErrorCode.BACKUP_FAILED, "Restore into " + to.displayName() + " failed: "
                    + e.getMessage(), e);
        }
    }

    /**
     * A file that holds some of the target's tables ({@code pg_dump -t users}): only those are
     * replaced, in one psql transaction that first drops them (or, for a data-only file, empties
     * them); every table the file does not hold stays as it is.
     */
    private static RestoreResult replaceTables(Path file, FileKind kind, PgTools tools, PostgresTarget to,
                                               RestoreRequest request,
                                               Set<QualifiedName> fileTables, List<QualifiedName> replaced,
                                               List<QualifiedName> others, Backups backups, long start)
            throws SQLException {
        String held = fileTables.isEmpty() ? "no table" : names(fileTables);
        Sessions.refuseTemplate(to);
        if (!replaced.isEmpty() && !request.force()) {
            throw new BotDbException(ErrorCode.RESTORE_REFUSED, "Not restoring " + file + " into " + to.displayName()
                    + ": it holds " + held + ", and " + names(replaced) + " already exist there. Add `force` to replace"
                    + " only " + (replaced.size() == 1 ? "that table" : "those tables") + " (botdb backs "
                    + (replaced.size() == 1 ? "it" : "them") + " up first; the other tables of " + to.database()
                    + " stay as they are), or restore into a new database with `to` new_name.");
        }
        Set<QualifiedName> created = kind == FileKind.PG_DUMP_CUSTOM ? fileTables
                : PlainSqlScan.of(file, kind == FileKind.GZIP_SQL).createdTables();
        try (Connection c = Connector.open(to)) {
            List<String> blockers = referencesFromOutside(c, replaced);
            if (!blockers.isEmpty()) {
                throw new BotDbException(ErrorCode.RESTORE_REFUSED, "Not restoring " + file + " into "
                        + to.displayName() + ": replacing " + names(replaced) + " would break the foreign keys of"
                        + " tables the file does not hold (" + String.join(", ", blockers) + "), and `force` never"
                        + " changes those. Restore the file into a new database (`to` new_name) and copy the rows you"
                        + " need, or restore a dump of the whole database.");
            }
        }
        Integer closedFrom = Sessions.takeOver(to, request.terminateSessions(), backups.log());
        try {
            return replaceTables(file, kind, tools, to, fileTables, created, replaced, others, backups, start);
        } finally {
            Sessions.reopen(to, closedFrom, backups.log());
        }
    }

    private static RestoreResult replaceTables(Path file, FileKind kind, PgTools tools, PostgresTarget to,
                                               Set<QualifiedName> fileTables, Set<QualifiedName> created,
                                               List<QualifiedName> replaced, List<QualifiedName> others,
                                               Backups backups, long start) {
        String held = fileTables.isEmpty() ? "no table" : names(fileTables);
        Optional<Path> safety = Optional.empty();
        if (!replaced.isEmpty()) {
            backups.log().accept("[Restore] " + file.getFileName() + " holds " + held + "; replacing only "
                    + names(replaced) + " in " + to.database() + " (its " + others.size() + " other table(s) stay);"
                    + " taking a safety backup of " + (replaced.size() == 1 ? "it" : "them") + " first");
            safety = Optional.of(backups.safetyBackup(to, new BackupRequest(replaced.stream().map(QualifiedName::sql).toList(), false)));
        }
        StringBuilder prelude = new StringBuilder();
        List<QualifiedName> dropped = replaced.stream().filter(created::contains).toList();
        List<QualifiedName> emptied = replaced.stream().filter(t -> !created.contains(t)).toList();
        if (!dropped.isEmpty()) {
            prelude.append("DROP TABLE ").append(sqlNames(dropped)).append(";\n");
        }
        if (!emptied.isEmpty()) {
            prelude.append("TRUNCATE TABLE ").append(sqlNames(emptied)).append(";\n");
        }
        Path script = null;
        try {
            Path sql = file;
            if (kind == FileKind.PG_DUMP_CUSTOM) {
                script = PgTools.privateTempFile("botdb-restore-");
                tools.archiveScript(file, List.of(), false, script);
                sql = script;
            }
            ToolRun run = tools.restorePlainSql(to, sql, prelude.toString(), "");
            backups.log().accept("[Restore] " + run.summary().replace(String.valueOf(sql), String.valueOf(file)));
        } catch (RuntimeException e) {
            if (safety.isPresent() && e instanceof BotDbException b) {
                throw new BotDbException(b.code(), b.getMessage() + "\n  " + to.database() + " is as it was; the safety"
                        + " backup of " + names(replaced) + " is " + safety.get() + ".", e);
            }
            throw e;
        } finally {
            if (script != null) {
                PgTools.deleteQuietly(script);
            }
        }
        backups.log().accept("[Restore] Replaced " + (replaced.isEmpty() ? "no table" : names(replaced))
                + (fileTables.size() > replaced.size() ? " and created the file's other tables" : "") + " in "
                + to.database() + "; its " + others.size() + " other table(s) were not touched");
        return new RestoreResult(fileTables.size(), -1, false, safety, (System.nanoTime() - start) / 1_000_000);
    }

    /**
     * {@code restore FILE.dump --table T}: the chosen tables of a {@code pg_dump -Fc} archive, in one
     * psql transaction. A table that exists keeps its definition and gets the archive's rows
     * (refused when it has rows, unless --force, which backs it up first); a missing one is created.
     */
    private static RestoreResult restoreArchiveTables(Path file, PgTools tools, PostgresTarget to, RestoreRequest request,
                                                      Backups backups, long start) throws SQLException {
        tools.require(Tool.PSQL);
        Set<QualifiedName> inFile = tools.archiveTables(file);
        List<QualifiedName> chosen = new ArrayList<>();
        for (String name : request.tables()) {
            QualifiedName q = QualifiedName.parse(name);
            chosen.add(inFile.stream()
                    .filter(t -> t.name().equals(q.name()) && (q.schema() == null || t.schema().equals(q.schema())))
                    .findFirst()
                    .orElseThrow(() -> new BotDbException(ErrorCode.USAGE, file + " has no table " + name + ". It has: "
                            + names(inFile))));
        }
        if (!PgDatabases.databaseExists(to)) {
            throw new BotDbException(ErrorCode.DATABASE_MISSING, "The database " + to.database() + " does not exist."
                    + " Create it (createdb " + to.database() + "), or restore the whole file, which creates it.");
        }
        List<QualifiedName> existing = new ArrayList<>();
        List<QualifiedName> withRows = new ArrayList<>();
        boolean superuser;
        List<String> referenced;
        try (Connection c = Connector.open(to)) {
            Set<QualifiedName> there = new java.util.HashSet<>(userTables(c));
            for (QualifiedName t : chosen) {
                if (there.contains(t)) {
                    existing.add(t);
                    if (hasRows(c, t)) {
                        withRows.add(t);
                    }
                }
            }
            referenced = referencesFromOutside(c, existing);
            try (Statement st = c.createStatement();
                 ResultSet rs = st.executeQuery("SELECT rolsuper FROM pg_catalog.pg_roles WHERE rolname = current_user")) {
                superuser = rs.next() && rs.getBoolean(1);
            }
        }
        if (!withRows.isEmpty() && !request.force()) {
            throw new BotDbException(ErrorCode.RESTORE_REFUSED, "Not restoring " + names(withRows) + ": it already has"
                    + " rows in " + to.database() + ". Add `force` to replace them (botdb backs the table up first),"
                    + " or restore into another database with `to`.");
        }
        if (!referenced.isEmpty() && !superuser) {
            throw new BotDbException(ErrorCode.RESTORE_REFUSED, "Cannot replace the rows of " + names(existing)
                    + ": other tables' foreign keys refer to it (" + String.join(", ", referenced) + "). Replacing them"
                    + " without cascading into those tables needs a superuser (session_replication_role). Restore the"
                    + " whole file into a new database (`to` new_name) and copy what you need from there.");
        }
        Sessions.refuseTemplate(to);
        Integer closedFrom = Sessions.takeOver(to, request.terminateSessions(), backups.log());
        try {
            return loadArchiveTables(file, tools, to, chosen, existing, withRows, referenced, backups, start);
        } finally {
            Sessions.reopen(to, closedFrom, backups.log());
        }
    }

    private static RestoreResult loadArchiveTables(Path file, PgTools tools, PostgresTarget to, List<QualifiedName> chosen,
                                                   List<QualifiedName> existing, List<QualifiedName> withRows,
                                                   List<String> referenced, Backups backups, long start)
            throws SQLException {
        Optional<Path> safety = Optional.empty();
        if (!withRows.isEmpty()) {
            safety = Optional.of(backups.safetyBackup(to, new BackupRequest(withRows.stream().map(QualifiedName::sql).toList(), false)));
        }
        StringBuilder prelude = new StringBuilder();
        if (!existing.isEmpty()) {
            prelude.append(referenced.isEmpty() ? "TRUNCATE TABLE " + sqlNames(existing) + ";\n"
                    : "SET LOCAL session_replication_role = replica;\n" + existing.stream()
                    .map(t -> "DELETE FROM " + t.sql() + ";\n").collect(Collectors.joining()));
        }
        StringBuilder postlude = new StringBuilder();
        Path script = PgTools.privateTempFile("botdb-restore-");
        Path part = PgTools.privateTempFile("botdb-restore-");
        try {
            try (Connection c = Connector.open(to)) {
                for (QualifiedName t : existing) {
                    postlude.append(sequenceResets(c, t));
                }
            }
            List<QualifiedName> missing = chosen.stream().filter(t -> !existing.contains(t)).toList();
            try (var out = Files.newOutputStream(script)) {
                if (!missing.isEmpty()) {
                    tools.archiveScript(file, missing.stream().map(QualifiedName::toString).toList(), false, part);
                    Files.copy(part, out);
                }
                if (!existing.isEmpty()) {
                    tools.archiveScript(file, existing.stream().map(QualifiedName::toString).toList(), true, part);
                    Files.copy(part, out);
                }
            }
            ToolRun run = tools.restorePlainSql(to, script, prelude.toString(), postlude.toString());
            backups.log().accept("[Restore] " + run.summary().replace(script.toString(), file.toString()));
        } catch (java.io.IOException e) {
            throw new BotDbException(ErrorCode.BACKUP_FAILED, "Could not write the restore script: " + e.getMessage()
                    + "; nothing was changed.", e);
        } catch (RuntimeException e) {
            if (safety.isPresent() && e instanceof BotDbException b) {
                throw new BotDbException(b.code(), b.getMessage() + "\n  The safety backup of " + names(withRows)
                        + " is " + safety.get() + ".", e);
            }
            throw e;
        } finally {
            PgTools.deleteQuietly(script);
            PgTools.deleteQuietly(part);
        }
        backups.log().accept("[Restore] Restored " + names(chosen) + " into " + to.database()
                + (existing.isEmpty() ? "" : " (rows of " + names(existing) + " replaced, definitions kept)"));
        return new RestoreResult(chosen.size(), -1, false, safety, (System.nanoTime() - start) / 1_000_000);
    }

    /** Ordinary and partitioned tables of the database, not in system schemas, not an extension's. */
    private static final String USER_TABLES = """
            SELECT n.nspname, c.relname
            FROM pg_catalog.pg_class c
            JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace
            WHERE c.relkind IN ('r', 'p')
              AND NOT c.relispartition
              AND n.nspname NOT IN ('pg_catalog', 'information_schema')
              AND n.nspname NOT LIKE 'pg\\_%'
              AND NOT EXISTS (SELECT 1 FROM pg_catalog.pg_depend d
                              WHERE d.classid = 'pg_catalog.pg_class'::regclass AND d.objid = c.oid AND d.deptype = 'e')
            ORDER BY 1, 2
            """;

    /** Tables outside {@code tables} whose foreign keys point into {@code tables}. */
    private static final String REFERENCES_FROM_OUTSIDE = """
            SELECT DISTINCT con.conrelid::regclass::text
            FROM pg_catalog.pg_constraint con
            WHERE con.contype = 'f'
              AND con.confrelid = ANY (?::regclass[])
              AND NOT con.conrelid = ANY (?::regclass[])
            ORDER BY 1
            """;

    /** Serial and identity columns of a table: their sequence and column, to move the sequence past the rows. */
    private static final String OWNED_SEQUENCES = """
            SELECT pg_catalog.pg_get_serial_sequence(?, a.attname), a.attname
            FROM pg_catalog.pg_attribute a
            WHERE a.attrelid = ?::regclass AND a.attnum > 0 AND NOT a.attisdropped
              AND pg_catalog.pg_get_serial_sequence(?, a.attname) IS NOT NULL
            """;

    private static List<QualifiedName> userTables(Connection c) throws SQLException {
        List<QualifiedName> tables = new ArrayList<>();
        try (Statement st = c.createStatement(); ResultSet rs = st.executeQuery(USER_TABLES)) {
            while (rs.next()) {
                tables.add(new QualifiedName(rs.getString(1), rs.getString(2)));
            }
        }
        return tables;
    }

    private static List<String> referencesFromOutside(Connection c, List<QualifiedName> tables) throws SQLException {
        if (tables.isEmpty()) {
            return List.of();
        }
        String[] names = tables.stream().map(QualifiedName::sql).toArray(String[]::new);
        try (PreparedStatement ps = c.prepareStatement(REFERENCES_FROM_OUTSIDE)) {
            ps.setArray(1, c.createArrayOf("text", names));
            ps.setArray(2, c.createArrayOf("text", names));
            List<String> found = new ArrayList<>();
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    found.add(rs.getString(1));
                }
            }
            return found;
        }
    }

    /** {@code SELECT setval(...)} lines that move each serial or identity sequence of {@code t} past its rows. */
    private static String sequenceResets(Connection c, QualifiedName t) throws SQLException {
        StringBuilder sql = new StringBuilder();
        try (PreparedStatement ps = c.prepareStatement(OWNED_SEQUENCES)) {
            ps.setString(1, t.sql());
            ps.setString(2, t.sql());
            ps.setString(3, t.sql());
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    String column = Dialect.POSTGRESQL.quote(rs.getString(2));
                    sql.append("SELECT pg_catalog.setval('").append(rs.getString(1).replace("'", "''"))
                            .append("', COALESCE(MAX(").append(column).append("), 1), MAX(").append(column)
                            .append(") IS NOT NULL) FROM ").append(t.sql()).append(";\n");
                }
            }
        }
        return sql.toString();
    }

    private static boolean hasRows(Connection c, QualifiedName t) throws SQLException {
        try (Statement st = c.createStatement();
             ResultSet rs = st.executeQuery("SELECT EXISTS (SELECT 1 FROM " + t.sql() + ")")) {
            rs.next();
            return rs.getBoolean(1);
        }
    }

    private static String names(java.util.Collection<QualifiedName> tables) {
        return tables.stream().map(QualifiedName::toString).collect(Collectors.joining(", "));
    }

    private static String sqlNames(List<QualifiedName> tables) {
        return tables.stream().map(QualifiedName::sql).collect(Collectors.joining(", "));
    }

    /** {@code backup --format pg_dump}: a standard custom-format archive, when a compatible pg_dump is installed. */
    public static BackupResult pgDump(PostgresTarget target, BackupRequest request, Path dir, int serverMajor,
                               java.util.function.Consumer<String> log) {
        PgTools tools = PgTools.find();
        tools.requireCanDump(serverMajor);
        Path out = dir.resolve(Backups.safeName(target.database()) + "-" + Backups.STAMP.format(Instant.now()) + ".dump");
        ToolRun run = tools.dumpCustomFormat(target, out, request.tables());
        log.accept("[Backup] " + run.summary());
        return new BackupResult(run.file(), run.bytes(), null);
    }
}
