package dev.botdb.backup;

import dev.botdb.BotDbException;
import dev.botdb.ErrorCode;
import dev.botdb.backup.external.FileKind;
import dev.botdb.backup.external.PgTools;
import dev.botdb.backup.external.ToolRun;
import dev.botdb.config.PostgresTarget;
import java.nio.file.Path;
import java.sql.SQLException;
import java.time.Instant;
import java.util.List;

/**
 * The files operators already have: plain {@code .sql}, {@code .sql.gz} and {@code pg_dump -Fc}
 * archives, restored through psql / pg_restore with the same promises as botdb's own archives
 * (refuse a target with data unless --force, safety backup first, undo on failure); and
 * {@code backup --format pg_dump}.
 */
final class External {
    private External() {
    }

    static RestoreResult restore(Path file, FileKind kind, RestoreRequest request, Backups backups, long start) {
        PostgresTarget to = Restores.postgres(request.to(), file);
        PgTools tools = PgTools.find();
        if (kind == FileKind.PLAIN_SQL || kind == FileKind.GZIP_SQL) {
            if (!request.tables().isEmpty()) {
                throw new BotDbException(ErrorCode.USAGE, "--table needs a botdb archive or a pg_dump -Fc archive; "
                        + file + " is " + kind.description() + ", which can only be restored whole.");
            }
            tools.require(dev.botdb.backup.external.Tool.PSQL); // before anything is created or backed up
        } else {
            tools.requireCanRestore(dev.botdb.backup.external.PgArchiveHeader.read(file), file);
        }
        try {
            if (!request.tables().isEmpty()) {
                // pg_restore -t in one transaction: it creates the table and loads it, or nothing
                ToolRun run = tools.restoreCustomFormat(to, file, request.tables(), 1);
                backups.log().accept("[Restore] " + run.summary());
                return new RestoreResult(request.tables().size(), -1, false, java.util.Optional.empty(),
                        (System.nanoTime() - start) / 1_000_000);
            }
            Restores.Prepared prepared = Restores.prepare(to, request.force(), backups);
            try {
                ToolRun run = kind == FileKind.PG_DUMP_CUSTOM
                        ? tools.restoreCustomFormat(to, file, List.of(), backups.settings().jobs())
                        : tools.restorePlainSql(to, file);
                backups.log().accept("[Restore] " + run.summary());
            } catch (RuntimeException e) {
                throw prepared.undo(e, backups);
            }
            return new RestoreResult(-1, -1, prepared.created, prepared.safety, (System.nanoTime() - start) / 1_000_000);
        } catch (SQLException e) {
            throw new BotDbException(ErrorCode.BACKUP_FAILED, "Restore into " + to.displayName() + " failed: "
                    + e.getMessage(), e);
        }
    }

    /** {@code backup --format pg_dump}: a standard custom-format archive, when a compatible pg_dump is installed. */
    static BackupResult pgDump(PostgresTarget target, BackupRequest request, Path dir, int serverMajor,
                               java.util.function.Consumer<String> log) {
        PgTools tools = PgTools.find();
        tools.requireCanDump(serverMajor);
        Path out = dir.resolve(Backups.safeName(target.database()) + "-" + Backups.STAMP.format(Instant.now()) + ".dump");
        ToolRun run = tools.dumpCustomFormat(target, out, request.tables());
        log.accept("[Backup] " + run.summary());
        return new BackupResult(run.file(), run.bytes(), null);
    }
}
