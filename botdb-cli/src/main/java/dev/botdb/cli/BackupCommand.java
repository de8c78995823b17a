package dev.botdb.cli;

import dev.botdb.BotDb;
import dev.botdb.BotDbException;
import dev.botdb.ErrorCode;
import dev.botdb.backup.BackupRequest;
import dev.botdb.backup.BackupResult;
import dev.botdb.backup.Backups;
import dev.botdb.backup.VerifyResult;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code botdb backup}: a checksummed botdb archive of the database or some tables. */
@Command(name = "backup", description = "Back up the database (or --table tables) into BACKUP_DIR (default backups):"
        + " a compressed, checksummed botdb archive with a manifest. Subcommands: verify, list, prune.",
        subcommands = {BackupVerifyCommand.class, BackupListCommand.class, BackupPruneCommand.class})
final class BackupCommand extends BotDbCommand {
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

    @Option(names = "--json", description = "Print JSON: {file, bytes, tables, rows, verification: {...} with --verify}.")
    boolean json;

    @Override
    public Integer call() {
        try (BotDb db = open()) {
            Backups backups = BackupSetup.backups(cli, db, out, jobs);
            BackupRequest request = new BackupRequest(tables, owners);
            BackupResult r;
            switch (format.toLowerCase(Locale.ROOT)) {
                case "botdb" -> r = backups.backup(request);
                case "pg_dump", "pgdump", "custom" -> r = backups.backupWithPgDump(request);
                default -> throw new BotDbException(ErrorCode.USAGE, "--format must be botdb or pg_dump, not " + format + ".");
            }
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("file", r.file().toString());
            m.put("bytes", r.bytes());
            m.put("tables", r.manifest() == null ? null : r.manifest().tables().size());
            m.put("rows", r.manifest() == null ? null
                    : r.manifest().tables().stream().mapToLong(t -> t.rows()).sum());
            if (!json) {
                cli.out.println(r.file());
            }
            if (verify) {
                if (r.manifest() == null) {
                    throw new BotDbException(ErrorCode.USAGE, "--verify checks botdb archives; for a pg_dump archive"
                            + " restore it into a scratch database: botdb restore " + r.file() + " --to scratch_db");
                }
                VerifyResult v = backups.verify(r.file());
                m.put("verification", BackupVerifyCommand.verification(v));
                cli.out.println(json ? Printer.json(m) : v.summary());
                return v.ok() ? 0 : ErrorCode.BACKUP_INVALID.exitCode();
            }
            if (json) {
                cli.out.println(Printer.jsonWithNulls(m));
            }
            return 0;
        }
    }
}
