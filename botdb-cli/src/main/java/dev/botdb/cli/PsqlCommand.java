package dev.botdb.cli;

import dev.botdb.BotDb;
import dev.botdb.BotDbException;
import dev.botdb.ErrorCode;
import dev.botdb.backup.external.PgTools;
import dev.botdb.config.PostgresTarget;
import java.util.ArrayList;
import java.util.List;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;

/**
 * {@code botdb psql [-- PSQL_ARGS]}: psql itself on the connection botdb resolved (DATABASE_URL,
 * POSTGRES_*, ~/.pgpass ...), with the password in a private pass file, never on the command line.
 */
@Command(name = "psql", description = "Open psql on the configured database (password in a 0600 pass file, never on"
        + " the command line). Arguments after -- go to psql: botdb psql -- -c \"SELECT 1\". Exits with psql's code.")
final class PsqlCommand extends BotDbCommand {
    @Parameters(arity = "0..*", paramLabel = "PSQL_ARGS", description = "psql's own arguments (after --).")
    List<String> args = new ArrayList<>();

    @Override
    public Integer call() {
        // opened first: the embedded default starts here, and a wrong password is named before psql runs
        try (BotDb db = open()) {
            if (!(db.target() instanceof PostgresTarget pg)) {
                throw new BotDbException(ErrorCode.USAGE, "psql is for PostgreSQL; the configured database is "
                        + db.target().displayName() + ". Use sqlite3 on the file, or botdb sql \"SELECT ...\".");
            }
            return PgTools.find(cli.env).interactive(pg, args);
        }
    }
}
