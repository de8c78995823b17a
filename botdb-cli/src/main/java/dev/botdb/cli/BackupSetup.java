package dev.botdb.cli;

import dev.botdb.BotDb;
import dev.botdb.BotDbException;
import dev.botdb.ErrorCode;
import dev.botdb.backup.BackupSettings;
import dev.botdb.backup.Backups;
import dev.botdb.backup.archive.BackupKey;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;

/** How the backup and restore commands find the backups folder, the jobs and the key. */
final class BackupSetup {
    private BackupSetup() {
    }

    /** {@code --out} when given, else BACKUP_DIR (default {@code backups}). */
    static Path folder(Cli cli, Path out) {
        return out != null ? out : BackupSettings.fromEnv(cli.env).directory();
    }

    static Backups backups(Cli cli, BotDb db, Path out, Integer jobs) {
        Path dir = folder(cli, out);
        int j = jobs != null ? jobs : BackupSettings.DEFAULT_JOBS;
        if (j < 1 || j > 64) {
            throw new BotDbException(ErrorCode.USAGE, "--jobs must be between 1 and 64, not " + j + ".");
        }
        Optional<BackupKey> key = BackupKey.fromEnv(cli.env);
        return Backups.of(db.target(), BackupSettings.of(dir).withJobs(j), cli.err::println).withKey(key);
    }

    static String age(Duration d) {
        if (d.toDays() >= 1) {
            return d.toDays() + "d";
        }
        if (d.toHours() >= 1) {
            return d.toHours() + "h";
        }
        return Math.max(0, d.toMinutes()) + "m";
    }
}
