package dev.botdb.cli;

import dev.botdb.BotDb;
import dev.botdb.BotDbException;
import dev.botdb.ErrorCode;
import dev.botdb.backup.Backups;
import dev.botdb.backup.VerifyResult;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code botdb backup verify}: restore a backup into a scratch database and compare. */
@Command(name = "verify", description = "Restore a backup (default: the newest) into a scratch database, compare"
        + " schema, row counts and checksums with its manifest, drop the scratch database. Exit 0: verified; 15: not.")
final class BackupVerifyCommand extends BotDbCommand {
    @Parameters(arity = "0..1", paramLabel = "FILE", description = "The backup (default: the newest in BACKUP_DIR).")
    Path file;

    @Option(names = "--out", description = "The backups folder (default: BACKUP_DIR, or backups).")
    Path out;

    @Option(names = "--jobs", description = "Tables loaded at once (default 2).")
    Integer jobs;

    @Option(names = "--json", description = "Print JSON: {file, ok, tables, rows, problems: [...], duration_ms}.")
    boolean json;

    @Override
    public Integer call() {
        try (BotDb db = open()) {
            Backups backups = BackupSetup.backups(cli, db, out, jobs);
            Path f = file != null ? file : backups.newest().orElseThrow(() -> new BotDbException(ErrorCode.BACKUP_INVALID,
                    "There is no backup to verify in " + BackupSetup.folder(cli, out)
                    + ". Make one: botdb backup"));
            VerifyResult v = backups.verify(f);
            cli.out.println(json ? Printer.json(verification(v)) : f + ": " + v.summary());
            return v.ok() ? 0 : ErrorCode.BACKUP_INVALID.exitCode();
        }
    }

    static Map<String, Object> verification(VerifyResult v) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("file", v.file().toString());
        m.put("ok", v.ok());
        m.put("tables", v.tables());
        m.put("rows", v.rows());
        m.put("problems", v.problems());
        m.put("duration_ms", v.millis());
        return m;
    }
}
