package dev.botdb.cli;

import dev.botdb.BotDb;
import dev.botdb.BotDbException;
import dev.botdb.ErrorCode;
import java.util.List;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;

/** {@code botdb rollback [N]}: undo the last N migrations with their rollback files. */
@Command(name = "rollback", description = "Undo the last N applied migrations (default 1) with their"
        + " .down.sql or .rollback.sql files; refuses when one has none.")
final class RollbackCommand extends BotDbCommand {
    @Parameters(paramLabel = "N", defaultValue = "1", description = "How many (default ${DEFAULT-VALUE}).")
    int count;
    @Override
    public Integer call() {
        if (count < 1) {
            throw new BotDbException(ErrorCode.USAGE, "rollback N needs N of 1 or more, e.g. botdb rollback 1");
        }
        try (BotDb db = open()) {
            List<String> done = db.migrator(cli.out::println).rollback(count);
            cli.out.println("Rolled back " + done.size() + ": " + String.join(", ", done));
        }
        return 0;
    }
}
