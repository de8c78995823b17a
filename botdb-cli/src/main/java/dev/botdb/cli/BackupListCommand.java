package dev.botdb.cli;

import dev.botdb.backup.BackupInfo;
import dev.botdb.backup.Backups;
import dev.botdb.backup.archive.BackupKey;
import dev.botdb.text.Human;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code botdb backup list}: the backups folder, with sizes, ages and verification. */
@Command(name = "list", description = "Every backup in BACKUP_DIR with size, age, tables and verification state.")
final class BackupListCommand extends BotDbCommand {
    @Option(names = "--out", description = "The backups folder (default: BACKUP_DIR, or backups).")
    Path out;

    @Option(names = "--json", description = "Print JSON.")
    boolean json;

    @Override
    public Integer call() {
        Path dir = BackupSetup.folder(cli, out);
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
                    Human.bytes(b.bytes()), BackupSetup.age(Duration.between(b.createdAt(), now)), b.tables() < 0 ? "?" : b.only().isEmpty() ? b.tables() : String.join(",", b.only()),
                    b.problem() != null ? b.problem() : b.kind().equals("sql")
                            ? "not verifiable by botdb (restore it: botdb restore FILE --to scratch_db)" : b.verified().map(v -> (v.ok() ? "ok, " : "FAILED, ")
                            + BackupSetup.age(Duration.between(v.at(), now)) + " ago").orElse("never"));
        }
        if (all.stream().anyMatch(BackupInfo::encrypted)) {
            cli.out.println("* encrypted");
        }
        return 0;
    }
}
