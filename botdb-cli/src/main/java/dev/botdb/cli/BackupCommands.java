package dev.botdb.cli;

import dev.botdb.BotDb;
import dev.botdb.BotDbException;
import dev.botdb.ErrorCode;
import dev.botdb.backup.BackupInfo;
import dev.botdb.backup.BackupRequest;
import dev.botdb.backup.BackupResult;
import dev.botdb.backup.BackupSettings;
import dev.botdb.backup.Backups;
import dev.botdb.backup.RestoreRequest;
import dev.botdb.backup.RestoreResult;
import dev.botdb.backup.VerifyResult;
import dev.botdb.backup.archive.BackupKey;
import dev.botdb.backup.retention.RetentionPlan;
import dev.botdb.backup.retention.RetentionPolicy;
import dev.botdb.config.BotDbConfig;
import dev.botdb.config.ConnectionTarget;
import dev.botdb.config.PostgresTarget;
import dev.botdb.config.Redaction;
import dev.botdb.text.Human;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code botdb backup [verify|list|prune]} and {@code botdb restore}. */
final class BackupCommands {
    private BackupCommands() {
    }

    /** BACKUP_DIR (default {@code backups}), BACKUP_JOBS, and the key from BACKUP_ENCRYPTION_KEY(_FILE). */
    static Path folder(Cli cli, Path out) {
        if (out != null) {
            return out;
        }
        String dir = cli.env.get("BACKUP_DIR");
        if (dir != null && dir.isBlank()) {
            // an unset ${BACKUP_DIR} in a compose file: the current folder is nobody's intended backups folder
            throw new BotDbException(ErrorCode.CONFIG_INVALID, "BACKUP_DIR is set but empty. Name the backups folder"
                    + " (BACKUP_DIR=/var/backups/bot), or unset it for the default, ./backups.");
        }
        return Path.of(dir == null ? "backups" : dir);
    }

    static Backups backups(Cli cli, BotDb db, Path out, Integer jobs) {
        Path dir = folder(cli, out);
        int j = jobs != null ? jobs : BackupSettings.DEFAULT_JOBS;
        if (j < 1 || j > 64) {
            throw new BotDbException(ErrorCode.USAGE, "--jobs must be between 1 and 64, not " + j + ".");
        }
        Optional<BackupKey> key = BackupKey.fromEnv(cli.env);
        return Backups.of(db.target(), new BackupSettings(dir, j, BackupSettings.DEFAULT_ZSTD_LEVEL), cli.err::println)
                .withKey(key);
    }

    @Command(name = "backup", description = "Back up the database (or --table tables) into BACKUP_DIR (default backups):"
            + " a compressed, checksummed botdb archive with a manifest. Subcommands: verify, list, prune.",
            subcommands = {Verify.class, ListBackups.class, Prune.class})
    static final class Backup implements Callable<Integer> {
        @Mixin
        GlobalOptions local;

        @Option(names = {"-t", "--table"}, description = "Only this table (name or schema.name); repeat for several.")
        List<String> tables = new ArrayList<>();

        @Option(names = "--out", description = "Folder for the backup (default: BACKUP_DIR, or backups).")
        Path out;

        @Option(names = "--format", description = "botdb (default) or pg_dump (a pg_dump -Fc archive; needs a pg_dump"
                + " at least as new as the server).")
        String format = "botdb";

        @Option(names = "--verify", description = "Verify the new backup right away (restore into a scratch database and compare).")
        boolean verify;

        @Option(names = "--jobs", description = "Tables copied at once (default 2).")
        Integer jobs;

        @Option(names = "--with-owners", description = "Include owners and GRANTs (restoring them needs the same roles).")
        boolean owners;

        private final Cli cli;

        Backup(Cli cli) {
            this.cli = cli;
        }

