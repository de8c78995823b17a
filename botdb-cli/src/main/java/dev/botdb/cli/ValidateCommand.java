package dev.botdb.cli;

import dev.botdb.BotDb;
import java.util.Map;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code botdb validate}: every file parses and the history is consistent; applies nothing. */
@Command(name = "validate", description = "Check every migration file parses and no applied file changed,"
        + " failed or went missing. Applies nothing.")
final class ValidateCommand extends BotDbCommand {
    @Option(names = "--json", description = "Print JSON: {files, history: 'consistent'} (a failure exits 10 or 13 with the error on stderr).")
    boolean json;

    @Override
    public Integer call() {
        try (BotDb db = openUnpooled()) {
            int n = db.migrator(cli.err::println).validate();
            cli.out.println(json ? Printer.json(Map.of("files", n, "history", "consistent"))
                    : "Validation passed: " + n + " migration files, history consistent");
        }
        return 0;
    }
}
