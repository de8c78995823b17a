package dev.botdb.cli;

import dev.botdb.BotDbException;
import dev.botdb.ErrorCode;
import dev.botdb.backup.Backups;
import dev.botdb.backup.archive.BackupKey;
import dev.botdb.backup.retention.RetentionPlan;
import dev.botdb.backup.retention.RetentionPolicy;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code botdb backup prune}: delete the backups no retention rule keeps. */
@Command(name = "prune", description = "Delete old backups: kept when ANY rule keeps them. Never deletes the only"
        + " verified backup. --keep-days 30 keeps what 'find backups -mtime +30 -delete' keeps.")
final class BackupPruneCommand extends BotDbCommand {
    @Option(names = "--keep-days", description = "Keep backups younger than N days.")
    int keepDays;
    @Option(names = "--keep-last", description = "Keep the newest N backups.")
    int keepLast;
    @Option(names = "--keep-daily", description = "Keep the newest backup of each of the last N days that have one.")
    int keepDaily;
    @Option(names = "--keep-weekly", description = "Keep the newest backup of each of the last N ISO weeks.")
    int keepWeekly;
    @Option(names = "--keep-monthly", description = "Keep the newest backup of each of the last N months.")
    int keepMonthly;
    @Option(names = "--dry-run", description = "Only say what would be deleted.")
    boolean dryRun;
    @Option(names = "--out", description = "The backups folder (default: BACKUP_DIR, or backups).")
    Path out;

    @Option(names = "--json", description = "Print JSON: {dry_run, kept: [{name, created_at, verified, reason}], deleted: [...]}.")
    boolean json;

    @Override
    public Integer call() {
        RetentionPolicy policy;
        try {
            policy = new RetentionPolicy(keepDays, keepLast, keepDaily, keepWeekly, keepMonthly);
        } catch (IllegalArgumentException e) {
            throw new BotDbException(ErrorCode.USAGE, e.getMessage());
        }
        if (policy.isEmpty()) {
            throw new BotDbException(ErrorCode.USAGE, "Say what to keep: --keep-days N, --keep-last N, --keep-daily N,"
                    + " --keep-weekly N and/or --keep-monthly N (e.g. --keep-days 30).");
        }
        Backups backups = Backups.folder(BackupSetup.folder(cli, out), BackupKey.fromEnv(cli.env),
                json ? cli.err::println : cli.out::println);
        RetentionPlan plan = backups.prune(policy, dryRun);
        if (!json) {
            cli.out.println(plan.summary());
            return 0;
        }
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("dry_run", dryRun);
        m.put("kept", plan.decisions().stream().filter(RetentionPlan.Decision::keep).map(BackupPruneCommand::decision)
                .toList());
        m.put("deleted", plan.decisions().stream().filter(d -> !d.keep()).map(BackupPruneCommand::decision).toList());
        cli.out.println(Printer.json(m));
        return 0;
    }

    private static Map<String, Object> decision(RetentionPlan.Decision d) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("name", d.backup().name());
        m.put("created_at", d.backup().createdAt().toString());
        m.put("verified", d.backup().verified());
        m.put("reason", d.reason());
        return m;
    }
}