        @Override
        public Integer call() {
            try (BotDb db = Session.open(cli, local)) {
                Backups backups = backups(cli, db, out, jobs);
                BackupRequest request = new BackupRequest(tables, owners);
                BackupResult r;
                switch (format.toLowerCase(Locale.ROOT)) {
                    case "botdb" -> r = backups.backup(request);
                    case "pg_dump", "pgdump", "custom" -> r = backups.backupWithPgDump(request);
                    default -> throw new BotDbException(ErrorCode.USAGE, "--format must be botdb or pg_dump, not " + format + ".");
                }
                cli.out.println(r.file());
                if (verify) {
                    if (r.manifest() == null) {
                        throw new BotDbException(ErrorCode.USAGE, "--verify checks botdb archives; for a pg_dump archive"
                                + " restore it into a scratch database: botdb restore " + r.file() + " --to scratch_db");
                    }
                    VerifyResult v = backups.verify(r.file());
                    cli.out.println(v.summary());
                    return v.ok() ? 0 : ErrorCode.BACKUP_INVALID.exitCode();
                }
                return 0;
            }
        }
    }

    @Command(name = "verify", description = "Restore a backup (default: the newest) into a scratch database, compare"
            + " schema, row counts and checksums with its manifest, drop the scratch database. Exit 0: verified; 15: not.")
    static final class Verify implements Callable<Integer> {
        @Mixin
        GlobalOptions local;

        @Parameters(arity = "0..1", paramLabel = "FILE", description = "The backup (default: the newest in BACKUP_DIR).")
        Path file;

        @Option(names = "--out", description = "The backups folder (default: BACKUP_DIR, or backups).")
        Path out;

        @Option(names = "--jobs", description = "Tables loaded at once (default 2).")
        Integer jobs;

        private final Cli cli;

        Verify(Cli cli) {
            this.cli = cli;
        }

        @Override
        public Integer call() {
            try (BotDb db = Session.open(cli, local)) {
                Backups backups = backups(cli, db, out, jobs);
                Path f = file != null ? file : backups.newest().orElseThrow(() -> new BotDbException(ErrorCode.BACKUP_INVALID,
                        "There is no backup to verify in " + folder(cli, out)
                        + ". Make one: botdb backup"));
                VerifyResult v = backups.verify(f);
                cli.out.println(f + ": " + v.summary());
                return v.ok() ? 0 : ErrorCode.BACKUP_INVALID.exitCode();
            }
        }
    }

    @Command(name = "list", description = "Every backup in BACKUP_DIR with size, age, tables and verification state.")
    static final class ListBackups implements Callable<Integer> {
        @Option(names = "--out", description = "The backups folder (default: BACKUP_DIR, or backups).")
        Path out;

        @Option(names = "--json", description = "Print JSON.")
        boolean json;

        private final Cli cli;

        ListBackups(Cli cli) {
            this.cli = cli;
        }

        @Override
        public Integer call() {
            Path dir = folder(cli, out);
            // listing needs no database: the manifests are in the files
            Backups backups = Backups.folder(dir, BackupKey.fromEnv(cli.env), cli.err::println);
            List<BackupInfo> all = backups.list();
            Instant now = Instant.now();
            if (json) {
                cli.out.println(Printer.json(all.stream().map(b -> {
                    Map<String, Object> m = new LinkedHashMap<>();
                    m.put("file", b.file().toString());
                    m.put("kind", b.kind());
                    m.put("bytes", b.bytes());
                    m.put("created_at", b.createdAt().toString());
                    m.put("encrypted", b.encrypted());
                    m.put("tables", b.tables());
                    m.put("only_tables", b.only());
                    m.put("rows", b.rows());
                    m.put("verified", b.verified().map(v -> v.ok() ? "ok " + v.at() : "FAILED " + v.at()).orElse("never"));
                    m.put("problem", b.problem());
                    return m;
                }).toList()));
                return 0;
            }
            if (all.isEmpty()) {
                cli.out.println("No backups in " + dir.toAbsolutePath() + ". Make one: botdb backup");
                return 0;
            }
            cli.out.printf("%-48s %-10s %10s %8s %7s %s%n", "file", "kind", "size", "age", "tables", "verified");
            for (BackupInfo b : all) {
                cli.out.printf("%-48s %-10s %10s %8s %7s %s%n", b.file().getFileName(), b.kind() + (b.encrypted() ? "*" : ""),
                        Human.bytes(b.bytes()), age(Duration.between(b.createdAt(), now)), b.tables() < 0 ? "?" : b.only().isEmpty() ? b.tables() : String.join(",", b.only()),
                        b.problem() != null ? b.problem() : b.kind().equals("sql")
                                ? "not verifiable by botdb (restore it: botdb restore FILE --to scratch_db)" : b.verified().map(v -> (v.ok() ? "ok, " : "FAILED, ")
                                + age(Duration.between(v.at(), now)) + " ago").orElse("never"));
            }
            if (all.stream().anyMatch(BackupInfo::encrypted)) {
                cli.out.println("* encrypted");
            }
            return 0;
        }
    }

