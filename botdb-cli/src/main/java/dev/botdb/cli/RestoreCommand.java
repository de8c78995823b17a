package dev.botdb.cli;

import dev.botdb.BotDb;
import dev.botdb.BotDbException;
import dev.botdb.ErrorCode;
import dev.botdb.backup.Backups;
import dev.botdb.backup.RestoreRequest;
import dev.botdb.backup.RestoreResult;
import dev.botdb.config.BotDbConfig;
import dev.botdb.config.ConnectionTarget;
import dev.botdb.config.PostgresTarget;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code botdb restore}: a botdb archive, plain SQL or pg_dump file into a database. */
@Command(name = "restore", description = "Restore a backup (botdb archive, .sql, .sql.gz or pg_dump -Fc) into the"
        + " database, a new database (--to), or one table (--table); or put back the rows of an archive file of botdb"
        + " archive --to (into the table they came from, or --into another). Refuses a target that holds data unless --force,"
        + " which takes a safety backup first.")
final class RestoreCommand extends BotDbCommand {
    @Parameters(paramLabel = "FILE", description = "The backup file.")
    Path file;

    @Option(names = "--to", description = "Another database: a name on the same server, or a URL without a password"
            + " (the password comes from ~/.pgpass or PG* variables, never the command line). Created if missing.")
    String to;

    @Option(names = {"-t", "--table"}, description = "Only this table; repeat for several.")
    List<String> tables = new ArrayList<>();

    @Option(names = "--into", paramLabel = "TABLE", description = "An archive file of botdb archive --to only: put"
            + " the rows into this table instead of the one they came from (created with the archived columns when"
            + " missing), e.g. to look at them beside the live rows.")
    String into;

    @Option(names = "--force", description = "Replace what the target holds (a safety backup of it is taken first).")
    boolean force;

    @Option(names = "--terminate-sessions", description = "End the other sessions connected to the target"
            + " (without it, a restore into a database others are connected to is refused).")
    boolean terminateSessions;

    @Option(names = "--jobs", description = "Tables loaded and indexed at once (default 2).")
    Integer jobs;

    @Option(names = "--out", description = "Where the safety backup goes (default: BACKUP_DIR, or backups).")
    Path out;

    @Option(names = "--json", description = "Print JSON: {file, target, tables, rows, created_database, safety_backup, duration_ms}.")
    boolean json;

    @Override
    public Integer call() {
        // no idle pool: its sessions on the target would count as others connected to it
        try (BotDb db = openWithoutIdlePool()) {
            Backups backups = BackupSetup.backups(cli, db, out, jobs);
            ConnectionTarget target = target(db);
            RestoreResult r = backups.restore(file, new RestoreRequest(target, tables, force, terminateSessions, into));
            if (json) {
                Map<String, Object> m = new LinkedHashMap<>();
                m.put("file", file.toString());
                m.put("target", target.displayName());
                m.put("tables", r.rows() >= 0 ? r.tables() : null);
                m.put("rows", r.rows() >= 0 ? r.rows() : null);
                m.put("created_database", r.createdDatabase());
                m.put("safety_backup", r.safetyBackup().map(Path::toString).orElse(null));
                m.put("duration_ms", r.millis());
                cli.out.println(Printer.jsonWithNulls(m));
                return 0;
            }
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
        return BotDbConfig.fromEnv(envWithDatabaseUrl("--to", to)).target();
    }
}
