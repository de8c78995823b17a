package dev.botdb.bench;

import dev.botdb.backup.BackupResult;
import dev.botdb.backup.BackupSettings;
import dev.botdb.backup.Backups;
import dev.botdb.backup.RestoreResult;
import dev.botdb.backup.VerifyResult;
import dev.botdb.config.PostgresTarget;
import dev.botdb.config.SslMode;
import java.nio.file.Path;
import java.util.Map;
import java.util.function.Consumer;

/**
 * botdb's side of the backup benchmark, through its public API ({@link Backups}) and nothing
 * else: what a bot or the CLI calls. Every call the benchmark makes to botdb is in this class.
 */
final class BotdbSide {
    private final Backups backups;

    /** Backups of {@code database} on the local server, written into {@code backupDir}, with botdb's defaults. */
    BotdbSide(int port, String database, Path backupDir, Consumer<String> log) {
        this.backups = Backups.of(target(port, database), BackupSettings.of(backupDir), log);
    }

    /** The embedded server's database as botdb names a PostgreSQL target (loopback, trusted: no password). */
    static PostgresTarget target(int port, String database) {
        return new PostgresTarget("localhost", port, database, "postgres", null, SslMode.DISABLE, Map.of(), Map.of(),
                Map.of());
    }

    /** A whole backup of the database; its file and size. */
    Archive backup() {
        BackupResult b = backups.backup();
        return new Archive(b.file(), b.bytes());
    }

    /** Restores the backup into {@code database}, which exists and is empty. */
    String restore(Path file, int port, String database) {
        RestoreResult r = backups.restore(file, target(port, database));
        return r.tables() + " tables, " + r.rows() + " rows";
    }

    /** Verifies the backup; throws when botdb finds it is not good. */
    String verify(Path file) {
        VerifyResult v = backups.verify(file);
        if (!v.ok()) {
            throw new IllegalStateException("botdb could not verify its own backup " + file + ": " + v.summary());
        }
        return v.summary();
    }

    /** A backup file and its size in bytes. */
    record Archive(Path file, long bytes) {
    }
}