    @Command(name = "prune", description = "Delete old backups: kept when ANY rule keeps them. Never deletes the only"
            + " verified backup. --keep-days 30 keeps what 'find backups -mtime +30 -delete' keeps.")
    static final class Prune implements Callable<Integer> {
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

        private final Cli cli;

        Prune(Cli cli) {
            this.cli = cli;
        }

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
            Backups backups = Backups.folder(folder(cli, out), BackupKey.fromEnv(cli.env), cli.out::println);
            RetentionPlan plan = backups.prune(policy, dryRun);
            cli.out.println(plan.summary());
            return 0;
        }
    }

    @Command(name = "restore", description = "Restore a backup (botdb archive, .sql, .sql.gz or pg_dump -Fc) into the"
            + " database, a new database (--to), or one table (--table). Refuses a target that holds data unless --force,"
            + " which takes a safety backup first.")
    static final class Restore implements Callable<Integer> {
        @Mixin
        GlobalOptions local;

        @Parameters(paramLabel = "FILE", description = "The backup file.")
        Path file;

        @Option(names = "--to", description = "Another database: a name on the same server, or a URL without a password"
                + " (the password comes from ~/.pgpass or PG* variables, never the command line). Created if missing.")
        String to;

        @Option(names = {"-t", "--table"}, description = "Only this table; repeat for several.")
        List<String> tables = new ArrayList<>();

        @Option(names = "--force", description = "Replace what the target holds (a safety backup of it is taken first).")
        boolean force;

        @Option(names = "--terminate-sessions", description = "End the other sessions connected to the target"
                + " (without it, a restore into a database others are connected to is refused).")
        boolean terminateSessions;

        @Option(names = "--jobs", description = "Tables loaded and indexed at once (default 2).")
        Integer jobs;

        @Option(names = "--out", description = "Where the safety backup goes (default: BACKUP_DIR, or backups).")
        Path out;

        private final Cli cli;

        Restore(Cli cli) {
            this.cli = cli;
        }

        @Override
        public Integer call() {
            // no idle pool: its sessions on the target would count as others connected to it
            try (BotDb db = Session.openWithoutIdlePool(cli, local)) {
                Backups backups = backups(cli, db, out, jobs);
                ConnectionTarget target = target(db);
                RestoreResult r = backups.restore(file, new RestoreRequest(target, tables, force, terminateSessions));
                cli.out.println("Restored " + file + " into " + target.displayName()
                        + (r.rows() >= 0 ? " (" + r.tables() + " tables, " + r.rows() + " rows)" : "")
                        + r.safetyBackup().map(p -> "; what was there before is in " + p).orElse(""));
                return 0;
            }
        }

        private ConnectionTarget target(BotDb db) {
            if (to == null) {
                return db.target();
            }
            if (!to.contains(":") && !to.contains("/")) {
                if (db.target() instanceof PostgresTarget pg) {
                    return pg.withDatabase(to);
                }
                throw new BotDbException(ErrorCode.USAGE, "--to " + to + " names a database, but DATABASE_URL is SQLite;"
                        + " give a URL: --to sqlite:///path/to/new.db");
            }
            if (Redaction.holdsSecret(to)) {
                throw new BotDbException(ErrorCode.USAGE, "--to has a password in it, and command lines are visible to every"
                        + " user of this machine (ps). Leave it out: botdb takes it from ~/.pgpass or PGPASSWORD.");
            }
            Map<String, String> env = new HashMap<>(cli.env);
            env.put("DATABASE_URL", to);
            env.keySet().removeIf(k -> k.startsWith("POSTGRES_") || k.startsWith("PSQL_DB_"));
            return BotDbConfig.fromEnv(env).target();
        }
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
